import * as assert from "node:assert/strict";
import { environmentResources, Resources } from "./fixtures/environments";

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
    let pair: Resources;
    let trio: Resources;
    before(async () => {
        [pair, trio] = await Promise.all([
            environmentResources("pair"),
            environmentResources("trio"),
        ]);
    });

    it("creates one VPC per cluster with DNS on and the stack's tags", () => {
        assert.deepEqual(
            pair.ofType(VPC).map((v) => [v.name, v.inputs.cidrBlock]),
            [
                ["east-a-vpc", "10.10.0.0/16"],
                ["east-b-vpc", "10.20.0.0/16"],
            ],
        );
        const vpc = pair.one(VPC, "east-a-vpc");
        assert.equal(vpc.inputs.enableDnsHostnames, true);
        assert.equal(vpc.inputs.enableDnsSupport, true);
        assert.deepEqual(vpc.inputs.tags, {
            Name: "east-a-vpc",
            cluster: "east-a",
            "cost-center": "platform",
            environment: "pair",
            "managed-by": "pulumi",
            owner: "platform-team",
            project: "eks-ambient-mesh",
        });
        assert.equal(vpc.protect, false);
        assert.equal(trio.one(VPC, "use1-a-vpc").protect, true);
    });

    it("carves private quarters and small public subnets per AZ, tagged for load balancers", () => {
        const subnets = pair
            .ofType(SUBNET)
            .filter((s) => s.name.startsWith("east-a-"))
            .map((s) => ({
                name: s.name,
                cidr: s.inputs.cidrBlock,
                az: s.inputs.availabilityZone,
                publicIp: s.inputs.mapPublicIpOnLaunch,
                elb: (s.inputs.tags as Record<string, string>)["kubernetes.io/role/elb"],
                internalElb: (s.inputs.tags as Record<string, string>)[
                    "kubernetes.io/role/internal-elb"
                ],
                vpc: pair.byId(s.inputs.vpcId).name,
            }));
        assert.deepEqual(subnets, [
            {
                name: "east-a-private-1",
                cidr: "10.10.0.0/18",
                az: "us-east-1a",
                publicIp: undefined,
                elb: undefined,
                internalElb: "1",
                vpc: "east-a-vpc",
            },
            {
                name: "east-a-private-2",
                cidr: "10.10.64.0/18",
                az: "us-east-1b",
                publicIp: undefined,
                elb: undefined,
                internalElb: "1",
                vpc: "east-a-vpc",
            },
            {
                name: "east-a-public-1",
                cidr: "10.10.192.0/22",
                az: "us-east-1a",
                publicIp: false,
                elb: "1",
                internalElb: undefined,
                vpc: "east-a-vpc",
            },
            {
                name: "east-a-public-2",
                cidr: "10.10.196.0/22",
                az: "us-east-1b",
                publicIp: false,
                elb: "1",
                internalElb: undefined,
                vpc: "east-a-vpc",
            },
        ]);
        assert.equal(trio.ofType(SUBNET).filter((s) => s.name.startsWith("usw2-a-")).length, 6);
    });

    it("uses one NAT gateway in pair and one per AZ in trio, each private table routing to its own", () => {
        assert.deepEqual(
            pair.ofType(NAT).map((n) => [n.name, pair.byId(n.inputs.subnetId).name]),
            [
                ["east-a-nat-1", "east-a-public-1"],
                ["east-b-nat-1", "east-b-public-1"],
            ],
        );
        const prodNat = (i: number) =>
            trio.byId(trio.one(ROUTE, `use1-a-private-${i}-nat`).inputs.natGatewayId).name;
        assert.deepEqual([1, 2, 3].map(prodNat), ["use1-a-nat-1", "use1-a-nat-2", "use1-a-nat-3"]);
        const devNat = (i: number) =>
            pair.byId(pair.one(ROUTE, `east-a-private-${i}-nat`).inputs.natGatewayId).name;
        assert.deepEqual([1, 2].map(devNat), ["east-a-nat-1", "east-a-nat-1"]);
        const internet = pair.one(ROUTE, "east-a-public-internet");
        assert.equal(internet.inputs.destinationCidrBlock, "0.0.0.0/0");
        assert.equal(pair.byId(internet.inputs.gatewayId).name, "east-a-igw");
    });
});

describe("TransitHub", () => {
    let pair: Resources;
    let trio: Resources;
    before(async () => {
        [pair, trio] = await Promise.all([
            environmentResources("pair"),
            environmentResources("trio"),
        ]);
    });

    it("creates one Transit Gateway per region, auto-accept off, with the region's fixed ASN", () => {
        assert.deepEqual(
            trio
                .ofType(TGW)
                .map((t) => [t.name, t.inputs.amazonSideAsn, trio.byUrn(t.provider!).name]),
            [
                ["trio-us-east-1-tgw", 64512, "aws-us-east-1"],
                ["trio-us-west-2-tgw", 64515, "aws-us-west-2"],
            ],
        );
        const tgw = pair.one(TGW, "pair-us-east-1-tgw");
        assert.equal(tgw.inputs.autoAcceptSharedAttachments, "disable");
        assert.equal(tgw.inputs.defaultRouteTableAssociation, "enable");
        assert.equal(tgw.inputs.defaultRouteTablePropagation, "enable");
    });

    it("attaches every VPC on its private subnets", () => {
        for (const cluster of ["use1-a", "use1-b", "usw2-a"]) {
            const attachment = trio.one(ATTACHMENT, `${cluster}-tgw`);
            assert.equal(trio.byId(attachment.inputs.vpcId).name, `${cluster}-vpc`);
            assert.deepEqual(
                (attachment.inputs.subnetIds as string[]).map((id) => trio.byId(id).name),
                [1, 2, 3].map((i) => `${cluster}-private-${i}`),
            );
            const region = cluster.includes("usw2") ? "us-west-2" : "us-east-1";
            assert.equal(trio.byId(attachment.inputs.transitGatewayId).name, `trio-${region}-tgw`);
        }
        assert.equal(trio.ofType(ATTACHMENT).length, 3);
    });

    it("routes every VPC route table to every other VPC through its region's gateway, after attaching", () => {
        const tgwRoutes = pair.ofType(ROUTE).filter((r) => r.inputs.transitGatewayId !== undefined);
        // 2 VPCs x 3 route tables (public + 2 private) x 1 peer.
        assert.equal(tgwRoutes.length, 6);
        const fromA = tgwRoutes
            .filter((r) => r.name.startsWith("east-a-"))
            .map((r) => [
                r.name,
                pair.byId(r.inputs.routeTableId).name,
                r.inputs.destinationCidrBlock,
                pair.byId(r.inputs.transitGatewayId).name,
            ])
            .sort();
        assert.deepEqual(fromA, [
            [
                "east-a-private-1-to-east-b",
                "east-a-private-1",
                "10.20.0.0/16",
                "pair-us-east-1-tgw",
            ],
            [
                "east-a-private-2-to-east-b",
                "east-a-private-2",
                "10.20.0.0/16",
                "pair-us-east-1-tgw",
            ],
            ["east-a-public-to-east-b", "east-a-public", "10.20.0.0/16", "pair-us-east-1-tgw"],
        ]);
        for (const r of tgwRoutes) {
            const cluster = r.name.split("-").slice(0, 2).join("-");
            assert.ok(
                pair.dependencyNames(r).includes(`${cluster}-tgw`),
                `${r.name} waits for its VPC's attachment`,
            );
        }
    });

    it("routes the declared address space once per route table, however many clusters there are", () => {
        const tgwRoutes = trio.ofType(ROUTE).filter((r) => r.inputs.transitGatewayId !== undefined);
        // 3 VPCs x 4 route tables (public + 3 private) x 1 block.
        assert.equal(tgwRoutes.length, 12);
        assert.deepEqual(
            tgwRoutes
                .filter((r) => r.name.startsWith("usw2-a-"))
                .map((r) => [
                    r.name,
                    r.inputs.destinationCidrBlock,
                    trio.byId(r.inputs.transitGatewayId).name,
                ])
                .sort(),
            [
                ["usw2-a-private-1-to-mesh-10-96-0-0-11", "10.96.0.0/11", "trio-us-west-2-tgw"],
                ["usw2-a-private-2-to-mesh-10-96-0-0-11", "10.96.0.0/11", "trio-us-west-2-tgw"],
                ["usw2-a-private-3-to-mesh-10-96-0-0-11", "10.96.0.0/11", "trio-us-west-2-tgw"],
                ["usw2-a-public-to-mesh-10-96-0-0-11", "10.96.0.0/11", "trio-us-west-2-tgw"],
            ],
        );
    });

    it("reserves each private subnet's fixed load-balancer block before any node starts", () => {
        const reservations = pair.ofType("aws:ec2/subnetCidrReservation:SubnetCidrReservation");
        assert.deepEqual(
            reservations.map((r) => [
                r.name,
                pair.byId(r.inputs.subnetId).name,
                r.inputs.cidrBlock,
                r.inputs.reservationType,
            ]),
            [
                ["east-a-private-1-reserved", "east-a-private-1", "10.10.63.224/28", "explicit"],
                ["east-a-private-2-reserved", "east-a-private-2", "10.10.127.224/28", "explicit"],
                ["east-b-private-1-reserved", "east-b-private-1", "10.20.63.224/28", "explicit"],
                ["east-b-private-2-reserved", "east-b-private-2", "10.20.127.224/28", "explicit"],
            ],
        );
        const nodes = pair.one("eks:index:ManagedNodeGroup", "east-a-nodes");
        assert.ok(pair.dependencyNames(nodes).includes("east-a-private-1-reserved"));
        assert.ok(pair.dependencyNames(nodes).includes("east-a-private-2-reserved"));
    });
});

describe("TransitPeering", () => {
    let trio: Resources;
    before(async () => {
        trio = await environmentResources("trio");
    });

    it("requests the peering in one region and accepts it in the other", () => {
        const [peering] = trio.ofType(PEERING);
        assert.equal(trio.ofType(PEERING).length, 1);
        assert.equal(peering.name, "trio-us-east-1-us-west-2-peering");
        assert.equal(trio.byUrn(peering.provider!).name, "aws-us-east-1");
        assert.equal(trio.byId(peering.inputs.transitGatewayId).name, "trio-us-east-1-tgw");
        assert.equal(trio.byId(peering.inputs.peerTransitGatewayId).name, "trio-us-west-2-tgw");
        assert.equal(peering.inputs.peerRegion, "us-west-2");
        const [accepter] = trio.ofType(ACCEPTER);
        assert.equal(trio.byUrn(accepter.provider!).name, "aws-us-west-2");
        assert.equal(accepter.inputs.transitGatewayAttachmentId, peering.id);
        assert.deepEqual(
            trio.ofType(AWS_PROVIDER).map((p) => [p.name, p.inputs.region]),
            [
                ["aws-us-east-1", "us-east-1"],
                ["aws-us-west-2", "us-west-2"],
            ],
        );
    });

    it("adds static routes both ways for every remote VPC, once the peering is accepted", () => {
        const routes = trio.ofType(TGW_ROUTE).map((r) => ({
            name: r.name,
            provider: trio.byUrn(r.provider!).name,
            table: r.inputs.transitGatewayRouteTableId,
            destination: r.inputs.destinationCidrBlock,
            waitsForAccept: trio.dependencyNames(r).includes("trio-us-east-1-us-west-2-accepter"),
        }));
        const tableOf = (region: string) =>
            trio.one(TGW, `trio-${region}-tgw`).state.associationDefaultRouteTableId;
        assert.deepEqual(routes, [
            {
                name: "trio-us-east-1-us-west-2-us-east-1-to-usw2-a",
                provider: "aws-us-east-1",
                table: tableOf("us-east-1"),
                destination: "10.110.0.0/16",
                waitsForAccept: true,
            },
            {
                name: "trio-us-east-1-us-west-2-us-west-2-to-use1-a",
                provider: "aws-us-west-2",
                table: tableOf("us-west-2"),
                destination: "10.100.0.0/16",
                waitsForAccept: true,
            },
            {
                name: "trio-us-east-1-us-west-2-us-west-2-to-use1-b",
                provider: "aws-us-west-2",
                table: tableOf("us-west-2"),
                destination: "10.101.0.0/16",
                waitsForAccept: true,
            },
        ]);
        const peering = trio.ofType(PEERING)[0];
        for (const r of trio.ofType(TGW_ROUTE)) {
            assert.equal(r.inputs.transitGatewayAttachmentId, peering.id);
        }
    });
});
