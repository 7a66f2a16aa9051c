import { generatedDocs } from "../docs/blocks";
import { staleBlocks, writeBlocks } from "../docs/files";
import { readArgs } from "./args";
import { Io, processIo, runCli } from "./runner";

/**
 * `npm run docs`: regenerates every generated block of the repository's Markdown (README's
 * configuration table, docs/versions.md, docs/architecture.md, docs/timing.md's timelines,
 * docs/plan.md's replace-on-change table, policies/README.md's rules and settings); `--check`
 * only says which are stale.
 */

const USAGE =
    "usage: npm run docs [-- --check]\n" +
    "  Regenerates the configuration table (README.md), the version tables, architecture\n" +
    "  diagrams, deploy timelines and replace-on-change table (docs/) and the policy\n" +
    "  reference (policies/README.md).\n" +
    "  --check  change nothing; exit 1 naming every stale block\n";

const SPEC = { usage: USAGE, values: [], switches: ["check"] } as const;

export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
    const args = readArgs(argv, SPEC, io);
    if (typeof args === "number") {
        return args;
    }
    const blocks = await generatedDocs();
    const stale = staleBlocks(blocks);
    if (args.switches.check) {
        if (stale.length > 0) {
            io.stderr(`stale: ${stale.join(", ")}; run npm run docs\n`);
            return 1;
        }
        return 0;
    }
    writeBlocks(blocks);
    io.stdout(stale.length === 0 ? "docs: up to date\n" : `docs: updated ${stale.join(", ")}\n`);
    return 0;
}

if (require.main === module) {
    runCli(main);
}
