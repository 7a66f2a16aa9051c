import * as zlib from "node:zlib";
import { ACCOUNT_ID, CREATED, Handler, MockContext, MockOutput, zoneId } from "./context";

/** AWS resources as the AWS provider reports them after a create. */

/**
 * The availability zones a typical account sees in each region the platform supports, as
 * `DescribeAvailabilityZones` lists them. Regions opened before November 2012 map zone names per
 * account (AWS, "AZ IDs"), and some offer newer accounts fewer zones: us-west-1 offers two (EC2:
 * "Subnets can currently only be created in the following availability zones: us-west-1a,
 * us-west-1c", cloudfoundry/bosh-bootloader#162; other accounts see b and c). Sources: the zone
 * table of getmoto/moto (`moto/ec2/models/availability_zones_and_regions.py`), which models a real
 * account (ap-northeast-1 a, c, d; ca-central-1 a, b, d), and for the six regions it lacks
 * (ca-west-1, eu-south-2, ap-south-2, ap-southeast-4, me-central-1, il-central-1), which map
 * names uniformly, the three zones a to c each opened with (an assumption, not checked against
 * an account).
 */
export const AVAILABILITY_ZONES: Readonly<Record<string, string>> = {
    "us-east-1": "abcdef",
    "us-east-2": "abc",
    "us-west-1": "ac",
    "us-west-2": "abcd",
    "ca-central-1": "abd",
    "ca-west-1": "abc",
    "eu-west-1": "abc",
    "eu-west-2": "abc",
    "eu-west-3": "abc",
    "eu-central-1": "abc",
    "eu-central-2": "abc",
    "eu-north-1": "abc",
    "eu-south-1": "abc",
    "eu-south-2": "abc",
    "ap-south-1": "abc",
    "ap-south-2": "abc",
    "ap-southeast-1": "abc",
    "ap-southeast-2": "abc",
    "ap-southeast-3": "abc",
    "ap-southeast-4": "abc",
    "ap-northeast-1": "acd",
    "ap-northeast-2": "abcd",
    "ap-northeast-3": "abc",
    "ap-east-1": "abc",
    "sa-east-1": "abc",
    "me-south-1": "abc",
    "me-central-1": "abc",
    "af-south-1": "abc",
    "il-central-1": "abc",
};

/** The zone names of a region, as `DescribeAvailabilityZones` returns them. */
export function zonesOf(region: string): string[] {
    const letters = Object.hasOwn(AVAILABILITY_ZONES, region)
        ? AVAILABILITY_ZONES[region]
        : undefined;
    if (letters === undefined) {
        throw new Error(`no availability zones known offline for region ${region}`);
    }
    return [...letters].map((letter) => `${region}${letter}`);
}

/** An address in one of AWS's public ranges. */
function publicIp(ctx: MockContext): string {
    const d = ctx.digest("public-ip");
    const first = [3, 18, 34, 44, 52, 54][d[0] % 6];
    return `${first}.${d[1]}.${d[2]}.${(d[3] % 253) + 1}`;
}

function publicDns(ip: string, region: string): string {
    const host = `ec2-${ip.replace(/\./g, "-")}`;
    return region === "us-east-1"
        ? `${host}.compute-1.amazonaws.com`
        : `${host}.${region}.compute.amazonaws.com`;
}

function privateIpIn(cidr: unknown, ctx: MockContext): string {
    const match =
        typeof cidr === "string" ? /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr) : null;
    if (!match) {
        return `10.0.${ctx.digest("private-ip")[0]}.${(ctx.digest("private-ip")[1] % 250) + 4}`;
    }
    const base = match.slice(1, 5).reduce((acc, o) => acc * 256 + Number(o), 0);
    const size = 2 ** (32 - Number(match[5]));
    // The first four addresses and the last one of a subnet are AWS's.
    const offset = 4 + (ctx.digest("private-ip").readUInt32BE(0) % Math.max(1, size - 5));
    const ip = base + offset;
    return [24, 16, 8, 0].map((shift) => Math.floor(ip / 2 ** shift) % 256).join(".");
}

const ec2Arn = (ctx: MockContext, kind: string, id: string) => ctx.arn("ec2", `${kind}/${id}`);

export const AWS_MOCKS: Record<string, Handler> = {
    "aws:ec2/vpc:Vpc": (ctx) => {
        const id = ctx.ec2Id("vpc");
        const mainRouteTable = ctx.ec2Id("rtb", "main-route-table");
        return {
            id,
            outputs: {
                arn: ec2Arn(ctx, "vpc", id),
                ownerId: ACCOUNT_ID,
                instanceTenancy: "default",
                enableDnsSupport: true,
                enableDnsHostnames: false,
                enableNetworkAddressUsageMetrics: false,
                assignGeneratedIpv6CidrBlock: false,
                ...ctx.inputs,
                defaultRouteTableId: mainRouteTable,
                mainRouteTableId: mainRouteTable,
                defaultNetworkAclId: ctx.ec2Id("acl", "default-acl"),
                defaultSecurityGroupId: ctx.ec2Id("sg", "default-sg"),
                dhcpOptionsId: ctx.ec2Id("dopt", "dhcp"),
                ipv6AssociationId: "",
                ipv6CidrBlock: "",
                tagsAll: ctx.tagsAll(),
            },
        };
    },
    "aws:ec2/subnet:Subnet": (ctx) => {
        const id = ctx.ec2Id("subnet");
        const az = ctx.str("availabilityZone") ?? `${ctx.region}a`;
        return {
            id,
            outputs: {
                mapPublicIpOnLaunch: false,
                assignIpv6AddressOnCreation: false,
                ...ctx.inputs,
                arn: ec2Arn(ctx, "subnet", id),
                ownerId: ACCOUNT_ID,
                availabilityZone: az,
                availabilityZoneId: ctx.str("availabilityZoneId") ?? zoneId(az),
                privateDnsHostnameTypeOnLaunch: "ip-name",
                tagsAll: ctx.tagsAll(),
            },
        };
    },
    "aws:ec2/internetGateway:InternetGateway": (ctx) => {
        const id = ctx.ec2Id("igw");
        return {
            id,
            outputs: {
                arn: ec2Arn(ctx, "internet-gateway", id),
                ownerId: ACCOUNT_ID,
                tagsAll: ctx.tagsAll(),
            },
        };
    },
    "aws:ec2/eip:Eip": (ctx) => {
        const id = ctx.ec2Id("eipalloc");
        const ip = publicIp(ctx);
        return {
            id,
            outputs: {
                domain: "vpc",
                ...ctx.inputs,
                allocationId: id,
                arn: ec2Arn(ctx, "elastic-ip", id),
                publicIp: ip,
                publicDns: publicDns(ip, ctx.region),
                publicIpv4Pool: "amazon",
                networkBorderGroup: ctx.region,
                tagsAll: ctx.tagsAll(),
            },
        };
    },
    "aws:ec2/natGateway:NatGateway": (ctx) => {
        const eip = ctx.lookup(ctx.inputs.allocationId);
        const subnet = ctx.lookup(ctx.inputs.subnetId);
        return {
            id: ctx.ec2Id("nat"),
            outputs: {
                connectivityType: "public",
                ...ctx.inputs,
                publicIp: eip?.state.publicIp ?? publicIp(ctx),
                privateIp: privateIpIn(subnet?.state.cidrBlock, ctx),
                networkInterfaceId: ctx.ec2Id("eni", "nat-eni"),
                associationId: ctx.ec2Id("eipassoc", "nat-association"),
                tagsAll: ctx.tagsAll(),
            },
        };
    },
    "aws:ec2/routeTable:RouteTable": (ctx) => {
        const id = ctx.ec2Id("rtb");
        return {
            id,
            outputs: {
                routes: [],
                propagatingVgws: [],
                ...ctx.inputs,
                arn: ec2Arn(ctx, "route-table", id),
                ownerId: ACCOUNT_ID,
                tagsAll: ctx.tagsAll(),
            },
        };
    },
    "aws:ec2/route:Route": (ctx) => {
        const destination =
            ctx.str("destinationCidrBlock") ??
            ctx.str("destinationIpv6CidrBlock") ??
            ctx.str("destinationPrefixListId") ??
            "";
        // The provider's id: "r-" + route table id + CRC-32 of the destination.
        return {
            id: `r-${ctx.str("routeTableId") ?? ""}${zlib.crc32(destination)}`,
            outputs: { origin: "CreateRoute", state: "active", instanceOwnerId: "" },
        };
    },
    "aws:ec2/routeTableAssociation:RouteTableAssociation": (ctx) => ({
        id: ctx.ec2Id("rtbassoc"),
        outputs: {},
    }),
    "aws:ec2/securityGroup:SecurityGroup": (ctx) => {
        const id = ctx.ec2Id("sg");
        return {
            id,
            outputs: {
                description: "Managed by Pulumi",
                ingress: [],
                egress: [],
                revokeRulesOnDelete: false,
                ...ctx.inputs,
                name:
                    ctx.str("name") ??
                    (ctx.str("namePrefix")
                        ? `${ctx.str("namePrefix")}${ctx.hex(26)}`
                        : ctx.autoName()),
                arn: ec2Arn(ctx, "security-group", id),
                ownerId: ACCOUNT_ID,
                tagsAll: ctx.tagsAll(),
            },
        };
    },
    "aws:ec2/subnetCidrReservation:SubnetCidrReservation": (ctx) => ({
        id: ctx.ec2Id("scr"),
        outputs: { description: "", ...ctx.inputs, ownerId: ACCOUNT_ID },
    }),
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": (ctx) => securityGroupRule(ctx),
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": (ctx) => securityGroupRule(ctx),
    "aws:ec2/securityGroupRule:SecurityGroupRule": (ctx) => ({
        id: `sgrule-${ctx.digest("id").readUInt32BE(0)}`,
        outputs: { securityGroupRuleId: ctx.ec2Id("sgr") },
    }),
    "aws:ec2transitgateway/transitGateway:TransitGateway": (ctx) => {
        const id = ctx.ec2Id("tgw");
        const association = ctx.inputs.defaultRouteTableAssociation ?? "enable";
        const propagation = ctx.inputs.defaultRouteTablePropagation ?? "enable";
        // AWS makes a default route table only when association or propagation uses it.
        const defaultTable =
            association === "enable" || propagation === "enable"
                ? ctx.ec2Id("tgw-rtb", "default-route-table")
                : "";
        return {
            id,
            outputs: {
                amazonSideAsn: 64512,
                autoAcceptSharedAttachments: "disable",
                defaultRouteTableAssociation: "enable",
                defaultRouteTablePropagation: "enable",
                dnsSupport: "enable",
                multicastSupport: "disable",
                securityGroupReferencingSupport: "disable",
                vpnEcmpSupport: "enable",
                ...ctx.inputs,
                arn: ec2Arn(ctx, "transit-gateway", id),
                ownerId: ACCOUNT_ID,
                associationDefaultRouteTableId: association === "enable" ? defaultTable : "",
                propagationDefaultRouteTableId: propagation === "enable" ? defaultTable : "",
                tagsAll: ctx.tagsAll(),
            },
        };
    },
    "aws:ec2transitgateway/vpcAttachment:VpcAttachment": (ctx) => ({
        id: ctx.ec2Id("tgw-attach"),
        outputs: {
            applianceModeSupport: "disable",
            dnsSupport: "enable",
            ipv6Support: "disable",
            securityGroupReferencingSupport: "disable",
            transitGatewayDefaultRouteTableAssociation: true,
            transitGatewayDefaultRouteTablePropagation: true,
            ...ctx.inputs,
            vpcOwnerId: ACCOUNT_ID,
            tagsAll: ctx.tagsAll(),
        },
    }),
    "aws:ec2transitgateway/peeringAttachment:PeeringAttachment": (ctx) => ({
        id: ctx.ec2Id("tgw-attach"),
        outputs: {
            peerAccountId: ACCOUNT_ID,
            ...ctx.inputs,
            state: "pendingAcceptance",
            tagsAll: ctx.tagsAll(),
        },
    }),
    "aws:ec2transitgateway/peeringAttachmentAccepter:PeeringAttachmentAccepter": (ctx) => {
        const attachmentId = ctx.str("transitGatewayAttachmentId") ?? ctx.ec2Id("tgw-attach");
        const attachment = ctx.lookup(attachmentId);
        // The accepter sees the attachment from the other side: its own gateway is the peer's.
        return {
            id: attachmentId,
            outputs: {
                transitGatewayId:
                    attachment?.state.peerTransitGatewayId ?? ctx.ec2Id("tgw", "peer"),
                peerTransitGatewayId:
                    attachment?.state.transitGatewayId ?? ctx.ec2Id("tgw", "requester"),
                peerRegion: attachment?.region ?? ctx.region,
                peerAccountId: ACCOUNT_ID,
                tagsAll: ctx.tagsAll(),
            },
        };
    },
    "aws:ec2transitgateway/route:Route": (ctx) => ({
        id: `${ctx.str("transitGatewayRouteTableId") ?? ""}_${ctx.str("destinationCidrBlock") ?? ""}`,
        outputs: { blackhole: false },
    }),
    "aws:ec2transitgateway/routeTableAssociation:RouteTableAssociation": (ctx) =>
        attachmentOnTable(ctx),
    "aws:ec2transitgateway/routeTablePropagation:RoutePropagation": (ctx) => attachmentOnTable(ctx),
    "aws:ec2transitgateway/routeTable:RouteTable": (ctx) => {
        const id = ctx.ec2Id("tgw-rtb");
        return {
            id,
            outputs: {
                arn: ec2Arn(ctx, "transit-gateway-route-table", id),
                defaultAssociationRouteTable: false,
                defaultPropagationRouteTable: false,
                tagsAll: ctx.tagsAll(),
            },
        };
    },
    "aws:iam/role:Role": (ctx) => {
        const name = iamName(ctx);
        const path = ctx.str("path") ?? "/";
        return {
            id: name,
            outputs: {
                description: "",
                forceDetachPolicies: false,
                maxSessionDuration: 3600,
                ...ctx.inputs,
                name,
                path,
                arn: `arn:aws:iam::${ACCOUNT_ID}:role${path}${name}`,
                uniqueId: `AROA${ctx.hex(17, "unique-id").toUpperCase()}`,
                createDate: CREATED,
                tagsAll: ctx.tagsAll(),
            },
        };
    },
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": (ctx) => ({
        id: `${ctx.str("role") ?? ctx.name}-${BigInt(`0x${ctx.hex(15)}`)
            .toString()
            .slice(0, 20)}`,
        outputs: {},
    }),
    "aws:iam/policy:Policy": (ctx) => {
        const name = iamName(ctx);
        const path = ctx.str("path") ?? "/";
        const arn = `arn:aws:iam::${ACCOUNT_ID}:policy${path}${name}`;
        return {
            id: arn,
            outputs: {
                ...ctx.inputs,
                name,
                path,
                arn,
                policyId: `ANPA${ctx.hex(17, "policy-id").toUpperCase()}`,
                attachmentCount: 0,
                tagsAll: ctx.tagsAll(),
            },
        };
    },
    "aws:iam/instanceProfile:InstanceProfile": (ctx) => {
        const name = iamName(ctx);
        const path = ctx.str("path") ?? "/";
        return {
            id: name,
            outputs: {
                ...ctx.inputs,
                name,
                path,
                arn: `arn:aws:iam::${ACCOUNT_ID}:instance-profile${path}${name}`,
                uniqueId: `AIPA${ctx.hex(17, "unique-id").toUpperCase()}`,
                createDate: CREATED,
                tagsAll: ctx.tagsAll(),
            },
        };
    },
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": (ctx) => {
        const host = (ctx.str("url") ?? "").replace(/^https:\/\//, "");
        const arn = `arn:aws:iam::${ACCOUNT_ID}:oidc-provider/${host}`;
        return { id: arn, outputs: { arn, tagsAll: ctx.tagsAll() } };
    },
    "aws:kms/key:Key": (ctx) => {
        const keyId = ctx.uuid("key-id");
        return {
            id: keyId,
            outputs: {
                bypassPolicyLockoutSafetyCheck: false,
                customerMasterKeySpec: "SYMMETRIC_DEFAULT",
                enableKeyRotation: false,
                isEnabled: true,
                keySpec: "SYMMETRIC_DEFAULT",
                keyUsage: "ENCRYPT_DECRYPT",
                multiRegion: false,
                ...ctx.inputs,
                keyId,
                arn: ctx.arn("kms", `key/${keyId}`),
                policy:
                    ctx.str("policy") ??
                    JSON.stringify({
                        Version: "2012-10-17",
                        Id: "key-default-1",
                        Statement: [
                            {
                                Sid: "Enable IAM User Permissions",
                                Effect: "Allow",
                                Principal: { AWS: `arn:aws:iam::${ACCOUNT_ID}:root` },
                                Action: "kms:*",
                                Resource: "*",
                            },
                        ],
                    }),
                tagsAll: ctx.tagsAll(),
            },
        };
    },
    "aws:kms/alias:Alias": (ctx) => {
        const name =
            ctx.str("name") ??
            (ctx.str("namePrefix")
                ? `${ctx.str("namePrefix")}${ctx.hex(26)}`
                : `alias/${ctx.autoName()}`);
        const target = ctx.lookup(ctx.inputs.targetKeyId);
        return {
            id: name,
            outputs: {
                name,
                arn: ctx.arn("kms", name),
                targetKeyArn:
                    target?.state.arn ?? ctx.arn("kms", `key/${ctx.str("targetKeyId") ?? ""}`),
            },
        };
    },
    "aws:cloudwatch/logGroup:LogGroup": (ctx) => {
        const name = ctx.str("name") ?? ctx.autoName();
        return {
            id: name,
            outputs: {
                retentionInDays: 0,
                ...ctx.inputs,
                name,
                arn: ctx.arn("logs", `log-group:${name}`),
                tagsAll: ctx.tagsAll(),
            },
        };
    },
};

function securityGroupRule(ctx: MockContext): MockOutput {
    const id = ctx.ec2Id("sgr");
    return {
        id,
        outputs: {
            arn: ec2Arn(ctx, "security-group-rule", id),
            securityGroupRuleId: id,
            tagsAll: ctx.tagsAll(),
        },
    };
}

function attachmentOnTable(ctx: MockContext): MockOutput {
    const attachment = ctx.lookup(ctx.inputs.transitGatewayAttachmentId);
    return {
        id: `${ctx.str("transitGatewayRouteTableId") ?? ""}_${ctx.str("transitGatewayAttachmentId") ?? ""}`,
        outputs: {
            resourceId: attachment?.state.vpcId ?? "",
            resourceType: attachment?.type.includes("peering") ? "peering" : "vpc",
        },
    };
}

/** IAM names: given, from a prefix, or auto-named. */
function iamName(ctx: MockContext): string {
    const prefix = ctx.str("namePrefix");
    return ctx.str("name") ?? (prefix ? `${prefix}${ctx.hex(26)}` : ctx.autoName());
}
