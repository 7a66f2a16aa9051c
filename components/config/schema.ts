import { z } from "zod";
import {
    DEFAULT_ISTIO_CHART_REPOSITORY,
    DEFAULT_ISTIO_HUB,
    DEFAULT_ISTIO_VERSION,
    DEFAULT_SECURITY_GROUP_RULE_QUOTA,
} from "../versions";
import { ROOT_ROTATION_PHASES } from "../caLifecycle";
import { LIMITS } from "./problems";
import { PROGRAM_TAGS_PER_RESOURCE } from "./tagChecks";

/**
 * Every configuration key, declared once: its type, its default and what it means. The typed
 * model, the checks and the README's configuration table are all derived from these schemas.
 * Checks that span several keys live in `checks.ts`; defaults that depend on another key (a
 * cluster's network, the mesh id) are resolved in `index.ts` and documented here as text.
 */

export interface KeyMeta {
    readonly description: string;
    /** How the default reads in the reference, when it is computed rather than a value. */
    readonly documentedDefault?: string;
}

/** A key: schema, description and (where computed) its default as words. */
export function key<T extends z.ZodType>(
    schema: T,
    description: string,
    documentedDefault?: string,
): T {
    const meta: KeyMeta = { description, ...(documentedDefault ? { documentedDefault } : {}) };
    return schema.meta({ ...meta }) as T;
}

/** The description and computed default of a key, as `key()` registered them. */
export function metaOf(schema: z.ZodType): KeyMeta | undefined {
    const meta = z.globalRegistry.get(schema);
    return typeof meta?.description === "string"
        ? {
              description: meta.description,
              ...(typeof meta.documentedDefault === "string"
                  ? { documentedDefault: meta.documentedDefault }
                  : {}),
          }
        : undefined;
}

const integer = z.number().int();
const cidrs = z.array(z.string());

export const nodeGroupSchema = z.strictObject({
    instanceTypes: key(
        z.array(z.string()),
        "EC2 instance types of one architecture; no t-family (security groups for pods need trunk ENIs)",
    ),
    minSize: key(integer, "fewest nodes, at least 1"),
    desiredSize: key(integer, "nodes to start with, between minSize and maxSize"),
    maxSize: key(integer, "most nodes (a managed node group takes up to 450)"),
    diskSize: key(integer.default(50), "root volume size in GiB, 20 to 1000"),
    capacityType: key(
        z.enum(["ON_DEMAND", "SPOT"]).default("ON_DEMAND"),
        "how EC2 bills the nodes",
    ),
});

export const endpointSchema = z.strictObject({
    privateAccess: key(
        z.boolean().default(true),
        "the API server is reachable inside the VPC and, through the Transit Gateway, from peers",
    ),
    publicAccess: key(z.boolean().default(true), "the API server has a public endpoint"),
    publicAccessCidrs: key(
        cidrs.default(["0.0.0.0/0"]),
        "who may reach the public endpoint; when restricted, the peers' NAT addresses are added",
    ),
    privateAccessCidrs: key(
        cidrs.default([]),
        "extra networks (a CI runner's VPC, a VPN) allowed to reach the private endpoint on 443",
    ),
});

export const clusterSchema = z.strictObject({
    name: key(
        z.string(),
        "DNS label of at most 32 characters; the Istio cluster id; unique in the mesh",
    ),
    region: key(z.string(), "an AWS commercial region (the list in `components/versions.ts`)"),
    // A number is accepted here only to explain the quoting: YAML reads 1.30 as 1.3.
    kubernetesVersion: key(
        z.union([z.string(), z.number()]),
        'a Kubernetes minor EKS offers (quoted, e.g. `"1.35"`) that the Istio release supports',
    ),
    vpcCidr: key(
        z.string(),
        "private /16 to /20, disjoint from every other VPC and service CIDR of the mesh",
    ),
    serviceCidr: key(z.string(), "private /12 to /24, disjoint likewise"),
    availabilityZoneCount: key(integer.default(3), "availability zones, 2 or 3"),
    natGateways: key(
        z.enum(["single", "perAz"]).default("single"),
        "one NAT gateway for the VPC, or one per zone",
    ),
    nodeGroup: key(nodeGroupSchema, "the managed node group"),
    endpoint: key(endpointSchema.prefault({}), "API server endpoints"),
    deletionProtection: key(
        z.boolean().default(false),
        "EKS deletion protection, and Pulumi `protect` on the cluster and its VPC",
    ),
    network: key(
        z.string().optional(),
        "Istio network name; unique in the mesh",
        "`<name>-network`",
    ),
    intermediateGeneration: key(
        integer.default(0),
        "raise by one to re-issue the cluster's intermediate CA now, with a new key, under the same root (istiod reloads it without a restart; docs/operations.md)",
    ),
});

export const tracingSchema = z.strictObject({
    service: key(
        z.string(),
        "OTLP/gRPC collector service, e.g. `otel-collector.observability.svc.cluster.local`",
    ),
    port: key(integer.default(4317), "collector port"),
    samplingPercent: key(z.number().default(1), "percentage of requests traced, 0 to 100"),
});

export const peerClusterSchema = z.strictObject({
    name: key(z.string(), "the peer cluster's name (its Istio cluster id)"),
    vpcCidr: key(z.string(), "its VPC CIDR: private, disjoint from every other block of the mesh"),
    network: key(
        z.string().optional(),
        "its Istio network; unique in the mesh",
        "`<name>-network`",
    ),
});

export const peerStackSchema = z.strictObject({
    stack: key(z.string(), "fully qualified stack name, `org/project/stack`"),
    clusters: key(
        z.array(peerClusterSchema),
        "the peer's clusters, checked against what the peer exports before anything is created",
    ),
});

/** The phases of a minor Istio upgrade by revision, in order (docs/operations.md). */
export const UPGRADE_PHASES = ["canary", "dataplane", "promoted"] as const;

export const upgradeSchema = z.strictObject({
    to: key(
        z.union([z.string(), z.number()]),
        "the next minor's pinned release, installed as a second control-plane revision beside mesh.istioVersion",
    ),
    phase: key(
        z.enum(UPGRADE_PHASES),
        "`canary`: the new istiod beside the old, namespaces opt in with `istio.io/rev: canary`; `dataplane`: ztunnel and istio-cni move to it, node by node; `promoted`: it takes the `default` tag",
    ),
});

export const readerTokenRotationSchema = z.strictObject({
    generation: key(
        integer,
        "the token rotated in: 1 for the first rotation, one more for each after; stays set once done",
    ),
    phase: key(
        z.enum(["issue", "switch", "retire"]),
        "`issue` a new token beside the current one, `switch` every remote secret to it, `retire` the old one; one phase per `pulumi up`",
    ),
});

export const meshSchema = z.strictObject({
    istioVersion: key(
        z.string().default(DEFAULT_ISTIO_VERSION),
        "a pinned Istio release; ambient mode needs one with the branch-ENI probe fix",
    ),
    chartRepository: key(
        z.string().default(DEFAULT_ISTIO_CHART_REPOSITORY),
        "an `https://` Helm repository or an `oci://` registry with Istio's charts",
    ),
    hub: key(
        z.string().default(DEFAULT_ISTIO_HUB),
        "image registry (`global.hub`), e.g. an ECR mirror; from 1.31 not `gcr.io/istio-release` or `registry.istio.io`",
    ),
    meshId: key(
        z.string().optional(),
        "mesh id shared by all clusters and peer stacks",
        "`mesh-<environment>`",
    ),
    upgrade: key(upgradeSchema.optional(), "a minor upgrade by revision, in progress", "none"),
    trustDomain: key(z.string().default("cluster.local"), "one trust domain for the whole mesh"),
    dataplaneMode: key(
        z.enum(["ambient", "sidecar"]).default("ambient"),
        "how workloads join the mesh",
    ),
    mtlsMode: key(
        z.enum(["STRICT", "PERMISSIVE"]).default("STRICT"),
        "mesh-wide `PeerAuthentication`",
    ),
    accessLogging: key(z.boolean().default(true), "Envoy access logs to stdout"),
    tracing: key(tracingSchema.optional(), "an OpenTelemetry collector to trace to", "off"),
    ingressGateway: key(
        z.boolean().default(false),
        "an internet-facing ingress gateway in `istio-ingress`",
    ),
    caOrganization: key(z.string().optional(), "organisation in the CA subjects", "project name"),
    addressSpace: key(
        cidrs.default([]),
        "private blocks holding every VPC of the mesh (this stack's and peers'); routes and security-group rules then name each block once, so nothing grows with the number of clusters",
    ),
    securityGroupRuleQuota: key(
        integer.default(DEFAULT_SECURITY_GROUP_RULE_QUOTA),
        "inbound rules AWS allows per security group in your account; without `mesh.addressSpace` a mesh whose per-peer rules would pass it is refused",
    ),
    peers: key(z.array(peerStackSchema).default([]), "other stacks of the mesh"),
    readerTokenRotation: key(
        readerTokenRotationSchema.optional(),
        "the reader token that remote secrets across the mesh carry, rotated without a gap (docs/operations.md, reader tokens)",
        "generation 0, not rotated",
    ),
});

export const platformSchema = z.strictObject({
    environment: key(
        z.string(),
        "DNS label of at most 20 characters; prefixes Transit Gateways and peerings",
    ),
    tags: key(
        z.record(z.string(), z.string()).default({}),
        `at most ${LIMITS.tags.perResource - PROGRAM_TAGS_PER_RESOURCE} tags (AWS takes ${LIMITS.tags.perResource} per resource) for every taggable resource, next to the program's own: \`project\`, \`environment\`, \`managed-by\`, \`cluster\`, \`Name\``,
    ),
    clusterAdmins: key(
        z.array(z.string()).default([]),
        "IAM role or user ARNs (`arn:aws:iam::<account>:role/<path/name>`), not STS sessions; each gets `AmazonEKSClusterAdminPolicy` through an access entry",
    ),
    clusters: key(
        z.array(clusterSchema),
        `the clusters of this stack, at most ${LIMITS.clustersPerStack} (each istiod watches every other API server)`,
    ),
    mesh: key(meshSchema.prefault({}), "the Istio mesh"),
    rootCaCertPem: key(
        z.string().optional(),
        "the mesh's own root CA instead of a generated one (required with `mesh.peers`): one self-signed PEM certificate, RSA >= 4096 bits or ECDSA P-384, CA:TRUE, keyCertSign, valid beyond the intermediates' year (docs/operations.md)",
        "generated root",
    ),
    rootCaKeyPem: key(
        z.string().optional(),
        "its private key, unencrypted, as secret config: `openssl pkey -in root-ca.key | pulumi config set --secret rootCaKeyPem`",
        "generated root",
    ),
    rootRotation: key(
        z.enum(ROOT_ROTATION_PHASES).optional(),
        "a root CA rotation to `nextRootCaCertPem`, one phase per `pulumi up` in this order, 12 h apart (or after restarting ztunnel); then the next root becomes `rootCaCertPem` (docs/operations.md)",
        "no rotation",
    ),
    nextRootCaCertPem: key(
        z.string().optional(),
        "during a root rotation, the root CA to move to, held to the same rules as `rootCaCertPem`",
        "none",
    ),
    nextRootCaKeyPem: key(
        z.string().optional(),
        "its private key, unencrypted, as secret config: `openssl pkey -in next-root-ca.key | pulumi config set --secret nextRootCaKeyPem`",
        "none",
    ),
});

/** Configuration as written in a stack file (every default may be left out). */
export type RawPlatformConfig = z.input<typeof platformSchema>;
/** Configuration with every default filled in, before the checks. */
export type ParsedPlatformConfig = z.output<typeof platformSchema>;
export type ParsedCluster = z.output<typeof clusterSchema>;
export type ParsedMesh = z.output<typeof meshSchema>;
