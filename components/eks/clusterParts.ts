import * as aws from "@pulumi/aws";
import * as eks from "@pulumi/eks";
import * as pulumi from "@pulumi/pulumi";
import { MeshCidr } from "../cidr";
import { EndpointConfig, NodeGroupConfig } from "../config";
import { accessEntryName, nameFragment } from "../names";
import { amiTypeFor, CONTROL_PLANE_LOG_TYPES, MANAGED_POLICIES } from "../versions";
import { assumeRolePolicy } from "./iam";

/**
 * The pieces of an EksCluster, each made by one function (the thin class in `eksCluster.ts`
 * puts them together). Every resource is a child of the component and named from its name.
 */

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

export interface Parts {
    readonly name: string;
    readonly args: EksClusterArgs;
    readonly parent: pulumi.ComponentResource;
}

const awsOpts = (p: Parts) => ({ parent: p.parent, provider: p.args.awsProvider });
const tags = (p: Parts, suffix: string) => ({ ...p.args.tags, Name: `${p.name}-${suffix}` });

/** The KMS key that envelope-encrypts the cluster's Secrets, and its alias. */
export function secretsKey(p: Parts): aws.kms.Key {
    const key = new aws.kms.Key(
        `${p.name}-secrets`,
        {
            description: `Envelope encryption of Kubernetes secrets in ${p.name}`,
            enableKeyRotation: true,
            deletionWindowInDays: 30,
            tags: tags(p, "secrets"),
        },
        awsOpts(p),
    );
    new aws.kms.Alias(
        `${p.name}-secrets`,
        { name: `alias/eks/${p.name}-secrets`, targetKeyId: key.keyId },
        awsOpts(p),
    );
    return key;
}

export interface RoleParts {
    readonly role: aws.iam.Role;
    readonly attachments: aws.iam.RolePolicyAttachment[];
}

const ROLE_DESCRIPTIONS: Record<string, string> = {
    cluster: "EKS control plane of",
    node: "Worker nodes of",
};

/** A role a service assumes, with AWS managed policies attached. */
export function role(
    p: Parts,
    suffix: "cluster" | "node",
    service: string,
    policies: readonly string[],
): RoleParts {
    const created = new aws.iam.Role(
        `${p.name}-${suffix}`,
        {
            description: `${ROLE_DESCRIPTIONS[suffix]} ${p.name}`,
            assumeRolePolicy: assumeRolePolicy(service),
            tags: tags(p, suffix),
        },
        awsOpts(p),
    );
    const attachments = policies.map(
        (policyArn) =>
            new aws.iam.RolePolicyAttachment(
                `${p.name}-${suffix}-${policyArn.split("/").pop()}`,
                { role: created.name, policyArn },
                awsOpts(p),
            ),
    );
    return { role: created, attachments };
}

/**
 * Who may reach a public endpoint: as configured, plus the peers' NAT addresses when the
 * endpoint is restricted (their istiod must reach it); nothing when there is no public endpoint.
 */
export function publicAccessCidrs(args: EksClusterArgs): pulumi.Input<string>[] | undefined {
    const endpoint = args.endpoint;
    if (!endpoint.publicAccess) {
        return undefined;
    }
    if (endpoint.publicAccessCidrs.includes("0.0.0.0/0")) {
        return [...endpoint.publicAccessCidrs];
    }
    return [
        ...endpoint.publicAccessCidrs,
        ...(args.peerPublicIps ?? []).map((ip) => pulumi.interpolate`${ip}/32`),
    ];
}

/** Admin access entries, one per principal, keyed by the principal's last ARN segment. */
function accessEntries(args: EksClusterArgs) {
    return Object.fromEntries(
        args.clusterAdmins.map((principalArn) => [
            accessEntryName(principalArn),
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
    );
}

/** The control plane: API authentication, every log, secrets encryption, OIDC, the VPC CNI. */
export function controlPlane(p: Parts, service: RoleParts, key: aws.kms.Key): eks.Cluster {
    const { args } = p;
    return new eks.Cluster(
        `${p.name}-eks`,
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
            serviceRole: service.role,
            authenticationMode: eks.AuthenticationMode.Api,
            accessEntries: accessEntries(args),
            enabledClusterLogTypes: [...CONTROL_PLANE_LOG_TYPES],
            encryptionConfigKeyArn: key.arn,
            createOidcProvider: true,
            endpointPrivateAccess: args.endpoint.privateAccess,
            endpointPublicAccess: args.endpoint.publicAccess,
            publicAccessCidrs: publicAccessCidrs(args),
            kubernetesServiceIpAddressRange: args.serviceCidr,
            deletionProtection: args.deletionProtection,
            vpcCniOptions: {
                enablePodEni: true,
                disableTcpEarlyDemux: true,
                configurationValues: { env: { POD_SECURITY_GROUP_ENFORCING_MODE: "standard" } },
            },
            tags: tags(p, "eks"),
        },
        {
            parent: p.parent,
            providers: { aws: args.awsProvider },
            protect: args.deletionProtection,
            // The role must hold its policies before EKS validates it.
            dependsOn: service.attachments,
        },
    );
}

/** The managed node group on the private subnets, after its role and the reservations. */
export function managedNodeGroup(
    p: Parts,
    cluster: eks.Cluster,
    node: RoleParts,
): eks.ManagedNodeGroup {
    const { args } = p;
    return new eks.ManagedNodeGroup(
        `${p.name}-nodes`,
        {
            cluster,
            nodeRole: node.role,
            subnetIds: args.privateSubnetIds,
            instanceTypes: args.nodeGroup.instanceTypes,
            amiType: amiTypeFor(args.nodeGroup.instanceTypes),
            capacityType: args.nodeGroup.capacityType,
            diskSize: args.nodeGroup.diskSize,
            // The control plane's minor, said outright: pulumi-eks would take the cluster's own
            // version when none is given (nodejs/eks/nodes/nodegroup.ts:1886-1891 at v4.3.0), but
            // written here it shows in every plan and diff. The node group depends on the
            // cluster, so an upgrade rolls the nodes (UpdateNodegroupVersion, in place) only
            // after the control plane's own upgrade has finished, in the same update.
            version: args.kubernetesVersion,
            scalingConfig: {
                minSize: args.nodeGroup.minSize,
                desiredSize: args.nodeGroup.desiredSize,
                maxSize: args.nodeGroup.maxSize,
            },
            tags: tags(p, "nodes"),
        },
        {
            parent: p.parent,
            providers: { aws: args.awsProvider },
            dependsOn: [...node.attachments, ...(args.nodesAfter ?? [])],
        },
    );
}

/** The API server (443) opened to the mesh and to the operators' networks, nothing else. */
export function apiIngressRules(p: Parts, securityGroupId: pulumi.Input<string>): void {
    const https = (rule: string, cidr: string, why: string) =>
        new aws.vpc.SecurityGroupIngressRule(
            `${p.name}-${rule}`,
            {
                securityGroupId,
                cidrIpv4: cidr,
                ipProtocol: "tcp",
                fromPort: 443,
                toPort: 443,
                description: why,
                tags: tags(p, rule),
            },
            awsOpts(p),
        );
    for (const source of p.args.apiSources) {
        https(
            `api-from-${source.name}`,
            source.cidr,
            `istiod in ${source.description ?? source.name} watches this API server`,
        );
    }
    for (const cidr of p.args.endpoint.privateAccessCidrs) {
        https(
            `api-from-${nameFragment(cidr)}`,
            cidr,
            `operators in ${cidr} reach the private endpoint`,
        );
    }
}
