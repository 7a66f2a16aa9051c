import { loadPlan, LoadedPlan } from "../plan/load";
import { renderTimeline, timeline } from "../timing/timeline";
import { renderArchitecture } from "./architecture";
import { configurationTable } from "./configTable";
import { DocBlocks, fenced } from "./files";
import { referenceBlocks } from "./policyReference";
import { replaceOnChangeTable } from "./replaceTable";
import { versionBlocks } from "./versionTables";

/**
 * Every generated block of the repository's Markdown, by file: the README's configuration
 * table (from the config schema), the version tables (from the versions table), the policy
 * reference (from the rules), the replace-on-change table (from its JSON), and the architecture
 * diagrams and deploy timelines (from the dev and prod plans). The bench's table is measured, not derived: `npm run bench -- --docs`.
 */
export async function generatedDocs(
    load: (stack: "dev" | "prod") => Promise<LoadedPlan> = loadPlan,
): Promise<DocBlocks> {
    const architecture: Record<string, string> = {};
    const timelines: Record<string, string> = {};
    for (const stack of ["dev", "prod"] as const) {
        const { plan, clusters } = await load(stack);
        architecture[`architecture:${stack}`] = fenced(
            "mermaid",
            renderArchitecture(plan.resources, clusters),
        );
        timelines[`timeline:${stack}`] = fenced(
            "text",
            renderTimeline(timeline(stack, plan.resources, clusters, 10)),
        );
    }
    return {
        "README.md": { configuration: configurationTable() },
        "docs/versions.md": versionBlocks(),
        "docs/architecture.md": architecture,
        "docs/timing.md": timelines,
        "docs/plan.md": { "replace-on-change": replaceOnChangeTable() },
        "policies/README.md": referenceBlocks(),
    };
}
