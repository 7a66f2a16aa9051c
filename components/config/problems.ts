import { cidrProblem, hasLeadingZeros } from "../cidr";

/**
 * What the checks share: how a problem names a value, the patterns names must match, and the
 * limits, the program's and AWS's. A problem is one line: the key, the value, and what is
 * allowed.
 */

export type Problems = string[];

/** A value as messages quote it. */
export const show = (value: unknown): string => JSON.stringify(value) ?? "undefined";

export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const DNS_NAME =
    /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Limits, each enforced with a message: the program's policy, and AWS's where it says so. */
export const LIMITS = {
    vpcPrefix: { min: 16, max: 20 },
    servicePrefix: { min: 12, max: 24 },
    /**
     * The zones a VPC spans. A region may offer an account fewer (us-west-1 offers two), which
     * only AWS knows: the network checks it when it reads the region's zones.
     */
    availabilityZones: { min: 2, max: 3 },
    clusterName: 32,
    diskSize: { min: 20, max: 1000 },
    maxNodes: 450,
    /**
     * Clusters in one stack. Every cluster's istiod watches every other API server (N-1 watches
     * each) through a remote secret per pair (N×(N-1) in all: 992 at 32), and every cluster
     * admits every other on its API server and east-west gateway; the bench
     * (`scripts/bench/measure.ts`) measures plans up to 32 clusters. Beyond that, split the mesh
     * into peer stacks.
     */
    clustersPerStack: 32,
    /**
     * Tags per AWS resource, not counting AWS's own `aws:` tags; key and value lengths in
     * Unicode characters. "Tagging your AWS resources" (Tag naming limits and requirements) and
     * the IAM API's `Tag` type: https://docs.aws.amazon.com/IAM/latest/APIReference/API_Tag.html
     */
    tags: { perResource: 50, keyLength: 128, valueLength: 256 },
    /**
     * EKS quota "Public endpoint access CIDR ranges per cluster": 40, not adjustable.
     * https://docs.aws.amazon.com/eks/latest/userguide/service-quotas.html
     */
    publicAccessCidrs: 40,
};

/** A canonical IPv4 block, or a problem naming the key; true when the block is usable. */
export function checkCidr(key: string, value: string, problems: Problems): boolean {
    const problem = cidrProblem(value);
    if (problem === "malformed") {
        const zeros = hasLeadingZeros(value) ? " (AWS reads no leading zeros)" : "";
        problems.push(`${key}: ${show(value)} is not an IPv4 CIDR block like 10.0.0.0/16${zeros}`);
        return false;
    }
    if (problem === "not-aligned") {
        problems.push(
            `${key}: "${value}" has host bits set; the block starts at a multiple of its size`,
        );
        return false;
    }
    return true;
}

/** A cluster's Istio network when the config names none. */
export function defaultNetwork(clusterName: string): string {
    return `${clusterName}-network`;
}
