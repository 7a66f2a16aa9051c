import type { ComparedPlan } from "./against";
import { planClusters } from "./diff";
import type { DiffAction, DiffEntry, Impact } from "./diffTypes";
import { describeImpact, HEADLINE_KINDS } from "./impacts";

/**
 * The diff as `npm run plan -- --against` prints it, before the plan's own summary: first, in
 * words nobody can miss, every replacement of a cluster, a VPC, a CA or an east-west gateway;
 * then the counts per action and per cluster; then the mesh impact and the changed resources.
 */

export const ACTIONS: readonly DiffAction[] = ["create", "update", "replace", "delete"];

/** Pulumi's symbols for the actions. */
export const SYMBOL: Readonly<Record<DiffAction, string>> = {
    create: "+",
    update: "~",
    replace: "+-",
    delete: "-",
};

export const NO_HEADLINE = "No replacement of a cluster, VPC, CA or east-west gateway.";

export function headlineImpacts(impacts: readonly Impact[]): Impact[] {
    return impacts.filter((i) => HEADLINE_KINDS.includes(i.kind));
}

export function otherImpacts(impacts: readonly Impact[]): Impact[] {
    return impacts.filter((i) => !HEADLINE_KINDS.includes(i.kind));
}

export type Counts = Record<DiffAction, number>;

export function countActions(entries: readonly DiffEntry[]): Counts {
    const counts: Counts = { create: 0, update: 0, replace: 0, delete: 0 };
    for (const e of entries) {
        counts[e.action]++;
    }
    return counts;
}

/** Resources of the new plan the diff leaves as they are. */
export function unchangedCount(plan: ComparedPlan): number {
    const changed = plan.diff.filter((e) => e.action !== "delete").length;
    return plan.resources.length - changed;
}

export function countsLine(plan: ComparedPlan): string {
    const counts = countActions(plan.diff);
    return `${ACTIONS.map((a) => `${counts[a]} to ${a}`).join(", ")}; ${unchangedCount(plan)} unchanged`;
}

/**
 * The clusters with changed resources, in the new plan's order, then those only the old plan had,
 * `shared` last.
 */
export function clusterOrder(plan: ComparedPlan): string[] {
    const touched = new Set(plan.diff.map((e) => e.cluster));
    const ordered = [...planClusters(plan), ...[...touched].sort()];
    return [...new Set(ordered)]
        .filter((c) => touched.has(c) && c !== "shared")
        .concat(touched.has("shared") ? ["shared"] : []);
}

/** Stack outputs that change, by top-level name. */
export function outputNames(plan: ComparedPlan): string[] {
    return [...new Set(plan.outputChanges.map((p) => p.split(/[.[]/)[0]))];
}

/**
 * An entry's changed inputs on one line, each marked `unknown` (Pulumi would not know it at
 * preview) and `replaces` (it forces the replacement), then any other reason for the
 * replacement (`provider replaced`), the change of `protect` and the table's warnings.
 */
export function entryDetail(e: DiffEntry): string {
    const under = (p: string, q: string) =>
        p === q || p.startsWith(`${q}.`) || p.startsWith(`${q}[`);
    const replacing = e.replaceBecause ?? [];
    const parts = e.properties.map((p) => {
        const marks = [
            ...((e.unknown ?? []).some((u) => under(p, u) || under(u, p)) ? ["unknown"] : []),
            ...(replacing.some((r) => under(p, r) || under(r, p)) ? ["replaces"] : []),
        ];
        return marks.length > 0 ? `${p} (${marks.join(", ")})` : p;
    });
    const others = replacing.filter((r) => !e.properties.some((p) => under(p, r) || under(r, p)));
    if (others.length > 0) {
        parts.push(`replaced: ${others.join(", ")}`);
    }
    if (e.protect) {
        parts.push(`protect ${e.protect.from} -> ${e.protect.to}`);
    }
    for (const w of e.warnings ?? []) {
        parts.push(`warning: ${w}`);
    }
    return parts.join("; ");
}

/** The diff section of the CLI's output. */
export function diffSummary(plan: ComparedPlan): string {
    const headlines = headlineImpacts(plan.impacts);
    const lines = [
        ...(headlines.length > 0 ? headlines.map((i) => `!! ${describeImpact(i)}`) : [NO_HEADLINE]),
        "",
        `Diff against ${plan.against} (stack ${plan.stack}): ${countsLine(plan)}`,
    ];
    const clusters = clusterOrder(plan);
    if (plan.diff.length > 0) {
        const width = Math.max(...clusters.map((c) => c.length));
        lines.push("By cluster:");
        for (const c of clusters) {
            const counts = countActions(plan.diff.filter((e) => e.cluster === c));
            const cells = ACTIONS.map((a) => `${SYMBOL[a]}${counts[a]}`.padEnd(5));
            lines.push(`  ${c.padEnd(width)}  ${cells.join(" ").trimEnd()}`);
        }
    }
    const others = otherImpacts(plan.impacts);
    if (others.length > 0) {
        lines.push("Mesh impact:", ...others.map((i) => `  ${describeImpact(i)}`));
    }
    if (plan.diff.length > 0) {
        lines.push("Changed resources:");
        for (const c of clusters) {
            const entries = plan.diff.filter((e) => e.cluster === c);
            if (entries.length === 0) {
                continue;
            }
            lines.push(`  ${c}:`);
            for (const e of entries) {
                const detail = entryDetail(e);
                lines.push(
                    `    ${SYMBOL[e.action].padEnd(2)} ${e.action.padEnd(7)} ${e.type} ${e.name}${detail ? `: ${detail}` : ""}`,
                );
            }
        }
    }
    if (plan.outputChanges.length > 0) {
        lines.push(`Stack outputs that change: ${outputNames(plan).join(", ")}`);
    }
    if (plan.diffNotes.length > 0) {
        lines.push("Notes:", ...plan.diffNotes.map((n) => `  ${n}`));
    }
    return `${lines.join("\n")}\n\n`;
}
