import { mermaidId as id } from "./mermaidId";

/** What the reachability drawing reads of a plan's `reachability` entries. */
export interface ReachabilityLike {
    readonly from: string;
    readonly to: string;
    readonly path: string;
    readonly open: boolean;
    readonly blockedAt?: string;
}

/**
 * The plan's reachability as a Mermaid flowchart: an arrow per ordered pair of clusters,
 * labelled with each path (api, hbone) open or closed at its first blocking hop; closed arrows
 * are red and dashed.
 */
export function renderReachability(entries: readonly ReachabilityLike[]): string {
    const names = [...new Set(entries.flatMap((e) => [e.from, e.to]))];
    const lines = ["flowchart LR", ...names.map((n) => `    ${id(n)}["${n}"]`)];
    const closed: number[] = [];
    const pairs = [...new Set(entries.map((e) => `${e.from}\u0000${e.to}`))];
    pairs.forEach((key, i) => {
        const [from, to] = key.split("\u0000");
        const paths = entries.filter((e) => e.from === from && e.to === to);
        const label = paths
            .map((e) => (e.open ? `${e.path} ✓` : `${e.path} ✗ ${e.blockedAt ?? ""}`.trim()))
            .join(" · ");
        lines.push(`    ${id(from)} -- "${label}" --> ${id(to)}`);
        if (paths.some((e) => !e.open)) {
            closed.push(i);
        }
    });
    if (closed.length > 0) {
        lines.push(`    linkStyle ${closed.join(",")} stroke:#d00,stroke-dasharray:4`);
    }
    return lines.join("\n") + "\n";
}
