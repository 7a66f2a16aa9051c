import { loadPlan, LoadedPlan } from "../plan/load";
import { renderTimeline, timeline } from "../timing/timeline";
import { renderArchitecture } from "./architecture";
import { fenced } from "./readme";

/** The README blocks generated from the dev and prod plans, by marker key. */
export async function generatedBlocks(
    load: (stack: "dev" | "prod") => Promise<LoadedPlan> = loadPlan,
): Promise<Record<string, string>> {
    const blocks: Record<string, string> = {};
    for (const stack of ["dev", "prod"] as const) {
        const { plan, clusters } = await load(stack);
        blocks[`architecture:${stack}`] = fenced(
            "mermaid",
            renderArchitecture(plan.resources, clusters),
        );
        blocks[`timeline:${stack}`] = fenced(
            "text",
            renderTimeline(timeline(stack, plan.resources, clusters, 10)),
        );
    }
    return blocks;
}
