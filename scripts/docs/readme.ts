import * as fs from "node:fs";
import * as path from "node:path";

/**
 * The README's generated blocks: text between `<!-- key:start -->` and `<!-- key:end -->`
 * markers that `npm run docs` and `npm run bench -- --readme` rewrite.
 */

export const README = path.resolve(__dirname, "..", "..", "README.md");

/** Replaces the text between `<!-- key:start -->` and `<!-- key:end -->`. */
export function replaceBlock(text: string, key: string, body: string): string {
    const start = `<!-- ${key}:start -->`;
    const end = `<!-- ${key}:end -->`;
    const from = text.indexOf(start);
    const to = text.indexOf(end);
    if (from < 0 || to < from) {
        throw new Error(`README.md has no ${start} ... ${end} block`);
    }
    // Blank lines around the block, as Prettier formats Markdown.
    return `${text.slice(0, from + start.length)}\n\n${body.trim()}\n\n${text.slice(to)}`;
}

/** The text between the markers, as `replaceBlock` wrote it. */
export function readBlock(text: string, key: string): string {
    const start = `<!-- ${key}:start -->`;
    const from = text.indexOf(start);
    const to = text.indexOf(`<!-- ${key}:end -->`);
    if (from < 0 || to < from) {
        throw new Error(`README.md has no ${start} block`);
    }
    return text.slice(from + start.length, to).trim();
}

export const fenced = (lang: string, body: string) => `\`\`\`${lang}\n${body.trimEnd()}\n\`\`\``;

export function updateReadme(blocks: Record<string, string>): void {
    let text = fs.readFileSync(README, "utf8");
    for (const [key, body] of Object.entries(blocks)) {
        text = replaceBlock(text, key, body);
    }
    fs.writeFileSync(README, text);
}
