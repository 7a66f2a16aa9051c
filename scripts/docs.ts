import { generatedBlocks } from "./timing/docs";
import { updateReadme } from "./timing/readme";

/** Regenerates the README's architecture diagrams and deploy timelines from the plans. */
generatedBlocks().then(
    (blocks) => {
        updateReadme(blocks);
        process.stdout.write(`README.md: updated ${Object.keys(blocks).join(", ")}\n`);
    },
    (err) => {
        process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
        process.exitCode = 1;
    },
);
