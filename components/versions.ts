/**
 * Every version-dependent fact of the platform, in one place. Anything that drifts with an
 * upstream release (Kubernetes, Istio, Gateway API, AWS regions) is read from here and nowhere
 * else, so an upgrade is a change to this file plus the tests that pin its consequences.
 */

/** EKS Kubernetes minor versions this platform creates clusters on. */
export const KUBERNETES_VERSIONS = ["1.28", "1.29", "1.30", "1.31", "1.32"] as const;
export type KubernetesVersion = (typeof KUBERNETES_VERSIONS)[number];

/** Maturity of ambient multi-cluster (multi-primary, multi-network) in an Istio minor. */
export type AmbientMultiCluster = "unsupported" | "alpha" | "beta";

export interface IstioRelease {
    /** The pinned patch release; charts and images are installed at exactly this version. */
    readonly version: string;
    /** Kubernetes minors this Istio minor supports, intersected with what EKS offers here. */
    readonly kubernetes: readonly KubernetesVersion[];
    readonly ambientMultiCluster: AmbientMultiCluster;
    /** Gateway API release whose standard CRDs match this Istio minor. */
    readonly gatewayApi: string;
    /**
     * How the ztunnel chart takes the network name: not at all (1.24), or as the top-level
     * `network` value (1.27+, where it overrides `global.network`).
     */
    readonly ztunnelNetworkValue: "none" | "top-level";
    /** The base and istiod charts accept `base.validationFailurePolicy` (1.28.10+, 1.29.6+). */
    readonly validationFailurePolicy: boolean;
    /** istiod reads AMBIENT_ENABLE_MULTI_NETWORK_INGRESS and AMBIENT_ENABLE_BAGGAGE (1.29+). */
    readonly ambientMultiNetworkExtras: boolean;
}

/** Istio minors we pin, keyed by minor. */
export const ISTIO_RELEASES: Readonly<Record<string, IstioRelease>> = {
    "1.24": {
        version: "1.24.6",
        kubernetes: ["1.28", "1.29", "1.30", "1.31"],
        ambientMultiCluster: "unsupported",
        gatewayApi: "v1.2.1",
        ztunnelNetworkValue: "none",
        validationFailurePolicy: false,
        ambientMultiNetworkExtras: false,
    },
    "1.27": {
        version: "1.27.9",
        kubernetes: ["1.29", "1.30", "1.31", "1.32"],
        ambientMultiCluster: "alpha",
        gatewayApi: "v1.3.0",
        ztunnelNetworkValue: "top-level",
        validationFailurePolicy: false,
        ambientMultiNetworkExtras: false,
    },
    "1.28": {
        version: "1.28.10",
        kubernetes: ["1.30", "1.31", "1.32"],
        ambientMultiCluster: "alpha",
        gatewayApi: "v1.4.1",
        ztunnelNetworkValue: "top-level",
        validationFailurePolicy: true,
        ambientMultiNetworkExtras: false,
    },
    "1.29": {
        version: "1.29.6",
        kubernetes: ["1.31", "1.32"],
        ambientMultiCluster: "beta",
        gatewayApi: "v1.4.1",
        ztunnelNetworkValue: "top-level",
        validationFailurePolicy: true,
        ambientMultiNetworkExtras: true,
    },
    "1.30": {
        version: "1.30.3",
        kubernetes: ["1.32"],
        ambientMultiCluster: "beta",
        gatewayApi: "v1.5.1",
        ztunnelNetworkValue: "top-level",
        validationFailurePolicy: true,
        ambientMultiNetworkExtras: true,
    },
};

/** Pinned Istio releases, oldest first. */
export const ISTIO_VERSIONS = Object.values(ISTIO_RELEASES).map((r) => r.version);

/** The table entry of a pinned release, or undefined for any other version. */
export function istioReleaseOf(version: string): IstioRelease | undefined {
    return Object.values(ISTIO_RELEASES).find((r) => r.version === version);
}

/** The Istio release a stack gets when it does not choose one. */
export const DEFAULT_ISTIO_VERSION = ISTIO_RELEASES["1.29"].version;

/** Istio's Helm chart repository (the project's current home; the GCS bucket stops at 1.30). */
export const DEFAULT_ISTIO_CHART_REPOSITORY = "https://istio-release.storage.googleapis.com/charts";

/** Istio's image registry. */
export const DEFAULT_ISTIO_HUB = "docker.io/istio";

/**
 * AWS commercial regions where EKS and Transit Gateway are offered, each with the private ASN its
 * Transit Gateway gets. ASNs are fixed per region (not derived from the stack's region list) so
 * adding a region never renumbers, and so replaces, an existing Transit Gateway.
 */
export const REGIONS: Readonly<Record<string, { readonly transitGatewayAsn: number }>> = {
    "us-east-1": { transitGatewayAsn: 64512 },
    "us-east-2": { transitGatewayAsn: 64513 },
    "us-west-1": { transitGatewayAsn: 64514 },
    "us-west-2": { transitGatewayAsn: 64515 },
    "ca-central-1": { transitGatewayAsn: 64516 },
    "ca-west-1": { transitGatewayAsn: 64517 },
    "eu-west-1": { transitGatewayAsn: 64518 },
    "eu-west-2": { transitGatewayAsn: 64519 },
    "eu-west-3": { transitGatewayAsn: 64520 },
    "eu-central-1": { transitGatewayAsn: 64521 },
    "eu-central-2": { transitGatewayAsn: 64522 },
    "eu-north-1": { transitGatewayAsn: 64523 },
    "eu-south-1": { transitGatewayAsn: 64524 },
    "eu-south-2": { transitGatewayAsn: 64525 },
    "ap-south-1": { transitGatewayAsn: 64526 },
    "ap-south-2": { transitGatewayAsn: 64527 },
    "ap-southeast-1": { transitGatewayAsn: 64528 },
    "ap-southeast-2": { transitGatewayAsn: 64529 },
    "ap-southeast-3": { transitGatewayAsn: 64530 },
    "ap-southeast-4": { transitGatewayAsn: 64531 },
    "ap-northeast-1": { transitGatewayAsn: 64532 },
    "ap-northeast-2": { transitGatewayAsn: 64533 },
    "ap-northeast-3": { transitGatewayAsn: 64534 },
    "ap-east-1": { transitGatewayAsn: 64535 },
    "sa-east-1": { transitGatewayAsn: 64536 },
    "me-south-1": { transitGatewayAsn: 64537 },
    "me-central-1": { transitGatewayAsn: 64538 },
    "af-south-1": { transitGatewayAsn: 64539 },
    "il-central-1": { transitGatewayAsn: 64540 },
};

/**
 * Instance families that cannot run security groups for pods: the burstable t-family has no
 * trunk ENI support, which the VPC CNI needs for `ENABLE_POD_ENI`.
 */
export const INSTANCE_FAMILIES_WITHOUT_TRUNK_ENI = /^t\d[a-z]*$/;

/** AWS managed policies the cluster and node roles need, by purpose. */
export const MANAGED_POLICIES = {
    cluster: [
        "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy",
        // Lets EKS manage trunk and branch ENIs: required for security groups for pods.
        "arn:aws:iam::aws:policy/AmazonEKSVPCResourceController",
    ],
    node: [
        "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
        "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
        "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
        "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
    ],
    clusterAdminAccess: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
} as const;

/** EKS control-plane log types; all of them are enabled. */
export const CONTROL_PLANE_LOG_TYPES = [
    "api",
    "audit",
    "authenticator",
    "controllerManager",
    "scheduler",
] as const;

/** Graviton (arm64) instance families: a `g` right after the generation number (m7g, c7gn). */
const ARM64_FAMILY = /^[a-z]+\d+g[a-z]*$/;

export function instanceArchitecture(instanceType: string): "arm64" | "x86_64" {
    return ARM64_FAMILY.test(instanceType.split(".")[0]) ? "arm64" : "x86_64";
}

/** Amazon Linux 2023 node AMIs by architecture (AL2 ends with Kubernetes 1.32). */
export const NODE_AMI_TYPES = {
    arm64: "AL2023_ARM_64_STANDARD",
    x86_64: "AL2023_x86_64_STANDARD",
} as const;

/** The AMI type for a node group; config validation guarantees one architecture. */
export function amiTypeFor(instanceTypes: readonly string[]): string {
    return NODE_AMI_TYPES[instanceArchitecture(instanceTypes[0])];
}
