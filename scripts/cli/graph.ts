import * as fs from "node:fs";
import * as path from "node:path";
import { renderArchitecture } from "../docs/architecture";
import { dependencyGraph, toDot, toMermaid } from "../docs/dependencyGraph";
import { renderReachability } from "../docs/reachability";
import { PROJECT_DIR } from "../offline/run";
import { loadPlan } from "../plan/load";
import { readArgs, stackProblem, usageError } from "./args";
import { Io, processIo, runCli } from "./runner";

/**
 * `npm run graph`: the architecture, reachability and dependency diagrams of a stack's plan, as
 * Mermaid (and the dependency graph as Graphviz dot too), written to a folder.
 */

const USAGE = "usage: npm run graph -- --stack <dev|prod> [--config FILE] [--out DIR] [--full]\n";

const SPEC = { usage: USAGE, values: ["stack", "config", "out"], switches: ["full"] } as const;

export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
    const args = readArgs(argv, SPEC, io);
    if (typeof args === "number") {
        return args;
    }
    const { stack, config, out } = args.values;
    const { full } = args.switches;
    if (stack === undefined) {
        return usageError(io, USAGE);
    }
    const problem = stackProblem(stack, config, PROJECT_DIR);
    if (problem) {
        return usageError(io, USAGE, problem);
    }
    const { plan, clusters } = await loadPlan(stack, config);
    const dir = out ?? "docs";
    fs.mkdirSync(dir, { recursive: true });
    const deps = dependencyGraph(plan.resources, full);
    const suffix = full ? "-full" : "";
    const files: [string, string][] = [
        [`architecture-${stack}.mmd`, renderArchitecture(plan.resources, clusters)],
        [`reachability-${stack}.mmd`, renderReachability(plan.reachability)],
        [`deps-${stack}${suffix}.mmd`, toMermaid(deps)],
        [`deps-${stack}${suffix}.dot`, toDot(deps, `${plan.project}-${stack}`)],
    ];
    for (const [file, text] of files) {
        fs.writeFileSync(path.join(dir, file), text);
        io.stdout(`wrote ${path.join(dir, file)}\n`);
    }
    io.stdout(`${deps.nodes.length} nodes, ${deps.edges.length} edges\n`);
    return 0;
}

if (require.main === module) {
    runCli(main);
}
