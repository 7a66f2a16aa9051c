import * as assert from "node:assert/strict";
import * as rules from "../../policies/rules";
import { check, NOT_APPLICABLE, tokenEntry, UNKNOWN } from "../fixtures/policy-harness";
import { meshStack, TAGS } from "../fixtures/policy-mesh";
import { resourceCases, stackCases } from "./cases";

/** The eks-* rules (policies/rules/eks/): clusters, VPC CNI, nodes, service CIDRs, IAM role. */

describe("policy: EKS clusters", () => {
    const cluster = () => meshStack().a.cluster;

    resourceCases(rules.eksKubernetesVersion, cluster, [
        { title: "accepts Kubernetes 1.35", expected: [] },
        {
            title: "rejects Kubernetes 1.27",
            change: (c) => (c.props.version = "1.27"),
            expected: [
                'version "1.27" is not allowed; use one of 1.28, 1.29, 1.30, 1.31, 1.32, 1.33, 1.34, 1.35.',
            ],
        },
        {
            title: "rejects a cluster without a pinned version",
            change: (c) => delete c.props.version,
            expected: [
                "version is not set, so EKS picks its own default; pin one of 1.28, 1.29, 1.30, 1.31, 1.32, 1.33, 1.34, 1.35.",
            ],
        },
        {
            title: "takes the allowed versions from the pack config",
            options: { config: { allowedVersions: ["1.33"] } },
            expected: ['version "1.35" is not allowed; use one of 1.33.'],
        },
    ]);

    resourceCases(rules.eksVersionExtendedSupport, cluster, [
        { title: "accepts a version in standard support", expected: [] },
    ]);

    it("eks-version-extended-support names the dates and the extra cost of extended support", () => {
        const c = cluster();
        c.props.version = "1.32";
        assert.deepEqual(check(rules.eksVersionExtendedSupport, c), [
            'version "1.32" left EKS standard support on 2026-03-23 and is in extended support ' +
                "until 2027-03-23 (judged on 2026-11-30): the control plane costs $0.60 instead " +
                "of $0.10 per cluster-hour, $0.50 more per hour and about $365.00 more per month; " +
                "upgrade to a version in standard support: 1.34 (standard support until " +
                "2026-12-02), 1.35 (standard support until 2027-03-27).",
        ]);
        // The last day of standard support is still standard.
        assert.deepEqual(
            check(rules.eksVersionExtendedSupport, c, { config: { asOf: "2026-03-23" } }),
            [],
        );
        // Past extended support is the mandatory rule's, not this one's.
        assert.deepEqual(
            check(rules.eksVersionExtendedSupport, c, { config: { asOf: "2027-03-24" } }),
            [],
        );
    });

    it("eks-version-end-of-support accepts a version EKS still creates", () => {
        const c = cluster();
        c.props.version = "1.32";
        assert.deepEqual(check(rules.eksVersionEndOfSupport, c), []);
        assert.deepEqual(
            check(rules.eksVersionEndOfSupport, c, { config: { asOf: "2027-03-23" } }),
            [],
        );
    });

    it("eks-version-end-of-support rejects a version past extended support, naming the date", () => {
        const c = cluster();
        c.props.version = "1.31";
        assert.deepEqual(check(rules.eksVersionEndOfSupport, c), [
            'version "1.31" left EKS extended support on 2026-11-26 (judged on 2026-11-30): EKS ' +
                "creates no cluster on it and upgrades existing ones on its own; use 1.34 " +
                "(standard support until 2026-12-02), 1.35 (standard support until 2027-03-27).",
        ]);
        c.props.version = "1.32";
        assert.deepEqual(
            check(rules.eksVersionEndOfSupport, c, { config: { asOf: "2027-04-01" } }),
            [
                'version "1.32" left EKS extended support on 2027-03-23 (judged on 2027-04-01): ' +
                    "EKS creates no cluster on it and upgrades existing ones on its own; use 1.33 " +
                    "(extended support until 2027-07-29), 1.34 (extended support until " +
                    "2027-12-02), 1.35 (extended support until 2028-03-27).",
            ],
        );
    });

    resourceCases(rules.eksVersionEndOfSupport, cluster, [
        {
            title: "rejects a version EKS has not released by the day judged",
            options: { config: { asOf: "2026-01-01" } },
            expected: [
                'version "1.35" is not released on EKS until 2026-01-27 (judged on 2026-01-01), ' +
                    "so EKS cannot create it yet; use 1.32 (standard support until 2026-03-23), " +
                    "1.33 (standard support until 2026-07-29), 1.34 (standard support until " +
                    "2026-12-02).",
            ],
        },
    ]);

    it("eks-version-end-of-support takes the calendar from the pack config", () => {
        const c = cluster();
        c.props.version = "1.36";
        const calendar = {
            "1.36": {
                released: "2026-06-01",
                endOfStandardSupport: "2027-08-01",
                endOfExtendedSupport: "2028-08-01",
            },
        };
        assert.deepEqual(check(rules.eksVersionEndOfSupport, c, { config: { calendar } }), []);
        assert.deepEqual(
            check(rules.eksVersionEndOfSupport, c, {
                config: { calendar, asOf: "2028-08-02" },
            }).length,
            1,
        );
    });

    resourceCases(rules.eksControlPlaneLogging, cluster, [
        { title: "accepts all five log types", expected: [] },
        {
            title: "rejects a cluster without audit and scheduler logs",
            change: (c) =>
                (c.props.enabledClusterLogTypes = ["api", "authenticator", "controllerManager"]),
            expected: [
                "enabledClusterLogTypes lacks audit, scheduler; enable api, audit, authenticator, " +
                    "controllerManager, scheduler so control-plane activity is audited.",
            ],
        },
    ]);

    resourceCases(rules.eksSecretsEncryption, cluster, [
        { title: "accepts a KMS key for Secrets", expected: [] },
        {
            title: "rejects a cluster without a KMS key",
            change: (c) => delete c.props.encryptionConfigKeyArn,
            expected: [
                "encryptionConfigKeyArn is not set, so Secrets (the mesh CA key in cacerts, " +
                    "remote-cluster tokens) are stored without envelope encryption; set a KMS key ARN.",
            ],
        },
    ]);

    resourceCases(rules.eksPrivateEndpoint, cluster, [
        { title: "accepts a private endpoint", expected: [] },
        {
            title: "rejects a cluster without the private endpoint",
            change: (c) => (c.props.endpointPrivateAccess = false),
            expected: [
                "endpointPrivateAccess is not true; the other clusters' istiod reach this API " +
                    "server over the Transit Gateway, so the private endpoint must be on.",
            ],
        },
    ]);

    resourceCases(rules.eksPublicEndpointRestricted, cluster, [
        {
            title: "accepts a public endpoint limited to known networks",
            change: (c) => {
                c.props.endpointPublicAccess = true;
                c.props.publicAccessCidrs = ["203.0.113.0/24"];
            },
            expected: [],
        },
        {
            title: "flags a public endpoint open to 0.0.0.0/0",
            change: (c) => {
                c.props.endpointPublicAccess = true;
                c.props.publicAccessCidrs = ["0.0.0.0/0"];
            },
            expected: [
                "the public API endpoint is open to 0.0.0.0/0; restrict publicAccessCidrs to known " +
                    "networks or set endpointPublicAccess to false.",
            ],
        },
        {
            title: "flags pulumi-eks' default: public and open",
            change: (c) => delete c.props.endpointPublicAccess,
            expected: [
                "the public API endpoint is open to 0.0.0.0/0 (the default); restrict " +
                    "publicAccessCidrs to known networks or set endpointPublicAccess to false.",
            ],
        },
    ]);

    resourceCases(rules.eksAuthenticationMode, cluster, [
        { title: "accepts API mode", expected: [] },
        {
            title: "rejects API_AND_CONFIG_MAP",
            change: (c) => (c.props.authenticationMode = "API_AND_CONFIG_MAP"),
            expected: ['authenticationMode "API_AND_CONFIG_MAP" is not allowed; use API.'],
        },
        {
            title: "rejects a cluster that leaves the mode unset",
            change: (c) => delete c.props.authenticationMode,
            expected: ["authenticationMode is not set; use API."],
        },
    ]);

    resourceCases(rules.eksVpcCniPodEni, cluster, [
        { title: "accepts pod ENIs on", expected: [] },
        {
            title: "rejects pod ENIs off",
            change: (c) =>
                (c.props.vpcCniOptions = { ...c.props.vpcCniOptions, enablePodEni: false }),
            expected: [
                "vpcCniOptions.enablePodEni is not true; the platform isolates pods with security " +
                    "groups for pods, which need pod ENIs.",
            ],
        },
    ]);

    resourceCases(rules.eksVpcCniEnforcingMode, cluster, [
        { title: "accepts the standard mode", expected: [] },
        {
            title: "rejects the strict mode",
            change: (c) =>
                (c.props.vpcCniOptions = {
                    ...c.props.vpcCniOptions,
                    configurationValues: { env: { POD_SECURITY_GROUP_ENFORCING_MODE: "strict" } },
                }),
            expected: [
                'vpcCniOptions.configurationValues.env.POD_SECURITY_GROUP_ENFORCING_MODE is "strict"; ' +
                    'set "standard", or the link-local health probes that Istio rewrites are dropped.',
            ],
        },
        {
            title: "rejects leaving the mode at the CNI's strict default",
            change: (c) =>
                (c.props.vpcCniOptions = { ...c.props.vpcCniOptions, configurationValues: {} }),
            expected: [
                "vpcCniOptions.configurationValues.env.POD_SECURITY_GROUP_ENFORCING_MODE is not set " +
                    '(strict); set "standard", or the link-local health probes that Istio rewrites ' +
                    "are dropped.",
            ],
        },
        {
            title: "reads configurationValues given as JSON text",
            change: (c) =>
                (c.props.vpcCniOptions = {
                    ...c.props.vpcCniOptions,
                    configurationValues: JSON.stringify({
                        env: { POD_SECURITY_GROUP_ENFORCING_MODE: "standard" },
                    }) as unknown as Record<string, unknown>,
                }),
            expected: [],
        },
    ]);

    resourceCases(rules.eksVpcCniTcpEarlyDemux, cluster, [
        { title: "accepts early demux off", expected: [] },
        {
            title: "rejects early demux on with pod ENIs",
            change: (c) =>
                (c.props.vpcCniOptions = { ...c.props.vpcCniOptions, disableTcpEarlyDemux: false }),
            expected: [
                "vpcCniOptions.disableTcpEarlyDemux is not true; kubelet TCP probes to pods with " +
                    "their own security groups (and Istio's probe fix) need TCP early demux off.",
            ],
        },
        {
            title: "accepts the init container's DISABLE_TCP_EARLY_DEMUX",
            change: (c) =>
                (c.props.vpcCniOptions = {
                    enablePodEni: true,
                    configurationValues: {
                        env: { POD_SECURITY_GROUP_ENFORCING_MODE: "standard" },
                        init: { env: { DISABLE_TCP_EARLY_DEMUX: "true" } },
                    },
                }),
            expected: [],
        },
    ]);

    resourceCases(rules.eksDefaultNodeGroup, cluster, [
        { title: "accepts a cluster without the default node group", expected: [] },
        {
            title: "rejects the default node group's t3.medium",
            change: (c) => (c.props.skipDefaultNodeGroup = false),
            expected: [
                'the default node group uses instance type "t3.medium" (pulumi-eks\' default), ' +
                    "which matches ^t[0-9]; set skipDefaultNodeGroup and use managed node groups, as " +
                    "security groups for pods need trunk ENIs.",
            ],
        },
        {
            title: "accepts a default node group on m6i.large",
            change: (c) => {
                c.props.skipDefaultNodeGroup = false;
                c.props.instanceType = "m6i.large";
            },
            expected: [],
        },
    ]);

    resourceCases(rules.eksDeletionProtection, cluster, [
        { title: "does not ask a dev cluster for deletion protection", expected: [] },
        {
            title: "flags a prod cluster without deletion protection",
            change: (c) => (c.props.tags = { ...TAGS, environment: "prod" }),
            expected: [
                "deletionProtection is not true on a cluster tagged environment=prod; turn it on.",
            ],
        },
        {
            title: "accepts a protected prod cluster",
            change: (c) => {
                c.props.tags = { ...TAGS, environment: "prod" };
                c.props.deletionProtection = true;
            },
            expected: [],
        },
    ]);

    it("EKS cluster rules do not apply to other resource types", () => {
        assert.equal(check(rules.eksKubernetesVersion, meshStack().a.vpc), NOT_APPLICABLE);
    });
});

describe("policy: EKS managed node groups", () => {
    const nodes = () => meshStack().a.nodes;

    resourceCases(rules.nodeGroupInstanceTypes, nodes, [
        { title: "accepts m6i.large", expected: [] },
        {
            title: "rejects t-family instances",
            change: (n) => (n.props.instanceTypes = ["m6i.large", "t3.large"]),
            expected: [
                'instance type "t3.large" matches ^t[0-9]; t-family instances have no trunk ENI ' +
                    "for security groups for pods.",
            ],
        },
        {
            title: "rejects a node group that leaves EKS to pick t3.medium",
            change: (n) => delete n.props.instanceTypes,
            expected: [
                "instanceTypes is not set, so EKS uses t3.medium; list instance types outside the " +
                    "t-family, as security groups for pods need trunk ENIs.",
            ],
        },
        {
            title: "takes an allowed pattern from the pack config",
            change: (n) => (n.props.instanceTypes = ["c6i.large"]),
            options: { config: { allowedInstanceTypePattern: "^m6[ia]\\." } },
            expected: ['instance type "c6i.large" does not match ^m6[ia]\\..'],
        },
    ]);

    resourceCases(rules.nodeGroupScaling, nodes, [
        { title: "accepts min 2, desired 2, max 4", expected: [] },
        {
            title: "rejects a desired size below the minimum",
            change: (n) => (n.props.scalingConfig = { minSize: 3, desiredSize: 2, maxSize: 4 }),
            expected: [
                "scalingConfig has minSize 3, desiredSize 2, maxSize 4; it needs minSize <= " +
                    "desiredSize <= maxSize and maxSize >= 1.",
            ],
        },
    ]);

    resourceCases(rules.nodeGroupAmi, nodes, [
        { title: "accepts an AL2023 AMI type", expected: [] },
        {
            title: "rejects Amazon Linux 2",
            change: (n) => (n.props.amiType = "AL2_x86_64"),
            expected: [
                'amiType "AL2_x86_64" does not match ^AL2023_; Amazon Linux 2 reached end of ' +
                    "support and has no AMIs past Kubernetes 1.32.",
            ],
        },
        {
            title: "rejects a node group that pins neither AMI type nor OS",
            change: (n) => delete n.props.amiType,
            expected: [
                "amiType is not set and operatingSystem is not set; pin an amiType matching ^AL2023_.",
            ],
        },
        {
            title: "accepts pulumi-eks' operatingSystem AL2023",
            change: (n) => {
                delete n.props.amiType;
                n.props.operatingSystem = "AL2023";
            },
            expected: [],
        },
    ]);
});

describe("policy: EKS stack rules", () => {
    stackCases(rules.eksServiceCidrsDisjoint, [
        { title: "accepts 172.20.0.0/16 and 172.21.0.0/16", expected: [] },
        {
            title: "rejects a service CIDR inside the cluster's own VPC",
            change: (s) => (s.b.cluster.props.kubernetesServiceIpAddressRange = "10.20.0.0/16"),
            expected: [
                {
                    resource: "b-eks",
                    message:
                        "service CIDR 10.20.0.0/16 of cluster b-eks overlaps VPC b-vpc (10.20.0.0/16); " +
                        "pods could not reach that part of the network.",
                },
            ],
        },
        {
            title: "rejects two clusters on one service CIDR",
            change: (s) => (s.b.cluster.props.kubernetesServiceIpAddressRange = "172.20.0.0/16"),
            expected: [
                {
                    resource: "b-eks",
                    message:
                        "service CIDR 172.20.0.0/16 of cluster b-eks overlaps service CIDR " +
                        "172.20.0.0/16 of cluster a-eks; give every cluster of the mesh its own range.",
                },
            ],
        },
        {
            title: "rejects a cluster left on EKS's default service CIDR",
            change: (s) => delete s.b.cluster.props.kubernetesServiceIpAddressRange,
            expected: [
                {
                    resource: "b-eks",
                    message:
                        "cluster b-eks does not set its service CIDR, so EKS gives it the same " +
                        "default range as the other clusters; set kubernetesServiceIpAddressRange.",
                },
            ],
        },
        {
            title: "counts a component's own aws.eks.Cluster child once",
            change: (s) =>
                s.extra.push(
                    tokenEntry(
                        "aws:eks/cluster:Cluster",
                        "a-eks-eksCluster",
                        { kubernetesNetworkConfig: { serviceIpv4Cidr: "172.20.0.0/16" } },
                        { parent: "a-eks", id: "a-eks-eksCluster-1234567" },
                    ),
                ),
            expected: [],
        },
    ]);

    stackCases(rules.eksClusterRolePolicies, [
        { title: "accepts roles with both EKS managed policies", expected: [] },
        {
            title: "rejects a cluster role without AmazonEKSVPCResourceController",
            change: (s) =>
                (s.b.controllerPolicy.props.policyArn =
                    "arn:aws:iam::aws:policy/AmazonEKSServicePolicy"),
            expected: [
                {
                    resource: "b-cluster",
                    message:
                        "EKS cluster role b-cluster lacks AmazonEKSVPCResourceController; the " +
                        "control plane needs AmazonEKSClusterPolicy, and " +
                        "AmazonEKSVPCResourceController to give pods their own security groups.",
                },
            ],
        },
        {
            title: "follows dependencies in a preview, where role names are unknown",
            change: (s) => {
                for (const side of [s.a, s.b]) {
                    side.role.id = UNKNOWN;
                    side.clusterPolicy.props.role = UNKNOWN;
                    side.controllerPolicy.props.role = UNKNOWN;
                }
            },
            expected: [],
        },
    ]);
});
