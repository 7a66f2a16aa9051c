import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { planSubnets } from "../cidr";
import { NatGateways } from "../config";

/** A route table of the VPC, keyed so that routes added to it by others get stable names. */
export interface RouteTableRef {
    /** `public`, or `private-<az index>`. */
    readonly key: string;
    readonly id: pulumi.Output<string>;
}

export interface NetworkArgs {
    /** The VPC's IPv4 block; subnets are carved from it by `planSubnets`. */
    readonly cidr: string;
    /** Number of availability zones, taken in order from the region's available zones. */
    readonly availabilityZoneCount: number;
    /**
     * `single`: one NAT gateway in the first zone for all private subnets (cheap, one zone's
     * outage cuts egress). `perAz`: one per zone, each private subnet using its own zone's.
     */
    readonly natGateways: NatGateways;
    /** Tags on every resource, next to a `Name` tag derived from the component name. */
    readonly tags: Record<string, string>;
    /** Protect the VPC from deletion by Pulumi (`pulumi destroy` stops until unprotected). */
    readonly protect?: boolean;
}

/**
 * One cluster's VPC: public and private subnets across availability zones, an internet gateway,
 * NAT, and a route table per private subnet so that each can take its own routes (NAT per zone,
 * Transit Gateway routes added by the TransitHub).
 */
export class Network extends pulumi.ComponentResource {
    public readonly vpcId: pulumi.Output<string>;
    public readonly cidr: string;
    public readonly privateSubnetIds: pulumi.Output<string>[];
    public readonly publicSubnetIds: pulumi.Output<string>[];
    public readonly availabilityZones: pulumi.Output<string>[];
    public readonly routeTables: RouteTableRef[];
    /** Public addresses of the NAT gateways: how this VPC appears to public API endpoints. */
    public readonly natPublicIps: pulumi.Output<string>[];
    /** The east-west load balancer's fixed address in each private subnet, in subnet order. */
    public readonly eastWestAddresses: string[];
    /** Explicit CIDR reservations holding those addresses, one per private subnet. */
    public readonly reservations: aws.ec2.SubnetCidrReservation[];

    constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ambientmesh:network:Network", name, {}, opts);
        const tagged = (suffix: string, extra: Record<string, string> = {}) => ({
            ...args.tags,
            Name: `${name}-${suffix}`,
            ...extra,
        });
        const layout = planSubnets(args.cidr, args.availabilityZoneCount);
        const zones = aws.getAvailabilityZonesOutput(
            {
                state: "available",
                filters: [{ name: "opt-in-status", values: ["opt-in-not-required"] }],
            },
            { parent: this },
        );

        const vpc = new aws.ec2.Vpc(
            `${name}-vpc`,
            {
                cidrBlock: args.cidr,
                enableDnsHostnames: true,
                enableDnsSupport: true,
                tags: tagged("vpc"),
            },
            { parent: this, protect: args.protect },
        );
        const igw = new aws.ec2.InternetGateway(
            `${name}-igw`,
            { vpcId: vpc.id, tags: tagged("igw") },
            { parent: this },
        );

        const publicRouteTable = new aws.ec2.RouteTable(
            `${name}-public`,
            { vpcId: vpc.id, tags: tagged("public") },
            { parent: this },
        );
        new aws.ec2.Route(
            `${name}-public-internet`,
            {
                routeTableId: publicRouteTable.id,
                destinationCidrBlock: "0.0.0.0/0",
                gatewayId: igw.id,
            },
            { parent: this },
        );

        const azs = layout.private.map((_, i) => zones.names.apply((names) => names[i]));
        const publicSubnets = layout.public.map((cidr, i) => {
            const subnet = new aws.ec2.Subnet(
                `${name}-public-${i + 1}`,
                {
                    vpcId: vpc.id,
                    cidrBlock: cidr,
                    availabilityZone: azs[i],
                    mapPublicIpOnLaunch: false,
                    // Internet-facing load balancers land here (AWS load balancer discovery).
                    tags: tagged(`public-${i + 1}`, { "kubernetes.io/role/elb": "1" }),
                },
                { parent: this },
            );
            new aws.ec2.RouteTableAssociation(
                `${name}-public-${i + 1}`,
                { subnetId: subnet.id, routeTableId: publicRouteTable.id },
                { parent: this },
            );
            return subnet;
        });

        const natCount = args.natGateways === "perAz" ? publicSubnets.length : 1;
        const nats = publicSubnets.slice(0, natCount).map((subnet, i) => {
            const eip = new aws.ec2.Eip(
                `${name}-nat-${i + 1}`,
                { domain: "vpc", tags: tagged(`nat-${i + 1}`) },
                { parent: this },
            );
            const nat = new aws.ec2.NatGateway(
                `${name}-nat-${i + 1}`,
                {
                    allocationId: eip.id,
                    subnetId: subnet.id,
                    connectivityType: "public",
                    tags: tagged(`nat-${i + 1}`),
                },
                // A NAT gateway needs the internet gateway attached before it can egress.
                { parent: this, dependsOn: [igw] },
            );
            return { nat, eip };
        });

        const privateTables: RouteTableRef[] = [];
        const privateSubnets = layout.private.map((cidr, i) => {
            const subnet = new aws.ec2.Subnet(
                `${name}-private-${i + 1}`,
                {
                    vpcId: vpc.id,
                    cidrBlock: cidr,
                    availabilityZone: azs[i],
                    // Internal load balancers (the east-west gateway's NLB) land here.
                    tags: tagged(`private-${i + 1}`, { "kubernetes.io/role/internal-elb": "1" }),
                },
                { parent: this },
            );
            const table = new aws.ec2.RouteTable(
                `${name}-private-${i + 1}`,
                { vpcId: vpc.id, tags: tagged(`private-${i + 1}`) },
                { parent: this },
            );
            new aws.ec2.RouteTableAssociation(
                `${name}-private-${i + 1}`,
                { subnetId: subnet.id, routeTableId: table.id },
                { parent: this },
            );
            new aws.ec2.Route(
                `${name}-private-${i + 1}-nat`,
                {
                    routeTableId: table.id,
                    destinationCidrBlock: "0.0.0.0/0",
                    natGatewayId: nats[Math.min(i, nats.length - 1)].nat.id,
                },
                { parent: this },
            );
            privateTables.push({ key: `private-${i + 1}`, id: table.id });
            return subnet;
        });
        // Explicit reservations: EC2 never assigns their addresses on its own, so the VPC CNI
        // (which asks EC2 for a number of addresses, not for particular ones) cannot hand them
        // to pods, while the load balancer is given them by address.
        const reservations = layout.reserved.map(
            (cidr, i) =>
                new aws.ec2.SubnetCidrReservation(
                    `${name}-private-${i + 1}-reserved`,
                    {
                        subnetId: privateSubnets[i].id,
                        cidrBlock: cidr,
                        reservationType: "explicit",
                        description: `fixed load-balancer addresses of ${name}`,
                    },
                    { parent: this },
                ),
        );

        this.vpcId = vpc.id;
        this.cidr = args.cidr;
        this.availabilityZones = azs;
        this.privateSubnetIds = privateSubnets.map((s) => s.id);
        this.publicSubnetIds = publicSubnets.map((s) => s.id);
        this.routeTables = [{ key: "public", id: publicRouteTable.id }, ...privateTables];
        this.natPublicIps = nats.map(({ eip }) => eip.publicIp);
        this.eastWestAddresses = layout.eastWestAddresses;
        this.reservations = reservations;
        this.registerOutputs({
            vpcId: this.vpcId,
            privateSubnetIds: this.privateSubnetIds,
            publicSubnetIds: this.publicSubnetIds,
            natPublicIps: this.natPublicIps,
        });
    }
}
