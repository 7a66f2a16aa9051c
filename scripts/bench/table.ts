import * as os from "node:os";
import { markdownTable } from "../docs/markdownTable";
import { BenchRow } from "./measure";

/** The bench's results as docs/timing.md shows them. */

export function renderTable(rows: readonly BenchRow[]): string {
    return markdownTable(
        ["clusters", "resources", "per cluster", "seconds", "ms per resource", "peak RSS (MB)"],
        rows.map((r) => [
            String(r.clusters),
            String(r.resources),
            String(r.perCluster),
            r.seconds.toFixed(1),
            String(Math.round((r.seconds * 1000) / r.resources)),
            String(r.peakRssMb),
        ]),
        ["right", "right", "right", "right", "right", "right"],
    );
}

/** docs/timing.md's `bench` block: the table, and the machine it was measured on. */
export function docsBlock(table: string): string {
    return `${table}\n\nMeasured with \`npm run bench\` on ${os.cpus().length} cores (${os.cpus()[0]?.model ?? "unknown CPU"}).`;
}
