import { REPLACE_ON_CHANGE } from "../plan/replaceOnChange";
import { markdownTable, tableCell } from "./markdownTable";

/**
 * docs/plan.md's replace-on-change table: every type of `scripts/plan/replace-on-change.json`,
 * what replaces it, under which conditions, and the source each was read from.
 */
export function replaceOnChangeTable(): string {
    const rows = Object.entries(REPLACE_ON_CHANGE)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([type, rule]) => [
            `\`${type}\``,
            rule.replaceOn.length > 0
                ? rule.replaceOn.map((p) => `\`${p}\``).join(", ")
                : "nothing",
            tableCell(
                Object.entries(rule.conditional ?? {})
                    .map(([key, when]) => `\`${key}\`: ${when}`)
                    .join("; "),
            ),
            tableCell(rule.source),
        ]);
    return markdownTable(["type", "replaced when these change", "conditions", "source"], rows);
}
