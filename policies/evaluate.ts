import {
    EnforcementLevel,
    PolicyPackConfig,
    PolicyProviderResource,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";
import { packEnforcementLevel, packName, policies as packPolicies } from "./rules";
import { configOf } from "./rules/util";

/**
 * Runs the pack in-process over an offline plan (docs/plan.md), building for each
 * rule the arguments the policy SDK's analyzer would: resource rules get a resource's inputs,
 * stack rules get every resource with its parent and dependencies resolved to resource objects.
 * Pure: no server, no engine, no I/O. Give it the plan with secrets revealed, as the engine gives
 * policies secret values in the clear.
 */

/** One resource of a plan (structurally the plan script's `PlanResource`). */
export interface PlanResourceInput {
    readonly urn: string;
    /** The mock id; null for components. */
    readonly id: string | null;
    readonly type: string;
    readonly name: string;
    readonly parent: string | null;
    readonly provider: string | null;
    /** Explicit and implicit dependencies, as URNs. */
    readonly dependsOn: readonly string[];
    readonly protect: boolean;
    readonly inputs: Record<string, unknown>;
}

export interface PlanInput {
    readonly resources: readonly PlanResourceInput[];
}

export interface PolicyPackSummary {
    readonly name: string;
    readonly policies: string[];
}

export interface PolicyViolationRecord {
    readonly policy: string;
    readonly enforcementLevel: EnforcementLevel;
    /** The resource in violation; the root stack's URN for findings about the stack as a whole. */
    readonly urn: string;
    readonly message: string;
}

export interface PolicyResults {
    readonly policyPacks: PolicyPackSummary[];
    readonly policyViolations: PolicyViolationRecord[];
}

export interface EvaluateOptions {
    /** Policy configuration as `pulumi preview --policy-pack-config` takes it. @default none */
    readonly config?: PolicyPackConfig;
    /** @default no tags */
    readonly stackTags?: Readonly<Record<string, string>>;
    /** @default the pack's own rules */
    readonly policies?: readonly (ResourceValidationPolicy | StackValidationPolicy)[];
    /** @default the pack's name */
    readonly packName?: string;
    /**
     * The day (YYYY-MM-DD) that rules judging against a calendar judge on, over any `asOf` in
     * `config`. @default the config's `asOf`, else today
     */
    readonly asOf?: string;
    /**
     * `stackResourcesOf(plan)`, when the caller has it already: rules that cache what they
     * compute per resource list (reachability) then compute it once for both.
     * @default built from `plan`
     */
    readonly stackResources?: PolicyResource[];
}

/** What a rule throws through `args.notApplicable()`; the SDK's own class is internal. */
class NotApplicable extends Error {}

/**
 * Rules call `notApplicable()` for most resources they see; one shared instance spares a stack
 * trace per call (thousands per plan), which dominated evaluation time.
 */
const NOT_APPLICABLE = new NotApplicable("not applicable");

function notApplicable(): never {
    throw NOT_APPLICABLE;
}

/** The SDK's type test: the class's `__pulumiType`, else its `isInstance`. */
function isTypeOf(type: string, resourceClass: unknown): boolean {
    const cls = resourceClass as { __pulumiType?: unknown; isInstance?: unknown };
    if (typeof cls.__pulumiType === "string" && cls.__pulumiType !== "") {
        return cls.__pulumiType === type;
    }
    return (
        typeof cls.isInstance === "function" &&
        (cls.isInstance as (o: unknown) => unknown)({ __pulumiType: type }) === true
    );
}

function isStackPolicy(
    policy: ResourceValidationPolicy | StackValidationPolicy,
): policy is StackValidationPolicy {
    return typeof (policy as StackValidationPolicy).validateStack === "function";
}

interface Settings {
    readonly level: EnforcementLevel;
    readonly config: Record<string, unknown>;
}

/** Enforcement level and config of one policy, resolved the way the analyzer does. */
function settingsOf(
    policy: ResourceValidationPolicy | StackValidationPolicy,
    config: PolicyPackConfig,
    asOf: string | undefined,
): Settings {
    const levelOf = (c: PolicyPackConfig[string] | undefined) =>
        typeof c === "string" ? c : c?.enforcementLevel;
    const configured = config[policy.name];
    const props = typeof configured === "object" ? { ...configured } : {};
    delete props.enforcementLevel;
    if (asOf !== undefined && policy.configSchema?.properties.asOf !== undefined) {
        props.asOf = asOf;
    }
    // The CLI's config file may set every rule's level at once under "all".
    const level =
        levelOf(configured) ??
        levelOf(config.all) ??
        policy.enforcementLevel ??
        packEnforcementLevel;
    // A violation left after remediation is reported as mandatory, as the engine does. The CLI
    // fills in schema defaults before the pack sees its config; configOf does the same.
    return {
        level: level === "remediate" ? "mandatory" : level,
        config: configOf(policy.configSchema ?? { properties: {} }, {
            getConfig: <T extends object>() => props as T,
        }),
    };
}

/** Runs a rule synchronously; a rule that returns a promise cannot be evaluated here. */
function runSync(name: string, run: () => Promise<void> | void): void {
    try {
        const result = run();
        if (result !== undefined && typeof (result as Promise<void>).then === "function") {
            throw new Error(
                `policy ${name} is asynchronous; evaluatePlan runs rules synchronously`,
            );
        }
    } catch (err) {
        if (!(err instanceof NotApplicable)) {
            throw err;
        }
    }
}

function providerOf(
    r: PlanResourceInput,
    byUrn: ReadonlyMap<string, PlanResourceInput>,
): PolicyProviderResource | undefined {
    const p = r.provider === null ? undefined : byUrn.get(r.provider);
    return p && { type: p.type, props: p.inputs, urn: p.urn, name: p.name };
}

function optionsOf(r: PlanResourceInput): PolicyResourceOptions {
    return {
        protect: r.protect,
        ignoreChanges: [],
        aliases: [],
        customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
        additionalSecretOutputs: [],
        ...(r.parent === null ? {} : { parent: r.parent }),
    };
}

/**
 * A plan's resources as a stack rule sees them: outputs (for a plan, the inputs plus the id,
 * which the engine's state holds as an output of every custom resource), with parent, provider
 * and dependencies resolved to resource objects.
 */
export function stackResourcesOf(plan: PlanInput): PolicyResource[] {
    const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
    const stackResources = new Map<string, PolicyResource>();
    for (const r of plan.resources) {
        const props = r.id === null || "id" in r.inputs ? r.inputs : { ...r.inputs, id: r.id };
        const provider = providerOf(r, byUrn);
        stackResources.set(r.urn, {
            type: r.type,
            props,
            urn: r.urn,
            name: r.name,
            opts: optionsOf(r),
            ...(provider === undefined ? {} : { provider }),
            dependencies: [],
            propertyDependencies: {},
            isType: (cls) => isTypeOf(r.type, cls),
            asType: (cls) => (isTypeOf(r.type, cls) ? (props as never) : undefined),
        });
    }
    for (const r of plan.resources) {
        const resource = stackResources.get(r.urn) as PolicyResource;
        const parent = r.parent === null ? undefined : stackResources.get(r.parent);
        if (parent !== undefined) {
            resource.parent = parent;
        }
        resource.dependencies = [...new Set(r.dependsOn)].flatMap((urn) => {
            const dep = stackResources.get(urn);
            return dep === undefined ? [] : [dep];
        });
    }
    return [...stackResources.values()];
}

export function evaluatePlan(plan: PlanInput, options: EvaluateOptions = {}): PolicyResults {
    const rules = options.policies ?? packPolicies;
    const config = options.config ?? {};
    const stackTags: ReadonlyMap<string, string> = new Map(Object.entries(options.stackTags ?? {}));
    const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
    const stackUrn = plan.resources.find((r) => r.type === "pulumi:pulumi:Stack")?.urn ?? "";
    const stackResources = options.stackResources ?? stackResourcesOf(plan);

    const evaluated: string[] = [];
    const violations: PolicyViolationRecord[] = [];
    for (const policy of rules) {
        const { level, config: policyConfig } = settingsOf(policy, config, options.asOf);
        if (level === "disabled") {
            continue;
        }
        evaluated.push(policy.name);
        const getConfig = <T extends object>() => ({ ...policyConfig }) as T;
        const record = (urn: string, message: string) =>
            violations.push({ policy: policy.name, enforcementLevel: level, urn, message });

        if (isStackPolicy(policy)) {
            const args: StackValidationArgs = {
                resources: stackResources,
                stackTags,
                getConfig,
                notApplicable,
            };
            runSync(policy.name, () =>
                policy.validateStack(args, (message, urn) => record(urn ?? stackUrn, message)),
            );
            continue;
        }
        const validations: ResourceValidation[] =
            policy.validateResource === undefined
                ? []
                : Array.isArray(policy.validateResource)
                  ? policy.validateResource
                  : [policy.validateResource];
        for (const r of plan.resources) {
            const provider = providerOf(r, byUrn);
            const args: ResourceValidationArgs = {
                type: r.type,
                props: r.inputs,
                urn: r.urn,
                name: r.name,
                opts: optionsOf(r),
                ...(provider === undefined ? {} : { provider }),
                stackTags,
                isType: (cls) => isTypeOf(r.type, cls),
                asType: (cls) => (isTypeOf(r.type, cls) ? (r.inputs as never) : undefined),
                getConfig,
                notApplicable,
            };
            for (const validate of validations) {
                // Resource rules always report against the resource, whatever URN they pass.
                runSync(policy.name, () => validate(args, (message) => record(r.urn, message)));
            }
        }
    }
    return {
        policyPacks: [{ name: options.packName ?? packName, policies: evaluated }],
        policyViolations: violations,
    };
}

/** Whether any violation blocks a deployment. */
export function hasMandatoryViolations(results: PolicyResults): boolean {
    return results.policyViolations.some((v) => v.enforcementLevel === "mandatory");
}
