import { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { policies } from "../../policies/rules";
import { markdownTable, tableCell } from "./markdownTable";

/**
 * The reference tables of `policies/README.md` (rules, and settings with their defaults), made
 * from the rules themselves so that they cannot drift from the code; a test compares them.
 * They live with the other generated documentation rather than in the pack, which is installed
 * and run apart from this project and needs none of this.
 */

type Policy = ResourceValidationPolicy | StackValidationPolicy;

export function kindOf(policy: Policy): "resource" | "stack" {
    return "validateStack" in policy ? "stack" : "resource";
}

const code = (text: string) => tableCell(`\`${text}\``);

/** `43 mandatory and 8 advisory`, counted over the rules. */
export function ruleSummary(rules: readonly Policy[] = policies): string {
    const count = (level: string) => rules.filter((p) => p.enforcementLevel === level).length;
    return (
        `${rules.length} rules, ${count("mandatory")} mandatory and ${count("advisory")} ` +
        "advisory, in the order plans list them:"
    );
}

/** rule | kind | level | checks: one row per rule, in the pack's order. */
export function ruleTable(rules: readonly Policy[] = policies): string {
    return markdownTable(
        ["rule", "kind", "level", "checks"],
        rules.map((p) => [
            code(p.name),
            kindOf(p),
            p.enforcementLevel ?? "",
            tableCell(p.description),
        ]),
    );
}

/** Past this length a default shows its shape rather than every value. */
const MAX_DEFAULT = 100;

/** A value as it is written in the pack config's JSON, with the spaces Prettier puts there. */
function json(value: unknown, depth = Infinity): string {
    if (Array.isArray(value)) {
        return depth <= 0 ? "[…]" : `[${value.map((v) => json(v, depth - 1)).join(", ")}]`;
    }
    if (value !== null && typeof value === "object") {
        const entries = Object.entries(value);
        if (entries.length === 0) {
            return "{}";
        }
        if (depth <= 0) {
            return "{…}";
        }
        const shown = entries.map(([k, v]) => `${JSON.stringify(k)}: ${json(v, depth - 1)}`);
        return `{ ${shown.join(", ")} }`;
    }
    return JSON.stringify(value);
}

/** A default as short as it can be shown whole; a nested one (a calendar) by its keys. */
export function defaultCell(value: unknown): string {
    if (value === undefined) {
        return "(not set)";
    }
    const whole = json(value);
    return code(whole.length <= MAX_DEFAULT ? whole : json(value, 1));
}

/** rule | setting | default | description: one row per setting of each rule's configSchema. */
export function configTable(rules: readonly Policy[] = policies): string {
    const rows = rules.flatMap((p) =>
        Object.entries(p.configSchema?.properties ?? {}).map(([key, property]) => {
            const schema = typeof property === "object" ? property : {};
            return [
                code(p.name),
                code(key),
                defaultCell(schema.default),
                tableCell(schema.description ?? ""),
            ];
        }),
    );
    return markdownTable(["rule", "setting", "default", "description"], rows);
}

/** The generated blocks of `policies/README.md`, by marker key. */
export function referenceBlocks(rules: readonly Policy[] = policies): Record<string, string> {
    return {
        config: configTable(rules),
        rules: `${ruleSummary(rules)}\n\n${ruleTable(rules)}`,
    };
}
