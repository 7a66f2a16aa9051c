import * as eks from "@pulumi/eks";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { awsExecKubeconfig } from "../kubeconfig";
import { providerIdentity } from "../platformReference";
import { MANAGED_POLICIES } from "../versions";
import {
    apiIngressRules,
    controlPlane,
    EksClusterArgs,
    managedNodeGroup,
    role,
    secretsKey,
} from "./clusterParts";

export type { EksClusterArgs };

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
            { kubeconfig: this.kubeconfig, ...providerIdentity(this.eksClusterName) },
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
