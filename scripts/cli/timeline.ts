import { PROJECT_DIR } from "../offline/run";
import { loadPlan } from "../plan/load";
import { edgeImpact, tasksOf } from "../timing/model";
import { renderTimeline, timeline } from "../timing/timeline";
import { readArgs, stackProblem, usageError } from "./args";
import { Io, processIo, runCli } from "./runner";

/**
 * `npm run timeline`: a simulated fresh `pulumi up` of a stack's plan with the duration model
 * (critical path, makespans, baselines), or with `--edges` the dependency edges that lengthen
 * the critical path most.
 */

const USAGE =
    "usage: npm run timeline -- --stack <dev|prod> [--config FILE] [--parallel N] [--json] [--edges]\n";

const SPEC = {
    usage: USAGE,
    values: ["stack", "config", "parallel"],
    switches: ["json", "edges"],
} as const;

export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
    const args = readArgs(argv, SPEC, io);
    if (typeof args === "number") {
        return args;
    }
    const { stack, config } = args.values;
    const parallel = args.values.parallel === undefined ? undefined : Number(args.values.parallel);
    if (stack === undefined || (parallel !== undefined && !(parallel >= 1))) {
        return usageError(io, USAGE);
    }
    const problem = stackProblem(stack, config, PROJECT_DIR);
    if (problem) {
        return usageError(io, USAGE, problem);
    }
    const { plan, clusters } = await loadPlan(stack, config);
    if (args.switches.edges) {
        io.stdout("critical-path minutes saved without the edge class (count) edge\n");
        for (const e of edgeImpact(tasksOf(plan.resources), clusters, 20)) {
            io.stdout(
                `${e.minutes.toFixed(2).padStart(6)} min  (${e.count})  ${e.from} -> ${e.to}\n`,
            );
        }
        return 0;
    }
    const report = timeline(stack, plan.resources, clusters, parallel);
    io.stdout(args.switches.json ? `${JSON.stringify(report, null, 2)}\n` : renderTimeline(report));
    return 0;
}

if (require.main === module) {
    runCli(main);
}
