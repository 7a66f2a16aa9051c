import { runProgram } from "../offline/run";
import { clusterNames } from "./clusters";
import { buildPlanJson, PlanJson } from "./planJson";

export interface LoadedPlan {
    readonly plan: PlanJson;
    readonly clusters: string[];
}

/** The offline plan of a stack (or of a config file in `Pulumi.<stack>.yaml` form), in-process. */
export async function loadPlan(stack: string, configFile?: string): Promise<LoadedPlan> {
    const run = await runProgram({ stack, configFile });
    return { plan: buildPlanJson(run), clusters: clusterNames(run) };
}
