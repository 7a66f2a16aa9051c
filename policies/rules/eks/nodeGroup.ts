import type * as eks from "@pulumi/eks";
import { PolicyConfigSchema, ResourceValidationPolicy } from "@pulumi/policy";
import { configOf, validateTypeToken } from "../util";
import { EKS_CLUSTER } from "./cluster";

/** Nodes: a cluster's default node group and managed node groups. */

export const EKS_MANAGED_NODE_GROUP = "eks:index:ManagedNodeGroup";

/** Burstable instances have no trunk ENI, so security groups for pods cannot attach to them. */
export const DEFAULT_FORBIDDEN_INSTANCE_TYPES = "^t[0-9]";

const defaultNodeGroupSchema: PolicyConfigSchema = {
    properties: {
        forbiddenInstanceTypePattern: {
            type: "string",
            default: DEFAULT_FORBIDDEN_INSTANCE_TYPES,
            description: "Instance types (regular expression) nodes must not use.",
        },
    },
};

export const eksDefaultNodeGroup: ResourceValidationPolicy = {
    name: "eks-default-node-group-instance-type",
    description: "A cluster's default node group, if kept, avoids t-family instances.",
    enforcementLevel: "mandatory",
    configSchema: defaultNodeGroupSchema,
    validateResource: validateTypeToken<eks.ClusterArgs>(EKS_CLUSTER, (cluster, args, report) => {
        if (cluster.skipDefaultNodeGroup === true) {
            return;
        }
        const { forbiddenInstanceTypePattern } = configOf<{ forbiddenInstanceTypePattern: string }>(
            defaultNodeGroupSchema,
            args,
        );
        const type = cluster.instanceType ?? "t3.medium";
        if (new RegExp(forbiddenInstanceTypePattern).test(type)) {
            const origin = cluster.instanceType === undefined ? " (pulumi-eks' default)" : "";
            report(
                `the default node group uses instance type "${type}"${origin}, which matches ` +
                    `${forbiddenInstanceTypePattern}; set skipDefaultNodeGroup and use managed ` +
                    "node groups, as security groups for pods need trunk ENIs.",
            );
        }
    }),
};

const nodeInstanceSchema: PolicyConfigSchema = {
    properties: {
        forbiddenInstanceTypePattern: {
            type: "string",
            default: DEFAULT_FORBIDDEN_INSTANCE_TYPES,
            description: "Instance types (regular expression) nodes must not use.",
        },
        allowedInstanceTypePattern: {
            type: "string",
            default: "^[a-z][a-z0-9-]*\\.[a-z0-9]+$",
            description: "Instance types (regular expression) nodes may use; narrow it to a fleet.",
        },
    },
};

export const nodeGroupInstanceTypes: ResourceValidationPolicy = {
    name: "eks-node-group-instance-types",
    description: "Managed node groups use allowed instance types and no t-family instances.",
    enforcementLevel: "mandatory",
    configSchema: nodeInstanceSchema,
    validateResource: validateTypeToken<eks.ManagedNodeGroupArgs>(
        EKS_MANAGED_NODE_GROUP,
        (group, args, report) => {
            const cfg = configOf<{
                forbiddenInstanceTypePattern: string;
                allowedInstanceTypePattern: string;
            }>(nodeInstanceSchema, args);
            if (group.instanceTypes === undefined || group.instanceTypes.length === 0) {
                report(
                    "instanceTypes is not set, so EKS uses t3.medium; list instance types " +
                        "outside the t-family, as security groups for pods need trunk ENIs.",
                );
                return;
            }
            for (const type of group.instanceTypes) {
                if (new RegExp(cfg.forbiddenInstanceTypePattern).test(type)) {
                    report(
                        `instance type "${type}" matches ${cfg.forbiddenInstanceTypePattern}; ` +
                            "t-family instances have no trunk ENI for security groups for pods.",
                    );
                } else if (!new RegExp(cfg.allowedInstanceTypePattern).test(type)) {
                    report(
                        `instance type "${type}" does not match ${cfg.allowedInstanceTypePattern}.`,
                    );
                }
            }
        },
    ),
};

export const nodeGroupScaling: ResourceValidationPolicy = {
    name: "eks-node-group-scaling-consistent",
    description: "Managed node group sizes satisfy minSize <= desiredSize <= maxSize.",
    enforcementLevel: "mandatory",
    validateResource: validateTypeToken<eks.ManagedNodeGroupArgs>(
        EKS_MANAGED_NODE_GROUP,
        (group, _args, report) => {
            const scaling = group.scalingConfig;
            if (scaling === undefined) {
                return;
            }
            const { minSize, desiredSize, maxSize } = scaling;
            if (!(minSize <= desiredSize && desiredSize <= maxSize && maxSize >= 1)) {
                report(
                    `scalingConfig has minSize ${minSize}, desiredSize ${desiredSize}, maxSize ` +
                        `${maxSize}; it needs minSize <= desiredSize <= maxSize and maxSize >= 1.`,
                );
            }
        },
    ),
};

const amiSchema: PolicyConfigSchema = {
    properties: {
        allowedAmiTypePattern: {
            type: "string",
            default: "^AL2023_",
            description: "AMI types (regular expression) node groups may use.",
        },
        allowedOperatingSystems: {
            type: "array",
            items: { type: "string" },
            default: ["AL2023"],
            description: "pulumi-eks operatingSystem values allowed when amiType is not set.",
        },
    },
};

export const nodeGroupAmi: ResourceValidationPolicy = {
    name: "eks-node-group-al2023",
    description: "Managed node groups pin an Amazon Linux 2023 AMI type.",
    enforcementLevel: "mandatory",
    configSchema: amiSchema,
    validateResource: validateTypeToken<eks.ManagedNodeGroupArgs>(
        EKS_MANAGED_NODE_GROUP,
        (group, args, report) => {
            const cfg = configOf<{
                allowedAmiTypePattern: string;
                allowedOperatingSystems: string[];
            }>(amiSchema, args);
            if (group.amiId !== undefined) {
                // A custom AMI is outside what the rule can see; its build pipeline owns the OS.
                return;
            }
            if (group.amiType !== undefined) {
                if (!new RegExp(cfg.allowedAmiTypePattern).test(group.amiType)) {
                    report(
                        `amiType "${group.amiType}" does not match ${cfg.allowedAmiTypePattern}; ` +
                            "Amazon Linux 2 reached end of support and has no AMIs past Kubernetes 1.32.",
                    );
                }
            } else if (
                group.operatingSystem === undefined ||
                !cfg.allowedOperatingSystems.includes(group.operatingSystem)
            ) {
                const shown =
                    group.operatingSystem === undefined
                        ? "operatingSystem is not set"
                        : `operatingSystem is "${group.operatingSystem}"`;
                report(
                    `amiType is not set and ${shown}; pin an amiType matching ` +
                        `${cfg.allowedAmiTypePattern}.`,
                );
            }
        },
    ),
};
