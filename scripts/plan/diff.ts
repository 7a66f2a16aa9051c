import { clusterOf } from "./clusters";
import {
    canonical,
    changedPaths,
    formatPath,
    hasRedacted,
    isRecord,
    materialIndex,
    MaterialIndex,
    Path,
    REDACTED,
    startsWith,
} from "./compare";
import type { DiffablePlan, DiffableResource, DiffAction, DiffEntry, PlanDiff } from "./diffTypes";
import { classifyImpacts, EKS_CLUSTER_TYPES } from "./impacts";
import { replaceTriggers, ruleFor, RuleContext, unknownTypes } from "./replaceOnChange";

export type { DiffablePlan, DiffableResource, DiffAction, DiffEntry, PlanDiff } from "./diffTypes";

/**
 * The diff of two plans of one stack, as `pulumi preview` would show it if the old plan were
 * the deployed state: resources matched by URN; created, deleted, updated (an input differs) or
 * replaced (an input of the type's replace-on-change list differs, its provider changes or is
 * replaced). An input that takes an output of a resource being replaced or created is unknown
 * at preview, so it counts as changed, as Pulumi shows it: that is how a replacement reaches
 * its dependents (the plan records each input's sources, `propertyDependencies`, as the engine
 * does). `dependsOn` alone is no change, as in Pulumi.
 */

/**
 * The clusters of a plan: the `cluster` tag of its resources (every AWS resource of a cluster
 * carries it), or, for an EKS cluster without the tag, its name less `-eks`.
 */
export function planClusters(plan: DiffablePlan): string[] {
    const found: string[] = [];
    for (const r of plan.resources) {
        const tags = isRecord(r.inputs.tags) ? r.inputs.tags : {};
        const tagged = typeof tags.cluster === "string" ? tags.cluster : undefined;
        const named = EKS_CLUSTER_TYPES.includes(r.type) ? r.name.replace(/-eks$/, "") : undefined;
        const cluster = tagged ?? named;
        if (cluster !== undefined && !found.includes(cluster)) {
            found.push(cluster);
        }
    }
    return found;
}

/** Resources in an order where each comes after its dependencies and its provider. */
function dependencyOrder(resources: readonly DiffableResource[]): DiffableResource[] {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const done = new Set<string>();
    const visiting = new Set<string>();
    const ordered: DiffableResource[] = [];
    const visit = (r: DiffableResource) => {
        if (done.has(r.urn) || visiting.has(r.urn)) {
            return;
        }
        visiting.add(r.urn);
        for (const dep of [...r.dependsOn, ...(r.provider ? [r.provider] : [])]) {
            const d = byUrn.get(dep);
            if (d) {
                visit(d);
            }
        }
        visiting.delete(r.urn);
        done.add(r.urn);
        ordered.push(r);
    };
    resources.forEach(visit);
    return ordered;
}

/** Every leaf of a value, with its path. */
function leaves(value: unknown, at: Path = [], out: [Path, unknown][] = []): [Path, unknown][] {
    if (Array.isArray(value)) {
        value.forEach((v, i) => leaves(v, [...at, i], out));
    } else if (isRecord(value)) {
        Object.entries(value).forEach(([k, v]) => leaves(v, [...at, k], out));
    } else {
        out.push([at, value]);
    }
    return out;
}

type Status = DiffAction | "same";

/** One side of the comparison: a plan, indexed. */
class Side {
    readonly byUrn: Map<string, DiffableResource>;
    readonly index: MaterialIndex;
    private readonly cache = new Map<string, string>();

    constructor(readonly plan: DiffablePlan) {
        this.byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
        this.index = materialIndex(plan.resources, [
            plan.resources.map((r) => r.inputs),
            plan.outputs ?? {},
        ]);
    }

    canonical(value: unknown): unknown {
        return canonical(value, this.index, this.cache);
    }
}

/**
 * The inputs of `r` Pulumi would not know at preview, as paths: those that take an output of a
 * resource being created or replaced. The plan says which resources each top-level input took
 * values from (`propertyDependencies`); within that input, the values that come from the
 * resource are found by what they hold: its URN or id (Kubernetes objects' ids are their names,
 * which a replacement keeps), or key material it made. A value equal to one of the resource's
 * own inputs is an echo, which Pulumi knows at preview (a Namespace's name). A value of which
 * nothing can be told (a secret, a kubeconfig built from an endpoint) is taken as unknown, as a
 * whole. A resource passed by reference (no property dependency), or any dependency in a plan
 * without `propertyDependencies`, reaches only the values that hold its URN, id or key material.
 */
function unknownInputs(
    r: DiffableResource,
    canonicalInputs: Record<string, unknown>,
    next: Side,
    pending: (urn: string) => boolean,
): Path[] {
    const unknown: Path[] = [];
    const all = leaves(canonicalInputs);
    // Resources passed by reference (a role, a remote component) may have no property dependency.
    for (const urn of r.dependsOn.filter(pending)) {
        unknown.push(...references(all, next.byUrn.get(urn), urn));
    }
    for (const [key, urns] of Object.entries(r.propertyDependencies ?? {})) {
        const values = leaves(canonicalInputs[key], [key]);
        for (const urn of urns.filter(pending)) {
            unknown.push(...derivedFrom(values, next.byUrn.get(urn), urn));
        }
    }
    return unknown;
}

/** The paths among `values` that hold `source`'s URN, its id, or key material it made. */
function references(values: [Path, unknown][], source: DiffableResource | undefined, urn: string) {
    const id =
        source?.id && !source.type.startsWith("kubernetes:") && !source.type.startsWith("pulumi:")
            ? source.id
            : undefined;
    const refers = (v: unknown) =>
        typeof v === "string" &&
        (v === urn || v.includes(` of ${urn}>`) || (id !== undefined && v.includes(id)));
    return values.filter(([, v]) => refers(v)).map(([p]) => p);
}

/** The paths among `values` (one input's leaves, which took values from `source`) that Pulumi would not know. */
function derivedFrom(
    values: [Path, unknown][],
    source: DiffableResource | undefined,
    urn: string,
): Path[] {
    const found = references(values, source, urn);
    if (found.length > 0) {
        return found;
    }
    const secrets = values.filter(([, v]) => v === REDACTED).map(([p]) => p);
    if (secrets.length > 0 || values.length === 0) {
        return secrets;
    }
    const echoed = new Set(leaves(source?.inputs ?? {}).map(([, v]) => v));
    const isEcho = ([, v]: [Path, unknown]) => typeof v === "string" && echoed.has(v);
    const scalar = values.length === 1 && values[0][0].length === 1;
    // A Kubernetes object's outputs are its inputs, but for what the cluster fills in.
    const echoes = scalar || source?.type.startsWith("kubernetes:") ? values.some(isEcho) : false;
    return echoes ? [] : [values[0][0].slice(0, 1)];
}

/** Paths without duplicates, a path under another folded into it, sorted. */
function withUnknown(paths: readonly Path[], unknown: readonly Path[]): Path[] {
    const unique = [...new Map([...unknown, ...paths].map((p) => [formatPath(p), p])).values()];
    return unique
        .filter((p) => !unique.some((q) => q.length < p.length && startsWith(p, q)))
        .sort((a, b) => (formatPath(a) < formatPath(b) ? -1 : 1));
}

/**
 * Secret inputs, hidden in both plans, that now take their value from other resources than
 * before (a remote secret switched to another reader token): their value changes, though
 * neither plan shows it.
 */
function hiddenChanges(before: DiffableResource, after: DiffableResource): Path[] {
    if (!before.propertyDependencies || !after.propertyDependencies) {
        return [];
    }
    const sources = (r: DiffableResource, key: string) =>
        [...(r.propertyDependencies?.[key] ?? [])].sort().join(" ");
    return Object.keys(after.inputs)
        .filter(
            (key) =>
                hasRedacted(before.inputs[key]) &&
                hasRedacted(after.inputs[key]) &&
                sources(before, key) !== sources(after, key),
        )
        .map((key) => [key]);
}

/** A remote component's change the offline plan cannot see in its inputs, from the table's research. */
function derivedChanges(
    r: DiffableResource,
    changedOf: (urn: string) => readonly Path[] | undefined,
): Path[] {
    // pulumi-eks 4.3.0 nodegroup.ts:1886-1891: a managed node group that names neither a version
    // nor a launch template takes its cluster's version, so a cluster upgrade rolls its nodes.
    if (
        r.type === "eks:index:ManagedNodeGroup" &&
        r.inputs.version === undefined &&
        r.inputs.launchTemplate === undefined &&
        typeof r.inputs.cluster === "string"
    ) {
        const clusterChanges = changedOf(r.inputs.cluster) ?? [];
        if (clusterChanges.some((p) => startsWith(p, ["version"]))) {
            return [["version"]];
        }
    }
    return [];
}

interface Compared {
    readonly action: Status;
    readonly entry?: Omit<DiffEntry, "cluster">;
    readonly changed: Path[];
}

function compareResource(
    before: DiffableResource,
    after: DiffableResource,
    old: Side,
    next: Side,
    status: ReadonlyMap<string, Status>,
    changedOf: (urn: string) => readonly Path[] | undefined,
): Compared & { mixedRedaction: boolean } {
    const rule = ruleFor(after.type);
    const base = { urn: after.urn, type: after.type, name: after.name };
    if (rule?.kind === "read" || rule?.kind === "stack") {
        return { action: "same", changed: [], mixedRedaction: false };
    }
    const pending = (urn: string) => status.get(urn) === "create" || status.get(urn) === "replace";
    const oldInputs = old.canonical(before.inputs) as Record<string, unknown>;
    const newInputs = next.canonical(after.inputs) as Record<string, unknown>;
    const values = changedPaths(oldInputs, newInputs);
    const unknown = unknownInputs(after, newInputs, next, pending);
    const changed = withUnknown(
        [...values.paths, ...hiddenChanges(before, after), ...derivedChanges(after, changedOf)],
        unknown,
    );
    const providerInputs = after.provider ? next.byUrn.get(after.provider)?.inputs : undefined;
    const ctx: RuleContext = {
        type: after.type,
        oldInputs,
        newInputs,
        changed,
        unknown,
        providerInputs,
    };
    const outcome = rule ? replaceTriggers(rule, ctx) : { replaceBecause: [], warnings: [] };
    const replaceBecause = [...outcome.replaceBecause];
    if (before.provider !== after.provider) {
        replaceBecause.push("provider changed");
    } else if (after.provider !== null && status.get(after.provider) === "replace") {
        replaceBecause.push("provider replaced");
    }
    const protect =
        before.protect !== after.protect ? { from: before.protect, to: after.protect } : undefined;
    const action: Status =
        replaceBecause.length > 0 ? "replace" : changed.length > 0 || protect ? "update" : "same";
    if (action === "same") {
        return { action, changed, mixedRedaction: values.mixedRedaction };
    }
    return {
        action,
        changed,
        mixedRedaction: values.mixedRedaction,
        entry: {
            ...base,
            action,
            properties: changed.map(formatPath),
            ...(action === "replace" ? { replaceBecause } : {}),
            ...(unknown.length > 0 ? { unknown: withUnknown([], unknown).map(formatPath) } : {}),
            ...(protect ? { protect } : {}),
            ...(outcome.warnings.length > 0 ? { warnings: outcome.warnings } : {}),
        },
    };
}

function outputChanges(old: Side, next: Side): string[] {
    const before = old.canonical(old.plan.outputs ?? {});
    const after = next.canonical(next.plan.outputs ?? {});
    return changedPaths(before, after).paths.map(formatPath).sort();
}

function notesOf(
    old: DiffablePlan,
    next: DiffablePlan,
    mixedRedaction: boolean,
    unknownTypeList: string[],
): string[] {
    const notes: string[] = [];
    const oldRedacted = old.resources.some((r) => hasRedacted(r.inputs));
    const newRedacted = next.resources.some((r) => hasRedacted(r.inputs));
    if (oldRedacted && newRedacted) {
        notes.push(
            'Both plans were written without --show-secrets: a secret input ("[secret]" in both) counts as unchanged unless it takes an output of a resource being replaced or created, or of other resources than before; whether its value changed otherwise cannot be seen.',
        );
    } else if (oldRedacted !== newRedacted || mixedRedaction) {
        notes.push(
            `Only the ${oldRedacted ? "old" : "new"} plan hides its secrets: a secret input is not compared with a shown one. Write both plans with or without --show-secrets.`,
        );
    }
    if (next.resources.length > 0 && next.resources.every((r) => !r.propertyDependencies)) {
        notes.push(
            "The new plan records no propertyDependencies (written by an older npm run plan): a replacement reaches only the inputs that name the replaced resource's URN or id.",
        );
    }
    if (unknownTypeList.length > 0) {
        notes.push(
            `No replace-on-change rule for ${unknownTypeList.join(", ")}: any change of these is shown as an update.`,
        );
    }
    return notes;
}

/** The diff of `next` against `old`, and its impact on the mesh. */
export function diffPlans(old: DiffablePlan, next: DiffablePlan): PlanDiff {
    const oldSide = new Side(old);
    const newSide = new Side(next);
    const clusters = { old: planClusters(old), new: planClusters(next) };
    const allClusters = [...new Set([...clusters.new, ...clusters.old])];
    const status = new Map<string, Status>();
    const changedByUrn = new Map<string, readonly Path[]>();
    const entries: DiffEntry[] = [];
    let mixedRedaction = false;
    for (const after of dependencyOrder(next.resources)) {
        const before = oldSide.byUrn.get(after.urn);
        const cluster = clusterOf(after.name, allClusters);
        if (!before && isRead(after)) {
            continue;
        }
        if (!before) {
            status.set(after.urn, "create");
            entries.push({ ...base(after), cluster, action: "create", properties: [] });
            continue;
        }
        const compared = compareResource(before, after, oldSide, newSide, status, (urn) =>
            changedByUrn.get(urn),
        );
        mixedRedaction ||= compared.mixedRedaction;
        status.set(after.urn, compared.action);
        changedByUrn.set(after.urn, compared.changed);
        if (compared.entry) {
            entries.push({ ...compared.entry, cluster });
        }
    }
    for (const before of old.resources) {
        if (!newSide.byUrn.has(before.urn) && !isRead(before)) {
            status.set(before.urn, "delete");
            entries.push({
                ...base(before),
                cluster: clusterOf(before.name, allClusters),
                action: "delete",
                properties: [],
            });
        }
    }
    const diff = entries.sort((a, b) => (a.urn < b.urn ? -1 : a.urn > b.urn ? 1 : 0));
    const types = [...old.resources, ...next.resources].map((r) => r.type);
    const outputs = outputChanges(oldSide, newSide);
    return {
        diff,
        impacts: classifyImpacts(diff, old, next, clusters, outputs),
        outputChanges: outputs,
        notes: notesOf(old, next, mixedRedaction, unknownTypes(types)),
        clusters,
    };
}

/** A resource Pulumi reads rather than manages (a StackReference): shown as a read, not a create or delete. */
function isRead(r: DiffableResource): boolean {
    return ruleFor(r.type)?.kind === "read";
}

function base(r: DiffableResource) {
    return { urn: r.urn, type: r.type, name: r.name };
}
