import * as fs from "node:fs";
import * as path from "node:path";
import {
    dependencyGraph,
    renderArchitecture,
    renderReachability,
    toDot,
    toMermaid,
} from "./timing/graph";
import { loadPlan, parseFlags, runCli } from "./timing/load";

const USAGE = "usage: npm run graph -- --stack <dev|prod> [--config FILE] [--out DIR] [--full]\n";

async function main(argv: readonly string[]): Promise<number> {
    let flags: Record<string, string | true>;
    try {
        flags = parseFlags(argv, ["stack", "config", "out"], ["full"]);
    } catch (err) {
        process.stderr.write(`${(err as Error).message}\n${USAGE}`);
        return 2;
    }
    if (typeof flags.stack !== "string") {
        process.stderr.write(USAGE);
        return 2;
    }
    const { plan, clusters } = await loadPlan(flags.stack, flags.config as string | undefined);
    const dir = typeof flags.out === "string" ? flags.out : "docs";
    fs.mkdirSync(dir, { recursive: true });
    const deps = dependencyGraph(plan.resources, flags.full === true);
    const suffix = flags.full ? "-full" : "";
    const files: [string, string][] = [
        [`architecture-${flags.stack}.mmd`, renderArchitecture(plan.resources, clusters)],
        [`reachability-${flags.stack}.mmd`, renderReachability(plan.reachability)],
        [`deps-${flags.stack}${suffix}.mmd`, toMermaid(deps)],
        [`deps-${flags.stack}${suffix}.dot`, toDot(deps, `${plan.project}-${flags.stack}`)],
    ];
    for (const [file, text] of files) {
        fs.writeFileSync(path.join(dir, file), text);
        process.stdout.write(`wrote ${path.join(dir, file)}\n`);
    }
    process.stdout.write(`${deps.nodes.length} nodes, ${deps.edges.length} edges\n`);
    return 0;
}

runCli(main);
