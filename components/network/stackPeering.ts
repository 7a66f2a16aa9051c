import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PeerStack, StackPeeringExport } from "../meshPeer";
import { nameFragment } from "../names";

/** One of this stack's regions: its Transit Gateway, route table and provider. */
export interface PeeringRegion {
    readonly region: string;
    readonly transitGatewayId: pulumi.Input<string>;
    readonly routeTableId: pulumi.Input<string>;
    readonly provider: pulumi.ProviderResource;
}

export interface StackPeeringArgs {
    /** This stack, fully qualified. */
    readonly thisStack: string;
    readonly peer: PeerStack;
    /** This stack's regions with clusters. */
    readonly regions: readonly PeeringRegion[];
    readonly tags: Record<string, string>;
}

/** A peering as this stack exports it for the other side; ids may still be outputs. */
export type StackPeeringOutputs = {
    readonly [K in keyof StackPeeringExport]: pulumi.Input<StackPeeringExport[K]>;
};

/** Which side asks: of two stacks, the one whose name sorts last requests, the other accepts. */
export function requests(thisStack: string, peerStack: string): boolean {
    return thisStack > peerStack;
}

/**
 * The network path to another stack of the mesh: a Transit Gateway peering between each of
 * this stack's regions and each region where the peer runs configured clusters, and static
 * routes to the peer's VPCs over it (peering attachments propagate nothing).
 *
 * Two stacks cannot make one peering in one update: one stack requests it (an attachment in
 * state pendingAcceptance), the other accepts it once it has read the request from the first
 * stack's `transitGatewayPeerings` output, and a static route only takes on an accepted
 * attachment. So the requester (the stack whose name sorts last) adds its routes in the update
 * after the peer exports the peering as accepted; until then it warns, and the reachability
 * proof names the hop. The accepter routes at once.
 */
export class StackPeering extends pulumi.ComponentResource {
    public readonly peerings: StackPeeringOutputs[];

    constructor(name: string, args: StackPeeringArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ambientmesh:network:StackPeering", name, {}, opts);
        this.peerings = requests(args.thisStack, args.peer.stack)
            ? this.request(name, args)
            : this.accept(name, args);
        this.registerOutputs({ peerings: this.peerings });
    }

    /** The peer's clusters in `region`, as route destinations. */
    private static clustersIn(peer: PeerStack, region: string) {
        return peer.clusters.filter((c) => c.region === region);
    }

    private routes(
        name: string,
        from: PeeringRegion,
        clusters: readonly { name: string; vpcCidr: string }[],
        attachmentId: pulumi.Input<string>,
        after: pulumi.Resource,
    ): void {
        for (const c of clusters) {
            new aws.ec2transitgateway.Route(
                `${name}-${from.region}-to-${c.name}`,
                {
                    transitGatewayRouteTableId: from.routeTableId,
                    destinationCidrBlock: c.vpcCidr,
                    transitGatewayAttachmentId: attachmentId,
                },
                { parent: this, provider: from.provider, dependsOn: [after] },
            );
        }
    }

    private request(name: string, args: StackPeeringArgs): StackPeeringOutputs[] {
        const { peer, thisStack } = args;
        return args.regions.flatMap((ours) =>
            peer.transitGateways
                .filter((theirs) => StackPeering.clustersIn(peer, theirs.region).length > 0)
                .map((theirs) => {
                    const pair = `${name}-${ours.region}-${theirs.region}`;
                    const attachment = new aws.ec2transitgateway.PeeringAttachment(
                        `${pair}-peering`,
                        {
                            transitGatewayId: ours.transitGatewayId,
                            peerTransitGatewayId: theirs.transitGatewayId,
                            peerRegion: theirs.region,
                            peerAccountId: theirs.ownerId,
                            tags: { ...args.tags, Name: `${pair}-peering` },
                        },
                        { parent: this, provider: ours.provider },
                    );
                    const accepted = peer.peerings.some(
                        (p) =>
                            p.role === "accepter" &&
                            p.peerStack === thisStack &&
                            p.region === theirs.region &&
                            p.peerRegion === ours.region,
                    );
                    if (accepted) {
                        const clusters = StackPeering.clustersIn(peer, theirs.region);
                        this.routes(pair, ours, clusters, attachment.id, attachment);
                    } else {
                        void pulumi.log.warn(
                            `the Transit Gateway peering ${ours.region} -> ${theirs.region} with ${peer.stack} waits for acceptance: run pulumi up in ${peer.stack}, then here again to route over it`,
                            this,
                        );
                    }
                    return {
                        peerStack: peer.stack,
                        role: "requester" as const,
                        region: ours.region,
                        peerRegion: theirs.region,
                        attachmentId: attachment.id,
                    };
                }),
        );
    }

    private accept(name: string, args: StackPeeringArgs): StackPeeringOutputs[] {
        const { peer, thisStack } = args;
        return peer.peerings
            .filter((p) => p.role === "requester" && p.peerStack === thisStack)
            .flatMap((p) => {
                const ours = args.regions.find((r) => r.region === p.peerRegion);
                if (ours === undefined) {
                    void pulumi.log.warn(
                        `${peer.stack} requests a Transit Gateway peering into ${p.peerRegion}, where this stack has no clusters; it stays unaccepted`,
                        this,
                    );
                    return [];
                }
                const pair = `${name}-${p.region}-${ours.region}`;
                const accepter = new aws.ec2transitgateway.PeeringAttachmentAccepter(
                    `${pair}-accepter`,
                    {
                        transitGatewayAttachmentId: p.attachmentId,
                        tags: { ...args.tags, Name: `${pair}-peering` },
                    },
                    { parent: this, provider: ours.provider },
                );
                const clusters = StackPeering.clustersIn(peer, p.region);
                this.routes(pair, ours, clusters, accepter.transitGatewayAttachmentId, accepter);
                return [
                    {
                        peerStack: peer.stack,
                        role: "accepter" as const,
                        region: ours.region,
                        peerRegion: p.region,
                        attachmentId: accepter.transitGatewayAttachmentId,
                    },
                ];
            });
    }
}

/** The component's name for a peer stack: `peer-acme-eks-ambient-mesh-eu`. */
export const stackPeeringName = (peerStack: string) => `peer-${nameFragment(peerStack)}`;
