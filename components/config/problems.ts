import { cidrProblem } from "../cidr";

/**
 * What the checks share: how a problem names a value, the patterns names must match, and the
 * limits that are policy rather than AWS's. A problem is one line: the key, the value, and what
 * is allowed.
 */

export type Problems = string[];

/** A value as messages quote it. */
export const show = (value: unknown): string => JSON.stringify(value) ?? "undefined";

export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const DNS_NAME =
    /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Limits that are policy, not AWS hard limits; each is enforced with a message. */
export const LIMITS = {
    vpcPrefix: { min: 16, max: 20 },
    servicePrefix: { min: 12, max: 24 },
    availabilityZones: { min: 2, max: 3 },
    clusterName: 32,
    diskSize: { min: 20, max: 1000 },
    maxNodes: 450,
};

/** A canonical IPv4 block, or a problem naming the key; true when the block is usable. */
export function checkCidr(key: string, value: string, problems: Problems): boolean {
    const problem = cidrProblem(value);
    if (problem === "malformed") {
        problems.push(`${key}: "${value}" is not an IPv4 CIDR block like 10.0.0.0/16`);
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
