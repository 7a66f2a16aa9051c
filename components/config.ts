import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { cidrProblem, isPrivate, overlaps, prefixLength, PRIVATE_RANGES } from "./cidr";
import {
    INSTANCE_FAMILIES_WITHOUT_TRUNK_ENI,
    instanceArchitecture,
    KUBERNETES_VERSIONS,
    KubernetesVersion,
    REGIONS,
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

export interface PlatformConfig {
    readonly project: string;
    readonly environment: string;
    /** Tags on every taggable AWS resource, after `project`, `environment` and `managed-by`. */
    readonly tags: Record<string, string>;
    /** IAM principals (role or user ARNs) granted cluster admin through EKS access entries. */
    readonly clusterAdmins: string[];
    readonly clusters: ClusterConfig[];
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

const platformSchema = z.strictObject({
    environment: z.string(),
    tags: z.record(z.string(), z.string()).optional(),
    clusterAdmins: z.array(z.string()).optional(),
    clusters: z.array(clusterSchema),
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

const show = (value: unknown) => JSON.stringify(value) ?? "undefined";

function shapeProblems(raw: unknown, issues: readonly z.core.$ZodIssue[]): string[] {
    return issues.map((issue) => {
        if (issue.code === "unrecognized_keys") {
            const where = issue.path.length ? `${keyOf(issue.path)}: ` : "";
            return `${where}unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys
                .map((k) => `"${k}"`)
                .join(", ")}; check the spelling against the README's configuration reference`;
        }
        const value = valueAt(raw, issue.path);
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
    if (azs !== undefined && (azs < LIMITS.availabilityZones.min || azs > LIMITS.availabilityZones.max)) {
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
            problems.push(`${key}.instanceTypes[${i}]: "${type}" is not an instance type like m6i.large`);
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
        problems.push(`${key}.maxSize: ${maxSize} is above the ${LIMITS.maxNodes} nodes a managed node group takes`);
    }
    if (ng.diskSize !== undefined && (ng.diskSize < LIMITS.diskSize.min || ng.diskSize > LIMITS.diskSize.max)) {
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

/** Rules across clusters: unique names and networks, no overlapping address space. */
function checkAcrossClusters(clusters: RawCluster[], problems: string[]): void {
    const firstWith = new Map<string, number>();
    clusters.forEach((c, i) => {
        for (const [field, value] of [
            ["name", c.name],
            ["network", c.network ?? defaultNetwork(c.name)],
        ] as const) {
            const seen = firstWith.get(`${field}=${value}`);
            if (seen !== undefined) {
                problems.push(
                    `clusters[${i}].${field}: "${value}" is already used by clusters[${seen}]; each cluster needs its own ${field}`,
                );
            } else {
                firstWith.set(`${field}=${value}`, i);
            }
        }
    });
    const blocks = clusters.flatMap((c, i) =>
        (["vpcCidr", "serviceCidr"] as const)
            .filter((field) => cidrProblem(c[field]) === undefined)
            .map((field) => ({ key: `clusters[${i}].${field}`, cidr: c[field] })),
    );
    blocks.forEach((a, i) =>
        blocks.slice(0, i).forEach((b) => {
            if (overlaps(a.cidr, b.cidr)) {
                problems.push(
                    `${a.key}: "${a.cidr}" overlaps ${b.key} "${b.cidr}"; every VPC and service CIDR in the stack must be disjoint`,
                );
            }
        }),
    );
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
            problems.push(`tags.${k}: the key is not a valid AWS tag key (1-128 characters, not starting with "aws:")`);
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
    checkAcrossClusters(cfg.clusters, problems);
    if (problems.length > 0) {
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
    return validateConfig(raw, project);
}

function parseConfigValue(value: string): unknown {
    try {
        return JSON.parse(value);
    } catch {
        return value;
    }
}
