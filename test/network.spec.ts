import * as assert from "node:assert/strict";
import { Resources, stackResources } from "./stacks";

const VPC = "aws:ec2/vpc:Vpc";
const SUBNET = "aws:ec2/subnet:Subnet";
const ROUTE = "aws:ec2/route:Route";
const NAT = "aws:ec2/natGateway:NatGateway";
const TGW = "aws:ec2transitgateway/transitGateway:TransitGateway";
const ATTACHMENT = "aws:ec2transitgateway/vpcAttachment:VpcAttachment";
const PEERING = "aws:ec2transitgateway/peeringAttachment:PeeringAttachment";
const ACCEPTER = "aws:ec2transitgateway/peeringAttachmentAccepter:PeeringAttachmentAccepter";
const TGW_ROUTE = "aws:ec2transitgateway/route:Route";
const AWS_PROVIDER = "pulumi:providers:aws";

describe("Network", () => {
    let dev: Resources;
    let prod: Resources;
    before(async () => {
        [dev, prod] = await Promise.all([stackResources("dev"), stackResources("prod")]);
    });

    it("creates one VPC per cluster with DNS on and the stack's tags", () => {
        assert.deepEqual(
            dev.ofType(VPC).map((v) => [v.name, v.inputs.cidrBlock]),
            [
                ["dev-east-a-vpc", "10.10.0.0/16"],
                ["dev-east-b-vpc", "10.20.0.0/16"],
            ],
        );
        const vpc = dev.one(VPC, "dev-east-a-vpc");
        assert.equal(vpc.inputs.enableDnsHostnames, true);
        assert.equal(vpc.inputs.enableDnsSupport, true);
        assert.deepEqual(vpc.inputs.tags, {
            Name: "dev-east-a-vpc",
            cluster: "dev-east-a",
            "cost-center": "platform-dev",
            environment: "dev",
            "managed-by": "pulumi",
            owner: "platform-team",
            project: "eks-ambient-mesh",
        });
        assert.equal(vpc.protect, false);
        assert.equal(prod.one(VPC, "prod-use1-a-vpc").protect, true);
    });

    it("carves private quarters and small public subnets per AZ, tagged for load balancers", () => {
        const subnets = dev
            .ofType(SUBNET)
            .filter((s) => s.name.startsWith("dev-east-a-"))
            .map((s) => ({
                name: s.name,
                cidr: s.inputs.cidrBlock,
                az: s.inputs.availabilityZone,
                publicIp: s.inputs.mapPublicIpOnLaunch,
                elb: (s.inputs.tags as Record<string, string>)["kubernetes.io/role/elb"],
                internalElb: (s.inputs.tags as Record<string, string>)[
                    "kubernetes.io/role/internal-elb"
                ],
                vpc: dev.byId(s.inputs.vpcId).name,
            }));
        assert.deepEqual(subnets, [
            {
                name: "dev-east-a-private-1",
                cidr: "10.10.0.0/18",
                az: "us-east-1a",
                publicIp: undefined,
                elb: undefined,
                internalElb: "1",
                vpc: "dev-east-a-vpc",
            },
            {
                name: "dev-east-a-private-2",
                cidr: "10.10.64.0/18",
                az: "us-east-1b",
                publicIp: undefined,
                elb: undefined,
                internalElb: "1",
                vpc: "dev-east-a-vpc",
            },
            {
                name: "dev-east-a-public-1",
                cidr: "10.10.192.0/22",
                az: "us-east-1a",
                publicIp: false,
                elb: "1",
                internalElb: undefined,
                vpc: "dev-east-a-vpc",
            },
            {
                name: "dev-east-a-public-2",
                cidr: "10.10.196.0/22",
                az: "us-east-1b",
                publicIp: false,
                elb: "1",
                internalElb: undefined,
                vpc: "dev-east-a-vpc",
            },
        ]);
        assert.equal(
            prod.ofType(SUBNET).filter((s) => s.name.startsWith("prod-usw2-a-")).length,
            6,
        );
    });

    it("uses one NAT gateway in dev and one per AZ in prod, each private table routing to its own", () => {
        assert.deepEqual(
            dev.ofType(NAT).map((n) => [n.name, dev.byId(n.inputs.subnetId).name]),
            [
                ["dev-east-a-nat-1", "dev-east-a-public-1"],
                ["dev-east-b-nat-1", "dev-east-b-public-1"],
            ],
        );
        const prodNat = (i: number) =>
            prod.byId(prod.one(ROUTE, `prod-use1-a-private-${i}-nat`).inputs.natGatewayId).name;
        assert.deepEqual([1, 2, 3].map(prodNat), [
            "prod-use1-a-nat-1",
            "prod-use1-a-nat-2",
            "prod-use1-a-nat-3",
        ]);
        const devNat = (i: number) =>
            dev.byId(dev.one(ROUTE, `dev-east-a-private-${i}-nat`).inputs.natGatewayId).name;
        assert.deepEqual([1, 2].map(devNat), ["dev-east-a-nat-1", "dev-east-a-nat-1"]);
        const internet = dev.one(ROUTE, "dev-east-a-public-internet");
        assert.equal(internet.inputs.destinationCidrBlock, "0.0.0.0/0");
        assert.equal(dev.byId(internet.inputs.gatewayId).name, "dev-east-a-igw");
    });
});

describe("TransitHub", () => {
    let dev: Resources;
    let prod: Resources;
    before(async () => {
        [dev, prod] = await Promise.all([stackResources("dev"), stackResources("prod")]);
    });

    it("creates one Transit Gateway per region, auto-accept off, with the region's fixed ASN", () => {
        assert.deepEqual(
            prod
                .ofType(TGW)
                .map((t) => [t.name, t.inputs.amazonSideAsn, prod.byUrn(t.provider!).name]),
            [
                ["prod-us-east-1-tgw", 64512, "aws-us-east-1"],
                ["prod-us-west-2-tgw", 64515, "aws-us-west-2"],
            ],
        );
        const tgw = dev.one(TGW, "dev-us-east-1-tgw");
        assert.equal(tgw.inputs.autoAcceptSharedAttachments, "disable");
        assert.equal(tgw.inputs.defaultRouteTableAssociation, "enable");
        assert.equal(tgw.inputs.defaultRouteTablePropagation, "enable");
    });

    it("attaches every VPC on its private subnets", () => {
        for (const cluster of ["prod-use1-a", "prod-use1-b", "prod-usw2-a"]) {
            const attachment = prod.one(ATTACHMENT, `${cluster}-tgw`);
            assert.equal(prod.byId(attachment.inputs.vpcId).name, `${cluster}-vpc`);
            assert.deepEqual(
                (attachment.inputs.subnetIds as string[]).map((id) => prod.byId(id).name),
                [1, 2, 3].map((i) => `${cluster}-private-${i}`),
            );
            const region = cluster.includes("usw2") ? "us-west-2" : "us-east-1";
            assert.equal(prod.byId(attachment.inputs.transitGatewayId).name, `prod-${region}-tgw`);
        }
        assert.equal(prod.ofType(ATTACHMENT).length, 3);
    });

    it("routes every VPC route table to every other VPC through its region's gateway, after attaching", () => {
        const tgwRoutes = prod.ofType(ROUTE).filter((r) => r.inputs.transitGatewayId !== undefined);
        // 3 VPCs x 4 route tables (public + 3 private) x 2 peers.
        assert.equal(tgwRoutes.length, 24);
        const fromA = tgwRoutes
            .filter((r) => r.name.startsWith("prod-use1-a-"))
            .map((r) => [
                prod.byId(r.inputs.routeTableId).name,
                r.inputs.destinationCidrBlock,
                prod.byId(r.inputs.transitGatewayId).name,
            ])
            .sort();
        assert.deepEqual(fromA, [
            ["prod-use1-a-private-1", "10.101.0.0/16", "prod-us-east-1-tgw"],
            ["prod-use1-a-private-1", "10.110.0.0/16", "prod-us-east-1-tgw"],
            ["prod-use1-a-private-2", "10.101.0.0/16", "prod-us-east-1-tgw"],
            ["prod-use1-a-private-2", "10.110.0.0/16", "prod-us-east-1-tgw"],
            ["prod-use1-a-private-3", "10.101.0.0/16", "prod-us-east-1-tgw"],
            ["prod-use1-a-private-3", "10.110.0.0/16", "prod-us-east-1-tgw"],
            ["prod-use1-a-public", "10.101.0.0/16", "prod-us-east-1-tgw"],
            ["prod-use1-a-public", "10.110.0.0/16", "prod-us-east-1-tgw"],
        ]);
        for (const r of tgwRoutes) {
            const cluster = r.name.split("-").slice(0, 3).join("-");
            assert.ok(
                prod.dependencyNames(r).includes(`${cluster}-tgw`),
                `${r.name} waits for its VPC's attachment`,
            );
        }
        assert.equal(dev.ofType(ROUTE).filter((r) => r.inputs.transitGatewayId).length, 6);
    });
});

describe("TransitPeering", () => {
    let prod: Resources;
    before(async () => {
        prod = await stackResources("prod");
    });

    it("requests the peering in one region and accepts it in the other", () => {
        const [peering] = prod.ofType(PEERING);
        assert.equal(prod.ofType(PEERING).length, 1);
        assert.equal(peering.name, "prod-us-east-1-us-west-2-peering");
        assert.equal(prod.byUrn(peering.provider!).name, "aws-us-east-1");
        assert.equal(prod.byId(peering.inputs.transitGatewayId).name, "prod-us-east-1-tgw");
        assert.equal(prod.byId(peering.inputs.peerTransitGatewayId).name, "prod-us-west-2-tgw");
        assert.equal(peering.inputs.peerRegion, "us-west-2");
        const [accepter] = prod.ofType(ACCEPTER);
        assert.equal(prod.byUrn(accepter.provider!).name, "aws-us-west-2");
        assert.equal(accepter.inputs.transitGatewayAttachmentId, peering.id);
        assert.deepEqual(
            prod.ofType(AWS_PROVIDER).map((p) => [p.name, p.inputs.region]),
            [
                ["aws-us-east-1", "us-east-1"],
                ["aws-us-west-2", "us-west-2"],
            ],
        );
    });

    it("adds static routes both ways for every remote VPC, once the peering is accepted", () => {
        const routes = prod.ofType(TGW_ROUTE).map((r) => ({
            name: r.name,
            provider: prod.byUrn(r.provider!).name,
            table: r.inputs.transitGatewayRouteTableId,
            destination: r.inputs.destinationCidrBlock,
            waitsForAccept: prod.dependencyNames(r).includes("prod-us-east-1-us-west-2-accepter"),
        }));
        const tableOf = (region: string) =>
            prod.one(TGW, `prod-${region}-tgw`).state.associationDefaultRouteTableId;
        assert.deepEqual(routes, [
            {
                name: "prod-us-east-1-us-west-2-us-east-1-to-prod-usw2-a",
                provider: "aws-us-east-1",
                table: tableOf("us-east-1"),
                destination: "10.110.0.0/16",
                waitsForAccept: true,
            },
            {
                name: "prod-us-east-1-us-west-2-us-west-2-to-prod-use1-a",
                provider: "aws-us-west-2",
                table: tableOf("us-west-2"),
                destination: "10.100.0.0/16",
                waitsForAccept: true,
            },
            {
                name: "prod-us-east-1-us-west-2-us-west-2-to-prod-use1-b",
                provider: "aws-us-west-2",
                table: tableOf("us-west-2"),
                destination: "10.101.0.0/16",
                waitsForAccept: true,
            },
        ]);
        const peering = prod.ofType(PEERING)[0];
        for (const r of prod.ofType(TGW_ROUTE)) {
            assert.equal(r.inputs.transitGatewayAttachmentId, peering.id);
        }
    });
});
