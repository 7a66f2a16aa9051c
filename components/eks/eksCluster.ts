import * as eks from "@pulumi/eks";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { MeshCidr } from "../cidr";
import { EndpointConfig, NodeGroupConfig } from "../config";
import { awsExecKubeconfig } from "../kubeconfig";
import { MANAGED_POLICIES } from "../versions";
import { apiIngressRules, controlPlane, managedNodeGroup, role, secretsKey } from "./clusterParts";

export interface EksClusterArgs {
    readonly region: string;
    readonly kubernetesVersion: string;
    readonly vpcId: pulumi.Input<string>;
    readonly privateSubnetIds: pulumi.Input<string>[];
    readonly publicSubnetIds: pulumi.Input<string>[];
    /** Kubernetes service CIDR; fixed at creation (changing it replaces the cluster). */
    readonly serviceCidr: string;
    readonly endpoint: EndpointConfig;
    /**
     * Addresses added to the public endpoint's allow-list when it is restricted: the peer
     * clusters' NAT gateways, so their istiod can reach this API server.
     * @default none
     */
    readonly peerPublicIps?: pulumi.Input<string>[];
    /**
     * Who may reach the API server on 443, because istiod in every other cluster watches it:
     * each peer VPC, or the mesh's declared address space (one rule per block, however many
     * peers). Nothing else of the mesh is opened on the cluster security group: east-west
     * traffic enters through its load balancer's own group.
     */
    readonly apiSources: readonly MeshCidr[];
    /**
     * Resources the nodes must wait for: the private subnets' address reservations, so that the
     * VPC CNI never hands a reserved address to a pod.
     * @default none
     */
    readonly nodesAfter?: readonly pulumi.Resource[];
    readonly nodeGroup: NodeGroupConfig;
    /** IAM principals granted `AmazonEKSClusterAdminPolicy` through access entries. */
    readonly clusterAdmins: readonly string[];
    /** EKS deletion protection, plus Pulumi `protect` on the cluster. */
    readonly deletionProtection: boolean;
    readonly tags: Record<string, string>;
    /** The AWS provider of the cluster's region. */
    readonly awsProvider: pulumi.ProviderResource;
}

/**
 * An EKS cluster ready for an ambient mesh: API authentication, secrets encrypted with its own
 * KMS key, every control-plane log, an OIDC provider, a managed node group, and the VPC CNI
 * set up for security groups for pods in `standard` enforcing mode (so Istio's link-local
 * health-probe traffic is not blocked by pod security groups).
 */
export class EksCluster extends pulumi.ComponentResource {
    public readonly eksClusterName: pulumi.Output<string>;
    public readonly endpoint: pulumi.Output<string>;
    public readonly certificateAuthorityData: pulumi.Output<string>;
    public readonly clusterSecurityGroupId: pulumi.Output<string>;
    public readonly oidcProviderArn: pulumi.Output<string>;
    public readonly oidcProviderUrl: pulumi.Output<string>;
    /** Exec-based kubeconfig (`aws eks get-token`), a secret. */
    public readonly kubeconfig: pulumi.Output<string>;
    /** Provider for Kubernetes resources in this cluster. */
    public readonly provider: k8s.Provider;
    /** Resources that must exist before workloads can be scheduled (Helm releases wait on it). */
    public readonly nodeGroup: eks.ManagedNodeGroup;

    constructor(name: string, args: EksClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ambientmesh:eks:EksCluster", name, {}, opts);
        const parts = { name, args, parent: this };
        const key = secretsKey(parts);
        const service = role(parts, "cluster", "eks.amazonaws.com", MANAGED_POLICIES.cluster);
        const node = role(parts, "node", "ec2.amazonaws.com", MANAGED_POLICIES.node);
        const cluster = controlPlane(parts, service, key);
        this.nodeGroup = managedNodeGroup(parts, cluster, node);
        const securityGroupId = cluster.clusterSecurityGroupId;
        apiIngressRules(parts, securityGroupId);

        const eksCluster = cluster.eksCluster;
        this.eksClusterName = eksCluster.name;
        this.endpoint = eksCluster.endpoint;
        this.certificateAuthorityData = eksCluster.certificateAuthority.data;
        this.clusterSecurityGroupId = securityGroupId;
        this.oidcProviderArn = cluster.oidcProviderArn;
        this.oidcProviderUrl = cluster.oidcProviderUrl;
        this.kubeconfig = pulumi.secret(
            pulumi
                .all([this.eksClusterName, this.endpoint, this.certificateAuthorityData])
                .apply(([eksClusterName, server, certificateAuthorityData]) =>
                    awsExecKubeconfig({
                        name,
                        eksClusterName,
                        region: args.region,
                        server,
                        certificateAuthorityData,
                    }),
                ),
        );
        this.provider = new k8s.Provider(
            `${name}-k8s`,
            { kubeconfig: this.kubeconfig, enableServerSideApply: true },
            { parent: this },
        );
        this.registerOutputs({
            eksClusterName: this.eksClusterName,
            endpoint: this.endpoint,
            clusterSecurityGroupId: this.clusterSecurityGroupId,
            oidcProviderArn: this.oidcProviderArn,
            kubeconfig: this.kubeconfig,
        });
    }
}
