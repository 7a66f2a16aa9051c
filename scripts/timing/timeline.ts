import {
    clusterByCluster,
    criticalPath,
    edgeImpact,
    EdgeImpact,
    floorMinutes,
    makespan,
    PlanResourceLike,
    serialMinutes,
    Slot,
    tasksOf,
} from "./model";

export interface TimelineReport {
    readonly stack: string;
    readonly resources: number;
    readonly criticalPathMinutes: number;
    readonly makespanMinutes: number;
    readonly parallel: number | null;
    readonly parallelMakespanMinutes: number | null;
    readonly serialMinutes: number;
    readonly clusterByClusterMinutes: number;
    readonly floorMinutes: number;
    readonly floorChain: string[];
    readonly criticalPath: { name: string; type: string; start: number; end: number }[];
    readonly edges: EdgeImpact[];
}

const round = (m: number) => Math.round(m * 100) / 100;

export function timeline(
    stack: string,
    resources: readonly PlanResourceLike[],
    clusters: readonly string[],
    parallel?: number,
): TimelineReport {
    const tasks = tasksOf(resources);
    const critical = criticalPath(tasks);
    const floor = floorMinutes(tasks, clusters[0]);
    return {
        stack,
        resources: tasks.length,
        criticalPathMinutes: round(critical.minutes),
        makespanMinutes: round(makespan(tasks).minutes),
        parallel: parallel ?? null,
        parallelMakespanMinutes: parallel ? round(makespan(tasks, parallel).minutes) : null,
        serialMinutes: round(serialMinutes(tasks)),
        clusterByClusterMinutes: round(clusterByCluster(tasks, clusters)),
        floorMinutes: round(floor.minutes),
        floorChain: floor.chain.map((t) => t.name),
        criticalPath: critical.path.map((s: Slot) => ({
            name: s.task.name,
            type: s.task.type,
            start: round(s.start),
            end: round(s.end),
        })),
        edges: edgeImpact(tasks, clusters, 10),
    };
}

/** The report as text: figures, then a Gantt chart of the critical path. */
export function renderTimeline(r: TimelineReport, width = 48): string {
    const fmt = (m: number) => `${m.toFixed(1)} min`;
    const row = (label: string, value: string) => `  ${label.padEnd(25)}${value}`;
    const lines = [
        `Simulated fresh deploy of ${r.stack}: ${r.resources} resources`,
        row("critical path", fmt(r.criticalPathMinutes)),
        row("makespan (unlimited)", fmt(r.makespanMinutes)),
        ...(r.parallel
            ? [row(`makespan (--parallel ${r.parallel})`, fmt(r.parallelMakespanMinutes as number))]
            : []),
        row("serial sum", fmt(r.serialMinutes)),
        row(
            "cluster by cluster",
            `${fmt(r.clusterByClusterMinutes)}  (${(r.clusterByClusterMinutes / r.criticalPathMinutes).toFixed(2)}x the critical path)`,
        ),
        row(
            "floor",
            `${fmt(r.floorMinutes)}  (critical path = ${(r.criticalPathMinutes / r.floorMinutes).toFixed(2)}x floor)`,
        ),
        "",
        "Critical path:",
    ];
    const scale = width / Math.max(r.criticalPathMinutes, 1e-9);
    const nameWidth = Math.max(...r.criticalPath.map((s) => s.name.length));
    for (const s of r.criticalPath) {
        const from = Math.round(s.start * scale);
        const len = Math.max(s.end > s.start ? 1 : 0, Math.round(s.end * scale) - from);
        lines.push(
            `  ${s.name.padEnd(nameWidth)} |${" ".repeat(from)}${"#".repeat(len)}${" ".repeat(Math.max(0, width - from - len))}| ${s.start.toFixed(1).padStart(5)}-${s.end.toFixed(1).padEnd(5)} ${s.type}`,
        );
    }
    return lines.join("\n") + "\n";
}
