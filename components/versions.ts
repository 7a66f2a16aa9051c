/**
 * Every version-dependent fact of the platform, in one place. Anything that drifts with an
 * upstream release (Kubernetes, Istio, Gateway API, AWS regions) is read from here and nowhere
 * else, so an upgrade is a change to this file plus the tests that pin its consequences.
 */

/**
 * EKS Kubernetes minor versions this platform creates clusters on: the 1.28–1.32 the platform
 * promises, and the newer ones AWS's calendar lists. Whether a version can still be created on a
 * given day is the calendar's business (`EKS_CALENDAR`), judged by policy, not by config.
 */
export const KUBERNETES_VERSIONS = [
    "1.28",
    "1.29",
    "1.30",
    "1.31",
    "1.32",
    "1.33",
    "1.34",
    "1.35",
] as const;
export type KubernetesVersion = (typeof KUBERNETES_VERSIONS)[number];

/** One EKS Kubernetes version's life, as dates (YYYY-MM-DD, UTC). */
export interface EksVersionDates {
    /** The day EKS made the version available. */
    readonly released: string;
    /** Standard support (14 months) ends; extended support, at a higher price, begins. */
    readonly endOfStandardSupport: string;
    /** Extended support (12 more months) ends: the version can no longer be created. */
    readonly endOfExtendedSupport: string;
}

/**
 * AWS's "Kubernetes version lifecycle on EKS" calendar
 * (https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html), as of 2026-11-30.
 * The end dates are AWS's; each release date is 14 months before its end of standard support,
 * as AWS's policy defines standard support. The calendar lists no 1.36 yet.
 */
export const EKS_CALENDAR: Readonly<Record<KubernetesVersion, EksVersionDates>> = {
    "1.28": {
        released: "2023-09-26",
        endOfStandardSupport: "2024-11-26",
        endOfExtendedSupport: "2025-11-26",
    },
    "1.29": {
        released: "2024-01-23",
        endOfStandardSupport: "2025-03-23",
        endOfExtendedSupport: "2026-03-23",
    },
    "1.30": {
        released: "2024-05-23",
        endOfStandardSupport: "2025-07-23",
        endOfExtendedSupport: "2026-07-23",
    },
    "1.31": {
        released: "2024-09-26",
        endOfStandardSupport: "2025-11-26",
        endOfExtendedSupport: "2026-11-26",
    },
    "1.32": {
        released: "2025-01-23",
        endOfStandardSupport: "2026-03-23",
        endOfExtendedSupport: "2027-03-23",
    },
    "1.33": {
        released: "2025-05-29",
        endOfStandardSupport: "2026-07-29",
        endOfExtendedSupport: "2027-07-29",
    },
    "1.34": {
        released: "2025-10-02",
        endOfStandardSupport: "2026-12-02",
        endOfExtendedSupport: "2027-12-02",
    },
    "1.35": {
        released: "2026-01-27",
        endOfStandardSupport: "2027-03-27",
        endOfExtendedSupport: "2028-03-27",
    },
};

/** Where the dates of this table come from, and the day they were last checked. */
export const CALENDAR_SOURCES = {
    checked: "2026-11-30",
    eks: "https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html",
    eksPricing: "https://aws.amazon.com/eks/pricing/",
    istio: "https://istio.io/latest/docs/releases/supported-releases/",
} as const;

/**
 * What an EKS control plane costs per hour (https://aws.amazon.com/eks/pricing/): extended
 * support is six times standard. A month is AWS's billing month of 730 hours.
 */
export const EKS_PRICING = {
    standardPerClusterHourUsd: 0.1,
    extendedPerClusterHourUsd: 0.6,
    hoursPerMonth: 730,
} as const;

export type EksSupport = "unreleased" | "standard" | "extended" | "ended";

/** Where a version stands on `day` (YYYY-MM-DD): each end date is the last day of its period. */
export function eksSupportOn(version: KubernetesVersion, day: string): EksSupport {
    const dates = EKS_CALENDAR[version];
    if (day < dates.released) {
        return "unreleased";
    }
    if (day <= dates.endOfStandardSupport) {
        return "standard";
    }
    return day <= dates.endOfExtendedSupport ? "extended" : "ended";
}

/** Kubernetes minors from `first` to `last`, inclusive, among those EKS offers here. */
function kubernetesFrom(first: string, last: string): KubernetesVersion[] {
    const minor = (v: string) => Number(v.split(".")[1]);
    return KUBERNETES_VERSIONS.filter((v) => minor(v) >= minor(first) && minor(v) <= minor(last));
}

/** Maturity of ambient multi-cluster (multi-primary, multi-network) in an Istio minor. */
export type AmbientMultiCluster = "unsupported" | "alpha" | "beta";

export interface IstioRelease {
    /** The pinned patch release; charts and images are installed at exactly this version. */
    readonly version: string;
    /** Kubernetes minors this Istio minor supports, as Istio's support table gives them. */
    readonly kubernetesRange: readonly [string, string];
    /** `kubernetesRange` intersected with what EKS offers here. */
    readonly kubernetes: readonly KubernetesVersion[];
    /**
     * Last day of support (YYYY-MM-DD), six weeks after the N+2 minor's release; undefined while
     * Istio has announced none.
     */
    readonly endOfLife?: string;
    /**
     * First patch of this minor whose istio-cni routes kubelet probes to pods with their own
     * security groups (branch ENIs) correctly (`AMBIENT_ENABLE_AWS_BRANCH_ENI_PROBE`, on by
     * default, active only with `net.ipv4.tcp_early_demux=0`); undefined when no patch has it.
     * Source: istio/istio release-1.31 `cni/pkg/nodeagent/options.go:34`,
     * `cni/pkg/nodeagent/brancheni_linux.go:44-72`, `releasenotes/notes/aws-brancheni-probe-fix.yaml`.
     */
    readonly branchEniProbeFix?: string;
    readonly ambientMultiCluster: AmbientMultiCluster;
    /** Gateway API release whose standard CRDs match this Istio minor. */
    readonly gatewayApi: string;
    /**
     * How the ztunnel chart takes the network name: not at all (1.24), or as the top-level
     * `network` value (1.27+, where it overrides `global.network`).
     */
    readonly ztunnelNetworkValue: "none" | "top-level";
    /**
     * The base and istiod charts read `base.validationFailurePolicy` (1.28.10+, 1.29.6+):
     * `manifests/charts/base/templates/defaultrevision-validatingwebhookconfiguration.yaml:49` and
     * `manifests/charts/istio-control/istio-discovery/templates/validatingwebhookconfiguration.yaml:49`.
     */
    readonly validationFailurePolicy: boolean;
    /** istiod reads AMBIENT_ENABLE_MULTI_NETWORK_INGRESS and AMBIENT_ENABLE_BAGGAGE (1.29+). */
    readonly ambientMultiNetworkExtras: boolean;
    /** istiod environment this release needs beyond the mesh's own settings. */
    readonly istiodEnv: Readonly<Record<string, string>>;
    /**
     * First patch of this minor whose ztunnel trusts every root of a multi-root bundle: it splits
     * the last element of istiod's CSR response, the whole root-cert.pem, into several roots
     * (`WorkloadCertificate::new` and `parse_cert_multi`, istio/ztunnel@1.30.3
     * src/tls/certificate.rs:241-262, :210-227). Before, it parsed that element as one
     * certificate and trusted only the first root (certificate.rs `WorkloadCertificate::new` at
     * 1.24.5), so a root rotation's `trust-both` and `sign-with-new` phases would break ambient
     * mTLS. Added by istio/ztunnel#1510 (c29cd78a, first in 1.26.0), backported to 1.25.3
     * (#1547) and 1.24.6 (#1546, 2b351810). Undefined when no patch of the minor has it.
     */
    readonly ztunnelMultiRoot?: string;
}

/** Istio minors we pin, keyed by minor. Dates: https://istio.io/latest/docs/releases/supported-releases/ */
export const ISTIO_RELEASES: Readonly<Record<string, IstioRelease>> = {
    "1.24": {
        version: "1.24.6",
        kubernetesRange: ["1.28", "1.31"],
        kubernetes: kubernetesFrom("1.28", "1.31"),
        endOfLife: "2025-06-17",
        ztunnelMultiRoot: "1.24.6",
        ambientMultiCluster: "unsupported",
        gatewayApi: "v1.2.1",
        ztunnelNetworkValue: "none",
        validationFailurePolicy: false,
        ambientMultiNetworkExtras: false,
        istiodEnv: {},
    },
    "1.27": {
        version: "1.27.9",
        kubernetesRange: ["1.29", "1.33"],
        kubernetes: kubernetesFrom("1.29", "1.33"),
        endOfLife: "2026-03-24",
        ztunnelMultiRoot: "1.27.0",
        ambientMultiCluster: "alpha",
        gatewayApi: "v1.3.0",
        ztunnelNetworkValue: "top-level",
        validationFailurePolicy: false,
        ambientMultiNetworkExtras: false,
        istiodEnv: {},
    },
    "1.28": {
        version: "1.28.10",
        kubernetesRange: ["1.29", "1.34"],
        kubernetes: kubernetesFrom("1.29", "1.34"),
        endOfLife: "2026-06-29",
        branchEniProbeFix: "1.28.7",
        ztunnelMultiRoot: "1.28.0",
        ambientMultiCluster: "alpha",
        gatewayApi: "v1.4.1",
        ztunnelNetworkValue: "top-level",
        validationFailurePolicy: true,
        ambientMultiNetworkExtras: false,
        istiodEnv: {},
    },
    "1.29": {
        version: "1.29.6",
        kubernetesRange: ["1.31", "1.35"],
        kubernetes: kubernetesFrom("1.31", "1.35"),
        endOfLife: "2026-10-12",
        branchEniProbeFix: "1.29.3",
        ztunnelMultiRoot: "1.29.0",
        ambientMultiCluster: "beta",
        gatewayApi: "v1.4.1",
        ztunnelNetworkValue: "top-level",
        validationFailurePolicy: true,
        ambientMultiNetworkExtras: true,
        istiodEnv: {},
    },
    "1.30": {
        version: "1.30.5",
        kubernetesRange: ["1.32", "1.36"],
        kubernetes: kubernetesFrom("1.32", "1.36"),
        branchEniProbeFix: "1.30.0",
        ztunnelMultiRoot: "1.30.0",
        ambientMultiCluster: "beta",
        gatewayApi: "v1.5.1",
        ztunnelNetworkValue: "top-level",
        validationFailurePolicy: true,
        ambientMultiNetworkExtras: true,
        istiodEnv: {},
    },
    "1.31": {
        version: "1.31.1",
        kubernetesRange: ["1.32", "1.36"],
        kubernetes: kubernetesFrom("1.32", "1.36"),
        branchEniProbeFix: "1.31.0",
        ztunnelMultiRoot: "1.31.0",
        ambientMultiCluster: "beta",
        gatewayApi: "v1.6.0",
        ztunnelNetworkValue: "top-level",
        validationFailurePolicy: true,
        ambientMultiNetworkExtras: true,
        istiodEnv: {
            // 1.31 upgrade notes: ztunnel's WDS reconnect request now carries every resource's
            // version and can pass istiod's default 4 MiB gRPC limit in large meshes, leaving
            // ztunnel in a reconnect loop; a multi-cluster mesh adds up every cluster's workloads.
            // 32 MiB is the notes' own example (releasenotes/notes/wds-reconnect-version-skip.yaml).
            ISTIO_GPRC_MAXRECVMSGSIZE: "33554432",
            // 1.31 upgrade notes: istiod now sends unhealthy endpoints unless minHealthPercent is
            // set (releasenotes/notes/60690.yaml); keep 1.30's behaviour so an upgrade changes no
            // load balancing.
            PILOT_AUTO_SEND_UNHEALTHY_ENDPOINTS: "false",
        },
    },
};

/** Pinned Istio releases, oldest first. */
export const ISTIO_VERSIONS = Object.values(ISTIO_RELEASES).map((r) => r.version);

/** The table entry of a pinned release, or undefined for any other version. */
export function istioReleaseOf(version: string): IstioRelease | undefined {
    return Object.values(ISTIO_RELEASES).find((r) => r.version === version);
}

/** Whether `version` is at least `minimum` (both `major.minor.patch`). */
export function patchAtLeast(version: string, minimum: string): boolean {
    const a = version.split(".").map(Number);
    const b = minimum.split(".").map(Number);
    for (let i = 0; i < 3; i++) {
        if (a[i] !== b[i]) {
            return a[i] > b[i];
        }
    }
    return true;
}

/** Whether the pinned release carries the branch-ENI probe fix. */
export function hasBranchEniProbeFix(release: IstioRelease): boolean {
    return (
        release.branchEniProbeFix !== undefined &&
        patchAtLeast(release.version, release.branchEniProbeFix)
    );
}

/** Whether the pinned release's ztunnel trusts every root of a multi-root root-cert.pem. */
export function hasZtunnelMultiRoot(release: IstioRelease): boolean {
    return (
        release.ztunnelMultiRoot !== undefined &&
        patchAtLeast(release.version, release.ztunnelMultiRoot)
    );
}

/** The Istio release a stack gets when it does not choose one. */
export const DEFAULT_ISTIO_VERSION = ISTIO_RELEASES["1.31"].version;

/**
 * Istio's Helm chart repository. Istio moved its charts off Google Cloud Storage: from 1.31
 * nothing is published there, and the host is removed in December 2026 (Istio 1.31 upgrade
 * notes, "Deprecation of GCP infrastructure and hosting").
 */
export const DEFAULT_ISTIO_CHART_REPOSITORY = "https://blob.istio.io/istio-release/charts";

/** Istio's charts as OCI artifacts: `oci://ghcr.io/istio/release/charts/<chart>`. */
export const ISTIO_OCI_CHART_REPOSITORY = "oci://ghcr.io/istio/release/charts";

/** Istio's retired hosts, and what to use instead. */
export const RETIRED_ISTIO_HOSTS = {
    charts: {
        hosts: ["istio-release.storage.googleapis.com", "storage.googleapis.com/istio-release"],
        removed: "December 2026",
        lastOutageTest: "2026-12-08 15:00 UTC to 2026-12-09 15:00 UTC",
        replacements: [DEFAULT_ISTIO_CHART_REPOSITORY, ISTIO_OCI_CHART_REPOSITORY],
    },
    /** Image registries Istio publishes nothing to from this minor on. */
    images: { hubs: ["gcr.io/istio-release", "registry.istio.io"], from: "1.31" },
} as const;

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

/**
 * The AWS Load Balancer Controller: it makes the east-west and ingress NLBs (IP targets, fixed
 * private addresses), which the in-tree cloud provider cannot. Chart 1.17.1 is the newest of the
 * v2 line (aws/eks-charts `stable/aws-load-balancer-controller/Chart.yaml:4-5` at 9639b8b); its
 * IAM needs are taken from `docs/install/iam_policy.json` at the matching controller tag.
 */
export const LOAD_BALANCER_CONTROLLER = {
    repository: "https://aws.github.io/eks-charts",
    chart: "aws-load-balancer-controller",
    version: "1.17.1",
    appVersion: "v2.17.1",
    namespace: "kube-system",
    serviceAccount: "aws-load-balancer-controller",
    /** The class that hands a Service to the controller rather than the in-tree provider. */
    loadBalancerClass: "service.k8s.aws/nlb",
} as const;

/** The EKS add-on that serves Pod Identity credentials on each node. */
export const POD_IDENTITY_AGENT_ADDON = "eks-pod-identity-agent";

/**
 * AWS's default quota of inbound rules per security group ("Inbound or outbound rules per
 * security group", VPC quotas); a mesh without `mesh.addressSpace` must fit its per-peer rules.
 */
export const DEFAULT_SECURITY_GROUP_RULE_QUOTA = 60;

/**
 * Ingress rules others add to a cluster security group that the platform's count must leave
 * room for: EKS's own self-reference, and the controller's backend rules for each load balancer's
 * traffic and health-check ports (east-west and ingress gateways).
 */
export const SECURITY_GROUP_RULES_RESERVED = 6;
