import { configReference, ReferenceRow } from "../../components/config/reference";
import { markdownTable, tableCell } from "./markdownTable";

/** The README's configuration table: one row per key of the schema, in its order. */
export function configurationTable(rows: readonly ReferenceRow[] = configReference()): string {
    return markdownTable(
        ["key", "type", "default", "meaning"],
        rows.map((r) => [
            tableCell(`\`${r.key}\``),
            tableCell(r.type),
            tableCell(r.default),
            tableCell(r.description),
        ]),
    );
}
