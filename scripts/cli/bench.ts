import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { hasGnuTime, measure, SIZES } from "../bench/measure";
import { docsBlock, renderTable } from "../bench/table";
import { writeBlocks } from "../docs/files";
import { readArgs } from "./args";
import { Io, processIo, runCli } from "./runner";

/**
 * `npm run bench`: offline plan wall time, peak memory and resource count for 1 to 32 clusters,
 * as a Markdown table (or JSON), optionally written into docs/timing.md.
 */

const USAGE =
    "usage: npm run bench [-- --json] [-- --docs]\n" +
    "  --docs  also write the table into docs/timing.md\n";

const SPEC = { usage: USAGE, values: [], switches: ["json", "docs"] } as const;

export function main(argv: readonly string[], io: Io = processIo): number {
    const args = readArgs(argv, SPEC, io);
    if (typeof args === "number") {
        return args;
    }
    const { json, docs } = args.switches;
    if (!hasGnuTime()) {
        io.stderr("npm run bench needs GNU time (/usr/bin/time): apt-get install time\n");
        return 1;
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "eks-ambient-mesh-bench-"));
    try {
        const rows = SIZES.map((n) => {
            const row = measure(n, dir);
            if (!json) {
                io.stderr(`${n} clusters: ${row.seconds} s\n`);
            }
            return row;
        });
        const table = renderTable(rows);
        io.stdout(json ? `${JSON.stringify(rows, null, 2)}\n` : `${table}\n`);
        if (docs) {
            writeBlocks({ "docs/timing.md": { bench: docsBlock(table) } });
        }
        return 0;
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

if (require.main === module) {
    runCli(main);
}
