import * as path from "node:path";
import { clusterOf } from "./clusters";
import { PlanJson } from "./planJson";
import { reachabilityMatrix } from "./reachabilityMatrix";
import { trustSummary } from "./trustSummary";

export const MOCK_NOTICE = "Cloud-assigned values (ids, endpoints, ARNs) are mock placeholders.";

function countBy<T>(items: readonly T[], key: (item: T) => string): [string, number][] {
    const counts = new Map<string, number>();
    for (const item of items) {
        counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
    }
    return [...counts.entries()].sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1));
}

/** The human-readable summary `npm run plan` prints. */
export function summarize(
    plan: PlanJson,
    clusters: readonly string[],
    configFile?: string,
): string {
    const custom = plan.resources.filter((r) => r.id !== null).length;
    const width = String(plan.resources.length).length + 2;
    const table = (rows: [string, number][]) =>
        rows.map(([label, n]) => `${String(n).padStart(width)}  ${label}`).join("\n");
    const byCluster = countBy(plan.resources, (r) => clusterOf(r.name, clusters));
    const ordered = [
        ...clusters.map((c) => [c, byCluster.find(([k]) => k === c)?.[1] ?? 0] as [string, number]),
        ...byCluster.filter(([k]) => !clusters.includes(k)),
    ];
    const outputs = Object.keys(plan.outputs);
    const policies =
        plan.policyPacks.length === 0
            ? "Policies: none evaluated"
            : `Policies: ${plan.policyPacks
                  .map((p) => `${p.name} (${p.policies.length} evaluated)`)
                  .join(", ")}: ` +
              `${plan.policyViolations.filter((v) => v.enforcementLevel === "mandatory").length} mandatory, ` +
              `${plan.policyViolations.filter((v) => v.enforcementLevel !== "mandatory").length} advisory violation(s)` +
              plan.policyViolations
                  .map((v) => `\n  [${v.enforcementLevel}] ${v.policy}: ${v.urn}\n    ${v.message}`)
                  .join("");
    return [
        `Offline plan for ${plan.project}, stack ${plan.stack}` +
            (configFile
                ? ` (config: ${path.relative(process.cwd(), configFile) || configFile})`
                : ""),
        `Resources: ${plan.resources.length} (${custom} custom, ${plan.resources.length - custom} components)`,
        "",
        "By type:",
        table(countBy(plan.resources, (r) => r.type)),
        "",
        "By cluster:",
        table(ordered),
        "",
        `Stack outputs: ${outputs.length ? outputs.join(", ") : "none"}`,
        reachabilityMatrix(plan.reachability),
        trustSummary(plan.trust),
        policies,
        "",
        MOCK_NOTICE,
        "",
    ].join("\n");
}
