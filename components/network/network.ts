import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { planSubnets, SubnetPlan } from "../cidr";
import { LIMITS, NatGateways } from "../config";

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
    /** The provider's region, named when it offers fewer zones than asked for. */
    readonly region?: string;
    /**
     * The configuration key that sets `availabilityZoneCount`, named in the same error.
     * @default `availabilityZoneCount`
     */
    readonly availabilityZoneKey?: string;
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
        const layout = planSubnets(args.cidr, args.availabilityZoneCount);
        const zones = aws.getAvailabilityZonesOutput(
            {
                state: "available",
                filters: [{ name: "opt-in-status", values: ["opt-in-not-required"] }],
            },
            { parent: this },
        );
        const ctx: Layer = {
            name,
            parent: this,
            tagged: (suffix, extra = {}) => ({ ...args.tags, Name: `${name}-${suffix}`, ...extra }),
            azs: layout.private.map((_, i) => zones.names.apply((names) => names[i])),
            zoneCheck: zones.names.apply((names) => this.checkZones(names, args)),
        };
        const vpc = new aws.ec2.Vpc(
            `${name}-vpc`,
            {
                cidrBlock: args.cidr,
                enableDnsHostnames: true,
                enableDnsSupport: true,
                tags: ctx.tagged("vpc"),
            },
            { parent: this, protect: args.protect },
        );
        const pub = publicLayer(ctx, vpc, layout.public);
        const natCount = args.natGateways === "perAz" ? pub.subnets.length : 1;
        const nats = natGateways(ctx, pub, natCount);
        const priv = privateLayer(ctx, vpc, layout, nats);

        this.vpcId = vpc.id;
        this.cidr = args.cidr;
        this.availabilityZones = ctx.azs;
        this.privateSubnetIds = priv.subnets.map((s) => s.id);
        this.publicSubnetIds = pub.subnets.map((s) => s.id);
        this.routeTables = [{ key: "public", id: pub.table.id }, ...priv.tables];
        this.natPublicIps = nats.map(({ eip }) => eip.publicIp);
        this.eastWestAddresses = layout.eastWestAddresses;
        this.reservations = priv.reservations;
        this.registerOutputs({
            vpcId: this.vpcId,
            privateSubnetIds: this.privateSubnetIds,
            publicSubnetIds: this.publicSubnetIds,
            natPublicIps: this.natPublicIps,
        });
    }

    /** Nothing to wait for, or an error naming the key, the region and the zones it offers. */
    private checkZones(names: readonly string[], args: NetworkArgs): pulumi.Resource[] {
        const count = args.availabilityZoneCount;
        if (names.length >= count) {
            return [];
        }
        const key = args.availabilityZoneKey ?? "availabilityZoneCount";
        const region = args.region ?? "the region";
        const fix =
            names.length >= LIMITS.availabilityZones.min
                ? `use ${names.length}, or another region`
                : "use another region";
        throw new pulumi.ResourceError(
            `${key}: ${count} is more than the ${names.length} availability zones ${region} offers this account (${names.join(", ") || "none"}); ${fix}`,
            this,
            true,
        );
    }
}

/** What the layers of a Network share: its name, parent, tags and zones. */
interface Layer {
    readonly name: string;
    readonly parent: pulumi.ComponentResource;
    readonly tagged: (suffix: string, extra?: Record<string, string>) => Record<string, string>;
    readonly azs: pulumi.Output<string>[];
    /**
     * What every subnet waits for: nothing, or the error that the region offers too few zones.
     * Only AWS knows how many zones a region offers an account, so this fails at run time, before
     * any subnet is created. A dependency rather than an input, so that the SDK reports the error
     * as thrown instead of wrapping it once per subnet ("error serializing property …").
     */
    readonly zoneCheck: pulumi.Output<pulumi.Resource[]>;
}

interface PublicLayer {
    readonly igw: aws.ec2.InternetGateway;
    readonly table: aws.ec2.RouteTable;
    readonly subnets: aws.ec2.Subnet[];
}

/** The internet gateway, the public route table and a public subnet per zone. */
function publicLayer(ctx: Layer, vpc: aws.ec2.Vpc, cidrs: readonly string[]): PublicLayer {
    const { name, parent, tagged } = ctx;
    const igw = new aws.ec2.InternetGateway(
        `${name}-igw`,
        { vpcId: vpc.id, tags: tagged("igw") },
        { parent },
    );
    const table = new aws.ec2.RouteTable(
        `${name}-public`,
        { vpcId: vpc.id, tags: tagged("public") },
        { parent },
    );
    new aws.ec2.Route(
        `${name}-public-internet`,
        { routeTableId: table.id, destinationCidrBlock: "0.0.0.0/0", gatewayId: igw.id },
        { parent },
    );
    const subnets = cidrs.map((cidr, i) => {
        const subnet = new aws.ec2.Subnet(
            `${name}-public-${i + 1}`,
            {
                vpcId: vpc.id,
                cidrBlock: cidr,
                availabilityZone: ctx.azs[i],
                mapPublicIpOnLaunch: false,
                // Internet-facing load balancers land here (AWS load balancer discovery).
                tags: tagged(`public-${i + 1}`, { "kubernetes.io/role/elb": "1" }),
            },
            { parent, dependsOn: ctx.zoneCheck },
        );
        new aws.ec2.RouteTableAssociation(
            `${name}-public-${i + 1}`,
            { subnetId: subnet.id, routeTableId: table.id },
            { parent },
        );
        return subnet;
    });
    return { igw, table, subnets };
}

interface Nat {
    readonly nat: aws.ec2.NatGateway;
    readonly eip: aws.ec2.Eip;
}

/** `count` NAT gateways in the first public subnets, each with its own address. */
function natGateways(ctx: Layer, pub: PublicLayer, count: number): Nat[] {
    const { name, parent, tagged } = ctx;
    return pub.subnets.slice(0, count).map((subnet, i) => {
        const eip = new aws.ec2.Eip(
            `${name}-nat-${i + 1}`,
            { domain: "vpc", tags: tagged(`nat-${i + 1}`) },
            { parent },
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
            { parent, dependsOn: [pub.igw] },
        );
        return { nat, eip };
    });
}

/**
 * A private subnet per zone, each with its own route table (its zone's NAT gateway, and the
 * Transit Gateway routes the TransitHub adds), and the explicit reservation of its block for
 * fixed load-balancer addresses.
 */
function privateLayer(ctx: Layer, vpc: aws.ec2.Vpc, layout: SubnetPlan, nats: readonly Nat[]) {
    const { name, parent, tagged } = ctx;
    const tables: RouteTableRef[] = [];
    const subnets = layout.private.map((cidr, i) => {
        const subnet = new aws.ec2.Subnet(
            `${name}-private-${i + 1}`,
            {
                vpcId: vpc.id,
                cidrBlock: cidr,
                availabilityZone: ctx.azs[i],
                // Internal load balancers (the east-west gateway's NLB) land here.
                tags: tagged(`private-${i + 1}`, { "kubernetes.io/role/internal-elb": "1" }),
            },
            { parent, dependsOn: ctx.zoneCheck },
        );
        const table = new aws.ec2.RouteTable(
            `${name}-private-${i + 1}`,
            { vpcId: vpc.id, tags: tagged(`private-${i + 1}`) },
            { parent },
        );
        new aws.ec2.RouteTableAssociation(
            `${name}-private-${i + 1}`,
            { subnetId: subnet.id, routeTableId: table.id },
            { parent },
        );
        new aws.ec2.Route(
            `${name}-private-${i + 1}-nat`,
            {
                routeTableId: table.id,
                destinationCidrBlock: "0.0.0.0/0",
                natGatewayId: nats[Math.min(i, nats.length - 1)].nat.id,
            },
            { parent },
        );
        tables.push({ key: `private-${i + 1}`, id: table.id });
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
                    subnetId: subnets[i].id,
                    cidrBlock: cidr,
                    reservationType: "explicit",
                    description: `fixed load-balancer addresses of ${name}`,
                },
                { parent },
            ),
    );
    return { subnets, tables, reservations };
}
