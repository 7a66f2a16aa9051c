import * as fs from "node:fs";
import * as path from "node:path";
import { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { policies } from "./rules";

/**
 * The reference tables of `policies/README.md` (rules, and settings with their defaults), made
 * from the rules themselves so that they cannot drift from the code; a test compares them.
 * `npx tsx policies/reference.ts --write` rewrites them, `--check` (the default) only compares.
 */

type Policy = ResourceValidationPolicy | StackValidationPolicy;

export const README = path.join(__dirname, "README.md");
export const REGENERATE = "npx tsx policies/reference.ts --write";

export function kindOf(policy: Policy): "resource" | "stack" {
    return "validateStack" in policy ? "stack" : "resource";
}

/**
 * A Markdown table laid out as Prettier lays it out (cells padded to the column's width,
 * delimiter dashes as wide, at least three), so that a regenerated README passes
 * `prettier --check`.
 */
export function markdownTable(
    header: readonly string[],
    rows: readonly (readonly string[])[],
): string {
    const widths = header.map((h, i) => Math.max(3, h.length, ...rows.map((r) => r[i].length)));
    const line = (cells: readonly string[]) =>
        `| ${cells.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
    return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

/** Text as one table cell: a `|` would end the cell. */
function cell(text: string): string {
    return text.replace(/\|/g, "\\|");
}

const code = (text: string) => cell(`\`${text}\``);

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
        rules.map((p) => [code(p.name), kindOf(p), p.enforcementLevel ?? "", cell(p.description)]),
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
                cell(schema.description ?? ""),
            ];
        }),
    );
    return markdownTable(["rule", "setting", "default", "description"], rows);
}

/** The generated blocks of the README, by marker name. */
export function referenceBlocks(rules: readonly Policy[] = policies): Record<string, string> {
    return {
        config: configTable(rules),
        rules: `${ruleSummary(rules)}\n\n${ruleTable(rules)}`,
    };
}

function markers(key: string): [string, string] {
    return [`<!-- ${key}:start -->`, `<!-- ${key}:end -->`];
}

function span(text: string, key: string): [number, number] {
    const [start, end] = markers(key);
    const from = text.indexOf(start);
    const to = text.indexOf(end);
    if (from < 0 || to < from) {
        throw new Error(`policies/README.md has no ${start} ... ${end} block`);
    }
    return [from + start.length, to];
}

/** The text between `<!-- key:start -->` and `<!-- key:end -->`. */
export function readBlock(text: string, key: string): string {
    const [from, to] = span(text, key);
    return text.slice(from, to).trim();
}

/** The README with every generated block replaced, blank lines around each as Prettier keeps. */
export function withBlocks(text: string, blocks: Record<string, string>): string {
    return Object.entries(blocks).reduce((acc, [key, body]) => {
        const [from, to] = span(acc, key);
        return `${acc.slice(0, from)}\n\n${body.trim()}\n\n${acc.slice(to)}`;
    }, text);
}

if (require.main === module) {
    const text = fs.readFileSync(README, "utf8");
    const updated = withBlocks(text, referenceBlocks());
    if (process.argv.includes("--write")) {
        fs.writeFileSync(README, updated);
        process.stdout.write("policies/README.md: rules and config tables regenerated\n");
    } else if (updated !== text) {
        process.stderr.write(`policies/README.md is out of date; run ${REGENERATE}\n`);
        process.exitCode = 1;
    }
}
