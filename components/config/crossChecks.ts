import { cidrProblem, contains, isPrivate, overlaps, PRIVATE_RANGES } from "../cidr";
import {
    DEFAULT_ISTIO_HUB,
    hasBranchEniProbeFix,
    ISTIO_RELEASES,
    IstioRelease,
    istioReleaseOf,
    KUBERNETES_VERSIONS,
    patchAtLeast,
    RETIRED_ISTIO_HOSTS,
    SECURITY_GROUP_RULES_RESERVED,
} from "../versions";
import { checkCidr, defaultNetwork, Problems } from "./problems";
import { ParsedCluster, ParsedMesh } from "./schema";

/**
 * Rules that span keys of several sections: names, networks and address space across every
 * cluster of the mesh (this stack's and its peers'), the declared address space and the
 * security-group quota, and the Istio release against the clusters and the dataplane mode.
 */

export function checkAcrossClusters(
    clusters: readonly ParsedCluster[],
    peers: ParsedMesh["peers"],
    problems: Problems,
): void {
    const firstWith = new Map<string, string>();
    const claim = (key: string, field: string, value: string) => {
        const seen = firstWith.get(`${field}=${value}`);
        if (seen !== undefined) {
            problems.push(
                `${key}.${field}: "${value}" is already used by ${seen}; each cluster needs its own ${field}`,
            );
        } else {
            firstWith.set(`${field}=${value}`, key);
        }
    };
    clusters.forEach((c, i) => {
        claim(`clusters[${i}]`, "name", c.name);
        claim(`clusters[${i}]`, "network", c.network ?? defaultNetwork(c.name));
    });
    const peerClusters = peers.flatMap((p, i) =>
        p.clusters.map((c, j) => ({ key: `mesh.peers[${i}].clusters[${j}]`, ...c })),
    );
    peerClusters.forEach((c) => {
        claim(c.key, "name", c.name);
        claim(c.key, "network", c.network ?? defaultNetwork(c.name));
    });
    const blocks = [
        ...clusters.flatMap((c, i) =>
            (["vpcCidr", "serviceCidr"] as const).map((field) => ({
                key: `clusters[${i}].${field}`,
                cidr: c[field],
            })),
        ),
        ...peerClusters.map((c) => ({ key: `${c.key}.vpcCidr`, cidr: c.vpcCidr })),
    ].filter((b) => cidrProblem(b.cidr) === undefined);
    blocks.forEach((a, i) =>
        blocks.slice(0, i).forEach((b) => {
            if (overlaps(a.cidr, b.cidr)) {
                problems.push(
                    `${a.key}: "${a.cidr}" overlaps ${b.key} "${b.cidr}"; every VPC and service CIDR in the mesh must be disjoint`,
                );
            }
        }),
    );
}

/** The declared blocks that are usable: canonical, private, disjoint. */
function validBlocks(blocks: readonly string[], problems: Problems): string[] {
    return blocks.filter((cidr, i) => {
        const key = `mesh.addressSpace[${i}]`;
        if (!checkCidr(key, cidr, problems)) {
            return false;
        }
        if (!isPrivate(cidr)) {
            problems.push(
                `${key}: "${cidr}" is not inside a private range (${PRIVATE_RANGES.join(", ")})`,
            );
            return false;
        }
        const earlier = blocks.slice(0, i).findIndex((other) => overlaps(cidr, other));
        if (earlier >= 0 && cidrProblem(blocks[earlier]) === undefined) {
            problems.push(
                `${key}: "${cidr}" overlaps mesh.addressSpace[${earlier}] "${blocks[earlier]}"; list disjoint blocks`,
            );
            return false;
        }
        return true;
    });
}

/**
 * `mesh.addressSpace` must hold every VPC of the mesh; without it, the per-peer rules of each
 * security group must fit the account's quota.
 */
export function checkAddressSpace(
    clusters: readonly ParsedCluster[],
    mesh: ParsedMesh,
    problems: Problems,
): void {
    const blocks = mesh.addressSpace;
    const quota = mesh.securityGroupRuleQuota;
    if (quota < 1 || quota > 1000) {
        problems.push(
            `mesh.securityGroupRuleQuota: ${quota} is not a rules-per-group quota AWS grants (1-1000)`,
        );
        return;
    }
    const valid = validBlocks(blocks, problems);
    const vpcs = [
        ...clusters.map((c, i) => ({ key: `clusters[${i}].vpcCidr`, cidr: c.vpcCidr })),
        ...mesh.peers.flatMap((p, i) =>
            p.clusters.map((c, j) => ({
                key: `mesh.peers[${i}].clusters[${j}].vpcCidr`,
                cidr: c.vpcCidr,
            })),
        ),
    ].filter((v) => cidrProblem(v.cidr) === undefined);
    if (blocks.length > 0 && valid.length === blocks.length) {
        for (const v of vpcs.filter((v) => !valid.some((b) => contains(b, v.cidr)))) {
            problems.push(
                `${v.key}: "${v.cidr}" lies outside mesh.addressSpace (${blocks.join(", ")}); every VPC of the mesh must be inside it`,
            );
        }
    }
    checkRuleQuota(clusters, blocks.length, Math.max(0, vpcs.length - 1), quota, problems);
}

function checkRuleQuota(
    clusters: readonly ParsedCluster[],
    blocks: number,
    peers: number,
    quota: number,
    problems: Problems,
): void {
    const sources = blocks > 0 ? blocks : peers;
    clusters.forEach((c, i) => {
        const operators = c.endpoint.privateAccessCidrs.length;
        const rules = sources + operators + SECURITY_GROUP_RULES_RESERVED;
        if (rules <= quota) {
            return;
        }
        const what =
            blocks > 0
                ? `${sources} for mesh.addressSpace`
                : `${sources} for the other clusters of the mesh`;
        problems.push(
            `mesh.addressSpace: clusters[${i}] ("${c.name}") would hold ${rules} inbound rules in its cluster security group (${what}, ${operators} for endpoint.privateAccessCidrs, ${SECURITY_GROUP_RULES_RESERVED} kept for EKS and the load balancer controller), above mesh.securityGroupRuleQuota ${quota}; ` +
                (blocks > 0
                    ? "list fewer, larger blocks, or raise the quota to what AWS granted your account"
                    : 'declare mesh.addressSpace, blocks that hold every VPC of the mesh (e.g. ["10.0.0.0/8"]), so each group holds one rule per block, or raise the quota to what AWS granted your account'),
        );
    });
}

/**
 * An Istio release against everything that depends on it: each cluster's Kubernetes version,
 * ambient multi-cluster support and the branch-ENI probe fix, the image registry. `key` is the
 * config key that names it (`mesh.istioVersion`, or `mesh.upgrade.to` for a canary revision).
 * Problems go to `problems`, allowed-but-risky choices to `warnings`.
 */
export function checkRelease(
    version: string,
    key: string,
    mesh: ParsedMesh,
    clusters: readonly ParsedCluster[],
    problems: Problems,
    warnings: string[],
): IstioRelease | undefined {
    const release = istioReleaseOf(version);
    if (!release) {
        const pinned = Object.values(ISTIO_RELEASES).map((r) => r.version);
        problems.push(
            `${key}: "${version}" is not a pinned release; use one of ${pinned.join(", ")}`,
        );
        return undefined;
    }
    clusters.forEach((c, i) => {
        const k8s = String(c.kubernetesVersion);
        if (
            (KUBERNETES_VERSIONS as readonly string[]).includes(k8s) &&
            !(release.kubernetes as readonly string[]).includes(k8s)
        ) {
            problems.push(
                `clusters[${i}].kubernetesVersion: "${k8s}" is not supported by Istio ${version}; use one of ${release.kubernetes.join(", ")}, or another ${key}`,
            );
        }
    });
    checkDataplane(mesh, release, key, clusters.length + mesh.peers.length > 1, problems, warnings);
    const { hubs, from } = RETIRED_ISTIO_HOSTS.images;
    const retired = hubs.some((h) => mesh.hub === h || mesh.hub.startsWith(`${h}/`));
    if (retired && patchAtLeast(version, `${from}.0`)) {
        problems.push(
            `mesh.hub: "${mesh.hub}" gets no Istio images from ${from} on; use ${DEFAULT_ISTIO_HUB} or a mirror of it`,
        );
    }
    return release;
}

/** Ambient mode's needs of the release: multi-cluster support and the branch-ENI probe fix. */
function checkDataplane(
    mesh: ParsedMesh,
    release: IstioRelease,
    key: string,
    multiCluster: boolean,
    problems: Problems,
    warnings: string[],
): void {
    if (mesh.dataplaneMode !== "ambient") {
        return;
    }
    const version = release.version;
    if (multiCluster && release.ambientMultiCluster === "unsupported") {
        problems.push(
            `${key}: "${version}" has no ambient multi-cluster support; use 1.27 or later (1.29+ for beta), or mesh.dataplaneMode: sidecar`,
        );
    } else if (multiCluster && release.ambientMultiCluster === "alpha") {
        warnings.push(
            `${key}: ambient multi-cluster is alpha in Istio ${version}; 1.29+ makes it beta`,
        );
    }
    if (!hasBranchEniProbeFix(release)) {
        const releases = Object.values(ISTIO_RELEASES);
        const fixedIn = releases.flatMap((r) => r.branchEniProbeFix ?? []);
        const fixed = releases.filter(hasBranchEniProbeFix).map((r) => r.version);
        problems.push(
            `${key}: "${version}" lacks istio-cni's probe fix for pods with their own security groups (AMBIENT_ENABLE_AWS_BRANCH_ENI_PROBE, in ${fixedIn.join(", ")} and later patches); the VPC CNI here gives pods security groups, so ambient pods would fail their kubelet probes; use one of ${fixed.join(", ")}, or mesh.dataplaneMode: sidecar`,
        );
    }
}
