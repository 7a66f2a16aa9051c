import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { MeshCidr } from "../cidr";

/** One side of a peering: a region's Transit Gateway and the VPCs behind it. */
export interface PeeringSide {
    readonly region: string;
    readonly transitGatewayId: pulumi.Input<string>;
    /** The Transit Gateway route table that gets static routes to the other side's VPCs. */
    readonly routeTableId: pulumi.Input<string>;
    readonly cidrs: readonly MeshCidr[];
    /** The AWS provider for this side's region. */
    readonly provider: pulumi.ProviderResource;
}

export interface TransitPeeringArgs {
    readonly requester: PeeringSide;
    readonly accepter: PeeringSide;
    readonly tags: Record<string, string>;
}

/**
 * Joins two regions' Transit Gateways: a peering attachment requested from one region and
 * accepted in the other, and static routes both ways (peering attachments propagate nothing,
 * so every remote VPC CIDR needs its own route).
 */
export class TransitPeering extends pulumi.ComponentResource {
    public readonly attachmentId: pulumi.Output<string>;

    constructor(name: string, args: TransitPeeringArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ambientmesh:network:TransitPeering", name, {}, opts);
        const { requester, accepter } = args;
        const attachment = new aws.ec2transitgateway.PeeringAttachment(
            `${name}-peering`,
            {
                transitGatewayId: requester.transitGatewayId,
                peerTransitGatewayId: accepter.transitGatewayId,
                peerRegion: accepter.region,
                tags: { ...args.tags, Name: `${name}-peering` },
            },
            { parent: this, provider: requester.provider },
        );
        const accepted = new aws.ec2transitgateway.PeeringAttachmentAccepter(
            `${name}-accepter`,
            {
                transitGatewayAttachmentId: attachment.id,
                tags: { ...args.tags, Name: `${name}-peering` },
            },
            { parent: this, provider: accepter.provider },
        );

        // Static routes only take once the attachment is accepted (state `available`).
        const routesTo = (from: PeeringSide, to: PeeringSide) =>
            to.cidrs.map(
                (dest) =>
                    new aws.ec2transitgateway.Route(
                        `${name}-${from.region}-to-${dest.name}`,
                        {
                            transitGatewayRouteTableId: from.routeTableId,
                            destinationCidrBlock: dest.cidr,
                            transitGatewayAttachmentId: accepted.transitGatewayAttachmentId,
                        },
                        { parent: this, provider: from.provider, dependsOn: [accepted] },
                    ),
            );
        routesTo(requester, accepter);
        routesTo(accepter, requester);

        this.attachmentId = accepted.transitGatewayAttachmentId;
        this.registerOutputs({ attachmentId: this.attachmentId });
    }
}
