import { generatedBlocks } from "../docs/blocks";
import { updateReadme } from "../docs/readme";
import { versionBlocks } from "../docs/versionTables";
import { readArgs } from "./args";
import { Io, processIo, runCli } from "./runner";

/**
 * `npm run docs`: regenerates the README's generated blocks: version tables from the versions
 * table, architecture diagrams and deploy timelines from the plans.
 */

const USAGE =
    "usage: npm run docs\n" +
    "  Regenerates README.md's version tables, architecture diagrams and deploy timelines.\n";

const SPEC = { usage: USAGE, values: [], switches: [] } as const;

export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
    const args = readArgs(argv, SPEC, io);
    if (typeof args === "number") {
        return args;
    }
    const blocks = { ...versionBlocks(), ...(await generatedBlocks()) };
    updateReadme(blocks);
    io.stdout(`README.md: updated ${Object.keys(blocks).join(", ")}\n`);
    return 0;
}

if (require.main === module) {
    runCli(main);
}
