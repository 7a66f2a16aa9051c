import * as tls from "./tls";
import { ACCOUNT_ID, base64, CREATED, Handler, Inputs, MockContext, strings } from "./context";
import { isPlainObject } from "./values";

/**
 * EKS: the AWS provider's own cluster resources, and pulumi-eks's components, which are built by
 * a provider plugin and so are single nodes under mocks. Their outputs are what programs read:
 * `eksCluster`, `core`, the OIDC provider, the kubeconfig.
 */

async function eksClusterObject(ctx: MockContext, name: string): Promise<Inputs> {
    const region = ctx.region;
    const oidcId = ctx.hex(32, "oidc").toUpperCase();
    const vpcConfig = isPlainObject(ctx.inputs.vpcConfig) ? ctx.inputs.vpcConfig : {};
    const role = ctx.lookup(ctx.inputs.roleArn);
    return {
        name,
        arn: ctx.arn("eks", `cluster/${name}`),
        endpoint: `https://${ctx.hex(32, "endpoint").toUpperCase()}.gr7.${region}.eks.amazonaws.com`,
        certificateAuthority: { data: base64(await tls.clusterCa(name)) },
        version: ctx.str("version") ?? "1.32",
        platformVersion: "eks.1",
        status: "ACTIVE",
        createdAt: CREATED,
        roleArn: role?.state.arn ?? ctx.inputs.roleArn ?? "",
        vpcConfig: {
            endpointPrivateAccess: false,
            endpointPublicAccess: true,
            publicAccessCidrs: ["0.0.0.0/0"],
            securityGroupIds: [],
            ...vpcConfig,
            clusterSecurityGroupId: ctx.ec2Id("sg", "cluster-security-group"),
        },
        identities: [
            { oidcs: [{ issuer: `https://oidc.eks.${region}.amazonaws.com/id/${oidcId}` }] },
        ],
    };
}

function kubeconfigFor(name: string, region: string, endpoint: string, caData: string): Inputs {
    return {
        apiVersion: "v1",
        clusters: [
            {
                cluster: { server: endpoint, "certificate-authority-data": caData },
                name: "kubernetes",
            },
        ],
        contexts: [{ context: { cluster: "kubernetes", user: "aws" }, name: "aws" }],
        "current-context": "aws",
        kind: "Config",
        users: [
            {
                name: "aws",
                user: {
                    exec: {
                        apiVersion: "client.authentication.k8s.io/v1beta1",
                        command: "aws",
                        args: [
                            "--region",
                            region,
                            "eks",
                            "get-token",
                            "--cluster-name",
                            name,
                            "--output",
                            "json",
                        ],
                    },
                },
            },
        ],
    };
}

export const EKS_MOCKS: Record<string, Handler> = {
    "aws:eks/cluster:Cluster": async (ctx) => {
        const cluster = await eksClusterObject(ctx, ctx.str("name") ?? ctx.autoName());
        return { id: cluster.name as string, outputs: { ...ctx.inputs, ...cluster } };
    },
    "aws:eks/addon:Addon": (ctx) => {
        const clusterName = ctx.str("clusterName") ?? "";
        const addonName = ctx.str("addonName") ?? ctx.name;
        return {
            id: `${clusterName}:${addonName}`,
            outputs: {
                addonVersion: "v0.0.0-eksbuild.1",
                ...ctx.inputs,
                arn: ctx.arn("eks", `addon/${clusterName}/${addonName}/${ctx.uuid("arn")}`),
                createdAt: CREATED,
                modifiedAt: CREATED,
                tagsAll: ctx.tagsAll(),
            },
        };
    },
    "aws:eks/accessEntry:AccessEntry": (ctx) => {
        const clusterName = ctx.str("clusterName") ?? "";
        const principal = ctx.str("principalArn") ?? "";
        return {
            id: `${clusterName}:${principal}`,
            outputs: {
                type: "STANDARD",
                kubernetesGroups: [],
                ...ctx.inputs,
                accessEntryArn: ctx.arn(
                    "eks",
                    `access-entry/${clusterName}/role/${ACCOUNT_ID}/${ctx.uuid("arn")}`,
                ),
                createdAt: CREATED,
                modifiedAt: CREATED,
                userName: principal,
                tagsAll: ctx.tagsAll(),
            },
        };
    },
    "aws:eks/accessPolicyAssociation:AccessPolicyAssociation": (ctx) => ({
        id: `${ctx.str("clusterName") ?? ""}#${ctx.str("principalArn") ?? ""}#${ctx.str("policyArn") ?? ""}`,
        outputs: { associatedAt: CREATED, modifiedAt: CREATED },
    }),
    "aws:eks/podIdentityAssociation:PodIdentityAssociation": (ctx) => {
        const clusterName = ctx.str("clusterName") ?? "";
        const associationId = `a-${ctx.hex(17, "association")}`;
        return {
            // The provider's import id: cluster name and association id.
            id: `${clusterName},${associationId}`,
            outputs: {
                ...ctx.inputs,
                associationId,
                associationArn: ctx.arn(
                    "eks",
                    `podidentityassociation/${clusterName}/${associationId}`,
                ),
                tagsAll: ctx.tagsAll(),
            },
        };
    },
    "aws:eks/nodeGroup:NodeGroup": (ctx) => {
        const group = nodeGroupObject(ctx, ctx.str("clusterName") ?? "");
        return {
            id: `${group.clusterName}:${group.nodeGroupName}`,
            outputs: { ...ctx.inputs, ...group },
        };
    },
    "eks:index:Cluster": async (ctx) => {
        const { inputs } = ctx;
        const name = ctx.str("name") ?? `${ctx.name}-eksCluster-${ctx.hex(7, "eks-cluster-name")}`;
        const privateSubnetIds = strings(inputs.privateSubnetIds);
        const publicSubnetIds = strings(inputs.publicSubnetIds);
        const subnetIds = strings(inputs.subnetIds).length
            ? strings(inputs.subnetIds)
            : [...privateSubnetIds, ...publicSubnetIds];
        const role = ctx.lookup(inputs.serviceRole);
        const cluster = await eksClusterObject(
            ctx.withInputs({
                version: inputs.version,
                roleArn: role?.state.arn ?? inputs.serviceRole,
            }),
            name,
        );
        const vpcConfig: Inputs = {
            ...(cluster.vpcConfig as Inputs),
            vpcId: inputs.vpcId,
            subnetIds,
            endpointPrivateAccess: inputs.endpointPrivateAccess ?? false,
            endpointPublicAccess: inputs.endpointPublicAccess ?? true,
            publicAccessCidrs: inputs.publicAccessCidrs ?? ["0.0.0.0/0"],
        };
        const key = ctx.lookup(inputs.encryptionConfigKeyArn);
        const eksCluster: Inputs = {
            ...cluster,
            vpcConfig,
            accessConfig: {
                authenticationMode: inputs.authenticationMode ?? "CONFIG_MAP",
                bootstrapClusterCreatorAdminPermissions: true,
            },
            kubernetesNetworkConfig: {
                ipFamily: inputs.ipFamily ?? "ipv4",
                serviceIpv4Cidr: inputs.kubernetesServiceIpAddressRange ?? "172.20.0.0/16",
            },
            enabledClusterLogTypes: inputs.enabledClusterLogTypes ?? [],
            encryptionConfig: inputs.encryptionConfigKeyArn
                ? {
                      provider: { keyArn: key?.state.arn ?? inputs.encryptionConfigKeyArn },
                      resources: ["secrets"],
                  }
                : undefined,
            deletionProtection: inputs.deletionProtection ?? false,
            tags: inputs.tags ?? {},
        };
        const endpoint = eksCluster.endpoint as string;
        const issuer = (cluster.identities as { oidcs: { issuer: string }[] }[])[0].oidcs[0].issuer;
        const issuerHost = issuer.replace(/^https:\/\//, "");
        const oidcProviderArn =
            inputs.createOidcProvider === true
                ? `arn:aws:iam::${ACCOUNT_ID}:oidc-provider/${issuerHost}`
                : "";
        const caData = (cluster.certificateAuthority as { data: string }).data;
        const kubeconfig = kubeconfigFor(name, ctx.region, endpoint, caData);
        const clusterSecurityGroupId = vpcConfig.clusterSecurityGroupId;
        return {
            outputs: {
                eksCluster,
                clusterSecurityGroupId,
                nodeSecurityGroupId:
                    inputs.skipDefaultSecurityGroups === true
                        ? clusterSecurityGroupId
                        : ctx.ec2Id("sg", "node-security-group"),
                oidcProviderArn,
                oidcProviderUrl: issuer,
                oidcIssuer: issuerHost,
                kubeconfig,
                kubeconfigJson: JSON.stringify(kubeconfig),
                defaultNodeGroupAsgName: "",
                fargateProfileId: "",
                fargateProfileStatus: "",
                instanceRoles: [],
                core: {
                    cluster: eksCluster,
                    endpoint,
                    clusterSecurityGroupId,
                    vpcId: inputs.vpcId,
                    subnetIds,
                    privateSubnetIds,
                    publicSubnetIds,
                    oidcProvider: oidcProviderArn
                        ? { arn: oidcProviderArn, url: issuerHost }
                        : undefined,
                    kubeconfig,
                    tags: inputs.tags ?? {},
                    nodeGroupOptions: {},
                    instanceRoles: [],
                    encryptionConfig: eksCluster.encryptionConfig,
                },
            },
        };
    },
    "eks:index:ManagedNodeGroup": (ctx) => {
        const cluster = ctx.lookup(ctx.inputs.cluster);
        const eksCluster = isPlainObject(cluster?.state.eksCluster) ? cluster.state.eksCluster : {};
        const clusterName =
            ctx.str("clusterName") ?? (typeof eksCluster.name === "string" ? eksCluster.name : "");
        return {
            outputs: { nodeGroup: nodeGroupObject(ctx, clusterName), placementGroupName: "" },
        };
    },
};

function nodeGroupObject(ctx: MockContext, clusterName: string): Inputs {
    const { inputs } = ctx;
    const nodeGroupName = ctx.str("nodeGroupName") ?? ctx.autoName("node-group-name");
    const role = ctx.lookup(inputs.nodeRole) ?? ctx.lookup(inputs.nodeRoleArn);
    const uuid = ctx.uuid("node-group");
    return {
        amiType: "AL2023_x86_64_STANDARD",
        capacityType: "ON_DEMAND",
        diskSize: 20,
        instanceTypes: ["t3.medium"],
        ...Object.fromEntries(
            [
                "amiType",
                "capacityType",
                "diskSize",
                "instanceTypes",
                "labels",
                "scalingConfig",
                "subnetIds",
                "tags",
                "taints",
                "version",
            ]
                .filter((k) => inputs[k] !== undefined)
                .map((k) => [k, inputs[k]]),
        ),
        clusterName,
        nodeGroupName,
        nodeRoleArn: role?.state.arn ?? inputs.nodeRoleArn ?? "",
        arn: ctx.arn("eks", `nodegroup/${clusterName}/${nodeGroupName}/${uuid}`),
        status: "ACTIVE",
        releaseVersion: "1.32.0-20250101",
        resources: [
            {
                autoscalingGroups: [{ name: `eks-${nodeGroupName}-${uuid}` }],
                remoteAccessSecurityGroupId: "",
            },
        ],
    };
}
