import type * as eks from "@pulumi/eks";
import { PolicyConfigSchema, ResourceValidationPolicy } from "@pulumi/policy";
import { configOf, isWorldCidr, validateTypeToken } from "./util";

/**
 * Rules on the `@pulumi/eks` components. They are built by a provider plugin, so there is no
 * class to match on: the type tokens identify them, and the args types describe their inputs.
 */

export const EKS_CLUSTER = "eks:index:Cluster";
export const EKS_MANAGED_NODE_GROUP = "eks:index:ManagedNodeGroup";

/** Kubernetes minors the platform creates clusters on (the program's versions table). */
export const DEFAULT_KUBERNETES_VERSIONS = [
    "1.28",
    "1.29",
    "1.30",
    "1.31",
    "1.32",
    "1.33",
    "1.34",
    "1.35",
];
export const CONTROL_PLANE_LOG_TYPES = [
    "api",
    "audit",
    "authenticator",
    "controllerManager",
    "scheduler",
];
/** Burstable instances have no trunk ENI, so security groups for pods cannot attach to them. */
export const DEFAULT_FORBIDDEN_INSTANCE_TYPES = "^t[0-9]";

const versionSchema: PolicyConfigSchema = {
    properties: {
        allowedVersions: {
            type: "array",
            items: { type: "string" },
            default: DEFAULT_KUBERNETES_VERSIONS,
            description: "Kubernetes minor versions clusters may run.",
        },
    },
};

export const eksKubernetesVersion: ResourceValidationPolicy = {
    name: "eks-kubernetes-version-allowed",
    description:
        "EKS clusters run a pinned Kubernetes version that the platform and Istio support.",
    enforcementLevel: "mandatory",
    configSchema: versionSchema,
    validateResource: validateTypeToken<eks.ClusterArgs>(EKS_CLUSTER, (cluster, args, report) => {
        const { allowedVersions } = configOf<{ allowedVersions: string[] }>(versionSchema, args);
        const allowed = allowedVersions.join(", ");
        if (cluster.version === undefined) {
            report(`version is not set, so EKS picks its own default; pin one of ${allowed}.`);
        } else if (!allowedVersions.includes(cluster.version)) {
            report(`version "${cluster.version}" is not allowed; use one of ${allowed}.`);
        }
    }),
};

/** One version's dates on AWS's EKS calendar (YYYY-MM-DD; each end date is a last day). */
export interface EksCalendarEntry {
    readonly released: string;
    readonly endOfStandardSupport: string;
    readonly endOfExtendedSupport: string;
}

/**
 * AWS's "Kubernetes version lifecycle on EKS" calendar, as the program's versions table holds
 * it (a test keeps the two equal).
 */
export const DEFAULT_EKS_CALENDAR: Record<string, EksCalendarEntry> = {
    "1.28": {
        released: "2023-09-26",
        endOfStandardSupport: "2024-11-26",
        endOfExtendedSupport: "2025-11-26",
    },
    "1.29": {
        released: "2024-01-23",
        endOfStandardSupport: "2025-03-23",
        endOfExtendedSupport: "2026-03-23",
    },
    "1.30": {
        released: "2024-05-23",
        endOfStandardSupport: "2025-07-23",
        endOfExtendedSupport: "2026-07-23",
    },
    "1.31": {
        released: "2024-09-26",
        endOfStandardSupport: "2025-11-26",
        endOfExtendedSupport: "2026-11-26",
    },
    "1.32": {
        released: "2025-01-23",
        endOfStandardSupport: "2026-03-23",
        endOfExtendedSupport: "2027-03-23",
    },
    "1.33": {
        released: "2025-05-29",
        endOfStandardSupport: "2026-07-29",
        endOfExtendedSupport: "2027-07-29",
    },
    "1.34": {
        released: "2025-10-02",
        endOfStandardSupport: "2026-12-02",
        endOfExtendedSupport: "2027-12-02",
    },
    "1.35": {
        released: "2026-01-27",
        endOfStandardSupport: "2027-03-27",
        endOfExtendedSupport: "2028-03-27",
    },
};

/** The day a date-judging rule judges on: `asOf` from its config, else today (UTC). */
export function judgedDay(asOf: string | undefined): string {
    return asOf ?? new Date().toISOString().slice(0, 10);
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** `asOf`, shared by every rule that judges against the calendar. */
export const AS_OF_PROPERTY = {
    type: "string",
    pattern: DAY.source,
    description: "The day (YYYY-MM-DD, UTC) the rule judges on; today when unset.",
} as const;

const calendarSchema: PolicyConfigSchema = {
    properties: {
        asOf: AS_OF_PROPERTY,
        calendar: {
            type: "object",
            default: DEFAULT_EKS_CALENDAR,
            description:
                "EKS's calendar by Kubernetes minor: released, endOfStandardSupport, endOfExtendedSupport.",
        },
        standardPerClusterHourUsd: {
            type: "number",
            default: 0.1,
            description: "Price of an EKS control plane per hour in standard support (USD).",
        },
        extendedPerClusterHourUsd: {
            type: "number",
            default: 0.6,
            description: "Price of an EKS control plane per hour in extended support (USD).",
        },
        hoursPerMonth: {
            type: "number",
            default: 730,
            description: "Hours in AWS's billing month.",
        },
    },
};

interface CalendarConfig {
    asOf?: string;
    calendar: Record<string, EksCalendarEntry>;
    standardPerClusterHourUsd: number;
    extendedPerClusterHourUsd: number;
    hoursPerMonth: number;
}

/**
 * What to move to on `day`: the versions in standard support, each with its last day; else the
 * ones still in extended support; else a hint that the calendar needs its next version.
 */
function supportedOn(cfg: CalendarConfig, day: string): string {
    const entries = Object.entries(cfg.calendar).filter(([, d]) => d.released <= day);
    const standard = entries.filter(([, d]) => day <= d.endOfStandardSupport);
    if (standard.length > 0) {
        return standard
            .map(([v, d]) => `${v} (standard support until ${d.endOfStandardSupport})`)
            .join(", ");
    }
    const extended = entries.filter(([, d]) => day <= d.endOfExtendedSupport);
    if (extended.length > 0) {
        return extended
            .map(([v, d]) => `${v} (extended support until ${d.endOfExtendedSupport})`)
            .join(", ");
    }
    return "a version newer than the calendar lists (update the calendar setting)";
}

const usd = (n: number) => `$${n.toFixed(2)}`;

/** Reads a cluster's version and the calendar; undefined when the rule has nothing to judge. */
function calendarCase(
    version: string | undefined,
    args: { getConfig<U extends object>(): U },
): { cfg: CalendarConfig; day: string; dates: EksCalendarEntry } | undefined {
    const cfg = configOf<CalendarConfig>(calendarSchema, args);
    const dates = version === undefined ? undefined : cfg.calendar[version];
    return dates === undefined ? undefined : { cfg, day: judgedDay(cfg.asOf), dates };
}

export const eksVersionExtendedSupport: ResourceValidationPolicy = {
    name: "eks-version-extended-support",
    description:
        "EKS clusters run a Kubernetes version in standard support, not the costlier extended support.",
    enforcementLevel: "advisory",
    configSchema: calendarSchema,
    validateResource: validateTypeToken<eks.ClusterArgs>(EKS_CLUSTER, (cluster, args, report) => {
        const judged = calendarCase(cluster.version, args);
        if (judged === undefined) {
            return;
        }
        const { cfg, day, dates } = judged;
        if (day > dates.endOfStandardSupport && day <= dates.endOfExtendedSupport) {
            const extra = cfg.extendedPerClusterHourUsd - cfg.standardPerClusterHourUsd;
            report(
                `version "${cluster.version}" left EKS standard support on ${dates.endOfStandardSupport} ` +
                    `and is in extended support until ${dates.endOfExtendedSupport} (judged on ${day}): ` +
                    `the control plane costs ${usd(cfg.extendedPerClusterHourUsd)} instead of ` +
                    `${usd(cfg.standardPerClusterHourUsd)} per cluster-hour, ${usd(extra)} more per hour ` +
                    `and about ${usd(extra * cfg.hoursPerMonth)} more per month; upgrade to a version in ` +
                    `standard support: ${supportedOn(cfg, day)}.`,
            );
        }
    }),
};

export const eksVersionEndOfSupport: ResourceValidationPolicy = {
    name: "eks-version-end-of-support",
    description:
        "EKS clusters run a Kubernetes version that EKS has released and still supports, so it can be created.",
    enforcementLevel: "mandatory",
    configSchema: calendarSchema,
    validateResource: validateTypeToken<eks.ClusterArgs>(EKS_CLUSTER, (cluster, args, report) => {
        const judged = calendarCase(cluster.version, args);
        if (judged === undefined) {
            return;
        }
        const { cfg, day, dates } = judged;
        if (day < dates.released) {
            report(
                `version "${cluster.version}" is not released on EKS until ${dates.released} (judged on ${day}), ` +
                    `so EKS cannot create it yet; use ${supportedOn(cfg, day)}.`,
            );
        } else if (day > dates.endOfExtendedSupport) {
            report(
                `version "${cluster.version}" left EKS extended support on ${dates.endOfExtendedSupport} ` +
                    `(judged on ${day}): EKS creates no cluster on it and upgrades existing ones on its own; ` +
                    `use ${supportedOn(cfg, day)}.`,
            );
        }
    }),
};

const logsSchema: PolicyConfigSchema = {
    properties: {
        requiredLogTypes: {
            type: "array",
            items: { type: "string" },
            default: CONTROL_PLANE_LOG_TYPES,
            description: "Control-plane log types every cluster sends to CloudWatch.",
        },
    },
};

export const eksControlPlaneLogging: ResourceValidationPolicy = {
    name: "eks-control-plane-logging",
    description: "EKS clusters send every control-plane log type to CloudWatch.",
    enforcementLevel: "mandatory",
    configSchema: logsSchema,
    validateResource: validateTypeToken<eks.ClusterArgs>(EKS_CLUSTER, (cluster, args, report) => {
        const { requiredLogTypes } = configOf<{ requiredLogTypes: string[] }>(logsSchema, args);
        const enabled = cluster.enabledClusterLogTypes ?? [];
        const missing = requiredLogTypes.filter((t) => !enabled.includes(t));
        if (missing.length > 0) {
            report(
                `enabledClusterLogTypes lacks ${missing.join(", ")}; ` +
                    `enable ${requiredLogTypes.join(", ")} so control-plane activity is audited.`,
            );
        }
    }),
};

export const eksSecretsEncryption: ResourceValidationPolicy = {
    name: "eks-secrets-encryption",
    description: "EKS clusters encrypt Kubernetes Secrets with a KMS key.",
    enforcementLevel: "mandatory",
    validateResource: validateTypeToken<eks.ClusterArgs>(EKS_CLUSTER, (cluster, _args, report) => {
        if (!cluster.encryptionConfigKeyArn) {
            report(
                "encryptionConfigKeyArn is not set, so Secrets (the mesh CA key in cacerts, " +
                    "remote-cluster tokens) are stored without envelope encryption; set a KMS key ARN.",
            );
        }
    }),
};

export const eksPrivateEndpoint: ResourceValidationPolicy = {
    name: "eks-private-endpoint-enabled",
    description: "EKS clusters enable the private API endpoint that nodes and peer istiods use.",
    enforcementLevel: "mandatory",
    validateResource: validateTypeToken<eks.ClusterArgs>(EKS_CLUSTER, (cluster, _args, report) => {
        if (cluster.endpointPrivateAccess !== true) {
            report(
                "endpointPrivateAccess is not true; the other clusters' istiod reach this API " +
                    "server over the Transit Gateway, so the private endpoint must be on.",
            );
        }
    }),
};

export const eksPublicEndpointRestricted: ResourceValidationPolicy = {
    name: "eks-public-endpoint-restricted",
    description:
        "A public EKS API endpoint is restricted to known networks, not the whole internet.",
    enforcementLevel: "advisory",
    validateResource: validateTypeToken<eks.ClusterArgs>(EKS_CLUSTER, (cluster, _args, report) => {
        // pulumi-eks keeps the public endpoint on unless told otherwise, open to 0.0.0.0/0.
        if (cluster.endpointPublicAccess === false) {
            return;
        }
        const cidrs = cluster.publicAccessCidrs ?? ["0.0.0.0/0"];
        const world = cidrs.filter(isWorldCidr);
        if (world.length > 0) {
            const origin = cluster.publicAccessCidrs === undefined ? " (the default)" : "";
            report(
                `the public API endpoint is open to ${world.join(", ")}${origin}; restrict ` +
                    "publicAccessCidrs to known networks or set endpointPublicAccess to false.",
            );
        }
    }),
};

const authenticationSchema: PolicyConfigSchema = {
    properties: {
        allowedModes: {
            type: "array",
            items: { type: "string" },
            default: ["API"],
            description: "Cluster authentication modes allowed (API: access entries only).",
        },
    },
};

export const eksAuthenticationMode: ResourceValidationPolicy = {
    name: "eks-authentication-mode-api",
    description: "EKS clusters grant access through access entries, not the aws-auth ConfigMap.",
    enforcementLevel: "mandatory",
    configSchema: authenticationSchema,
    validateResource: validateTypeToken<eks.ClusterArgs>(EKS_CLUSTER, (cluster, args, report) => {
        const { allowedModes } = configOf<{ allowedModes: string[] }>(authenticationSchema, args);
        const mode = cluster.authenticationMode;
        if (mode === undefined || !allowedModes.includes(mode)) {
            const shown = mode === undefined ? "is not set" : `"${mode}" is not allowed`;
            report(`authenticationMode ${shown}; use ${allowedModes.join(" or ")}.`);
        }
    }),
};

/** The VPC CNI's `env` as pulumi-eks merges it: an object, or JSON text of one. */
function cniConfiguration(cluster: { vpcCniOptions?: { configurationValues?: unknown } }): {
    env?: Record<string, unknown>;
    init?: { env?: Record<string, unknown> };
} {
    const raw = cluster.vpcCniOptions?.configurationValues;
    if (typeof raw === "string") {
        try {
            return JSON.parse(raw) as ReturnType<typeof cniConfiguration>;
        } catch {
            return {};
        }
    }
    return (raw ?? {}) as ReturnType<typeof cniConfiguration>;
}

export const eksVpcCniPodEni: ResourceValidationPolicy = {
    name: "eks-vpc-cni-pod-eni",
    description: "The VPC CNI has pod ENIs on, which security groups for pods need.",
    enforcementLevel: "mandatory",
    validateResource: validateTypeToken<eks.ClusterArgs>(EKS_CLUSTER, (cluster, _args, report) => {
        if (cluster.vpcCniOptions?.enablePodEni !== true) {
            report(
                "vpcCniOptions.enablePodEni is not true; the platform isolates pods with " +
                    "security groups for pods, which need pod ENIs.",
            );
        }
    }),
};

export const eksVpcCniEnforcingMode: ResourceValidationPolicy = {
    name: "eks-vpc-cni-standard-enforcing-mode",
    description:
        "With security groups for pods, the VPC CNI uses the standard enforcing mode that Istio's probes need.",
    enforcementLevel: "mandatory",
    validateResource: validateTypeToken<eks.ClusterArgs>(EKS_CLUSTER, (cluster, _args, report) => {
        if (cluster.vpcCniOptions?.enablePodEni !== true) {
            return;
        }
        const mode = cniConfiguration(cluster).env?.POD_SECURITY_GROUP_ENFORCING_MODE;
        if (mode !== "standard") {
            const shown = mode === undefined ? "is not set (strict)" : `is ${JSON.stringify(mode)}`;
            report(
                `vpcCniOptions.configurationValues.env.POD_SECURITY_GROUP_ENFORCING_MODE ${shown}; ` +
                    'set "standard", or the link-local health probes that Istio rewrites are dropped.',
            );
        }
    }),
};

export const eksVpcCniTcpEarlyDemux: ResourceValidationPolicy = {
    name: "eks-vpc-cni-tcp-early-demux-disabled",
    description:
        "With security groups for pods, the VPC CNI turns TCP early demux off so probes reach pods.",
    enforcementLevel: "mandatory",
    validateResource: validateTypeToken<eks.ClusterArgs>(EKS_CLUSTER, (cluster, _args, report) => {
        const options = cluster.vpcCniOptions;
        if (options?.enablePodEni !== true) {
            return;
        }
        const initEnv = cniConfiguration(cluster).init?.env?.DISABLE_TCP_EARLY_DEMUX;
        if (options.disableTcpEarlyDemux !== true && initEnv !== "true") {
            report(
                "vpcCniOptions.disableTcpEarlyDemux is not true; kubelet TCP probes to pods with " +
                    "their own security groups (and Istio's probe fix) need TCP early demux off.",
            );
        }
    }),
};

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

const deletionProtectionSchema: PolicyConfigSchema = {
    properties: {
        environmentTagKey: {
            type: "string",
            default: "environment",
            description: "Tag whose value names the environment.",
        },
        protectedEnvironments: {
            type: "array",
            items: { type: "string" },
            default: ["prod", "production"],
            description: "Environments whose clusters need deletion protection.",
        },
    },
};

export const eksDeletionProtection: ResourceValidationPolicy = {
    name: "eks-deletion-protection",
    description: "Production EKS clusters have deletion protection on.",
    enforcementLevel: "advisory",
    configSchema: deletionProtectionSchema,
    validateResource: validateTypeToken<eks.ClusterArgs>(EKS_CLUSTER, (cluster, args, report) => {
        const cfg = configOf<{ environmentTagKey: string; protectedEnvironments: string[] }>(
            deletionProtectionSchema,
            args,
        );
        const environment = cluster.tags?.[cfg.environmentTagKey];
        if (
            environment !== undefined &&
            cfg.protectedEnvironments.includes(environment) &&
            cluster.deletionProtection !== true
        ) {
            report(
                `deletionProtection is not true on a cluster tagged ` +
                    `${cfg.environmentTagKey}=${environment}; turn it on.`,
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

export const eksPolicies: ResourceValidationPolicy[] = [
    eksKubernetesVersion,
    eksVersionExtendedSupport,
    eksVersionEndOfSupport,
    eksControlPlaneLogging,
    eksSecretsEncryption,
    eksPrivateEndpoint,
    eksPublicEndpointRestricted,
    eksAuthenticationMode,
    eksVpcCniPodEni,
    eksVpcCniEnforcingMode,
    eksVpcCniTcpEarlyDemux,
    eksDefaultNodeGroup,
    eksDeletionProtection,
    nodeGroupInstanceTypes,
    nodeGroupScaling,
    nodeGroupAmi,
];
