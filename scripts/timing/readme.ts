import * as fs from "node:fs";
import * as path from "node:path";

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

/**
 * A Markdown table laid out as Prettier lays it out (cells padded to the column's width,
 * delimiter dashes as wide), so that a regenerated block passes `prettier --check`.
 */
export function markdownTable(
    header: readonly string[],
    rows: readonly (readonly string[])[],
    align: readonly ("left" | "right")[] = [],
): string {
    const widths = header.map((h, i) => Math.max(3, h.length, ...rows.map((r) => r[i].length)));
    const pad = (cell: string, i: number) =>
        align[i] === "right" ? cell.padStart(widths[i]) : cell.padEnd(widths[i]);
    const line = (cells: readonly string[]) => `| ${cells.map(pad).join(" | ")} |`;
    const rule = widths.map((w, i) =>
        align[i] === "right" ? `${"-".repeat(w - 1)}:` : "-".repeat(w),
    );
    return [line(header), `| ${rule.join(" | ")} |`, ...rows.map(line)].join("\n");
}
