import * as aws from "@pulumi/aws";
import * as eks from "@pulumi/eks";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { EndpointConfig, NodeGroupConfig } from "../config";
import { awsExecKubeconfig } from "../kubeconfig";
import { MeshCidr } from "../cidr";
import { amiTypeFor, CONTROL_PLANE_LOG_TYPES, MANAGED_POLICIES } from "../versions";
import { assumeRolePolicy, ruleKey } from "./iam";

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
        const aws_ = { parent: this, provider: args.awsProvider };
        const tags = (suffix: string) => ({ ...args.tags, Name: `${name}-${suffix}` });

        const key = new aws.kms.Key(
            `${name}-secrets`,
            {
                description: `Envelope encryption of Kubernetes secrets in ${name}`,
                enableKeyRotation: true,
                deletionWindowInDays: 30,
                tags: tags("secrets"),
            },
            aws_,
        );
        new aws.kms.Alias(
            `${name}-secrets`,
            { name: `alias/eks/${name}-secrets`, targetKeyId: key.keyId },
            aws_,
        );

        const serviceRole = new aws.iam.Role(
            `${name}-cluster`,
            {
                description: `EKS control plane of ${name}`,
                assumeRolePolicy: assumeRolePolicy("eks.amazonaws.com"),
                tags: tags("cluster"),
            },
            aws_,
        );
        const servicePolicies = MANAGED_POLICIES.cluster.map(
            (policyArn) =>
                new aws.iam.RolePolicyAttachment(
                    `${name}-cluster-${policyArn.split("/").pop()}`,
                    { role: serviceRole.name, policyArn },
                    aws_,
                ),
        );
        const nodeRole = new aws.iam.Role(
            `${name}-node`,
            {
                description: `Worker nodes of ${name}`,
                assumeRolePolicy: assumeRolePolicy("ec2.amazonaws.com"),
                tags: tags("node"),
            },
            aws_,
        );
        const nodePolicies = MANAGED_POLICIES.node.map(
            (policyArn) =>
                new aws.iam.RolePolicyAttachment(
                    `${name}-node-${policyArn.split("/").pop()}`,
                    { role: nodeRole.name, policyArn },
                    aws_,
                ),
        );

        const publicAccessCidrs =
            args.endpoint.publicAccess && !args.endpoint.publicAccessCidrs.includes("0.0.0.0/0")
                ? [
                      ...args.endpoint.publicAccessCidrs,
                      ...(args.peerPublicIps ?? []).map((ip) => pulumi.interpolate`${ip}/32`),
                  ]
                : args.endpoint.publicAccess
                  ? args.endpoint.publicAccessCidrs
                  : undefined;

        const cluster = new eks.Cluster(
            `${name}-eks`,
            {
                version: args.kubernetesVersion,
                vpcId: args.vpcId,
                privateSubnetIds: args.privateSubnetIds,
                publicSubnetIds: args.publicSubnetIds,
                nodeAssociatePublicIpAddress: false,
                skipDefaultNodeGroup: true,
                // EKS's own cluster security group covers the control plane and managed nodes;
                // the component's extra groups would only duplicate it.
                skipDefaultSecurityGroups: true,
                serviceRole,
                authenticationMode: eks.AuthenticationMode.Api,
                accessEntries: Object.fromEntries(
                    args.clusterAdmins.map((principalArn) => [
                        `admin-${ruleKey(principalArn.split("/").pop() ?? principalArn)}`,
                        {
                            principalArn,
                            accessPolicies: {
                                admin: {
                                    policyArn: MANAGED_POLICIES.clusterAdminAccess,
                                    accessScope: { type: "cluster" },
                                },
                            },
                        },
                    ]),
                ),
                enabledClusterLogTypes: [...CONTROL_PLANE_LOG_TYPES],
                encryptionConfigKeyArn: key.arn,
                createOidcProvider: true,
                endpointPrivateAccess: args.endpoint.privateAccess,
                endpointPublicAccess: args.endpoint.publicAccess,
                publicAccessCidrs,
                kubernetesServiceIpAddressRange: args.serviceCidr,
                deletionProtection: args.deletionProtection,
                vpcCniOptions: {
                    enablePodEni: true,
                    disableTcpEarlyDemux: true,
                    configurationValues: {
                        env: { POD_SECURITY_GROUP_ENFORCING_MODE: "standard" },
                    },
                },
                tags: tags("eks"),
            },
            {
                parent: this,
                providers: { aws: args.awsProvider },
                protect: args.deletionProtection,
                // The role must hold its policies before EKS validates it.
                dependsOn: servicePolicies,
            },
        );

        const nodeGroup = new eks.ManagedNodeGroup(
            `${name}-nodes`,
            {
                cluster,
                nodeRole,
                subnetIds: args.privateSubnetIds,
                instanceTypes: args.nodeGroup.instanceTypes,
                amiType: amiTypeFor(args.nodeGroup.instanceTypes),
                capacityType: args.nodeGroup.capacityType,
                diskSize: args.nodeGroup.diskSize,
                scalingConfig: {
                    minSize: args.nodeGroup.minSize,
                    desiredSize: args.nodeGroup.desiredSize,
                    maxSize: args.nodeGroup.maxSize,
                },
                tags: tags("nodes"),
            },
            {
                parent: this,
                providers: { aws: args.awsProvider },
                dependsOn: [...nodePolicies, ...(args.nodesAfter ?? [])],
            },
        );

        const securityGroupId = cluster.clusterSecurityGroupId;
        const https = (rule: string, cidr: string, why: string) =>
            new aws.vpc.SecurityGroupIngressRule(
                `${name}-${rule}`,
                {
                    securityGroupId,
                    cidrIpv4: cidr,
                    ipProtocol: "tcp",
                    fromPort: 443,
                    toPort: 443,
                    description: why,
                    tags: tags(rule),
                },
                aws_,
            );
        for (const source of args.apiSources) {
            https(
                `api-from-${source.name}`,
                source.cidr,
                `istiod in ${source.name} watches this API server`,
            );
        }
        for (const cidr of args.endpoint.privateAccessCidrs) {
            https(
                `api-from-${ruleKey(cidr)}`,
                cidr,
                `operators in ${cidr} reach the private endpoint`,
            );
        }

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
        this.nodeGroup = nodeGroup;
        this.registerOutputs({
            eksClusterName: this.eksClusterName,
            endpoint: this.endpoint,
            clusterSecurityGroupId: this.clusterSecurityGroupId,
            oidcProviderArn: this.oidcProviderArn,
            kubeconfig: this.kubeconfig,
        });
    }
}
