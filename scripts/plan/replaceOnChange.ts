import * as YAML from "yaml";
import { isRecord, parseRulePath, Path, REDACTED, startsWith, valueAt } from "./compare";
import table from "./replace-on-change.json";

/**
 * The replace-on-change table (`replace-on-change.json`): for every resource type the program
 * registers, the input properties whose change makes Pulumi replace the resource rather than
 * update it, each with the provider source it was read from. Conditions the table states in
 * words (`conditional`) are evaluated here, one function per condition.
 */

/** How the diff treats a type. */
export type RuleKind =
    /** A custom resource: its provider diffs its inputs (the default). */
    | "custom"
    /** A component built by a provider plugin, whose inputs decide what it builds. */
    | "remote-component"
    /** A provider resource: replacing it replaces everything it manages. */
    | "provider"
    /** A component of this repository: registered with no inputs. */
    | "component"
    /** Read on every update, never updated or replaced. */
    | "read"
    /** The root stack resource. */
    | "stack";

export interface ReplaceRule {
    /** Input paths (dotted) whose change replaces the resource. */
    readonly replaceOn: readonly string[];
    /** Where the list was read: repository@commit file:lines, or the schema. */
    readonly source: string;
    /** Conditions under which other inputs replace, or these do not, in words. */
    readonly conditional?: Readonly<Record<string, string>>;
    readonly notes?: string;
    /** For a remote component: the resource its listed inputs replace. */
    readonly underlying?: string;
    readonly kind?: RuleKind;
}

export const REPLACE_ON_CHANGE: Readonly<Record<string, ReplaceRule>> = table.types as Record<
    string,
    ReplaceRule
>;

/** The rule of a type: its own entry, or a `package:*` entry covering it. */
export function ruleFor(type: string): ReplaceRule | undefined {
    const own = REPLACE_ON_CHANGE[type];
    if (own) {
        return own;
    }
    const pattern = Object.keys(REPLACE_ON_CHANGE).find(
        (key) => key.endsWith(":*") && type.startsWith(key.slice(0, -1)),
    );
    return pattern === undefined ? undefined : REPLACE_ON_CHANGE[pattern];
}

/** The types among `types` the table has no rule for, sorted. */
export function unknownTypes(types: Iterable<string>): string[] {
    return [...new Set(types)].filter((t) => ruleFor(t) === undefined).sort();
}

/** What a condition sees of one resource's diff. */
export interface RuleContext {
    readonly type: string;
    /** Inputs as compared (key material canonical). */
    readonly oldInputs: Record<string, unknown>;
    readonly newInputs: Record<string, unknown>;
    /** Every changed input path, unknown top-level inputs included. */
    readonly changed: readonly Path[];
    /** Input paths whose value Pulumi would not know at preview (also in `changed`). */
    readonly unknown: readonly Path[];
    /** The inputs of the provider that manages the resource in the new plan, if any. */
    readonly providerInputs?: Record<string, unknown>;
}

/** What forces the replacement, after the conditions; and what the reviewer should know. */
export interface RuleOutcome {
    readonly replaceBecause: string[];
    readonly warnings: string[];
}

const isSet = (v: unknown) => v !== undefined && v !== null;
const truthy = (v: unknown) => v === true || v === "true";

function changedAt(ctx: RuleContext, path: Path): boolean {
    return ctx.changed.some((c) => startsWith(c, path) || startsWith(path, c));
}

/** The rule's listed inputs that changed, as dotted paths. */
export function listedTriggers(rule: ReplaceRule, ctx: RuleContext): string[] {
    const matched = rule.replaceOn.filter((p) => changedAt(ctx, parseRulePath(p)));
    // `subject` and `subject.commonName` both listed: name the one that changed.
    return matched.filter((p) => !matched.some((q) => q.startsWith(`${p}.`)));
}

type Condition = (ctx: RuleContext, triggers: string[]) => RuleOutcome;

const keep = (triggers: string[], warnings: string[] = []): RuleOutcome => ({
    replaceBecause: triggers,
    warnings,
});
const adding = (triggers: string[], more: string[], warnings: string[] = []): RuleOutcome =>
    keep([...new Set([...triggers, ...more])], warnings);
const without = (triggers: string[], drop: string[]) =>
    keep(triggers.filter((t) => !drop.includes(t)));

/** Replaced when the property changes while the provider does not make the kind mutable. */
function mutableUnless(flag: string, keys: string[]): Condition {
    return (ctx, triggers) => {
        const mutable =
            truthy(ctx.providerInputs?.[flag]) &&
            !truthy(ctx.newInputs.immutable) &&
            !truthy(ctx.oldInputs.immutable);
        return mutable ? without(triggers, keys) : keep(triggers);
    };
}

const SOURCE_KINDS = ["cidrIpv4", "cidrIpv6", "prefixListId", "referencedSecurityGroupId"];

function sourceKind(inputs: Record<string, unknown>): string | undefined {
    return SOURCE_KINDS.find((k) => isSet(inputs[k]));
}

const securityGroupRuleSource: Condition = (ctx, triggers) => {
    const before = sourceKind(ctx.oldInputs);
    const after = sourceKind(ctx.newInputs);
    return before !== after
        ? adding(triggers, [before, after].filter(isSet) as string[])
        : keep(triggers);
};

/** Replaced when the value goes from "disable" to "enable". */
function disableToEnable(key: string): Condition {
    return (ctx, triggers) =>
        ctx.oldInputs[key] === "disable" && ctx.newInputs[key] === "enable"
            ? adding(triggers, [key])
            : keep(triggers);
}

/** Replaced when the value is removed or changed; adding it is in place. */
function removedOrChanged(key: string): Condition {
    return (ctx, triggers) => {
        const before = valueAt(ctx.oldInputs, parseRulePath(key));
        return isSet(before) && changedAt(ctx, parseRulePath(key))
            ? adding(triggers, [key])
            : keep(triggers);
    };
}

const LAUNCH_TEMPLATE_INPUTS = [
    "kubeletExtraArgs",
    "bootstrapExtraArgs",
    "bottlerocketSettings",
    "nodeadmExtraOptions",
    "userData",
    "amiId",
    "enableIMDSv2",
    "enableEfaSupport",
];

/**
 * The active cluster of a kubeconfig (as pulumi-kubernetes' getActiveClusterFromConfig finds it),
 * or undefined when the kubeconfig cannot be read (redacted, or not YAML).
 */
function activeCluster(kubeconfig: unknown, context: unknown, cluster: unknown): unknown {
    if (typeof kubeconfig !== "string" || kubeconfig === REDACTED) {
        return undefined;
    }
    let config: unknown;
    try {
        config = YAML.parse(kubeconfig);
    } catch {
        return undefined;
    }
    if (!isRecord(config)) {
        return undefined;
    }
    const named = (list: unknown, name: unknown) =>
        Array.isArray(list) ? list.find((e) => isRecord(e) && e.name === name) : undefined;
    const current = typeof context === "string" ? context : config["current-context"];
    const ctx = named(config.contexts, current);
    const clusterName =
        typeof cluster === "string"
            ? cluster
            : isRecord(ctx?.context)
              ? ctx.context.cluster
              : undefined;
    const entry = named(config.clusters, clusterName);
    return isRecord(entry) ? entry.cluster : undefined;
}

/** pulumi-kubernetes' DiffConfig (provider.go:454-565 at v4.32.0). */
const kubernetesProvider: Condition = (ctx) => {
    const o = ctx.oldInputs;
    const n = ctx.newInputs;
    // Changed, or unknown at preview (it names a cluster being replaced): replaced. Added or
    // removed: not by itself, to make on- and off-boarding safe. Set and unchanged: never.
    const identifierChanged = changedAt(ctx, ["clusterIdentifier"]);
    if (isSet(o.clusterIdentifier) && isSet(n.clusterIdentifier)) {
        return keep(identifierChanged ? ["clusterIdentifier"] : []);
    }
    const reasons: string[] = [];
    for (const key of ["kubeconfig", "context", "cluster"]) {
        if (ctx.unknown.some((p) => startsWith(p, [key]))) {
            reasons.push(key);
        }
    }
    const before = activeCluster(o.kubeconfig, o.context, o.cluster);
    const after = activeCluster(n.kubeconfig, n.context, n.cluster);
    if (
        before !== undefined &&
        after !== undefined &&
        JSON.stringify(before) !== JSON.stringify(after)
    ) {
        for (const key of ["kubeconfig", "context", "cluster"]) {
            if (changedAt(ctx, [key])) {
                reasons.push(key);
            }
        }
    }
    if (changedAt(ctx, ["renderYamlToDirectory"])) {
        reasons.push("renderYamlToDirectory");
    }
    return keep([...new Set(reasons)]);
};

/**
 * Each `conditional` of the table, evaluated: by type, then by the condition's key in the
 * JSON. A condition takes the listed inputs that changed and returns what really forces the
 * replacement.
 */
export const CONDITIONS: Readonly<Record<string, Readonly<Record<string, Condition>>>> = {
    "aws:ec2/subnet:Subnet": {
        ipv6CidrBlock: (ctx, triggers) =>
            truthy(ctx.oldInputs.assignIpv6AddressOnCreation) && changedAt(ctx, ["ipv6CidrBlock"])
                ? adding(triggers, ["ipv6CidrBlock"])
                : keep(triggers),
    },
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": {
        "cidrIpv4|cidrIpv6|prefixListId|referencedSecurityGroupId": securityGroupRuleSource,
    },
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": {
        "cidrIpv4|cidrIpv6|prefixListId|referencedSecurityGroupId": securityGroupRuleSource,
    },
    "aws:ec2transitgateway/transitGateway:TransitGateway": {
        defaultRouteTableAssociation: disableToEnable("defaultRouteTableAssociation"),
        defaultRouteTablePropagation: disableToEnable("defaultRouteTablePropagation"),
    },
    "aws:eks/cluster:Cluster": {
        encryptionConfig: removedOrChanged("encryptionConfig"),
        "computeConfig.nodeRoleArn": removedOrChanged("computeConfig.nodeRoleArn"),
    },
    "eks:index:Cluster": {
        encryptionConfigKeyArn: removedOrChanged("encryptionConfigKeyArn"),
        "vpcId/subnetIds/privateSubnetIds/publicSubnetIds": (ctx, triggers) =>
            isSet(ctx.oldInputs.vpcId) && changedAt(ctx, ["vpcId"])
                ? keep(triggers, [
                      "vpcId changes: EKS cannot move a cluster to another VPC, so this update fails when applied; a new VPC needs a new cluster",
                  ])
                : keep(triggers),
    },
    "eks:index:ManagedNodeGroup": {
        "operatingSystem|gpu": (ctx, triggers) =>
            adding(
                triggers,
                ["operatingSystem", "gpu"].filter((k) => changedAt(ctx, [k])),
            ),
        "kubeletExtraArgs|bootstrapExtraArgs|bottlerocketSettings|nodeadmExtraOptions|userData|amiId|enableIMDSv2|enableEfaSupport":
            (ctx, triggers) =>
                adding(
                    triggers,
                    LAUNCH_TEMPLATE_INPUTS.filter(
                        (k) => !isSet(ctx.oldInputs[k]) && isSet(ctx.newInputs[k]),
                    ),
                ),
        launchTemplate: (ctx, triggers) =>
            adding(
                triggers,
                ["launchTemplate.id", "launchTemplate.name"].filter((k) =>
                    changedAt(ctx, parseRulePath(k)),
                ),
            ),
    },
    "kubernetes:core/v1:Secret": {
        "data|stringData": mutableUnless("enableSecretMutable", ["data", "stringData"]),
        type: (_ctx, triggers) => keep(triggers),
    },
    "kubernetes:core/v1:ConfigMap": {
        "data|binaryData": mutableUnless("enableConfigMapMutable", ["data", "binaryData"]),
    },
    "kubernetes:yaml/v2:ConfigFile": {
        resourcePrefix: (ctx, triggers) =>
            changedAt(ctx, ["resourcePrefix"])
                ? keep(triggers, [
                      "resourcePrefix changes: every object of the file gets a new URN, so each is deleted and created",
                  ])
                : keep(triggers),
        "file content": (ctx, triggers) =>
            changedAt(ctx, ["file"]) || changedAt(ctx, ["yaml"]) || changedAt(ctx, ["objs"])
                ? keep(triggers, [
                      "its objects change with the file; the offline plan does not see them (each follows its own kind's rules)",
                  ])
                : keep(triggers),
    },
    "pulumi:providers:kubernetes": {
        "kubeconfig|context|cluster": kubernetesProvider,
        renderYamlToDirectory: (_ctx, triggers) => keep(triggers),
        clusterIdentifier: (_ctx, triggers) => keep(triggers),
    },
};

/**
 * Conditions the offline plan cannot evaluate, with why. Everything else in the table's
 * `conditional` has a function in `CONDITIONS`.
 */
export const NOT_EVALUATED: Readonly<Record<string, Readonly<Record<string, string>>>> = {
    "tls:index/selfSignedCert:SelfSignedCert": {
        readyForRenewal:
            "time-based: the plan is made of fresh certificates, so it never sees one in its renewal window",
        privateKeyPem: "needs no function: privateKeyPem is listed, so any change replaces",
    },
    "tls:index/locallySignedCert:LocallySignedCert": {
        readyForRenewal:
            "time-based: the plan is made of fresh certificates, so it never sees one in its renewal window",
    },
};

/**
 * The inputs that force a replacement of a resource of `rule`'s type: the listed ones that
 * changed, then each condition of the type applied in turn (the Kubernetes provider's replaces
 * the list).
 */
export function replaceTriggers(rule: ReplaceRule, ctx: RuleContext): RuleOutcome {
    let triggers = listedTriggers(rule, ctx);
    const warnings: string[] = [];
    for (const condition of Object.values(CONDITIONS[ctx.type] ?? {})) {
        const outcome = condition(ctx, triggers);
        triggers = outcome.replaceBecause;
        warnings.push(...outcome.warnings);
    }
    return { replaceBecause: triggers, warnings: [...new Set(warnings)] };
}
