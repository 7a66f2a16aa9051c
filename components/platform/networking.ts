import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { MeshCidr } from "../cidr";
import { PlatformConfig } from "../config";
import { mustGet } from "../names";
import { Network } from "../network/network";
import { TransitHub } from "../network/transitHub";
import { TransitPeering } from "../network/transitPeering";
import { PeerStack } from "../meshPeer";
import { StackPeering, stackPeeringName, StackPeeringOutputs } from "../network/stackPeering";
import { REGIONS } from "../versions";
import { addressSpaceBlocks } from "./outputs";

/** One region of the environment: its AWS provider and its Transit Gateway. */
export interface RegionRecord {
    readonly region: string;
    readonly provider: aws.Provider;
    readonly hub: TransitHub;
}

export interface Networking {
    readonly regions: RegionRecord[];
    /** The Transit Gateway peerings with other stacks, as this stack exports them. */
    readonly stackPeerings: StackPeeringOutputs[];
    region(name: string): RegionRecord;
    network(cluster: string): Network;
}

/**
 * The network of the whole environment: an AWS provider per region, a VPC per cluster, a
 * Transit Gateway per region with its VPCs attached, a peering between every two regions, and
 * one with each peer stack's regions. Every VPC route table sends every other VPC of the mesh,
 * this stack's and the peers', to its region's Transit Gateway.
 */
export function buildNetworking(
    parent: pulumi.ComponentResource,
    config: PlatformConfig,
    peers: readonly PeerStack[],
    tags: Record<string, string>,
): Networking {
    const names = [...new Set(config.clusters.map((c) => c.region))].sort();
    const providers = new Map(
        names.map((region) => [region, new aws.Provider(`aws-${region}`, { region }, { parent })]),
    );
    const inRegion = (region: string) => ({
        parent,
        providers: { aws: mustGet(providers, region, "AWS provider for region") },
    });
    const networks = new Map(
        config.clusters.map((c, i) => [
            c.name,
            new Network(
                c.name,
                {
                    cidr: c.vpcCidr,
                    availabilityZoneCount: c.availabilityZoneCount,
                    availabilityZoneKey: `clusters[${i}].availabilityZoneCount`,
                    region: c.region,
                    natGateways: c.natGateways,
                    tags: { ...tags, cluster: c.name },
                    protect: c.deletionProtection,
                },
                inRegion(c.region),
            ),
        ]),
    );
    const network = (cluster: string) => mustGet(networks, cluster, "network of cluster");
    const meshCidrs: MeshCidr[] = [
        ...config.clusters,
        ...config.mesh.peers.flatMap((p) => p.clusters),
    ].map((c) => ({ name: c.name, cidr: c.vpcCidr }));
    const regions = new Map(
        names.map((region): [string, RegionRecord] => {
            const hub = new TransitHub(
                `${config.environment}-${region}`,
                {
                    amazonSideAsn: REGIONS[region].transitGatewayAsn,
                    vpcs: config.clusters
                        .filter((c) => c.region === region)
                        .map((c) => ({
                            name: c.name,
                            cidr: c.vpcCidr,
                            vpcId: network(c.name).vpcId,
                            subnetIds: network(c.name).privateSubnetIds,
                            routeTables: network(c.name).routeTables,
                        })),
                    destinations: addressSpaceBlocks(config.mesh.addressSpace),
                    meshCidrs,
                    tags,
                },
                inRegion(region),
            );
            return [region, { region, provider: mustGet(providers, region, "provider"), hub }];
        }),
    );
    const region = (name: string) => mustGet(regions, name, "region");
    peerRegions(parent, config, [...regions.values()], tags);
    const stackPeerings = peerStacks(parent, peers, [...regions.values()], tags);
    return { regions: [...regions.values()], stackPeerings, region, network };
}

/** A Transit Gateway peering with every peer stack's regions (see StackPeering). */
function peerStacks(
    parent: pulumi.ComponentResource,
    peers: readonly PeerStack[],
    regions: readonly RegionRecord[],
    tags: Record<string, string>,
): StackPeeringOutputs[] {
    if (peers.length === 0) {
        return [];
    }
    const thisStack = `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`;
    const ours = regions.map((r) => ({
        region: r.region,
        transitGatewayId: r.hub.transitGatewayId,
        routeTableId: r.hub.routeTableId,
        provider: r.provider,
    }));
    return peers.flatMap(
        (peer) =>
            new StackPeering(
                stackPeeringName(peer.stack),
                { thisStack, peer, regions: ours, tags },
                { parent },
            ).peerings,
    );
}

/** A Transit Gateway peering between every two regions, with static routes both ways. */
function peerRegions(
    parent: pulumi.ComponentResource,
    config: PlatformConfig,
    regions: readonly RegionRecord[],
    tags: Record<string, string>,
): void {
    const side = (r: RegionRecord) => ({
        region: r.region,
        transitGatewayId: r.hub.transitGatewayId,
        routeTableId: r.hub.routeTableId,
        cidrs: config.clusters
            .filter((c) => c.region === r.region)
            .map((c) => ({ name: c.name, cidr: c.vpcCidr })),
        provider: r.provider,
    });
    regions.forEach((requester, i) =>
        regions.slice(i + 1).forEach((accepter) => {
            new TransitPeering(
                `${config.environment}-${requester.region}-${accepter.region}`,
                { requester: side(requester), accepter: side(accepter), tags },
                { parent },
            );
        }),
    );
}
