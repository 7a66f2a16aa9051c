import { runProgram, RunResult } from "../scripts/offline/run";
import { queued, Resources } from "./fixtures/environments";

/**
 * The real stacks (`Pulumi.dev.yaml`, `Pulumi.prod.yaml`) run once each through `index.ts`,
 * shared by the few specs that check the stacks as wholes. Component specs use the
 * environments in `fixtures/environments.ts` instead.
 */

const runs = new Map<string, Promise<RunResult>>();

export function stackRun(stack: "dev" | "prod"): Promise<RunResult> {
    let run = runs.get(stack);
    if (!run) {
        run = queued(() => runProgram({ stack }));
        runs.set(stack, run);
    }
    return run;
}

export { Resources };

export async function stackResources(stack: "dev" | "prod"): Promise<Resources> {
    return new Resources((await stackRun(stack)).resources);
}
