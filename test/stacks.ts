import { RecordedResource } from "../scripts/offline/monitor";
import { runProgram, RunResult } from "../scripts/offline/run";

/**
 * The real program (`index.ts`) run once per stack config against the offline engine, shared
 * by every spec that asserts on it (a run costs seconds: the TLS mocks make real RSA keys).
 */

const runs = new Map<string, Promise<RunResult>>();
// The Pulumi runtime is process-wide: runs take turns.
let queue: Promise<unknown> = Promise.resolve();

export function stackRun(stack: "dev" | "prod"): Promise<RunResult> {
    let run = runs.get(stack);
    if (!run) {
        run = queue.then(() => runProgram({ stack }));
        queue = run.catch(() => undefined);
        runs.set(stack, run);
    }
    return run;
}

/** Finders over one run's resources. */
export class Resources {
    constructor(public readonly all: readonly RecordedResource[]) {}

    ofType(type: string): RecordedResource[] {
        return this.all.filter((r) => r.type === type);
    }

    /** The one resource of this type and name; throws, listing the names of that type, if not. */
    one(type: string, name: string): RecordedResource {
        const found = this.ofType(type).filter((r) => r.name === name);
        if (found.length !== 1) {
            throw new Error(
                `expected one ${type} named ${name}, found ${found.length} among: ${this.ofType(
                    type,
                )
                    .map((r) => r.name)
                    .join(", ")}`,
            );
        }
        return found[0];
    }

    byUrn(urn: string): RecordedResource {
        const found = this.all.find((r) => r.urn === urn);
        if (!found) {
            throw new Error(`no resource ${urn}`);
        }
        return found;
    }

    /** The resource whose mock id is `id` (inputs that reference a resource hold its id). */
    byId(id: unknown): RecordedResource {
        const found = this.all.find((r) => r.id === id);
        if (!found) {
            throw new Error(`no resource with id ${String(id)}`);
        }
        return found;
    }

    /** Names of the resources this one depends on (explicitly or through inputs). */
    dependencyNames(r: RecordedResource): string[] {
        return r.dependsOn.map((urn) => this.byUrn(urn).name).sort();
    }
}

export async function stackResources(stack: "dev" | "prod"): Promise<Resources> {
    return new Resources((await stackRun(stack)).resources);
}
