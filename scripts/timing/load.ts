import { runProgram } from "../offline/run";
import { buildPlanJson, clusterNames, PlanJson } from "../plan";

export interface LoadedPlan {
    readonly plan: PlanJson;
    readonly clusters: string[];
}

/** The offline plan of a stack (or of a config file in `Pulumi.<stack>.yaml` form), in-process. */
export async function loadPlan(stack: string, configFile?: string): Promise<LoadedPlan> {
    const run = await runProgram({ stack, configFile });
    return { plan: buildPlanJson(run), clusters: clusterNames(run) };
}

/** `--flag value` pairs and bare `--switch`es; unknown flags are an error. */
export function parseFlags(
    argv: readonly string[],
    valued: readonly string[],
    switches: readonly string[],
): Record<string, string | true> {
    const out: Record<string, string | true> = {};
    for (let i = 0; i < argv.length; i++) {
        const flag = argv[i].replace(/^--/, "");
        if (switches.includes(flag)) {
            out[flag] = true;
        } else if (valued.includes(flag) && argv[i + 1] !== undefined) {
            out[flag] = argv[++i];
        } else {
            throw new Error(`unknown or incomplete argument: ${argv[i]}`);
        }
    }
    return out;
}

/** Runs a command's main: its result is the exit code; an error prints its message, exit 1. */
export function runCli(main: (argv: readonly string[]) => Promise<number>): void {
    main(process.argv.slice(2)).then(
        (code) => {
            process.exitCode = code;
        },
        (err) => {
            process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
            process.exitCode = 1;
        },
    );
}
