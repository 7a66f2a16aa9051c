import { generatedBlocks } from "./timing/docs";
import { runCli } from "./timing/load";
import { updateReadme } from "./timing/readme";
import { versionBlocks } from "./versionTables";

/**
 * Regenerates the README's generated blocks: version tables from the versions table,
 * architecture diagrams and deploy timelines from the plans.
 */
runCli(async () => {
    const blocks = { ...versionBlocks(), ...(await generatedBlocks()) };
    updateReadme(blocks);
    process.stdout.write(`README.md: updated ${Object.keys(blocks).join(", ")}\n`);
    return 0;
});
