import * as assert from "node:assert/strict";
import { parse } from "yaml";
import { environmentResources, environmentRun, Resources } from "./fixtures/environments";

const CLUSTER = "eks:index:Cluster";
const NODES = "eks:index:ManagedNodeGroup";
const ROLE = "aws:iam/role:Role";
const ATTACH = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";
const KEY = "aws:kms/key:Key";
const RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";

describe("EksCluster", () => {
    let pair: Resources;
    let trio: Resources;
    before(async () => {
        pair = await environmentResources("pair");
        trio = await environmentResources("trio");
    });

    it("creates the cluster on the configured version with API auth, logs, KMS and OIDC", () => {
        const cluster = pair.one(CLUSTER, "east-a-eks");
        const key = pair.one(KEY, "east-a-secrets");
        assert.equal(cluster.inputs.version, "1.32");
        assert.equal(pair.one(CLUSTER, "east-b-eks").inputs.version, "1.35");
        assert.equal(cluster.inputs.authenticationMode, "API");
        assert.deepEqual(cluster.inputs.enabledClusterLogTypes, [
            "api",
            "audit",
            "authenticator",
            "controllerManager",
            "scheduler",
        ]);
        assert.equal(cluster.inputs.encryptionConfigKeyArn, key.state.arn);
        assert.equal(key.inputs.enableKeyRotation, true);
        assert.equal(cluster.inputs.createOidcProvider, true);
        assert.equal(cluster.inputs.skipDefaultNodeGroup, true);
        assert.equal(cluster.inputs.kubernetesServiceIpAddressRange, "172.20.0.0/16");
        assert.deepEqual(
            (cluster.inputs.privateSubnetIds as string[]).map((id) => pair.byId(id).name),
            ["east-a-private-1", "east-a-private-2"],
        );
        assert.deepEqual(cluster.inputs.accessEntries, {
            "admin-platform-admin": {
                principalArn: "arn:aws:iam::123456789012:role/platform-admin",
                accessPolicies: {
                    admin: {
                        policyArn:
                            "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
                        accessScope: { type: "cluster" },
                    },
                },
            },
        });
        assert.deepEqual(
            Object.keys(trio.one(CLUSTER, "use1-a-eks").inputs.accessEntries as object),
            ["admin-platform-admin", "admin-platform-deployer"],
        );
    });

    it("runs the VPC CNI with pod ENIs, standard enforcing mode and TCP early demux off", () => {
        for (const cluster of [...pair.ofType(CLUSTER), ...trio.ofType(CLUSTER)]) {
            const cni = cluster.inputs.vpcCniOptions as Record<string, unknown>;
            assert.equal(cni.enablePodEni, true, cluster.name);
            assert.equal(cni.disableTcpEarlyDemux, true, cluster.name);
            assert.deepEqual(cni.configurationValues, {
                env: { POD_SECURITY_GROUP_ENFORCING_MODE: "standard" },
            });
        }
    });

    it("gives the control plane its own role with the cluster and VPC resource controller policies", () => {
        const role = pair.one(ROLE, "east-a-cluster");
        assert.deepEqual(JSON.parse(role.inputs.assumeRolePolicy as string), {
            Version: "2012-10-17",
            Statement: [
                {
                    Effect: "Allow",
                    Principal: { Service: "eks.amazonaws.com" },
                    Action: "sts:AssumeRole",
                },
            ],
        });
        const policiesOf = (roleName: string) =>
            pair
                .ofType(ATTACH)
                .filter((a) => a.inputs.role === pair.one(ROLE, roleName).state.name)
                .map((a) => a.inputs.policyArn)
                .sort();
        assert.deepEqual(policiesOf("east-a-cluster"), [
            "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy",
            "arn:aws:iam::aws:policy/AmazonEKSVPCResourceController",
        ]);
        assert.deepEqual(policiesOf("east-a-node"), [
            "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
            "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
            "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
            "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
        ]);
        const cluster = pair.one(CLUSTER, "east-a-eks");
        assert.equal(cluster.inputs.serviceRole, role.id);
        const deps = pair.dependencyNames(cluster);
        assert.ok(deps.includes("east-a-cluster-AmazonEKSClusterPolicy"));
        assert.ok(deps.includes("east-a-cluster-AmazonEKSVPCResourceController"));
    });

    it("runs a managed AL2023 node group on the private subnets with the configured sizes", () => {
        const nodes = pair.one(NODES, "east-a-nodes");
        assert.deepEqual(nodes.inputs.instanceTypes, ["m6i.large"]);
        assert.deepEqual(nodes.inputs.scalingConfig, { minSize: 2, desiredSize: 2, maxSize: 4 });
        assert.equal(nodes.inputs.amiType, "AL2023_x86_64_STANDARD");
        assert.equal(nodes.inputs.capacityType, "SPOT");
        assert.equal(nodes.inputs.diskSize, 50);
        assert.equal(nodes.inputs.nodeRole, pair.one(ROLE, "east-a-node").id);
        assert.deepEqual(
            (nodes.inputs.subnetIds as string[]).map((id) => pair.byId(id).name),
            ["east-a-private-1", "east-a-private-2"],
        );
        assert.ok(pair.dependencyNames(nodes).includes("east-a-eks"));
        const prodNodes = trio.one(NODES, "use1-a-nodes");
        assert.equal(prodNodes.inputs.capacityType, "ON_DEMAND");
        assert.equal(prodNodes.inputs.diskSize, 100);
    });

    it("opens only the API server (443) on the cluster security group, to each peer VPC", () => {
        const cluster = pair.one(CLUSTER, "east-a-eks");
        const sg = cluster.state.clusterSecurityGroupId;
        assert.ok(typeof sg === "string" && sg.startsWith("sg-"));
        const onCluster = pair.ofType(RULE).filter((r) => r.inputs.securityGroupId === sg);
        assert.deepEqual(
            onCluster.map((r) => [
                r.name,
                r.inputs.cidrIpv4,
                r.inputs.ipProtocol,
                r.inputs.fromPort,
                r.inputs.toPort,
                r.inputs.description,
            ]),
            [
                [
                    "east-a-api-from-east-b",
                    "10.20.0.0/16",
                    "tcp",
                    443,
                    443,
                    "istiod in east-b watches this API server",
                ],
            ],
        );
    });

    it("names the declared address space once instead of each peer, beside the operators' network", () => {
        const sg = trio.one(CLUSTER, "use1-a-eks").state.clusterSecurityGroupId;
        const onCluster = trio.ofType(RULE).filter((r) => r.inputs.securityGroupId === sg);
        assert.deepEqual(
            onCluster.map((r) => [
                r.name,
                r.inputs.cidrIpv4,
                r.inputs.fromPort,
                r.inputs.toPort,
                r.inputs.description,
            ]),
            [
                [
                    "use1-a-api-from-10-0-0-0-16",
                    "10.0.0.0/16",
                    443,
                    443,
                    "operators in 10.0.0.0/16 reach the private endpoint",
                ],
                [
                    "use1-a-api-from-mesh-10-96-0-0-11",
                    "10.96.0.0/11",
                    443,
                    443,
                    "istiod in the mesh's address space 10.96.0.0/11 watches this API server",
                ],
            ],
        );
    });

    it("never opens the NodePort range, nor any port to the whole internet", () => {
        for (const env of [pair, trio]) {
            for (const rule of env.ofType(RULE)) {
                const [from, to] = [Number(rule.inputs.fromPort), Number(rule.inputs.toPort)];
                assert.ok(to < 30000 || from > 32767, `${rule.name} opens ${from}-${to}`);
                assert.notEqual(rule.inputs.cidrIpv4, "0.0.0.0/0", rule.name);
            }
        }
    });

    it("keeps trio's endpoints private and its clusters protected", () => {
        const cluster = trio.one(CLUSTER, "use1-a-eks");
        assert.equal(cluster.inputs.endpointPrivateAccess, true);
        assert.equal(cluster.inputs.endpointPublicAccess, false);
        assert.equal(cluster.inputs.publicAccessCidrs, undefined);
        assert.equal(cluster.inputs.deletionProtection, true);
        assert.equal(cluster.protect, true);
        assert.equal(pair.one(CLUSTER, "east-a-eks").protect, false);
    });

    it("exports an exec kubeconfig per cluster, as a secret", async () => {
        const run = await environmentRun("pair");
        const clusters = run.outputs.clusters as Record<string, unknown>[];
        assert.deepEqual(
            clusters.map((c) => [c.name, c.region, c.kubernetesVersion, c.network]),
            [
                ["east-a", "us-east-1", "1.32", "east-a-network"],
                ["east-b", "us-east-1", "1.35", "east-b-network"],
            ],
        );
        const cluster = pair.one(CLUSTER, "east-a-eks");
        const eks = cluster.state.eksCluster as Record<string, unknown>;
        const kubeconfig = parse(clusters[0].kubeconfig as string);
        assert.equal(kubeconfig.clusters[0].cluster.server, eks.endpoint);
        assert.equal(
            kubeconfig.clusters[0].cluster["certificate-authority-data"],
            (eks.certificateAuthority as Record<string, unknown>).data,
        );
        assert.deepEqual(kubeconfig.users[0].user.exec.args, [
            "eks",
            "get-token",
            "--cluster-name",
            eks.name,
            "--region",
            "us-east-1",
            "--output",
            "json",
        ]);
        const raw = (run.rawOutputs.clusters as Record<string, unknown>[])[0];
        assert.equal(raw.kubeconfig?.constructor.name, "SecretValue");
        assert.equal(typeof raw.endpoint, "string");
    });

    it("marks the Kubernetes provider's kubeconfig secret", () => {
        const provider = pair.one("pulumi:providers:kubernetes", "east-a-k8s");
        assert.equal(provider.rawInputs.kubeconfig?.constructor.name, "SecretValue");
        // Provider inputs travel as strings.
        assert.equal(provider.inputs.enableServerSideApply, "true");
    });
});
