import * as assert from "node:assert/strict";
import { ConfigError, RawPlatformConfig, validateConfig } from "../components/config";

type Mutable<T> = { -readonly [K in keyof T]: T[K] extends object ? Mutable<T[K]> : T[K] };

/** A valid two-cluster config; each test changes one thing. */
function base(): Mutable<RawPlatformConfig> & { clusters: Record<string, unknown>[] } {
    return {
        environment: "dev",
        tags: { owner: "platform" },
        clusterAdmins: ["arn:aws:iam::123456789012:role/platform-admin"],
        clusters: [
            {
                name: "a",
                region: "us-east-1",
                kubernetesVersion: "1.32",
                vpcCidr: "10.10.0.0/16",
                serviceCidr: "172.20.0.0/16",
                nodeGroup: { instanceTypes: ["m6i.large"], minSize: 1, desiredSize: 2, maxSize: 3 },
            },
            {
                name: "b",
                region: "us-west-2",
                kubernetesVersion: "1.35",
                vpcCidr: "10.20.0.0/16",
                serviceCidr: "172.21.0.0/16",
                nodeGroup: { instanceTypes: ["m6i.large"], minSize: 1, desiredSize: 2, maxSize: 3 },
            },
        ],
    };
}

function problemsOf(raw: unknown): string[] {
    try {
        validateConfig(raw, "eks-ambient-mesh");
    } catch (err) {
        assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
        return err.problems;
    }
    assert.fail("configuration was accepted");
}

function cluster(
    raw: ReturnType<typeof base>,
    i: number,
): Record<string, unknown> & {
    nodeGroup: Record<string, unknown>;
} {
    return raw.clusters[i] as Record<string, unknown> & { nodeGroup: Record<string, unknown> };
}

describe("config validation", () => {
    it("accepts the base config and fills every default", () => {
        const cfg = validateConfig(base(), "eks-ambient-mesh");
        assert.equal(cfg.project, "eks-ambient-mesh");
        assert.deepEqual(cfg.clusters[0], {
            name: "a",
            region: "us-east-1",
            kubernetesVersion: "1.32",
            vpcCidr: "10.10.0.0/16",
            serviceCidr: "172.20.0.0/16",
            availabilityZoneCount: 3,
            natGateways: "single",
            nodeGroup: {
                instanceTypes: ["m6i.large"],
                minSize: 1,
                desiredSize: 2,
                maxSize: 3,
                diskSize: 50,
                capacityType: "ON_DEMAND",
            },
            endpoint: {
                privateAccess: true,
                publicAccess: true,
                publicAccessCidrs: ["0.0.0.0/0"],
                privateAccessCidrs: [],
            },
            deletionProtection: false,
            network: "a-network",
            intermediateGeneration: 0,
        });
    });

    it("rejects Kubernetes versions EKS does not offer, naming the key and the allowed list", () => {
        for (const version of ["1.27", "1.37"]) {
            const raw = base();
            cluster(raw, 1).kubernetesVersion = version;
            assert.deepEqual(problemsOf(raw), [
                `clusters[1].kubernetesVersion: "${version}" is not supported; use one of 1.28, 1.29, 1.30, 1.31, 1.32, 1.33, 1.34, 1.35`,
            ]);
        }
    });

    it("explains an unquoted version that YAML read as a number", () => {
        const raw = base();
        cluster(raw, 0).kubernetesVersion = 1.3;
        assert.deepEqual(problemsOf(raw), [
            'clusters[0].kubernetesVersion: 1.3 is a number; quote it (YAML reads 1.30 as 1.3), e.g. "1.35"',
        ]);
    });

    it("rejects overlapping VPC CIDRs across clusters", () => {
        const raw = base();
        cluster(raw, 1).vpcCidr = "10.10.128.0/17";
        assert.deepEqual(problemsOf(raw), [
            'clusters[1].vpcCidr: "10.10.128.0/17" overlaps clusters[0].vpcCidr "10.10.0.0/16"; every VPC and service CIDR in the mesh must be disjoint',
        ]);
    });

    it("rejects a service CIDR overlapping another cluster's VPC", () => {
        const raw = base();
        cluster(raw, 1).serviceCidr = "10.10.0.0/20";
        assert.deepEqual(problemsOf(raw), [
            'clusters[1].serviceCidr: "10.10.0.0/20" overlaps clusters[0].vpcCidr "10.10.0.0/16"; every VPC and service CIDR in the mesh must be disjoint',
        ]);
    });

    it("rejects duplicate cluster names, which also duplicate the default network", () => {
        const raw = base();
        cluster(raw, 1).name = "a";
        assert.deepEqual(problemsOf(raw), [
            'clusters[1].name: "a" is already used by clusters[0]; each cluster needs its own name',
            'clusters[1].network: "a-network" is already used by clusters[0]; each cluster needs its own network',
        ]);
    });

    it("rejects names that are not DNS-1123 labels", () => {
        const raw = base();
        cluster(raw, 0).name = "Prod_East";
        assert.deepEqual(problemsOf(raw), [
            "clusters[0].name: \"Prod_East\" is not a DNS-1123 label of at most 32 characters (lower-case letters, digits and '-', starting and ending with a letter or digit)",
        ]);
    });

    it("rejects fewer than two availability zones", () => {
        const raw = base();
        cluster(raw, 0).availabilityZoneCount = 1;
        assert.deepEqual(problemsOf(raw), [
            "clusters[0].availabilityZoneCount: 1 is not allowed; use 2 to 3 (EKS needs subnets in at least two zones)",
        ]);
    });

    it("requires minSize <= desiredSize <= maxSize", () => {
        const raw = base();
        Object.assign(cluster(raw, 0).nodeGroup, { minSize: 4, desiredSize: 3, maxSize: 2 });
        assert.deepEqual(problemsOf(raw), [
            "clusters[0].nodeGroup: minSize 4, desiredSize 3, maxSize 2 must satisfy minSize <= desiredSize <= maxSize",
        ]);
    });

    it("rejects t-family instances, which have no trunk ENIs for security groups for pods", () => {
        const raw = base();
        cluster(raw, 0).nodeGroup.instanceTypes = ["m6i.large", "t3.large"];
        assert.deepEqual(problemsOf(raw), [
            'clusters[0].nodeGroup.instanceTypes[1]: "t3.large" is a burstable t-family type without trunk ENIs, which security groups for pods need; use e.g. m6i.large or c6i.large',
        ]);
    });

    it("rejects node groups mixing arm64 and x86_64", () => {
        const raw = base();
        cluster(raw, 0).nodeGroup.instanceTypes = ["m6i.large", "m7g.large"];
        assert.deepEqual(problemsOf(raw), [
            'clusters[0].nodeGroup.instanceTypes: ["m6i.large","m7g.large"] mixes arm64 and x86_64 types; one node group runs one architecture',
        ]);
    });

    it("rejects unknown regions with the list of supported ones", () => {
        const raw = base();
        cluster(raw, 0).region = "us-east-9";
        const [problem] = problemsOf(raw);
        assert.match(
            problem,
            /^clusters\[0\]\.region: "us-east-9" is not a supported AWS region; use one of us-east-1, us-east-2, /,
        );
    });

    it("rejects VPC CIDRs that are too large, too small, public, malformed or misaligned", () => {
        const cases: [string, string][] = [
            [
                "10.30.0.0/15",
                'clusters[0].vpcCidr: "10.30.0.0/15" is a /15; use a block from /16 to /20 (pods take VPC addresses)',
            ],
            [
                "10.10.0.0/24",
                'clusters[0].vpcCidr: "10.10.0.0/24" is a /24; use a block from /16 to /20 (pods take VPC addresses)',
            ],
            [
                "8.8.0.0/16",
                'clusters[0].vpcCidr: "8.8.0.0/16" is not inside a private range (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16)',
            ],
            [
                "10.10.0/16",
                'clusters[0].vpcCidr: "10.10.0/16" is not an IPv4 CIDR block like 10.0.0.0/16',
            ],
            [
                "10.10.0.1/16",
                'clusters[0].vpcCidr: "10.10.0.1/16" has host bits set; the block starts at a multiple of its size',
            ],
        ];
        for (const [cidr, message] of cases) {
            const raw = base();
            cluster(raw, 0).vpcCidr = cidr;
            assert.deepEqual(problemsOf(raw), [message], cidr);
        }
    });

    it("rejects service CIDRs outside EKS's /12-/24 private ranges", () => {
        const raw = base();
        cluster(raw, 0).serviceCidr = "172.20.0.0/25";
        assert.deepEqual(problemsOf(raw), [
            'clusters[0].serviceCidr: "172.20.0.0/25" is a /25; EKS takes a block from /12 to /24',
        ]);
    });

    it("rejects an endpoint with neither private nor public access", () => {
        const raw = base();
        cluster(raw, 0).endpoint = { privateAccess: false, publicAccess: false };
        assert.deepEqual(problemsOf(raw), [
            "clusters[0].endpoint: privateAccess and publicAccess are both false; enable at least one",
        ]);
    });

    it("rejects unknown keys and wrong types, naming each", () => {
        const raw = base() as Record<string, unknown>;
        raw.cluster = [];
        (raw.clusters as Record<string, unknown>[])[0].nodeGroup = {
            instanceTypes: ["m6i.large"],
            minSize: "1",
            desiredSize: 1.5,
            maxSize: 3,
        };
        assert.deepEqual(problemsOf(raw), [
            'clusters[0].nodeGroup.minSize: "1" is not a number',
            "clusters[0].nodeGroup.desiredSize: 1.5 is not a whole number",
            'unknown key "cluster"; check the spelling against the README\'s configuration reference',
        ]);
    });

    it("reports a missing required key", () => {
        const raw = base();
        delete cluster(raw, 0).serviceCidr;
        assert.deepEqual(problemsOf(raw), ["clusters[0].serviceCidr: is required"]);
    });

    it("reports every problem at once", () => {
        const raw = base();
        cluster(raw, 0).kubernetesVersion = "1.27";
        cluster(raw, 1).kubernetesVersion = "1.37";
        cluster(raw, 1).name = "a";
        cluster(raw, 1).vpcCidr = "10.10.0.0/16";
        const problems = problemsOf(raw);
        assert.equal(problems.length, 5, problems.join("\n"));
        assert.ok(problems.every((p) => p.startsWith("clusters[")));
    });

    it("formats the error message with one line per problem", () => {
        const raw = base();
        cluster(raw, 0).kubernetesVersion = "1.27";
        cluster(raw, 0).availabilityZoneCount = 9;
        assert.throws(
            () => validateConfig(raw, "p"),
            (err: Error) =>
                err.message ===
                'Invalid configuration (2 problems):\n  - clusters[0].kubernetesVersion: "1.27" is not supported; use one of 1.28, 1.29, 1.30, 1.31, 1.32, 1.33, 1.34, 1.35\n  - clusters[0].availabilityZoneCount: 9 is not allowed; use 2 to 3 (EKS needs subnets in at least two zones)',
        );
    });
});

describe("mesh config validation", () => {
    const withMesh = (mesh: Record<string, unknown>) => ({ ...base(), mesh });

    it("defaults to Istio 1.31.1 from Istio's new chart host and Docker Hub images", () => {
        const { mesh } = validateConfig(base(), "eks-ambient-mesh");
        assert.equal(mesh.istioVersion, "1.31.1");
        assert.equal(mesh.chartRepository, "https://blob.istio.io/istio-release/charts");
        assert.equal(mesh.hub, "docker.io/istio");
        assert.equal(mesh.dataplaneMode, "ambient");
    });

    it("refuses the retired Google Cloud Storage chart host, with the date and the replacements", () => {
        for (const repo of [
            "https://istio-release.storage.googleapis.com/charts",
            "https://storage.googleapis.com/istio-release/charts",
        ]) {
            assert.deepEqual(problemsOf(withMesh({ chartRepository: repo })), [
                `mesh.chartRepository: "${repo}" is Istio's retired chart host, removed in December 2026 (last outage test 2026-12-08 15:00 UTC to 2026-12-09 15:00 UTC); use https://blob.istio.io/istio-release/charts or oci://ghcr.io/istio/release/charts`,
            ]);
        }
    });

    it("takes an OCI registry or any https mirror, and nothing else", () => {
        for (const repo of [
            "oci://ghcr.io/istio/release/charts",
            "oci://123456789012.dkr.ecr.us-east-1.amazonaws.com/istio-charts",
            "https://charts.example.com/istio",
        ]) {
            const cfg = validateConfig(withMesh({ chartRepository: repo }), "p");
            assert.equal(cfg.mesh.chartRepository, repo);
        }
        assert.deepEqual(problemsOf(withMesh({ chartRepository: "http://charts.example.com" })), [
            'mesh.chartRepository: "http://charts.example.com" is neither an https:// Helm repository nor an oci:// registry path',
        ]);
    });

    it("refuses a Kubernetes version the Istio release does not support, naming the cluster", () => {
        const raw = base();
        cluster(raw, 1).kubernetesVersion = "1.31";
        assert.deepEqual(problemsOf(raw), [
            'clusters[1].kubernetesVersion: "1.31" is not supported by Istio 1.31.1; use one of 1.32, 1.33, 1.34, 1.35, or another mesh.istioVersion',
        ]);
        const older = { ...base(), mesh: { istioVersion: "1.29.6" } };
        cluster(older, 1).kubernetesVersion = "1.31";
        assert.equal(validateConfig(older, "p").mesh.istioVersion, "1.29.6");
    });

    it("refuses ambient mode on a release without istio-cni's branch-ENI probe fix", () => {
        const raw = withMesh({ istioVersion: "1.27.9" });
        cluster(raw, 1).kubernetesVersion = "1.33";
        assert.deepEqual(problemsOf(raw), [
            'mesh.istioVersion: "1.27.9" lacks istio-cni\'s probe fix for pods with their own security groups (AMBIENT_ENABLE_AWS_BRANCH_ENI_PROBE, in 1.28.7, 1.29.3, 1.30.0, 1.31.0 and later patches); the VPC CNI here gives pods security groups, so ambient pods would fail their kubelet probes; use one of 1.28.10, 1.29.6, 1.30.5, 1.31.1, or mesh.dataplaneMode: sidecar',
        ]);
        const sidecarRaw = withMesh({ istioVersion: "1.27.9", dataplaneMode: "sidecar" });
        cluster(sidecarRaw, 1).kubernetesVersion = "1.33";
        const sidecar = validateConfig(sidecarRaw, "p");
        assert.equal(sidecar.mesh.release.version, "1.27.9");
    });

    it("refuses ambient multi-cluster where Istio has none, and warns where it is alpha", () => {
        const raw = withMesh({ istioVersion: "1.24.6" });
        cluster(raw, 1).kubernetesVersion = "1.31";
        cluster(raw, 0).kubernetesVersion = "1.31";
        const problems = problemsOf(raw);
        assert.deepEqual(
            problems.map((p) => p.split(";")[0]),
            [
                'mesh.istioVersion: "1.24.6" has no ambient multi-cluster support',
                'mesh.istioVersion: "1.24.6" lacks istio-cni\'s probe fix for pods with their own security groups (AMBIENT_ENABLE_AWS_BRANCH_ENI_PROBE, in 1.28.7, 1.29.3, 1.30.0, 1.31.0 and later patches)',
            ],
        );
        const alphaRaw = withMesh({ istioVersion: "1.28.10" });
        cluster(alphaRaw, 1).kubernetesVersion = "1.34";
        const alpha = validateConfig(alphaRaw, "p");
        assert.deepEqual(alpha.warnings, [
            "mesh.istioVersion: ambient multi-cluster is alpha in Istio 1.28.10; 1.29+ makes it beta",
        ]);
    });

    it("refuses image registries Istio stopped publishing to, from 1.31 on", () => {
        assert.deepEqual(problemsOf(withMesh({ hub: "gcr.io/istio-release" })), [
            'mesh.hub: "gcr.io/istio-release" gets no Istio images from 1.31 on; use docker.io/istio or a mirror of it',
        ]);
        const older = validateConfig(
            withMesh({ hub: "gcr.io/istio-release", istioVersion: "1.30.5" }),
            "p",
        );
        assert.equal(older.mesh.hub, "gcr.io/istio-release");
    });

    it("names the pinned releases when asked for another", () => {
        assert.deepEqual(problemsOf(withMesh({ istioVersion: "1.30.3" })), [
            'mesh.istioVersion: "1.30.3" is not a pinned release; use one of 1.24.6, 1.27.9, 1.28.10, 1.29.6, 1.30.5, 1.31.1',
        ]);
    });
});

describe("mesh address space and security-group quota", () => {
    /** `n` one-AZ-pair clusters in us-east-1, VPCs 10.<i>.0.0/16. */
    function mesh(n: number, extra: Record<string, unknown> = {}) {
        const raw = base();
        raw.clusters = Array.from({ length: n }, (_, i) => ({
            name: `c${i}`,
            region: "us-east-1",
            kubernetesVersion: "1.35",
            vpcCidr: `10.${i}.0.0/16`,
            serviceCidr: `172.${16 + (i % 16)}.${Math.floor(i / 16) * 16}.0/20`,
            nodeGroup: { instanceTypes: ["m6i.large"], minSize: 1, desiredSize: 1, maxSize: 1 },
        }));
        return { ...raw, mesh: extra };
    }

    it("takes blocks that hold every VPC of the mesh", () => {
        const cfg = validateConfig(mesh(3, { addressSpace: ["10.0.0.0/8"] }), "p");
        assert.deepEqual(cfg.mesh.addressSpace, ["10.0.0.0/8"]);
        assert.equal(cfg.mesh.securityGroupRuleQuota, 60);
    });

    it("refuses a VPC outside the address space, naming the VPC's key", () => {
        assert.deepEqual(problemsOf(mesh(2, { addressSpace: ["10.0.0.0/16"] })), [
            'clusters[1].vpcCidr: "10.1.0.0/16" lies outside mesh.addressSpace (10.0.0.0/16); every VPC of the mesh must be inside it',
        ]);
    });

    it("refuses public, malformed and overlapping blocks", () => {
        assert.deepEqual(
            problemsOf(
                mesh(1, { addressSpace: ["10.0.0.0/8", "10.64.0.0/10", "8.0.0.0/8", "10.0.0/8"] }),
            ),
            [
                'mesh.addressSpace[1]: "10.64.0.0/10" overlaps mesh.addressSpace[0] "10.0.0.0/8"; list disjoint blocks',
                'mesh.addressSpace[2]: "8.0.0.0/8" is not inside a private range (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16)',
                'mesh.addressSpace[3]: "10.0.0/8" is not an IPv4 CIDR block like 10.0.0.0/16',
            ],
        );
    });

    it("refuses a mesh whose per-peer rules would exceed the quota, naming the fix", () => {
        // 25 peers + 6 kept for EKS and the controller = 31 rules per cluster security group.
        const quota = { securityGroupRuleQuota: 30 };
        const problems = problemsOf(mesh(26, quota));
        assert.equal(problems.length, 26);
        assert.equal(
            problems[0],
            'mesh.addressSpace: clusters[0] ("c0") would hold 31 inbound rules in its cluster security group (25 for the other clusters of the mesh, 0 for endpoint.privateAccessCidrs, 6 kept for EKS and the load balancer controller), above mesh.securityGroupRuleQuota 30; declare mesh.addressSpace, blocks that hold every VPC of the mesh (e.g. ["10.0.0.0/8"]), so each group holds one rule per block, or raise the quota to what AWS granted your account',
        );
        assert.equal(validateConfig(mesh(25, quota), "p").clusters.length, 25);
        assert.equal(
            validateConfig(mesh(26, { ...quota, addressSpace: ["10.0.0.0/8"] }), "p").clusters
                .length,
            26,
        );
        assert.equal(
            validateConfig(mesh(26, { securityGroupRuleQuota: 31 }), "p").clusters.length,
            26,
        );
    });

    it("refuses a quota AWS does not grant", () => {
        assert.deepEqual(problemsOf(mesh(1, { securityGroupRuleQuota: 0 })), [
            "mesh.securityGroupRuleQuota: 0 is not a rules-per-group quota AWS grants (1-1000)",
        ]);
    });
});
