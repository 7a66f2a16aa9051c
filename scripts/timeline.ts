import { loadPlan, parseFlags, runCli } from "./timing/load";
import { edgeImpact, tasksOf } from "./timing/model";
import { renderTimeline, timeline } from "./timing/timeline";

const USAGE =
    "usage: npm run timeline -- --stack <dev|prod> [--config FILE] [--parallel N] [--json] [--edges]\n";

async function main(argv: readonly string[]): Promise<number> {
    let flags: Record<string, string | true>;
    try {
        flags = parseFlags(argv, ["stack", "config", "parallel"], ["json", "edges"]);
    } catch (err) {
        process.stderr.write(`${(err as Error).message}\n${USAGE}`);
        return 2;
    }
    const parallel = flags.parallel === undefined ? undefined : Number(flags.parallel);
    if (typeof flags.stack !== "string" || (parallel !== undefined && !(parallel >= 1))) {
        process.stderr.write(USAGE);
        return 2;
    }
    const { plan, clusters } = await loadPlan(flags.stack, flags.config as string | undefined);
    if (flags.edges) {
        process.stdout.write("critical-path minutes saved without the edge class (count) edge\n");
        for (const e of edgeImpact(tasksOf(plan.resources), clusters, 20)) {
            process.stdout.write(
                `${e.minutes.toFixed(2).padStart(6)} min  (${e.count})  ${e.from} -> ${e.to}\n`,
            );
        }
        return 0;
    }
    const report = timeline(flags.stack, plan.resources, clusters, parallel);
    process.stdout.write(
        flags.json ? `${JSON.stringify(report, null, 2)}\n` : renderTimeline(report),
    );
    return 0;
}

runCli(main);
