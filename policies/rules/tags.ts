import * as aws from "@pulumi/aws";
import {
    PolicyConfigSchema,
    ResourceValidationArgs,
    ResourceValidationPolicy,
} from "@pulumi/policy";
import { EKS_CLUSTER, EKS_MANAGED_NODE_GROUP } from "./eks";
import { configOf, known } from "./util";

/** Cost and ownership tags: hygiene, so advisory. */

/**
 * Types that take `tags` although a program may leave them out. Any other AWS resource that
 * sets `tags` is checked too; untaggable ones (routes, associations, aliases) never do.
 */
const TAGGABLE_CLASSES: Parameters<ResourceValidationArgs["isType"]>[0][] = [
    aws.ec2.Vpc,
    aws.ec2.Subnet,
    aws.ec2.InternetGateway,
    aws.ec2.NatGateway,
    aws.ec2.Eip,
    aws.ec2.RouteTable,
    aws.ec2.SecurityGroup,
    aws.vpc.SecurityGroupIngressRule,
    aws.vpc.SecurityGroupEgressRule,
    aws.ec2transitgateway.TransitGateway,
    aws.ec2transitgateway.VpcAttachment,
    aws.ec2transitgateway.PeeringAttachment,
    aws.ec2transitgateway.PeeringAttachmentAccepter,
    aws.ec2transitgateway.RouteTable,
    aws.kms.Key,
    aws.iam.Role,
    aws.eks.Cluster,
    aws.eks.NodeGroup,
    aws.eks.Addon,
];
const TAGGABLE_COMPONENTS = [EKS_CLUSTER, EKS_MANAGED_NODE_GROUP];

const tagsSchema: PolicyConfigSchema = {
    properties: {
        requiredTagKeys: {
            type: "array",
            items: { type: "string" },
            default: ["project", "environment", "managed-by"],
            description: "Tag keys every taggable AWS resource carries.",
        },
    },
};

function asTags(value: unknown): Record<string, unknown> {
    // Provider inputs reach policies as strings, so the provider's defaultTags may be JSON text.
    if (typeof value === "string") {
        try {
            return asTags(JSON.parse(value));
        } catch {
            return {};
        }
    }
    return value !== null && typeof value === "object" ? (value as Record<string, unknown>) : {};
}

export const awsRequiredTags: ResourceValidationPolicy = {
    name: "aws-required-tags",
    description: "Taggable AWS resources carry the project, environment and managed-by tags.",
    enforcementLevel: "advisory",
    configSchema: tagsSchema,
    validateResource: (args, report) => {
        const tags = known(() => args.props.tags);
        const isAws = args.type.startsWith("aws:") || args.type.startsWith("eks:");
        const taggable =
            TAGGABLE_COMPONENTS.includes(args.type) || TAGGABLE_CLASSES.some((c) => args.isType(c));
        if (!isAws || (!taggable && tags === undefined)) {
            args.notApplicable("Policy only applies to taggable AWS resources");
        }
        const { requiredTagKeys } = configOf<{ requiredTagKeys: string[] }>(tagsSchema, args);
        const defaults = asTags(known(() => asTags(args.provider?.props.defaultTags).tags));
        // Keys only: reading a tag's value could touch a value unknown during a preview.
        const present = new Set([...Object.keys(defaults), ...Object.keys(asTags(tags))]);
        const missing = requiredTagKeys.filter((k) => !present.has(k));
        if (missing.length > 0) {
            report(
                `tags lack ${missing.join(", ")}; tag it with ${requiredTagKeys.join(", ")} ` +
                    "(directly or through the provider's defaultTags).",
            );
        }
    },
};
