import * as fs from "node:fs";
import * as path from "node:path";

/**
 * Generated blocks in the repository's Markdown files: the text between `<!-- key:start -->`
 * and `<!-- key:end -->`, which `npm run docs` (and `npm run bench -- --docs`) rewrite and a test
 * keeps fresh. Files are named relative to the repository's root.
 */

export const ROOT = path.resolve(__dirname, "..", "..");

/** Blocks by file, then by marker key: `{ "README.md": { configuration: "| key | ..." } }`. */
export type DocBlocks = Record<string, Record<string, string>>;

function span(text: string, file: string, key: string): [number, number] {
    const start = `<!-- ${key}:start -->`;
    const end = `<!-- ${key}:end -->`;
    const from = text.indexOf(start);
    const to = text.indexOf(end);
    if (from < 0 || to < from) {
        throw new Error(`${file} has no ${start} ... ${end} block`);
    }
    return [from + start.length, to];
}

/** Replaces a block's text, with the blank lines around it that Prettier keeps in Markdown. */
export function replaceBlock(text: string, file: string, key: string, body: string): string {
    const [from, to] = span(text, file, key);
    return `${text.slice(0, from)}\n\n${body.trim()}\n\n${text.slice(to)}`;
}

/** A block's text, as `replaceBlock` wrote it. */
export function readBlock(text: string, file: string, key: string): string {
    const [from, to] = span(text, file, key);
    return text.slice(from, to).trim();
}

export const readDoc = (file: string) => fs.readFileSync(path.join(ROOT, file), "utf8");

/** The blocks whose text in the repository differs from `blocks`, as `file#key`. */
export function staleBlocks(blocks: DocBlocks, read: (file: string) => string = readDoc): string[] {
    return Object.entries(blocks).flatMap(([file, byKey]) => {
        const text = read(file);
        return Object.entries(byKey)
            .filter(([key, body]) => readBlock(text, file, key) !== body.trim())
            .map(([key]) => `${file}#${key}`);
    });
}

/** Rewrites the blocks in their files. */
export function writeBlocks(blocks: DocBlocks): void {
    for (const [file, byKey] of Object.entries(blocks)) {
        const text = Object.entries(byKey).reduce(
            (acc, [key, body]) => replaceBlock(acc, file, key, body),
            readDoc(file),
        );
        fs.writeFileSync(path.join(ROOT, file), text);
    }
}

export const fenced = (lang: string, body: string) => `\`\`\`${lang}\n${body.trimEnd()}\n\`\`\``;
