import type { ComparedPlan } from "./against";
import {
    ACTIONS,
    clusterOrder,
    countActions,
    entryDetail,
    headlineImpacts,
    NO_HEADLINE,
    otherImpacts,
    outputNames,
    SYMBOL,
    unchangedCount,
} from "./diffText";
import type { DiffEntry } from "./diffTypes";
import { describeImpact } from "./impacts";
import { PlanJson } from "./planJson";

/**
 * `--summary-md FILE`: the plan as a pull-request comment. The headline warnings come first,
 * then the counts, the mesh impact, the policy results, one table per cluster, and notes. A
 * GitHub comment holds at most 65,536 characters: the tables are cut to fit, with a note.
 */

export const GITHUB_COMMENT_LIMIT = 65_536;

/** What the summary may take of a comment: the workflow adds a line when the base fails to plan. */
export const MARKDOWN_LIMIT = GITHUB_COMMENT_LIMIT - 1_024;

/** The first line of the comment: how the workflow finds its own comment for the stack again. */
export function commentMarker(stack: string): string {
    return `<!-- eks-ambient-mesh plan: ${stack} -->`;
}

/** Violations listed one by one; the rest are counted. */
const MAX_VIOLATIONS = 40;

const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");
const code = (text: string) => `\`${text.replace(/`/g, "'")}\``;

function policySection(plan: PlanJson): string[] {
    const names = new Map(plan.resources.map((r) => [r.urn, r.name]));
    const mandatory = plan.policyViolations.filter((v) => v.enforcementLevel === "mandatory");
    const advisory = plan.policyViolations.filter((v) => v.enforcementLevel !== "mandatory");
    const packs = plan.policyPacks.map((p) => `${p.name} (${p.policies.length} policies)`);
    const lines = [
        "#### Policies",
        "",
        plan.policyPacks.length === 0
            ? "No policy pack evaluated."
            : `${packs.join(", ")}: **${mandatory.length} mandatory**, ${advisory.length} advisory violation(s).`,
    ];
    const all = [...mandatory, ...advisory];
    const list = all
        .slice(0, MAX_VIOLATIONS)
        .map(
            (v) =>
                `- ${v.enforcementLevel === "mandatory" ? "**mandatory**" : "advisory"} ${code(v.policy)} on ${code(names.get(v.urn) ?? v.urn)}: ${v.message.replace(/\n/g, " ")}`,
        );
    if (all.length > MAX_VIOLATIONS) {
        list.push(
            `- and ${all.length - MAX_VIOLATIONS} more (\`policyViolations\` in the plan artifact)`,
        );
    }
    return list.length > 0 ? [...lines, "", ...list] : lines;
}

function headerSection(plan: PlanJson | ComparedPlan): string[] {
    const lines = [commentMarker(plan.stack), `### Offline plan of stack \`${plan.stack}\``, ""];
    if (!("against" in plan)) {
        return [
            ...lines,
            "No diff: no older plan was given to compare with (`--against`).",
            "",
            `${plan.resources.length} resources planned.`,
        ];
    }
    const headlines = headlineImpacts(plan.impacts);
    lines.push(
        ...(headlines.length > 0
            ? ["> [!CAUTION]", ...headlines.map((i) => `> **${cell(describeImpact(i))}**`)]
            : [`${NO_HEADLINE}`]),
        "",
    );
    const counts = countActions(plan.diff);
    lines.push(
        `Compared with \`${plan.against}\`: ${ACTIONS.map((a) => `**${counts[a]}** to ${a}`).join(" · ")} · ${unchangedCount(plan)} unchanged.`,
    );
    const clusters = clusterOrder(plan);
    if (clusters.length > 0) {
        lines.push(
            "",
            `| cluster | ${ACTIONS.join(" | ")} |`,
            `| --- | ${ACTIONS.map(() => "---:").join(" | ")} |`,
            ...clusters.map((c) => {
                const n = countActions(plan.diff.filter((e) => e.cluster === c));
                return `| ${cell(c)} | ${ACTIONS.map((a) => n[a]).join(" | ")} |`;
            }),
        );
    }
    const others = otherImpacts(plan.impacts);
    if (others.length > 0) {
        lines.push("", "#### Mesh impact", "", ...others.map((i) => `- ${describeImpact(i)}`));
    }
    return lines;
}

function entryRow(e: DiffEntry): string {
    const detail = entryDetail(e);
    return `| ${SYMBOL[e.action]} ${e.action} | ${code(e.name)} | ${code(e.type)} | ${cell(detail)} |`;
}

/** One collapsible table per cluster: its rows, to be cut when the comment grows too long. */
function clusterTables(plan: ComparedPlan): { head: string[]; rows: string[] }[] {
    return clusterOrder(plan)
        .map((c) => ({ c, entries: plan.diff.filter((e) => e.cluster === c) }))
        .filter(({ entries }) => entries.length > 0)
        .map(({ c, entries }) => {
            const n = countActions(entries);
            const summary = ACTIONS.filter((a) => n[a] > 0)
                .map((a) => `${n[a]} ${a}`)
                .join(", ");
            return {
                head: [
                    `<details${n.replace + n.delete > 0 ? " open" : ""}><summary><b>${c}</b>: ${summary}</summary>`,
                    "",
                    "| action | resource | type | changed inputs |",
                    "| --- | --- | --- | --- |",
                ],
                rows: entries.map(entryRow),
            };
        });
}

/** The comment, at most `limit` characters long. */
export function renderMarkdown(
    plan: PlanJson | ComparedPlan,
    limit: number = MARKDOWN_LIMIT,
): string {
    const head = [...headerSection(plan), "", ...policySection(plan)].join("\n");
    const tail: string[] = [];
    if ("against" in plan) {
        if (plan.outputChanges.length > 0) {
            tail.push(`Stack outputs that change: ${outputNames(plan).map(code).join(", ")}.`);
        }
        tail.push(...plan.diffNotes.map((n) => `<sub>${n}</sub>`));
    }
    tail.push(
        "<sub>Offline plan: cloud-assigned values (ids, endpoints, ARNs) are mock placeholders.</sub>",
    );
    const tailText = tail.join("\n\n");
    const cutNote = (n: number) =>
        `**${n} more changed resource(s) not shown**: a GitHub comment holds ${GITHUB_COMMENT_LIMIT.toLocaleString("en-US")} characters. The full diff is in the plan artifact (\`diff\` in the plan JSON).`;
    // Room for the tables: what the head, the tail, the note and the separators leave.
    let budget = limit - head.length - tailText.length - cutNote(99999).length - 16;
    const tables: string[] = [];
    let hidden = 0;
    for (const table of "against" in plan ? clusterTables(plan) : []) {
        const start = [...table.head].join("\n");
        const cost = start.length + "\n</details>".length + 2;
        const shown: string[] = [];
        if (hidden === 0 && budget > cost) {
            budget -= cost;
            for (const row of table.rows) {
                if (hidden > 0 || row.length + 1 > budget) {
                    hidden++;
                    continue;
                }
                budget -= row.length + 1;
                shown.push(row);
            }
        } else {
            hidden += table.rows.length;
        }
        if (shown.length > 0) {
            tables.push([start, ...shown, "", "</details>"].join("\n"));
        }
    }
    const parts = [head, ...tables, ...(hidden > 0 ? [cutNote(hidden)] : []), tailText];
    const text = `${parts.join("\n\n")}\n`;
    if (text.length <= limit) {
        return text;
    }
    // The head alone is too long (a very long policy list): cut it, the warnings come first.
    const note = `\n\n${cutNote(plan.resources.length)}\n`;
    return `${text.slice(0, limit - note.length)}${note}`;
}
