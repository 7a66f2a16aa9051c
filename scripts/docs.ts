import { generatedBlocks } from "./timing/docs";
import { runCli } from "./timing/load";
import { updateReadme } from "./timing/readme";

/** Regenerates the README's architecture diagrams and deploy timelines from the plans. */
runCli(async () => {
    const blocks = await generatedBlocks();
    updateReadme(blocks);
    process.stdout.write(`README.md: updated ${Object.keys(blocks).join(", ")}\n`);
    return 0;
});
