import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { MeshCidr } from "../cidr";
import { RouteTableRef } from "./network";

/** A VPC to attach to the hub. */
export interface HubVpc {
    /** Stable key (the cluster name); names the attachment and the routes. */
    readonly name: string;
    readonly cidr: string;
    readonly vpcId: pulumi.Input<string>;
    /** One subnet per availability zone: the attachment's ENIs are placed there. */
    readonly subnetIds: pulumi.Input<string>[];
    readonly routeTables: readonly RouteTableRef[];
}

export interface TransitHubArgs {
    /** Private ASN of the Transit Gateway; unique per region (see REGIONS in versions.ts). */
    readonly amazonSideAsn: number;
    /** The region's VPCs: each is attached on its private subnets. */
    readonly vpcs: readonly HubVpc[];
    /**
     * Every VPC of the mesh. Each attached VPC gets, in each of its route tables, a route to
     * every other entry through this Transit Gateway; entries in other regions travel on over
     * the peering that TransitPeering adds.
     */
    readonly meshCidrs: readonly MeshCidr[];
    /**
     * Blocks that hold every VPC of the mesh: when given, each route table gets one route per
     * block instead of one per other VPC, so route tables do not grow with the mesh (the VPC's
     * own, more specific local route still wins inside it).
     * @default one route per other VPC of `meshCidrs`
     */
    readonly destinations?: readonly MeshCidr[];
    readonly tags: Record<string, string>;
}

/**
 * A region's Transit Gateway and its VPC attachments. Attachments are associated with and
 * propagate into the default route table, so VPCs of one region reach each other without
 * static routes; auto-accept of shared attachments is off, so no other account can join.
 */
export class TransitHub extends pulumi.ComponentResource {
    public readonly transitGatewayId: pulumi.Output<string>;
    /** The default association route table: where cross-region static routes go. */
    public readonly routeTableId: pulumi.Output<string>;
    /** The account that owns the gateway. */
    public readonly ownerId: pulumi.Output<string>;
    public readonly attachmentIds: Record<string, pulumi.Output<string>>;

    constructor(name: string, args: TransitHubArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ambientmesh:network:TransitHub", name, {}, opts);
        const tgw = new aws.ec2transitgateway.TransitGateway(
            `${name}-tgw`,
            {
                description: `${name} mesh transit gateway`,
                amazonSideAsn: args.amazonSideAsn,
                autoAcceptSharedAttachments: "disable",
                defaultRouteTableAssociation: "enable",
                defaultRouteTablePropagation: "enable",
                dnsSupport: "enable",
                vpnEcmpSupport: "enable",
                tags: { ...args.tags, Name: `${name}-tgw` },
            },
            { parent: this },
        );

        const attachmentIds: Record<string, pulumi.Output<string>> = {};
        for (const vpc of args.vpcs) {
            const attachment = new aws.ec2transitgateway.VpcAttachment(
                `${vpc.name}-tgw`,
                {
                    transitGatewayId: tgw.id,
                    vpcId: vpc.vpcId,
                    subnetIds: vpc.subnetIds,
                    dnsSupport: "enable",
                    transitGatewayDefaultRouteTableAssociation: true,
                    transitGatewayDefaultRouteTablePropagation: true,
                    tags: { ...args.tags, Name: `${vpc.name}-tgw` },
                },
                { parent: this },
            );
            attachmentIds[vpc.name] = attachment.id;
            const destinations = args.destinations?.length
                ? args.destinations
                : args.meshCidrs.filter((m) => m.name !== vpc.name);
            for (const peer of destinations) {
                for (const table of vpc.routeTables) {
                    new aws.ec2.Route(
                        `${vpc.name}-${table.key}-to-${peer.name}`,
                        {
                            routeTableId: table.id,
                            destinationCidrBlock: peer.cidr,
                            transitGatewayId: tgw.id,
                        },
                        // AWS rejects a route to a transit gateway the VPC is not attached to yet.
                        { parent: this, dependsOn: [attachment] },
                    );
                }
            }
        }

        this.transitGatewayId = tgw.id;
        this.routeTableId = tgw.associationDefaultRouteTableId;
        this.ownerId = tgw.ownerId;
        this.attachmentIds = attachmentIds;
        this.registerOutputs({
            transitGatewayId: this.transitGatewayId,
            routeTableId: this.routeTableId,
            attachmentIds: this.attachmentIds,
        });
    }
}
