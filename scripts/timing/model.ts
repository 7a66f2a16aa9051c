import durationsFile from "./durations.json";

/**
 * A simulated fresh `pulumi up` over the offline plan's dependency graph: each resource takes
 * the minutes the duration model gives its type, and starts once everything it depends on
 * (explicitly, through its inputs, or as its provider) is done.
 */

/** The parts of a plan resource the model reads (see scripts/plan/planJson.ts). */
export interface PlanResourceLike {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly provider: string | null;
    readonly dependsOn: readonly string[];
}

export interface Task {
    readonly urn: string;
    readonly name: string;
    readonly type: string;
    readonly minutes: number;
    /** URNs of the tasks this one waits for. */
    readonly deps: readonly string[];
}

interface Duration {
    readonly minutes: number;
    readonly source?: string;
    readonly rationale?: string;
}

interface DurationModel {
    readonly default: Duration;
    readonly byType: Record<string, Duration>;
    readonly byName: Record<string, Record<string, Duration>>;
}

export const DURATIONS = durationsFile as unknown as DurationModel;

/**
 * Whether `name` ends with `suffix`; a suffix ending in `-*` also takes one more dash-separated
 * tail (`-istiod-*` matches `east-a-istiod-1-31`: an istiod per control-plane revision).
 */
export function matchesSuffix(name: string, suffix: string): boolean {
    if (!suffix.endsWith("-*")) {
        return name.endsWith(suffix);
    }
    const stem = suffix.slice(0, -2);
    const at = name.lastIndexOf(`${stem}-`);
    return at >= 0 && /^[a-z0-9-]+$/.test(name.slice(at + stem.length + 1));
}

/** The model's minutes for one resource. */
export function minutesFor(type: string, name: string, model: DurationModel = DURATIONS): number {
    const named = Object.entries(model.byName[type] ?? {}).find(([suffix]) =>
        matchesSuffix(name, suffix),
    );
    return (named?.[1] ?? model.byType[type] ?? model.default).minutes;
}

/**
 * Components the program defines are groupings, not work: they never appear in a dependency
 * list (the SDK expands a dependency on a component into its children). Components built by a
 * provider plugin (`eks:index:Cluster`) are real work and stay.
 */
function isGrouping(type: string): boolean {
    return type === "pulumi:pulumi:Stack" || type.startsWith("ambientmesh:");
}

export function tasksOf(resources: readonly PlanResourceLike[], model = DURATIONS): Task[] {
    const kept = resources.filter((r) => !isGrouping(r.type));
    const urns = new Set(kept.map((r) => r.urn));
    return kept.map((r) => ({
        urn: r.urn,
        name: r.name,
        type: r.type,
        minutes: minutesFor(r.type, r.name, model),
        deps: [...new Set([...r.dependsOn, ...(r.provider ? [r.provider] : [])])]
            .filter((u) => urns.has(u))
            .sort(),
    }));
}

/** Tasks in an order where every task comes after its dependencies. */
export function topological(tasks: readonly Task[]): Task[] {
    const byUrn = new Map(tasks.map((t) => [t.urn, t]));
    const done = new Set<string>();
    const visiting = new Set<string>();
    const out: Task[] = [];
    const visit = (t: Task) => {
        if (done.has(t.urn)) {
            return;
        }
        if (visiting.has(t.urn)) {
            throw new Error(`dependency cycle through ${t.name}`);
        }
        visiting.add(t.urn);
        t.deps.forEach((d) => visit(byUrn.get(d) as Task));
        visiting.delete(t.urn);
        done.add(t.urn);
        out.push(t);
    };
    [...tasks].sort((a, b) => (a.urn < b.urn ? -1 : 1)).forEach(visit);
    return out;
}

export interface Slot {
    readonly task: Task;
    readonly start: number;
    readonly end: number;
}

/** Earliest finish of every task with unlimited parallelism. */
function earliest(tasks: readonly Task[]): Map<string, Slot> {
    const slots = new Map<string, Slot>();
    for (const task of topological(tasks)) {
        const start = Math.max(0, ...task.deps.map((d) => (slots.get(d) as Slot).end));
        slots.set(task.urn, { task, start, end: start + task.minutes });
    }
    return slots;
}

export interface CriticalPath {
    readonly minutes: number;
    /** From the first resource to the last, each starting when the previous ends. */
    readonly path: Slot[];
}

export function criticalPath(tasks: readonly Task[]): CriticalPath {
    const slots = earliest(tasks);
    let last: Slot | undefined;
    for (const slot of slots.values()) {
        if (
            !last ||
            slot.end > last.end ||
            (slot.end === last.end && slot.task.urn < last.task.urn)
        ) {
            last = slot;
        }
    }
    const path: Slot[] = [];
    for (let slot = last; slot;) {
        path.unshift(slot);
        const start = slot.start;
        slot = slot.task.deps
            .map((d) => slots.get(d) as Slot)
            .filter((s) => Math.abs(s.end - start) < 1e-9)
            .sort(
                (a, b) => b.task.minutes - a.task.minutes || (a.task.urn < b.task.urn ? -1 : 1),
            )[0];
    }
    return { minutes: last?.end ?? 0, path };
}

/**
 * Makespan with at most `parallel` resources in flight, as `pulumi up --parallel N` runs them:
 * list scheduling, the ready task with the longest remaining chain first.
 */
export function makespan(
    tasks: readonly Task[],
    parallel = Infinity,
): { minutes: number; slots: Slot[] } {
    const order = topological(tasks);
    const dependents = new Map<string, Task[]>(tasks.map((t) => [t.urn, []]));
    order.forEach((t) => t.deps.forEach((d) => dependents.get(d)?.push(t)));
    const tail = new Map<string, number>();
    for (const t of [...order].reverse()) {
        tail.set(
            t.urn,
            t.minutes +
                Math.max(0, ...(dependents.get(t.urn) ?? []).map((d) => tail.get(d.urn) as number)),
        );
    }
    const remaining = new Map(tasks.map((t) => [t.urn, t.deps.length]));
    const ready = tasks.filter((t) => t.deps.length === 0);
    const running: Slot[] = [];
    const slots: Slot[] = [];
    let now = 0;
    const priority = (a: Task, b: Task) =>
        (tail.get(b.urn) as number) - (tail.get(a.urn) as number) || (a.urn < b.urn ? -1 : 1);
    while (ready.length || running.length) {
        ready.sort(priority);
        while (ready.length && running.length < parallel) {
            const task = ready.shift() as Task;
            running.push({ task, start: now, end: now + task.minutes });
        }
        running.sort((a, b) => a.end - b.end || (a.task.urn < b.task.urn ? -1 : 1));
        const next = running.shift() as Slot;
        now = next.end;
        slots.push(next);
        for (const d of dependents.get(next.task.urn) ?? []) {
            const left = (remaining.get(d.urn) as number) - 1;
            remaining.set(d.urn, left);
            if (left === 0) {
                ready.push(d);
            }
        }
    }
    return { minutes: now, slots };
}

export function serialMinutes(tasks: readonly Task[]): number {
    return tasks.reduce((sum, t) => sum + t.minutes, 0);
}

/** The cluster a resource belongs to (longest cluster-name prefix), or undefined if shared. */
export function clusterOf(name: string, clusters: readonly string[]): string | undefined {
    return [...clusters].sort((a, b) => b.length - a.length).find((c) => name.startsWith(`${c}-`));
}

/** Mesh wiring: what joins clusters, built last in a cluster-by-cluster procedure. */
export function isWiring(task: Task): boolean {
    return (
        /-remote-/.test(task.name) ||
        task.type.startsWith("aws:ec2transitgateway/peering") ||
        task.type === "aws:ec2transitgateway/route:Route" ||
        task.type === "pulumi:pulumi:StackReference" ||
        (task.type === "aws:ec2/route:Route" && /-to-/.test(task.name))
    );
}

/**
 * The manual procedures' order: shared foundations, then each cluster built fully before the
 * next starts, then the mesh wiring. Each phase runs with unlimited parallelism inside.
 */
export function clusterByCluster(tasks: readonly Task[], clusters: readonly string[]): number {
    const phaseOf = (t: Task) =>
        isWiring(t)
            ? clusters.length + 1
            : (() => {
                  const c = clusterOf(t.name, clusters);
                  return c === undefined ? 0 : clusters.indexOf(c) + 1;
              })();
    let total = 0;
    for (let phase = 0; phase <= clusters.length + 1; phase++) {
        const inPhase = tasks.filter((t) => phaseOf(t) === phase);
        const urns = new Set(inPhase.map((t) => t.urn));
        // Earlier phases are finished: only dependencies inside the phase wait.
        total += criticalPath(
            inPhase.map((t) => ({ ...t, deps: t.deps.filter((d) => urns.has(d)) })),
        ).minutes;
    }
    return total;
}

/** The unavoidable chain of one cluster, as resource-name suffixes (ambient and sidecar). */
export const FLOOR_CHAIN = [
    "-vpc",
    "-eks",
    "-nodes",
    "-istio-base",
    "-istiod-*",
    "-ztunnel",
    "-east-west",
    "-east-west-nlb",
] as const;

/**
 * The model's minutes for VPC → EKS control plane → node group → istio-base → istiod →
 * ztunnel → east-west gateway → its load balancer → a remote secret in a peer, for the first
 * cluster.
 */
export function floorMinutes(
    tasks: readonly Task[],
    cluster: string,
): { minutes: number; chain: Task[] } {
    const find = (suffix: string) =>
        tasks.find((t) =>
            suffix.endsWith("-*")
                ? t.name.startsWith(`${cluster}${suffix.slice(0, -1)}`)
                : t.name === `${cluster}${suffix}`,
        );
    const chain = FLOOR_CHAIN.map((suffix) => find(suffix)).filter(
        (t): t is Task => t !== undefined,
    );
    const remote = tasks.find((t) => t.name.endsWith(`-remote-${cluster}`));
    if (remote) {
        chain.push(remote);
    }
    return { minutes: chain.reduce((s, t) => s + t.minutes, 0), chain };
}

export interface EdgeImpact {
    /** The edge class: resource names with their cluster replaced by `<cluster>`. */
    readonly from: string;
    readonly to: string;
    /** How many edges of the program are of this class. */
    readonly count: number;
    /** Minutes the critical path would shorten without every edge of this class. */
    readonly minutes: number;
}

/** A name with its cluster prefix replaced, so that one edge stands for all clusters' alike. */
function generic(name: string, clusters: readonly string[]): string {
    const cluster = clusterOf(name, clusters);
    return cluster ? `<cluster>${name.slice(cluster.length)}` : name;
}

/**
 * Dependency edges by how much they lengthen the critical path: each class of edge (the same
 * dependency in every cluster) is removed in turn and the critical path recomputed.
 */
export function edgeImpact(
    tasks: readonly Task[],
    clusters: readonly string[],
    top = 20,
): EdgeImpact[] {
    const base = criticalPath(tasks).minutes;
    const byUrn = new Map(tasks.map((t) => [t.urn, t]));
    const classes = new Map<string, { from: string; to: string; edges: [string, string][] }>();
    for (const t of tasks) {
        for (const d of t.deps) {
            const from = generic((byUrn.get(d) as Task).name, clusters);
            const to = generic(t.name, clusters);
            const key = `${from} -> ${to}`;
            const entry = classes.get(key) ?? { from, to, edges: [] };
            entry.edges.push([d, t.urn]);
            classes.set(key, entry);
        }
    }
    return [...classes.values()]
        .map(({ from, to, edges }) => {
            const cut = new Set(edges.map(([d, t]) => `${d} ${t}`));
            const without = tasks.map((t) => ({
                ...t,
                deps: t.deps.filter((d) => !cut.has(`${d} ${t.urn}`)),
            }));
            return { from, to, count: edges.length, minutes: base - criticalPath(without).minutes };
        })
        .filter((e) => e.minutes > 1e-9)
        .sort((a, b) => b.minutes - a.minutes || (a.to < b.to ? -1 : 1))
        .slice(0, top);
}
