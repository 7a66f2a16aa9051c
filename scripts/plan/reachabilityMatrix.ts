import { ReachabilityEntry } from "../../policies/rules/reachability";

/**
 * The reachability of every ordered pair as a matrix (rows: from, columns: to; each cell the
 * api and hbone paths, ✓ open, ✗ closed), then each closed path with the hop that blocks it.
 */
export function reachabilityMatrix(entries: readonly ReachabilityEntry[]): string {
    const names = [...new Set(entries.flatMap((e) => [e.from, e.to]))];
    if (names.length === 0) {
        return "Reachability: a single cluster, no paths between clusters";
    }
    const ports = [...new Set(entries.map((e) => `${e.path} ${e.port}`))].join(", ");
    const cell = (from: string, to: string) =>
        from === to
            ? "-"
            : entries
                  .filter((e) => e.from === from && e.to === to)
                  .map((e) => `${e.path} ${e.open ? "✓" : "✗"}`)
                  .join(" ");
    const rows = [
        ["from \\ to", ...names],
        ...names.map((f) => [f, ...names.map((t) => cell(f, t))]),
    ];
    const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
    const closed = entries.filter((e) => !e.open);
    return [
        `Reachability (${ports}): ${entries.length - closed.length} of ${entries.length} paths open`,
        ...rows.map(
            (r) =>
                `  ${r
                    .map((c, i) => c.padEnd(widths[i]))
                    .join("  ")
                    .trimEnd()}`,
        ),
        ...closed.map((e) => {
            const hop = e.hops.find((h) => !h.ok);
            return `  ✗ ${e.from} -> ${e.to} ${e.path}: blocked at ${e.blockedAt}: ${hop?.detail ?? ""}`;
        }),
    ].join("\n");
}
