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

/** Text as one table cell: a `|` would end the cell. */
export function tableCell(text: string): string {
    return text.replace(/\|/g, "\\|");
}
