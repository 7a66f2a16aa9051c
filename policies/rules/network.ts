import * as aws from "@pulumi/aws";
import type * as eks from "@pulumi/eks";
import {
    PolicyConfigSchema,
    PolicyResource,
    ReportViolation,
    ResourceValidationPolicy,
    StackValidationPolicy,
    validateResourceOfType,
    validateStackResourcesOfType,
} from "@pulumi/policy";
import { Unwrap } from "@pulumi/pulumi";
import { EKS_CLUSTER } from "./eks";
import {
    configOf,
    dependenciesFor,
    dig,
    Ipv4Block,
    isWorldCidr,
    known,
    knownString,
    overlaps,
    parseIpv4Cidr,
} from "./util";

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

export const kmsKeyRotation: ResourceValidationPolicy = {
    name: "kms-key-rotation-enabled",
    description: "Symmetric KMS keys rotate their key material every year.",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(aws.kms.Key, (key, _args, report) => {
        const spec = key.customerMasterKeySpec ?? "SYMMETRIC_DEFAULT";
        // AWS rotates only symmetric encryption keys; asymmetric and HMAC keys cannot rotate.
        if (spec === "SYMMETRIC_DEFAULT" && key.enableKeyRotation !== true) {
            report("enableKeyRotation is not true; turn on yearly rotation of the key material.");
        }
    }),
};

/** A VPC's primary IPv4 block, if known. */
function vpcBlock(vpc: PolicyResource): Ipv4Block | undefined {
    const cidr = knownString(() => vpc.props.cidrBlock);
    return cidr === undefined ? undefined : parseIpv4Cidr(cidr);
}

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

/** The id other resources' inputs hold when they refer to `resource`. */
function idOf(resource: PolicyResource): string | undefined {
    return knownString(() => resource.props.id);
}

/**
 * Whether `from` refers to `to` through `property`: by value when both ids are known (the
 * offline plan and deployed resources), else through the dependency graph (a preview, where new
 * resources have no ids yet).
 */
export function refersTo(from: PolicyResource, property: string, to: PolicyResource): boolean {
    const value = knownString(() => from.props[property]);
    const id = idOf(to);
    if (value !== undefined && id !== undefined) {
        return value === id;
    }
    return dependenciesFor(from, property).includes(to);
}

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

/** The service CIDR of each EKS cluster, keyed by the cluster resource that owns it. */
function serviceCidrs(resources: PolicyResource[]): Map<PolicyResource, string | undefined> {
    const result = new Map<PolicyResource, string | undefined>();
    for (const r of resources) {
        if (r.type === EKS_CLUSTER) {
            const props = r.props as Unwrap<eks.ClusterArgs>;
            const cidr = knownString(() => props.kubernetesServiceIpAddressRange);
            result.set(r, cidr ?? result.get(r));
        } else if (r.isType(aws.eks.Cluster)) {
            // In a real preview the component's child cluster carries the range; the offline plan
            // sees only the component's inputs. Either way it counts once, for the component.
            const owner = r.parent?.type === EKS_CLUSTER ? r.parent : r;
            const cidr = knownString(() => r.props.kubernetesNetworkConfig?.serviceIpv4Cidr);
            result.set(owner, result.get(owner) ?? cidr);
        }
    }
    return result;
}

export const eksServiceCidrsDisjoint: StackValidationPolicy = {
    name: "eks-service-cidrs-disjoint",
    description:
        "Each EKS cluster sets its own service CIDR, disjoint from every VPC and from the other clusters' service CIDRs.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const clusters = serviceCidrs(args.resources);
        if (clusters.size === 0) {
            args.notApplicable("Policy only applies to stacks with EKS clusters");
        }
        const vpcs = args.resources.flatMap((r) => {
            const block = r.isType(aws.ec2.Vpc) ? vpcBlock(r) : undefined;
            return block === undefined ? [] : [{ resource: r, block }];
        });
        const seen: { resource: PolicyResource; block: Ipv4Block }[] = [];
        for (const [cluster, cidr] of clusters) {
            if (cidr === undefined) {
                if (clusters.size > 1) {
                    report(
                        `cluster ${cluster.name} does not set its service CIDR, so EKS gives it ` +
                            "the same default range as the other clusters; set " +
                            "kubernetesServiceIpAddressRange.",
                        cluster.urn,
                    );
                }
                continue;
            }
            const block = parseIpv4Cidr(cidr);
            if (block === undefined) {
                continue;
            }
            for (const vpc of vpcs.filter((v) => overlaps(v.block, block))) {
                report(
                    `service CIDR ${block.cidr} of cluster ${cluster.name} overlaps VPC ` +
                        `${vpc.resource.name} (${vpc.block.cidr}); pods could not reach that part ` +
                        "of the network.",
                    cluster.urn,
                );
            }
            for (const other of seen.filter((s) => overlaps(s.block, block))) {
                report(
                    `service CIDR ${block.cidr} of cluster ${cluster.name} overlaps service CIDR ` +
                        `${other.block.cidr} of cluster ${other.resource.name}; give every cluster ` +
                        "of the mesh its own range.",
                    cluster.urn,
                );
            }
            seen.push({ resource: cluster, block });
        }
    },
};

const clusterRoleSchema: PolicyConfigSchema = {
    properties: {
        requiredPolicies: {
            type: "array",
            items: { type: "string" },
            default: ["AmazonEKSClusterPolicy", "AmazonEKSVPCResourceController"],
            description: "AWS managed policies (by name) every EKS cluster role carries.",
        },
    },
};

/** Whether an IAM trust policy (JSON text or a policy document) lets EKS assume the role. */
function trustsEks(assumeRolePolicy: unknown): boolean {
    let doc = assumeRolePolicy;
    if (typeof doc === "string") {
        try {
            doc = JSON.parse(doc);
        } catch {
            return false;
        }
    }
    const statement = dig(doc, ["Statement"]);
    const statements = Array.isArray(statement) ? statement : [statement];
    return statements.some((s) => {
        const service = dig(s, ["Principal", "Service"]);
        return (Array.isArray(service) ? service : [service]).includes("eks.amazonaws.com");
    });
}

export const eksClusterRolePolicies: StackValidationPolicy = {
    name: "eks-cluster-role-policies",
    description:
        "EKS cluster roles carry AmazonEKSClusterPolicy and AmazonEKSVPCResourceController, which security groups for pods need.",
    enforcementLevel: "mandatory",
    configSchema: clusterRoleSchema,
    validateStack: (args, report) => {
        const { requiredPolicies } = configOf<{ requiredPolicies: string[] }>(
            clusterRoleSchema,
            args,
        );
        const roles = args.resources.filter(
            (r) =>
                r.isType(aws.iam.Role) && known(() => trustsEks(r.props.assumeRolePolicy)) === true,
        );
        if (roles.length === 0) {
            args.notApplicable("Policy only applies to stacks with EKS cluster roles");
        }
        const attachments = args.resources.filter((r) => r.isType(aws.iam.RolePolicyAttachment));
        for (const role of roles) {
            const arns = [
                ...((known(() => role.props.managedPolicyArns) as string[] | undefined) ?? []),
                ...attachments
                    .filter((a) => refersTo(a, "role", role))
                    .flatMap((a) => knownString(() => a.props.policyArn) ?? []),
            ];
            const missing = requiredPolicies.filter(
                (name) => !arns.some((arn) => arn.endsWith(`:policy/${name}`)),
            );
            if (missing.length > 0) {
                report(
                    `EKS cluster role ${role.name} lacks ${missing.join(", ")}; the control plane ` +
                        "needs AmazonEKSClusterPolicy, and AmazonEKSVPCResourceController to give " +
                        "pods their own security groups.",
                    role.urn,
                );
            }
        }
    },
};

export const networkPolicies: (ResourceValidationPolicy | StackValidationPolicy)[] = [
    vpcCidrSize,
    vpcDns,
    transitGatewayAutoAccept,
    securityGroupNoWorldIngress,
    securityGroupRuleDescribed,
    kmsKeyRotation,
    vpcCidrsDoNotOverlap,
    vpcAttachedToTransitGateway,
    eksServiceCidrsDisjoint,
    eksClusterRolePolicies,
];
