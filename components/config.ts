import { createPrivateKey, X509Certificate } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { cidrProblem, contains, isPrivate, overlaps, prefixLength, PRIVATE_RANGES } from "./cidr";
import {
    DEFAULT_ISTIO_CHART_REPOSITORY,
    DEFAULT_ISTIO_HUB,
    DEFAULT_ISTIO_VERSION,
    hasBranchEniProbeFix,
    INSTANCE_FAMILIES_WITHOUT_TRUNK_ENI,
    instanceArchitecture,
    ISTIO_RELEASES,
    IstioRelease,
    istioReleaseOf,
    KUBERNETES_VERSIONS,
    KubernetesVersion,
    patchAtLeast,
    DEFAULT_SECURITY_GROUP_RULE_QUOTA,
    REGIONS,
    RETIRED_ISTIO_HOSTS,
    SECURITY_GROUP_RULES_RESERVED,
} from "./versions";

/**
 * The stack's configuration: one typed model, read in one place and validated before any
 * resource is registered. Every problem is collected and reported at once, each naming the
 * key, the value and what is allowed.
 */

export type NatGateways = "single" | "perAz";

export interface NodeGroupConfig {
    readonly instanceTypes: string[];
    readonly minSize: number;
    readonly desiredSize: number;
    readonly maxSize: number;
    /** Root volume size in GiB. */
    readonly diskSize: number;
    readonly capacityType: "ON_DEMAND" | "SPOT";
}

export interface EndpointConfig {
    /** The API server is reachable inside the VPC and, through the Transit Gateway, from peers. */
    readonly privateAccess: boolean;
    readonly publicAccess: boolean;
    /** Who may reach the public endpoint. Peer clusters' NAT addresses are added to this. */
    readonly publicAccessCidrs: string[];
    /** Extra networks (a CI runner's VPC, a VPN) allowed to reach the private endpoint on 443. */
    readonly privateAccessCidrs: string[];
}

export interface ClusterConfig {
    /** DNS-1123 label; also the Istio cluster id and the prefix of every child resource. */
    readonly name: string;
    readonly region: string;
    readonly kubernetesVersion: KubernetesVersion;
    readonly vpcCidr: string;
    readonly serviceCidr: string;
    readonly availabilityZoneCount: number;
    readonly natGateways: NatGateways;
    readonly nodeGroup: NodeGroupConfig;
    readonly endpoint: EndpointConfig;
    /** EKS deletion protection, and Pulumi `protect` on the cluster and its VPC. */
    readonly deletionProtection: boolean;
    /** Istio network name (`topology.istio.io/network`); one per cluster. */
    readonly network: string;
}

export interface PeerStackConfig {
    /** Fully qualified stack name, `org/project/stack`. */
    readonly stack: string;
    readonly clusters: { readonly name: string; readonly vpcCidr: string }[];
}

export type DataplaneMode = "ambient" | "sidecar";

export interface TracingConfig {
    /** OTLP/gRPC collector service, e.g. `otel-collector.observability.svc.cluster.local`. */
    readonly service: string;
    readonly port: number;
    /** Percentage of requests traced, 0-100. */
    readonly samplingPercent: number;
}

export interface MeshConfig {
    readonly istioVersion: string;
    readonly release: IstioRelease;
    readonly chartRepository: string;
    /** Image registry (`global.hub`). */
    readonly hub: string;
    /** Mesh id shared by every cluster (and peer stack) of the mesh. */
    readonly meshId: string;
    /** One trust domain for the whole mesh. */
    readonly trustDomain: string;
    readonly dataplaneMode: DataplaneMode;
    /** Mesh-wide PeerAuthentication mode. */
    readonly mtlsMode: "STRICT" | "PERMISSIVE";
    readonly accessLogging: boolean;
    readonly tracing?: TracingConfig;
    /** Also install an internet-facing ingress gateway in `istio-ingress`. */
    readonly ingressGateway: boolean;
    /** Organisation name in the CA certificates' subjects. */
    readonly caOrganization: string;
    /**
     * An existing root CA (PEM certificate and key) instead of a generated one: how several
     * stacks share one root. The key comes from secret config.
     */
    readonly rootCa?: { readonly certPem: string; readonly privateKeyPem: string };
    /**
     * Blocks that hold every VPC of the mesh (this stack's and its peers'). When set, routes and
     * security-group rules name these blocks instead of each peer, so no route table or group
     * grows with the number of clusters.
     */
    readonly addressSpace: string[];
    /** Inbound rules AWS allows per security group in this account (the quota's value). */
    readonly securityGroupRuleQuota: number;
    /**
     * Clusters of other stacks in the same mesh. Each is listed with its VPC CIDR so that
     * names and address space are checked across stacks before anything is created; the rest
     * (endpoint, CA, reader token) is read from the peer stack's `meshPeers` output.
     */
    readonly peers: PeerStackConfig[];
}

export interface PlatformConfig {
    readonly project: string;
    readonly environment: string;
    /** Tags on every taggable AWS resource, after `project`, `environment` and `managed-by`. */
    readonly tags: Record<string, string>;
    /** IAM principals (role or user ARNs) granted cluster admin through EKS access entries. */
    readonly clusterAdmins: string[];
    readonly clusters: ClusterConfig[];
    readonly mesh: MeshConfig;
    /** Things that are allowed but worth a warning (e.g. alpha features); logged, not fatal. */
    readonly warnings: string[];
}

/** Thrown when the configuration is invalid; `problems` holds one line per problem. */
export class ConfigError extends Error {
    constructor(public readonly problems: string[]) {
        super(
            `Invalid configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
                problems.map((p) => `  - ${p}`).join("\n"),
        );
        this.name = "ConfigError";
    }
}

export const DEFAULTS = {
    availabilityZoneCount: 3,
    natGateways: "single" as NatGateways,
    diskSize: 50,
    capacityType: "ON_DEMAND" as const,
    endpoint: {
        privateAccess: true,
        publicAccess: true,
        publicAccessCidrs: ["0.0.0.0/0"],
        privateAccessCidrs: [] as string[],
    },
    deletionProtection: false,
};

/** Limits that are policy, not AWS hard limits; each is enforced with a message. */
export const LIMITS = {
    vpcPrefix: { min: 16, max: 20 },
    servicePrefix: { min: 12, max: 24 },
    availabilityZones: { min: 2, max: 3 },
    clusterName: 32,
    diskSize: { min: 20, max: 1000 },
    maxNodes: 450,
};

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const INSTANCE_TYPE = /^([a-z][a-z0-9-]*)\.([a-z0-9]+)$/;
const IAM_PRINCIPAL = /^arn:aws:(iam|sts)::\d{12}:(role|user|assumed-role)\/[\w+=,.@\/-]+$/;
const TAG_KEY = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;

const integer = z.number().int();
const cidrList = z.array(z.string());

const clusterSchema = z.strictObject({
    name: z.string(),
    region: z.string(),
    kubernetesVersion: z.union([z.string(), z.number()]),
    vpcCidr: z.string(),
    serviceCidr: z.string(),
    availabilityZoneCount: integer.optional(),
    natGateways: z.enum(["single", "perAz"]).optional(),
    nodeGroup: z.strictObject({
        instanceTypes: z.array(z.string()),
        minSize: integer,
        desiredSize: integer,
        maxSize: integer,
        diskSize: integer.optional(),
        capacityType: z.enum(["ON_DEMAND", "SPOT"]).optional(),
    }),
    endpoint: z
        .strictObject({
            privateAccess: z.boolean().optional(),
            publicAccess: z.boolean().optional(),
            publicAccessCidrs: cidrList.optional(),
            privateAccessCidrs: cidrList.optional(),
        })
        .optional(),
    deletionProtection: z.boolean().optional(),
    network: z.string().optional(),
});

const meshSchema = z.strictObject({
    istioVersion: z.string().optional(),
    chartRepository: z.string().optional(),
    hub: z.string().optional(),
    meshId: z.string().optional(),
    trustDomain: z.string().optional(),
    dataplaneMode: z.enum(["ambient", "sidecar"]).optional(),
    mtlsMode: z.enum(["STRICT", "PERMISSIVE"]).optional(),
    accessLogging: z.boolean().optional(),
    tracing: z
        .strictObject({
            service: z.string(),
            port: integer.optional(),
            samplingPercent: z.number().optional(),
        })
        .optional(),
    ingressGateway: z.boolean().optional(),
    caOrganization: z.string().optional(),
    addressSpace: cidrList.optional(),
    securityGroupRuleQuota: integer.optional(),
    peers: z
        .array(
            z.strictObject({
                stack: z.string(),
                clusters: z.array(z.strictObject({ name: z.string(), vpcCidr: z.string() })),
            }),
        )
        .optional(),
});

const platformSchema = z.strictObject({
    environment: z.string(),
    tags: z.record(z.string(), z.string()).optional(),
    clusterAdmins: z.array(z.string()).optional(),
    clusters: z.array(clusterSchema),
    mesh: meshSchema.optional(),
    rootCaCertPem: z.string().optional(),
    rootCaKeyPem: z.string().optional(),
});

export type RawPlatformConfig = z.input<typeof platformSchema>;
type RawCluster = z.output<typeof clusterSchema>;

/** `clusters[1].nodeGroup.minSize` from zod's path. */
function keyOf(path: readonly PropertyKey[]): string {
    return path
        .map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
        .join("");
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
    return path.reduce<unknown>(
        (node, key) =>
            node !== null && typeof node === "object"
                ? (node as Record<PropertyKey, unknown>)[key]
                : undefined,
        root,
    );
}

/** Config keys whose values never appear in a message. */
const SECRET_KEYS = new Set(["rootCaKeyPem"]);

const show = (value: unknown) => JSON.stringify(value) ?? "undefined";

function shapeProblems(raw: unknown, issues: readonly z.core.$ZodIssue[]): string[] {
    return issues.map((issue) => {
        if (issue.code === "unrecognized_keys") {
            const where = issue.path.length ? `${keyOf(issue.path)}: ` : "";
            return `${where}unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys
                .map((k) => `"${k}"`)
                .join(", ")}; check the spelling against the README's configuration reference`;
        }
        const value = SECRET_KEYS.has(String(issue.path[0]))
            ? "[secret]"
            : valueAt(raw, issue.path);
        if (value === undefined) {
            return `${keyOf(issue.path)}: is required`;
        }
        if (issue.code === "invalid_value") {
            return `${keyOf(issue.path)}: ${show(value)} is not allowed; use one of ${issue.values
                .map((v) => String(v))
                .join(", ")}`;
        }
        const expected = "expected" in issue ? String(issue.expected) : "a different value";
        const noun = expected === "int" ? "a whole number" : `a ${expected}`;
        return `${keyOf(issue.path)}: ${show(value)} is not ${noun}`;
    });
}

function checkCidr(key: string, value: string, problems: string[]): boolean {
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

function checkCluster(c: RawCluster, key: string, problems: string[]): void {
    if (c.name.length > LIMITS.clusterName || !DNS_LABEL.test(c.name)) {
        problems.push(
            `${key}.name: "${c.name}" is not a DNS-1123 label of at most ${LIMITS.clusterName} characters (lower-case letters, digits and '-', starting and ending with a letter or digit)`,
        );
    }
    if (!(c.region in REGIONS)) {
        problems.push(
            `${key}.region: "${c.region}" is not a supported AWS region; use one of ${Object.keys(REGIONS).join(", ")}`,
        );
    }
    if (typeof c.kubernetesVersion === "number") {
        problems.push(
            `${key}.kubernetesVersion: ${c.kubernetesVersion} is a number; quote it (YAML reads 1.30 as 1.3), e.g. "${KUBERNETES_VERSIONS[KUBERNETES_VERSIONS.length - 1]}"`,
        );
    } else if (!(KUBERNETES_VERSIONS as readonly string[]).includes(c.kubernetesVersion)) {
        problems.push(
            `${key}.kubernetesVersion: "${c.kubernetesVersion}" is not supported; use one of ${KUBERNETES_VERSIONS.join(", ")}`,
        );
    }
    if (checkCidr(`${key}.vpcCidr`, c.vpcCidr, problems)) {
        const prefix = prefixLength(c.vpcCidr);
        if (prefix < LIMITS.vpcPrefix.min || prefix > LIMITS.vpcPrefix.max) {
            problems.push(
                `${key}.vpcCidr: "${c.vpcCidr}" is a /${prefix}; use a block from /${LIMITS.vpcPrefix.min} to /${LIMITS.vpcPrefix.max} (pods take VPC addresses)`,
            );
        }
        if (!isPrivate(c.vpcCidr)) {
            problems.push(
                `${key}.vpcCidr: "${c.vpcCidr}" is not inside a private range (${PRIVATE_RANGES.join(", ")})`,
            );
        }
    }
    if (checkCidr(`${key}.serviceCidr`, c.serviceCidr, problems)) {
        const prefix = prefixLength(c.serviceCidr);
        if (prefix < LIMITS.servicePrefix.min || prefix > LIMITS.servicePrefix.max) {
            problems.push(
                `${key}.serviceCidr: "${c.serviceCidr}" is a /${prefix}; EKS takes a block from /${LIMITS.servicePrefix.min} to /${LIMITS.servicePrefix.max}`,
            );
        }
        if (!isPrivate(c.serviceCidr)) {
            problems.push(
                `${key}.serviceCidr: "${c.serviceCidr}" is not inside a private range (${PRIVATE_RANGES.join(", ")}), as EKS requires`,
            );
        }
    }
    const azs = c.availabilityZoneCount;
    if (
        azs !== undefined &&
        (azs < LIMITS.availabilityZones.min || azs > LIMITS.availabilityZones.max)
    ) {
        problems.push(
            `${key}.availabilityZoneCount: ${azs} is not allowed; use ${LIMITS.availabilityZones.min} to ${LIMITS.availabilityZones.max} (EKS needs subnets in at least two zones)`,
        );
    }
    checkNodeGroup(c.nodeGroup, `${key}.nodeGroup`, problems);
    checkEndpoint(c, key, problems);
    if (c.network !== undefined && (c.network.length > 63 || !DNS_LABEL.test(c.network))) {
        problems.push(`${key}.network: "${c.network}" is not a DNS-1123 label`);
    }
}

function checkNodeGroup(ng: RawCluster["nodeGroup"], key: string, problems: string[]): void {
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
    const { minSize, desiredSize, maxSize } = ng;
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
    if (
        ng.diskSize !== undefined &&
        (ng.diskSize < LIMITS.diskSize.min || ng.diskSize > LIMITS.diskSize.max)
    ) {
        problems.push(
            `${key}.diskSize: ${ng.diskSize} is not allowed; use ${LIMITS.diskSize.min} to ${LIMITS.diskSize.max} GiB`,
        );
    }
}

function checkEndpoint(c: RawCluster, key: string, problems: string[]): void {
    const endpoint = { ...DEFAULTS.endpoint, ...c.endpoint };
    if (!endpoint.privateAccess && !endpoint.publicAccess) {
        problems.push(
            `${key}.endpoint: privateAccess and publicAccess are both false; enable at least one`,
        );
    }
    if (!endpoint.publicAccess && c.endpoint?.publicAccessCidrs?.length) {
        problems.push(
            `${key}.endpoint.publicAccessCidrs: ${show(c.endpoint.publicAccessCidrs)} is set but publicAccess is false; remove it or enable publicAccess`,
        );
    }
    endpoint.publicAccessCidrs.forEach((cidr, i) =>
        checkCidr(`${key}.endpoint.publicAccessCidrs[${i}]`, cidr, problems),
    );
    endpoint.privateAccessCidrs.forEach((cidr, i) =>
        checkCidr(`${key}.endpoint.privateAccessCidrs[${i}]`, cidr, problems),
    );
}

/**
 * Rules across every cluster of the mesh, this stack's and its peers': unique names and
 * networks, no overlapping address space.
 */
function checkAcrossClusters(
    clusters: RawCluster[],
    peers: NonNullable<RawMesh["peers"]>,
    problems: string[],
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
        checkCidr(`${c.key}.vpcCidr`, c.vpcCidr, problems);
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

/**
 * `mesh.addressSpace` must hold every VPC of the mesh; without it, the per-peer rules of each
 * security group must fit the account's quota.
 */
function checkAddressSpace(clusters: RawCluster[], mesh: RawMesh, problems: string[]): void {
    const blocks = mesh.addressSpace ?? [];
    const quota = mesh.securityGroupRuleQuota ?? DEFAULT_SECURITY_GROUP_RULE_QUOTA;
    if (mesh.securityGroupRuleQuota !== undefined && (quota < 1 || quota > 1000)) {
        problems.push(
            `mesh.securityGroupRuleQuota: ${quota} is not a rules-per-group quota AWS grants (1-1000)`,
        );
        return;
    }
    const valid = blocks.filter((cidr, i) => {
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
    const vpcs = [
        ...clusters.map((c, i) => ({ key: `clusters[${i}].vpcCidr`, cidr: c.vpcCidr })),
        ...(mesh.peers ?? []).flatMap((p, i) =>
            p.clusters.map((c, j) => ({
                key: `mesh.peers[${i}].clusters[${j}].vpcCidr`,
                cidr: c.vpcCidr,
            })),
        ),
    ].filter((v) => cidrProblem(v.cidr) === undefined);
    if (blocks.length > 0) {
        if (valid.length === blocks.length) {
            for (const v of vpcs.filter((v) => !valid.some((b) => contains(b, v.cidr)))) {
                problems.push(
                    `${v.key}: "${v.cidr}" lies outside mesh.addressSpace (${blocks.join(", ")}); every VPC of the mesh must be inside it`,
                );
            }
        }
    }
    const peers = Math.max(0, vpcs.length - 1);
    const sources = blocks.length > 0 ? blocks.length : peers;
    clusters.forEach((c, i) => {
        const operators = c.endpoint?.privateAccessCidrs?.length ?? 0;
        const rules = sources + operators + SECURITY_GROUP_RULES_RESERVED;
        if (rules > quota) {
            const what =
                blocks.length > 0
                    ? `${sources} for mesh.addressSpace`
                    : `${sources} for the other clusters of the mesh`;
            problems.push(
                `mesh.addressSpace: clusters[${i}] ("${c.name}") would hold ${rules} inbound rules in its cluster security group (${what}, ${operators} for endpoint.privateAccessCidrs, ${SECURITY_GROUP_RULES_RESERVED} kept for EKS and the load balancer controller), above mesh.securityGroupRuleQuota ${quota}; ` +
                    (blocks.length > 0
                        ? "list fewer, larger blocks, or raise the quota to what AWS granted your account"
                        : 'declare mesh.addressSpace, blocks that hold every VPC of the mesh (e.g. ["10.0.0.0/8"]), so each group holds one rule per block, or raise the quota to what AWS granted your account'),
            );
        }
    });
}

const DNS_NAME = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const IMAGE_HUB = /^[a-z0-9.-]+(:\d+)?(\/[a-z0-9._-]+)+$/;
const STACK_NAME = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;
type RawMesh = z.output<typeof meshSchema>;

/** Mesh rules: the Istio release against every cluster, names, the CA, peers. */
function checkMesh(
    mesh: RawMesh,
    clusters: RawCluster[],
    root: { cert?: string; key?: string },
    problems: string[],
    warnings: string[],
): IstioRelease | undefined {
    const version = mesh.istioVersion ?? DEFAULT_ISTIO_VERSION;
    const release = istioReleaseOf(version);
    if (!release) {
        problems.push(
            `mesh.istioVersion: "${version}" is not a pinned release; use one of ${Object.values(
                ISTIO_RELEASES,
            )
                .map((r) => r.version)
                .join(", ")}`,
        );
    } else {
        clusters.forEach((c, i) => {
            const k8s = String(c.kubernetesVersion);
            if (
                (KUBERNETES_VERSIONS as readonly string[]).includes(k8s) &&
                !(release.kubernetes as readonly string[]).includes(k8s)
            ) {
                problems.push(
                    `clusters[${i}].kubernetesVersion: "${k8s}" is not supported by Istio ${version}; use one of ${release.kubernetes.join(", ")}, or another mesh.istioVersion`,
                );
            }
        });
        const ambient = (mesh.dataplaneMode ?? "ambient") === "ambient";
        const multiCluster = clusters.length + (mesh.peers?.length ?? 0) > 1;
        if (ambient && multiCluster) {
            if (release.ambientMultiCluster === "unsupported") {
                problems.push(
                    `mesh.istioVersion: "${version}" has no ambient multi-cluster support; use 1.27 or later (1.29+ for beta), or mesh.dataplaneMode: sidecar`,
                );
            } else if (release.ambientMultiCluster === "alpha") {
                warnings.push(
                    `mesh.istioVersion: ambient multi-cluster is alpha in Istio ${version}; 1.29+ makes it beta`,
                );
            }
        }
        if (ambient && !hasBranchEniProbeFix(release)) {
            const releases = Object.values(ISTIO_RELEASES);
            const fixedIn = releases.flatMap((r) => r.branchEniProbeFix ?? []);
            const fixed = releases.filter(hasBranchEniProbeFix).map((r) => r.version);
            problems.push(
                `mesh.istioVersion: "${version}" lacks istio-cni's probe fix for pods with their own security groups (AMBIENT_ENABLE_AWS_BRANCH_ENI_PROBE, in ${fixedIn.join(", ")} and later patches); the VPC CNI here gives pods security groups, so ambient pods would fail their kubelet probes; use one of ${fixed.join(", ")}, or mesh.dataplaneMode: sidecar`,
            );
        }
        const { hubs, from } = RETIRED_ISTIO_HOSTS.images;
        if (mesh.hub !== undefined && patchAtLeast(version, `${from}.0`)) {
            const retired = hubs.find((h) => mesh.hub === h || mesh.hub?.startsWith(`${h}/`));
            if (retired) {
                problems.push(
                    `mesh.hub: "${mesh.hub}" gets no Istio images from ${from} on; use ${DEFAULT_ISTIO_HUB} or a mirror of it`,
                );
            }
        }
    }
    checkChartRepository(mesh.chartRepository, problems);
    if (mesh.hub !== undefined && !IMAGE_HUB.test(mesh.hub)) {
        problems.push(`mesh.hub: "${mesh.hub}" is not an image registry path like docker.io/istio`);
    }
    if (mesh.meshId !== undefined && (mesh.meshId.length > 63 || !DNS_LABEL.test(mesh.meshId))) {
        problems.push(`mesh.meshId: "${mesh.meshId}" is not a DNS-1123 label`);
    }
    if (mesh.trustDomain !== undefined && !DNS_NAME.test(mesh.trustDomain)) {
        problems.push(
            `mesh.trustDomain: "${mesh.trustDomain}" is not a DNS name like cluster.local or mesh.example.com`,
        );
    }
    const tracing = mesh.tracing;
    if (tracing) {
        if (!DNS_NAME.test(tracing.service)) {
            problems.push(`mesh.tracing.service: "${tracing.service}" is not a DNS name`);
        }
        if (tracing.port !== undefined && (tracing.port < 1 || tracing.port > 65535)) {
            problems.push(`mesh.tracing.port: ${tracing.port} is not a port (1-65535)`);
        }
        const rate = tracing.samplingPercent;
        if (rate !== undefined && (rate < 0 || rate > 100)) {
            problems.push(`mesh.tracing.samplingPercent: ${rate} is not a percentage (0-100)`);
        }
    }
    const seen = new Set<string>();
    (mesh.peers ?? []).forEach(({ stack }, i) => {
        if (!STACK_NAME.test(stack)) {
            problems.push(
                `mesh.peers[${i}].stack: "${stack}" is not a fully qualified stack name like acme/eks-ambient-mesh/prod-eu`,
            );
        } else if (seen.has(stack)) {
            problems.push(`mesh.peers[${i}].stack: "${stack}" is listed twice`);
        }
        seen.add(stack);
    });
    checkRootCa(root, problems);
    return release;
}

const CHART_REPOSITORY = /^(https|oci):\/\/[^\s/]+(\/\S*)?$/;

/**
 * Where Istio's charts come from: an https Helm repository or an OCI registry path, never the
 * retired Google Cloud Storage host.
 */
function checkChartRepository(repository: string | undefined, problems: string[]): void {
    if (repository === undefined) {
        return;
    }
    if (!CHART_REPOSITORY.test(repository)) {
        problems.push(
            `mesh.chartRepository: "${repository}" is neither an https:// Helm repository nor an oci:// registry path`,
        );
        return;
    }
    const charts = RETIRED_ISTIO_HOSTS.charts;
    const address = repository.replace(/^[a-z]+:\/\//, "");
    if (charts.hosts.some((host) => address === host || address.startsWith(`${host}/`))) {
        problems.push(
            `mesh.chartRepository: "${repository}" is Istio's retired chart host, removed in ${charts.removed} (last outage test ${charts.lastOutageTest}); use ${charts.replacements.join(" or ")}`,
        );
    }
}

/** An existing root must be a CA certificate with its matching key; the key is never shown. */
function checkRootCa(root: { cert?: string; key?: string }, problems: string[]): void {
    if (root.cert === undefined && root.key === undefined) {
        return;
    }
    if (root.cert === undefined || root.key === undefined) {
        problems.push(
            `${root.cert === undefined ? "rootCaCertPem" : "rootCaKeyPem"}: is required when ${root.cert === undefined ? "rootCaKeyPem" : "rootCaCertPem"} is set; set both or neither`,
        );
        return;
    }
    let cert: X509Certificate;
    try {
        cert = new X509Certificate(root.cert);
    } catch {
        problems.push("rootCaCertPem: is not a PEM certificate");
        return;
    }
    if (!cert.ca) {
        problems.push(
            `rootCaCertPem: "${cert.subject}" is not a CA certificate (basicConstraints CA:TRUE)`,
        );
    }
    try {
        if (!cert.checkPrivateKey(createPrivateKey(root.key))) {
            problems.push("rootCaKeyPem: [secret] does not match rootCaCertPem's public key");
        }
    } catch {
        problems.push("rootCaKeyPem: [secret] is not a PEM private key");
    }
}

export function defaultNetwork(clusterName: string): string {
    return `${clusterName}-network`;
}

/** Validates raw config (as read from the stack) and returns the typed model with defaults. */
export function validateConfig(raw: unknown, project: string): PlatformConfig {
    const parsed = platformSchema.safeParse(raw);
    const problems: string[] = [];
    if (!parsed.success) {
        problems.push(...shapeProblems(raw, parsed.error.issues));
        throw new ConfigError(problems);
    }
    const cfg = parsed.data;
    if (cfg.environment.length > 20 || !DNS_LABEL.test(cfg.environment)) {
        problems.push(
            `environment: "${cfg.environment}" is not a DNS-1123 label of at most 20 characters`,
        );
    }
    for (const [k, v] of Object.entries(cfg.tags ?? {})) {
        if (!TAG_KEY.test(k) || k.toLowerCase().startsWith("aws:")) {
            problems.push(
                `tags.${k}: the key is not a valid AWS tag key (1-128 characters, not starting with "aws:")`,
            );
        }
        if (v.length > 256) {
            problems.push(`tags.${k}: the value is ${v.length} characters; AWS allows 256`);
        }
    }
    (cfg.clusterAdmins ?? []).forEach((arn, i) => {
        if (!IAM_PRINCIPAL.test(arn)) {
            problems.push(
                `clusterAdmins[${i}]: "${arn}" is not an IAM role or user ARN like arn:aws:iam::123456789012:role/platform-admin`,
            );
        }
    });
    if (cfg.clusters.length === 0) {
        problems.push("clusters: [] is empty; configure at least one cluster");
    }
    cfg.clusters.forEach((c, i) => checkCluster(c, `clusters[${i}]`, problems));
    const warnings: string[] = [];
    const mesh = cfg.mesh ?? {};
    checkAcrossClusters(cfg.clusters, mesh.peers ?? [], problems);
    checkAddressSpace(cfg.clusters, mesh, problems);
    const release = checkMesh(
        mesh,
        cfg.clusters,
        { cert: cfg.rootCaCertPem, key: cfg.rootCaKeyPem },
        problems,
        warnings,
    );
    if (problems.length > 0 || !release) {
        throw new ConfigError(problems);
    }
    return {
        project,
        environment: cfg.environment,
        tags: cfg.tags ?? {},
        clusterAdmins: cfg.clusterAdmins ?? [],
        clusters: cfg.clusters.map((c) => ({
            name: c.name,
            region: c.region,
            kubernetesVersion: c.kubernetesVersion as KubernetesVersion,
            vpcCidr: c.vpcCidr,
            serviceCidr: c.serviceCidr,
            availabilityZoneCount: c.availabilityZoneCount ?? DEFAULTS.availabilityZoneCount,
            natGateways: c.natGateways ?? DEFAULTS.natGateways,
            nodeGroup: {
                instanceTypes: c.nodeGroup.instanceTypes,
                minSize: c.nodeGroup.minSize,
                desiredSize: c.nodeGroup.desiredSize,
                maxSize: c.nodeGroup.maxSize,
                diskSize: c.nodeGroup.diskSize ?? DEFAULTS.diskSize,
                capacityType: c.nodeGroup.capacityType ?? DEFAULTS.capacityType,
            },
            endpoint: { ...DEFAULTS.endpoint, ...c.endpoint },
            deletionProtection: c.deletionProtection ?? DEFAULTS.deletionProtection,
            network: c.network ?? defaultNetwork(c.name),
        })),
        mesh: {
            istioVersion: release.version,
            release,
            chartRepository: mesh.chartRepository ?? DEFAULT_ISTIO_CHART_REPOSITORY,
            hub: mesh.hub ?? DEFAULT_ISTIO_HUB,
            meshId: mesh.meshId ?? `mesh-${cfg.environment}`,
            trustDomain: mesh.trustDomain ?? "cluster.local",
            dataplaneMode: mesh.dataplaneMode ?? "ambient",
            mtlsMode: mesh.mtlsMode ?? "STRICT",
            accessLogging: mesh.accessLogging ?? true,
            tracing: mesh.tracing && {
                service: mesh.tracing.service,
                port: mesh.tracing.port ?? 4317,
                samplingPercent: mesh.tracing.samplingPercent ?? 1,
            },
            ingressGateway: mesh.ingressGateway ?? false,
            caOrganization: mesh.caOrganization ?? project,
            addressSpace: mesh.addressSpace ?? [],
            securityGroupRuleQuota:
                mesh.securityGroupRuleQuota ?? DEFAULT_SECURITY_GROUP_RULE_QUOTA,
            rootCa:
                cfg.rootCaCertPem && cfg.rootCaKeyPem
                    ? { certPem: cfg.rootCaCertPem, privateKeyPem: cfg.rootCaKeyPem }
                    : undefined,
            peers: mesh.peers ?? [],
        },
        warnings,
    };
}

/**
 * Reads every key of the project's namespace from the stack configuration (structured values
 * arrive JSON-encoded) and validates them; throws ConfigError on any problem. Reading the whole
 * namespace, rather than known keys one by one, lets a misspelt top-level key be reported.
 */
export function loadConfig(): PlatformConfig {
    const project = pulumi.getProject();
    const raw: Record<string, unknown> = {};
    for (const [fullKey, value] of Object.entries(pulumi.runtime.allConfig())) {
        const [namespace, key] = fullKey.split(":", 2);
        if (namespace !== project || key === undefined) {
            continue;
        }
        raw[key] = parseConfigValue(value);
    }
    const config = validateConfig(raw, project);
    config.warnings.forEach((w) => pulumi.log.warn(w));
    return config;
}

function parseConfigValue(value: string): unknown {
    try {
        return JSON.parse(value);
    } catch {
        return value;
    }
}
