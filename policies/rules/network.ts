import * as aws from "@pulumi/aws";
import {
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationPolicy,
    StackValidationPolicy,
    validateResourceOfType,
    validateStackResourcesOfType,
} from "@pulumi/policy";
import { configOf, isWorldCidr, overlaps, parseIpv4Cidr, refersTo, vpcBlock } from "./util";

/** VPCs, Transit Gateway, security groups: what keeps the clusters' networks joined and closed. */

const vpcSizeSchema: PolicyConfigSchema = {
    properties: {
        maxPrefixLength: {
            type: "integer",
            default: 20,
            description: "Longest VPC prefix allowed; pods take VPC addresses with the VPC CNI.",
        },
    },
};

export const vpcCidrSize: ResourceValidationPolicy = {
    name: "vpc-cidr-size",
    description: "VPCs are large enough for pods that take VPC addresses from the VPC CNI.",
    enforcementLevel: "advisory",
    configSchema: vpcSizeSchema,
    validateResource: validateResourceOfType(aws.ec2.Vpc, (vpc, args, report) => {
        const { maxPrefixLength } = configOf<{ maxPrefixLength: number }>(vpcSizeSchema, args);
        const block = vpc.cidrBlock === undefined ? undefined : parseIpv4Cidr(vpc.cidrBlock);
        if (block !== undefined && block.prefix > maxPrefixLength) {
            report(
                `cidrBlock ${block.cidr} is smaller than /${maxPrefixLength}; every pod takes a ` +
                    "VPC address with the VPC CNI, so the cluster would run out of IPs.",
            );
        }
    }),
};

export const vpcDns: ResourceValidationPolicy = {
    name: "vpc-dns-enabled",
    description: "VPCs resolve and assign DNS names, which private EKS endpoints need.",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(aws.ec2.Vpc, (vpc, _args, report) => {
        // AWS defaults enableDnsSupport to true and enableDnsHostnames to false.
        if (vpc.enableDnsSupport === false) {
            report("enableDnsSupport is false; the private EKS API endpoint needs VPC DNS.");
        }
        if (vpc.enableDnsHostnames !== true) {
            report(
                "enableDnsHostnames is not true; the private EKS API endpoint's name only " +
                    "resolves inside VPCs with DNS hostnames on.",
            );
        }
    }),
};

export const transitGatewayAutoAccept: ResourceValidationPolicy = {
    name: "tgw-auto-accept-shared-attachments-disabled",
    description: "Transit Gateways do not accept attachments from shared accounts automatically.",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(
        aws.ec2transitgateway.TransitGateway,
        (tgw, _args, report) => {
            if (tgw.autoAcceptSharedAttachments === "enable") {
                report(
                    'autoAcceptSharedAttachments is "enable"; any account the gateway is shared ' +
                        'with could join the mesh network. Set "disable".',
                );
            }
        },
    ),
};

const worldIngressSchema: PolicyConfigSchema = {
    properties: {
        allowedPorts: {
            type: "array",
            items: { type: "integer" },
            default: [],
            description:
                "Ports that may be opened to the internet (e.g. [443] for a public ingress).",
        },
    },
};

/** One ingress permission, whichever resource type declared it. */
interface Ingress {
    readonly cidrs: readonly string[];
    readonly fromPort?: number;
    readonly toPort?: number;
    readonly protocol?: string;
}

function checkWorldIngress(
    ingress: Ingress,
    allowedPorts: readonly number[],
    report: ReportViolation,
): void {
    const world = ingress.cidrs.filter(isWorldCidr);
    if (world.length === 0) {
        return;
    }
    const allPorts =
        ingress.protocol === "-1" || ingress.protocol === "all" || ingress.fromPort === undefined;
    const single = !allPorts && ingress.fromPort === ingress.toPort;
    if (single && allowedPorts.includes(ingress.fromPort as number)) {
        return;
    }
    const ports = allPorts
        ? "all ports"
        : single
          ? `port ${ingress.fromPort}`
          : `ports ${ingress.fromPort}-${ingress.toPort}`;
    report(
        `ingress from ${world.join(" and ")} to ${ports} opens the cluster to the internet; ` +
            "allow peer VPC CIDRs or known networks instead.",
    );
}

function allowedPortsOf(args: { getConfig<U extends object>(): U }): number[] {
    return configOf<{ allowedPorts: number[] }>(worldIngressSchema, args).allowedPorts;
}

export const securityGroupNoWorldIngress: ResourceValidationPolicy = {
    name: "security-group-no-world-ingress",
    description: "Security groups admit no traffic from 0.0.0.0/0 or ::/0 except on allowed ports.",
    enforcementLevel: "mandatory",
    configSchema: worldIngressSchema,
    validateResource: [
        validateResourceOfType(aws.vpc.SecurityGroupIngressRule, (rule, args, report) => {
            const cidrs = [rule.cidrIpv4, rule.cidrIpv6].filter((c): c is string => !!c);
            checkWorldIngress(
                { cidrs, fromPort: rule.fromPort, toPort: rule.toPort, protocol: rule.ipProtocol },
                allowedPortsOf(args),
                report,
            );
        }),
        validateResourceOfType(aws.ec2.SecurityGroupRule, (rule, args, report) => {
            if (rule.type !== "ingress") {
                return;
            }
            checkWorldIngress(
                {
                    cidrs: [...(rule.cidrBlocks ?? []), ...(rule.ipv6CidrBlocks ?? [])],
                    fromPort: rule.fromPort,
                    toPort: rule.toPort,
                    protocol: rule.protocol,
                },
                allowedPortsOf(args),
                report,
            );
        }),
        validateResourceOfType(aws.ec2.SecurityGroup, (group, args, report) => {
            for (const ingress of group.ingress ?? []) {
                checkWorldIngress(
                    {
                        cidrs: [...(ingress.cidrBlocks ?? []), ...(ingress.ipv6CidrBlocks ?? [])],
                        fromPort: ingress.fromPort,
                        toPort: ingress.toPort,
                        protocol: ingress.protocol,
                    },
                    allowedPortsOf(args),
                    report,
                );
            }
        }),
    ],
};

export const securityGroupRuleDescribed: ResourceValidationPolicy = {
    name: "security-group-rule-described",
    description: "Security group ingress rules say in their description why they exist.",
    enforcementLevel: "advisory",
    validateResource: [
        validateResourceOfType(aws.vpc.SecurityGroupIngressRule, (rule, _args, report) => {
            if (!rule.description?.trim()) {
                report("description is empty; say who needs this ingress and why.");
            }
        }),
        validateResourceOfType(aws.ec2.SecurityGroupRule, (rule, _args, report) => {
            if (rule.type === "ingress" && !rule.description?.trim()) {
                report("description is empty; say who needs this ingress and why.");
            }
        }),
    ],
};

export const vpcCidrsDoNotOverlap: StackValidationPolicy = {
    name: "vpc-cidrs-do-not-overlap",
    description:
        "VPCs of the mesh have disjoint CIDR blocks, so the Transit Gateway can route between them.",
    enforcementLevel: "mandatory",
    validateStack: validateStackResourcesOfType(aws.ec2.Vpc, (_vpcs, args, report) => {
        const blocks = args.resources.flatMap((r) => {
            const block = vpcBlock(r);
            return block === undefined ? [] : [{ resource: r, block }];
        });
        for (let i = 0; i < blocks.length; i++) {
            for (let j = 0; j < i; j++) {
                if (overlaps(blocks[i].block, blocks[j].block)) {
                    report(
                        `VPC ${blocks[i].resource.name} (${blocks[i].block.cidr}) overlaps VPC ` +
                            `${blocks[j].resource.name} (${blocks[j].block.cidr}); give every ` +
                            "VPC of the mesh its own range.",
                        blocks[i].resource.urn,
                    );
                }
            }
        }
    }),
};

export const vpcAttachedToTransitGateway: StackValidationPolicy = {
    name: "vpc-attached-to-transit-gateway",
    description: "Every VPC has a Transit Gateway attachment, so its cluster can reach the others.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const vpcs = args.resources.filter((r) => r.isType(aws.ec2.Vpc));
        if (vpcs.length === 0) {
            args.notApplicable("Policy only applies to stacks with VPCs");
        }
        const attachments = args.resources.filter((r) =>
            r.isType(aws.ec2transitgateway.VpcAttachment),
        );
        for (const vpc of vpcs) {
            if (!attachments.some((a) => refersTo(a, "vpcId", vpc))) {
                report(
                    `VPC ${vpc.name} has no Transit Gateway VPC attachment; its cluster cannot ` +
                        "reach the other clusters of the mesh.",
                    vpc.urn,
                );
            }
        }
    },
};
