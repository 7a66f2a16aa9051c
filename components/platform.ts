import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ClusterConfig, PlatformConfig } from "./config";
import { EksCluster } from "./eks/eksCluster";
import { Network } from "./network/network";
import { MeshCidr, TransitHub } from "./network/transitHub";
import { TransitPeering } from "./network/transitPeering";
import { REGIONS } from "./versions";

export interface PlatformArgs {
    /** The validated stack configuration (see `validateConfig`). */
    readonly config: PlatformConfig;
}

/** What an application stack needs to know about one cluster. */
export interface ClusterOutputs {
    readonly name: string;
    readonly eksClusterName: pulumi.Output<string>;
    readonly region: string;
    readonly kubernetesVersion: string;
    readonly endpoint: pulumi.Output<string>;
    readonly certificateAuthorityData: pulumi.Output<string>;
    readonly oidcProviderArn: pulumi.Output<string>;
    readonly vpcId: pulumi.Output<string>;
    readonly vpcCidr: string;
    readonly privateSubnetIds: pulumi.Output<string>[];
    readonly network: string;
    readonly kubeconfig: pulumi.Output<string>;
}

export interface TransitGatewayOutputs {
    readonly region: string;
    readonly transitGatewayId: pulumi.Output<string>;
    readonly routeTableId: pulumi.Output<string>;
    readonly amazonSideAsn: number;
}

/** One cluster's parts, kept together for the mesh to build on. */
export interface PlatformCluster {
    readonly config: ClusterConfig;
    readonly network: Network;
    readonly eks: EksCluster;
    readonly awsProvider: aws.Provider;
}

/** Tags every taggable AWS resource carries. */
export function commonTags(config: PlatformConfig): Record<string, string> {
    return {
        ...config.tags,
        project: config.project,
        environment: config.environment,
        "managed-by": "pulumi",
    };
}

/**
 * The whole environment from validated config, in one `pulumi up`: a VPC per cluster, a
 * Transit Gateway per region with every VPC attached, peering between regions, and an EKS
 * cluster per VPC.
 */
export class Platform extends pulumi.ComponentResource {
    public readonly clusters: PlatformCluster[];
    public readonly transitGateways: TransitGatewayOutputs[];

    constructor(name: string, args: PlatformArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ambientmesh:index:Platform", name, {}, opts);
        const { config } = args;
        const tags = commonTags(config);
        const regions = [...new Set(config.clusters.map((c) => c.region))].sort();

        const providers = new Map(
            regions.map((region) => [
                region,
                new aws.Provider(`aws-${region}`, { region }, { parent: this }),
            ]),
        );
        const providerOf = (region: string) => providers.get(region) as aws.Provider;
        const inRegion = (region: string) => ({ parent: this, providers: { aws: providerOf(region) } });

        const networks = new Map(
            config.clusters.map((c) => [
                c.name,
                new Network(
                    c.name,
                    {
                        cidr: c.vpcCidr,
                        availabilityZoneCount: c.availabilityZoneCount,
                        natGateways: c.natGateways,
                        tags: { ...tags, cluster: c.name },
                        protect: c.deletionProtection,
                    },
                    inRegion(c.region),
                ),
            ]),
        );
        const network = (c: ClusterConfig) => networks.get(c.name) as Network;
        const meshCidrs: MeshCidr[] = config.clusters.map((c) => ({ name: c.name, cidr: c.vpcCidr }));

        const hubs = new Map(
            regions.map((region) => {
                const local = config.clusters.filter((c) => c.region === region);
                const hub = new TransitHub(
                    `${config.environment}-${region}`,
                    {
                        amazonSideAsn: REGIONS[region].transitGatewayAsn,
                        vpcs: local.map((c) => ({
                            name: c.name,
                            cidr: c.vpcCidr,
                            vpcId: network(c).vpcId,
                            subnetIds: network(c).privateSubnetIds,
                            routeTables: network(c).routeTables,
                        })),
                        meshCidrs,
                        tags,
                    },
                    inRegion(region),
                );
                return [region, hub] as const;
            }),
        );
        const hubOf = (region: string) => hubs.get(region) as TransitHub;

        regions.forEach((requester, i) =>
            regions.slice(i + 1).forEach((accepter) => {
                const side = (region: string) => ({
                    region,
                    transitGatewayId: hubOf(region).transitGatewayId,
                    routeTableId: hubOf(region).routeTableId,
                    cidrs: meshCidrs.filter(
                        (m) => config.clusters.find((c) => c.name === m.name)?.region === region,
                    ),
                    provider: providerOf(region),
                });
                new TransitPeering(
                    `${config.environment}-${requester}-${accepter}`,
                    { requester: side(requester), accepter: side(accepter), tags },
                    { parent: this },
                );
            }),
        );

        this.clusters = config.clusters.map((c) => {
            const peers = config.clusters.filter((p) => p.name !== c.name);
            const eksCluster = new EksCluster(
                c.name,
                {
                    region: c.region,
                    kubernetesVersion: c.kubernetesVersion,
                    vpcId: network(c).vpcId,
                    privateSubnetIds: network(c).privateSubnetIds,
                    publicSubnetIds: network(c).publicSubnetIds,
                    serviceCidr: c.serviceCidr,
                    endpoint: c.endpoint,
                    peerPublicIps: peers.flatMap((p) => network(p).natPublicIps),
                    peerCidrs: peers.map((p) => ({ name: p.name, cidr: p.vpcCidr })),
                    nodeGroup: c.nodeGroup,
                    clusterAdmins: config.clusterAdmins,
                    deletionProtection: c.deletionProtection,
                    tags: { ...tags, cluster: c.name },
                    awsProvider: providerOf(c.region),
                },
                { parent: this },
            );
            return { config: c, network: network(c), eks: eksCluster, awsProvider: providerOf(c.region) };
        });
        this.transitGateways = regions.map((region) => ({
            region,
            transitGatewayId: hubOf(region).transitGatewayId,
            routeTableId: hubOf(region).routeTableId,
            amazonSideAsn: REGIONS[region].transitGatewayAsn,
        }));
        this.registerOutputs({});
    }

    /** Per-cluster outputs, in config order, for the stack's exports. */
    public clusterOutputs(): ClusterOutputs[] {
        return this.clusters.map(({ config: c, network, eks }) => ({
            name: c.name,
            eksClusterName: eks.eksClusterName,
            region: c.region,
            kubernetesVersion: c.kubernetesVersion,
            endpoint: eks.endpoint,
            certificateAuthorityData: eks.certificateAuthorityData,
            oidcProviderArn: eks.oidcProviderArn,
            vpcId: network.vpcId,
            vpcCidr: c.vpcCidr,
            privateSubnetIds: network.privateSubnetIds,
            network: c.network,
            kubeconfig: eks.kubeconfig,
        }));
    }
}
