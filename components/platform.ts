import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ClusterConfig, PlatformConfig } from "./config";
import { EksCluster } from "./eks/eksCluster";
import { LoadBalancerController } from "./eks/loadBalancerController";
import { ruleKey } from "./eks/iam";
import { IstioMesh } from "./mesh/istioMesh";
import { MeshTrust } from "./mesh/meshTrust";
import { MeshPeer, RemoteSecrets } from "./mesh/remoteSecrets";
import { Network } from "./network/network";
import { MeshCidr } from "./cidr";
import { TransitHub } from "./network/transitHub";
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

/** One cluster's parts, kept together. */
export interface PlatformCluster {
    readonly config: ClusterConfig;
    readonly network: Network;
    readonly eks: EksCluster;
    readonly istio: IstioMesh;
}

/**
 * What a peer stack needs to reach one of our clusters: exported as `meshPeers`, read by
 * peers through a StackReference. The token is a secret.
 */
export interface MeshPeerExport {
    readonly name: string;
    readonly network: string;
    readonly region: string;
    readonly vpcCidr: string;
    readonly endpoint: pulumi.Output<string>;
    readonly certificateAuthorityData: pulumi.Output<string>;
    readonly token: pulumi.Output<string>;
    readonly meshId: string;
    readonly trustDomain: string;
    readonly rootCaCertPem: pulumi.Output<string>;
}

/** The mesh's declared address space as named blocks (`mesh-10-96-0-0-11`). */
export function addressSpaceBlocks(blocks: readonly string[]): MeshCidr[] {
    return blocks.map((cidr) => ({
        name: `mesh-${ruleKey(cidr)}`,
        cidr,
        description: `the mesh's address space ${cidr}`,
    }));
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
    public readonly rootCaCertPem: pulumi.Output<string>;
    public readonly meshPeers: MeshPeerExport[];

    constructor(name: string, args: PlatformArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ambientmesh:index:Platform", name, {}, opts);
        const { config } = args;
        const tags = commonTags(config);
        const regions = [...new Set(config.clusters.map((c) => c.region))].sort();

        // The CA chain first: nothing of it waits for the cloud, and its keys take longest to make.
        const { mesh } = config;
        const trust = new MeshTrust(
            "mesh",
            {
                clusters: config.clusters.map((c) => c.name),
                organization: mesh.caOrganization,
                existingRoot: mesh.rootCa,
            },
            { parent: this },
        );
        this.rootCaCertPem = trust.rootCertPem;

        const providers = new Map(
            regions.map((region) => [
                region,
                new aws.Provider(`aws-${region}`, { region }, { parent: this }),
            ]),
        );
        const providerOf = (region: string) => providers.get(region) as aws.Provider;
        const inRegion = (region: string) => ({
            parent: this,
            providers: { aws: providerOf(region) },
        });

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
        const meshCidrs: MeshCidr[] = config.clusters.map((c) => ({
            name: c.name,
            cidr: c.vpcCidr,
        }));

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
                        destinations: addressSpaceBlocks(config.mesh.addressSpace),
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

        const peerStackCidrs: MeshCidr[] = mesh.peers.flatMap((p) =>
            p.clusters.map((c) => ({ name: c.name, cidr: c.vpcCidr })),
        );
        const addressSpace = addressSpaceBlocks(mesh.addressSpace);
        // Who a cluster admits on its API server and east-west gateway: the mesh's declared
        // address space (one rule per block), else each other cluster of the mesh.
        const meshSources = (c: ClusterConfig): MeshCidr[] =>
            addressSpace.length > 0
                ? addressSpace
                : [
                      ...config.clusters
                          .filter((p) => p.name !== c.name)
                          .map((p) => ({ name: p.name, cidr: p.vpcCidr })),
                      ...peerStackCidrs,
                  ];

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
                    apiSources: meshSources(c),
                    nodesAfter: network(c).reservations,
                    nodeGroup: c.nodeGroup,
                    clusterAdmins: config.clusterAdmins,
                    deletionProtection: c.deletionProtection,
                    tags: { ...tags, cluster: c.name },
                    awsProvider: providerOf(c.region),
                },
                { parent: this },
            );
            const controller = new LoadBalancerController(
                c.name,
                {
                    eksClusterName: eksCluster.eksClusterName,
                    region: c.region,
                    vpcId: network(c).vpcId,
                    nodes: eksCluster.nodeGroup,
                    tags: { ...tags, cluster: c.name },
                    awsProvider: providerOf(c.region),
                    k8sProvider: eksCluster.provider,
                },
                { parent: this },
            );
            const istio = new IstioMesh(
                c.name,
                {
                    clusterName: c.name,
                    network: c.network,
                    mesh,
                    cacerts: trust.cacerts[c.name],
                    provider: eksCluster.provider,
                    nodes: eksCluster.nodeGroup,
                    loadBalancerController: controller.release,
                    eastWest: {
                        addresses: network(c).eastWestAddresses,
                        subnetIds: network(c).privateSubnetIds,
                        vpcId: network(c).vpcId,
                        vpcCidr: c.vpcCidr,
                        allowedCidrs: meshSources(c),
                        dependsOn: network(c).reservations,
                        tags: { ...tags, cluster: c.name },
                        awsProvider: providerOf(c.region),
                    },
                },
                { parent: this },
            );
            return { config: c, network: network(c), eks: eksCluster, istio };
        });

        const localPeers: MeshPeer[] = this.clusters.map(({ config: c, eks: e, istio }) => ({
            name: c.name,
            endpoint: e.endpoint,
            certificateAuthorityData: istio.readerCaData,
            token: istio.readerToken,
        }));
        const remotePeers = this.peerStacks(config);
        for (const { config: c, eks: e, istio } of this.clusters) {
            new RemoteSecrets(
                c.name,
                {
                    peers: [...localPeers.filter((p) => p.name !== c.name), ...remotePeers],
                    namespace: istio.namespace,
                    provider: e.provider,
                },
                { parent: this },
            );
        }

        this.meshPeers = this.clusters.map(({ config: c, eks: e, istio }) => ({
            name: c.name,
            network: c.network,
            region: c.region,
            vpcCidr: c.vpcCidr,
            endpoint: e.endpoint,
            certificateAuthorityData: istio.readerCaData,
            token: istio.readerToken,
            meshId: mesh.meshId,
            trustDomain: mesh.trustDomain,
            rootCaCertPem: trust.rootCertPem,
        }));
        this.transitGateways = regions.map((region) => ({
            region,
            transitGatewayId: hubOf(region).transitGatewayId,
            routeTableId: hubOf(region).routeTableId,
            amazonSideAsn: REGIONS[region].transitGatewayAsn,
        }));
        this.registerOutputs({});
    }

    /**
     * Clusters of peer stacks, read from their `meshPeers` output. A peer that does not export
     * a configured cluster, or belongs to another mesh (mesh id, trust domain or root CA differ),
     * fails the update with a message saying which.
     */
    private peerStacks(config: PlatformConfig): MeshPeer[] {
        const { mesh } = config;
        return mesh.peers.flatMap((peer) => {
            const ref = new pulumi.StackReference(
                `peer-${ruleKey(peer.stack)}`,
                { name: peer.stack },
                { parent: this },
            );
            const exported = ref.getOutput("meshPeers");
            return peer.clusters.map((wanted) => {
                const entry = pulumi
                    .all([exported, this.rootCaCertPem])
                    .apply(([list, rootCaCertPem]) =>
                        checkedPeer(peer.stack, wanted.name, list, {
                            meshId: mesh.meshId,
                            trustDomain: mesh.trustDomain,
                            rootCaCertPem,
                        }),
                    );
                return {
                    name: wanted.name,
                    endpoint: entry.endpoint,
                    certificateAuthorityData: entry.certificateAuthorityData,
                    token: pulumi.secret(entry.token),
                };
            });
        });
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

interface ExportedPeer {
    name: string;
    endpoint: string;
    certificateAuthorityData: string;
    token: string;
    meshId: string;
    trustDomain: string;
    rootCaCertPem: string;
}

/** The named cluster from a peer stack's `meshPeers`, checked to belong to our mesh. */
export function checkedPeer(
    stack: string,
    name: string,
    exported: unknown,
    ours: { meshId: string; trustDomain: string; rootCaCertPem: string },
): ExportedPeer {
    const list = Array.isArray(exported) ? (exported as ExportedPeer[]) : [];
    const entry = list.find((p) => p.name === name);
    if (!entry) {
        throw new Error(
            `peer stack ${stack} exports no mesh peer "${name}" (it exports: ${list.map((p) => p.name).join(", ") || "nothing"}); deploy it first, or fix mesh.peers`,
        );
    }
    for (const field of ["meshId", "trustDomain", "rootCaCertPem"] as const) {
        if (entry[field].trim() !== ours[field].trim()) {
            throw new Error(
                `peer stack ${stack} cluster "${name}" has a different ${field}; every cluster of a mesh shares one mesh id, trust domain and root CA`,
            );
        }
    }
    return entry;
}
