import { isPrivate, prefixLength, PRIVATE_RANGES } from "../cidr";
import {
    INSTANCE_FAMILIES_WITHOUT_TRUNK_ENI,
    instanceArchitecture,
    KUBERNETES_VERSIONS,
    REGIONS,
} from "../versions";
import { checkClusterAdmins } from "./adminChecks";
import { checkCidr, DNS_LABEL, LIMITS, Problems, show } from "./problems";
import { ParsedCluster, ParsedPlatformConfig } from "./schema";
import { checkTags } from "./tagChecks";

/** The keys of one cluster, each on its own and against its siblings in the cluster. */

const INSTANCE_TYPE = /^([a-z][a-z0-9-]*)\.([a-z0-9]+)$/;

/**
 * `environment`, `tags`, `clusterAdmins` and the number of clusters. `writtenTags` is the tags
 * map as written.
 */
export function checkTopLevel(
    cfg: ParsedPlatformConfig,
    writtenTags: unknown,
    problems: Problems,
): void {
    if (cfg.environment.length > 20 || !DNS_LABEL.test(cfg.environment)) {
        problems.push(
            `environment: "${cfg.environment}" is not a DNS-1123 label of at most 20 characters`,
        );
    }
    checkTags(cfg.tags, writtenTags, problems);
    checkClusterAdmins(cfg.clusterAdmins, problems);
    const count = cfg.clusters.length;
    if (count === 0) {
        problems.push("clusters: [] is empty; configure at least one cluster");
    } else if (count > LIMITS.clustersPerStack) {
        problems.push(
            `clusters: ${count} clusters; a stack takes at most ${LIMITS.clustersPerStack} (each istiod watches every other cluster's API server); split the mesh into stacks that name each other in mesh.peers`,
        );
    }
}

/** One cluster's own keys (its endpoints are checked with the other clusters'). */
export function checkCluster(c: ParsedCluster, key: string, problems: Problems): void {
    if (c.name.length > LIMITS.clusterName || !DNS_LABEL.test(c.name)) {
        problems.push(
            `${key}.name: "${c.name}" is not a DNS-1123 label of at most ${LIMITS.clusterName} characters (lower-case letters, digits and '-', starting and ending with a letter or digit)`,
        );
    }
    if (!Object.hasOwn(REGIONS, c.region)) {
        problems.push(
            `${key}.region: "${c.region}" is not a supported AWS region; use one of ${Object.keys(REGIONS).join(", ")}`,
        );
    }
    checkKubernetesVersion(c.kubernetesVersion, key, problems);
    checkBlock(`${key}.vpcCidr`, c.vpcCidr, LIMITS.vpcPrefix, problems);
    checkBlock(`${key}.serviceCidr`, c.serviceCidr, LIMITS.servicePrefix, problems);
    const azs = c.availabilityZoneCount;
    if (azs < LIMITS.availabilityZones.min || azs > LIMITS.availabilityZones.max) {
        problems.push(
            `${key}.availabilityZoneCount: ${azs} is not allowed; use ${LIMITS.availabilityZones.min} to ${LIMITS.availabilityZones.max} (EKS needs subnets in at least two zones)`,
        );
    }
    checkNodeGroup(c.nodeGroup, `${key}.nodeGroup`, problems);
    if (c.network !== undefined && (c.network.length > 63 || !DNS_LABEL.test(c.network))) {
        problems.push(`${key}.network: "${c.network}" is not a DNS-1123 label`);
    }
}

function checkKubernetesVersion(version: string | number, key: string, problems: Problems): void {
    const newest = KUBERNETES_VERSIONS[KUBERNETES_VERSIONS.length - 1];
    if (typeof version === "number") {
        problems.push(
            `${key}.kubernetesVersion: ${version} is a number; quote it (YAML reads 1.30 as 1.3), e.g. "${newest}"`,
        );
    } else if (!(KUBERNETES_VERSIONS as readonly string[]).includes(version)) {
        problems.push(
            `${key}.kubernetesVersion: "${version}" is not supported; use one of ${KUBERNETES_VERSIONS.join(", ")}`,
        );
    }
}

/** A VPC or service block: canonical, within its size range, private. */
export function checkBlock(
    key: string,
    cidr: string,
    range: { min: number; max: number },
    problems: Problems,
): void {
    if (!checkCidr(key, cidr, problems)) {
        return;
    }
    const prefix = prefixLength(cidr);
    const service = key.endsWith(".serviceCidr");
    if (prefix < range.min || prefix > range.max) {
        problems.push(
            service
                ? `${key}: "${cidr}" is a /${prefix}; EKS takes a block from /${range.min} to /${range.max}`
                : `${key}: "${cidr}" is a /${prefix}; use a block from /${range.min} to /${range.max} (pods take VPC addresses)`,
        );
    }
    if (!isPrivate(cidr)) {
        problems.push(
            `${key}: "${cidr}" is not inside a private range (${PRIVATE_RANGES.join(", ")})${service ? ", as EKS requires" : ""}`,
        );
    }
}

function checkNodeGroup(ng: ParsedCluster["nodeGroup"], key: string, problems: Problems): void {
    if (ng.instanceTypes.length === 0) {
        problems.push(`${key}.instanceTypes: [] is empty; name at least one instance type`);
    }
    ng.instanceTypes.forEach((type, i) => {
        const match = INSTANCE_TYPE.exec(type);
        if (!match) {
            problems.push(
                `${key}.instanceTypes[${i}]: "${type}" is not an instance type like m6i.large`,
            );
        } else if (INSTANCE_FAMILIES_WITHOUT_TRUNK_ENI.test(match[1])) {
            problems.push(
                `${key}.instanceTypes[${i}]: "${type}" is a burstable t-family type without trunk ENIs, which security groups for pods need; use e.g. m6i.large or c6i.large`,
            );
        }
    });
    const architectures = new Set(
        ng.instanceTypes.filter((t) => INSTANCE_TYPE.test(t)).map(instanceArchitecture),
    );
    if (architectures.size > 1) {
        problems.push(
            `${key}.instanceTypes: ${show(ng.instanceTypes)} mixes arm64 and x86_64 types; one node group runs one architecture`,
        );
    }
    checkSizes(ng, key, problems);
}

function checkSizes(ng: ParsedCluster["nodeGroup"], key: string, problems: Problems): void {
    const { minSize, desiredSize, maxSize, diskSize } = ng;
    if (minSize < 1) {
        problems.push(`${key}.minSize: ${minSize} is too small; the mesh needs at least 1 node`);
    }
    if (minSize > desiredSize || desiredSize > maxSize) {
        problems.push(
            `${key}: minSize ${minSize}, desiredSize ${desiredSize}, maxSize ${maxSize} must satisfy minSize <= desiredSize <= maxSize`,
        );
    }
    if (maxSize > LIMITS.maxNodes) {
        problems.push(
            `${key}.maxSize: ${maxSize} is above the ${LIMITS.maxNodes} nodes a managed node group takes`,
        );
    }
    if (diskSize < LIMITS.diskSize.min || diskSize > LIMITS.diskSize.max) {
        problems.push(
            `${key}.diskSize: ${diskSize} is not allowed; use ${LIMITS.diskSize.min} to ${LIMITS.diskSize.max} GiB`,
        );
    }
}
