import * as pulumi from "@pulumi/pulumi";
import { applyConfig, readProjectName, toConfigMap } from "../scripts/offline/config";
import {
    installOfflineEngine,
    RecordedResource,
    RecordingMonitor,
    waitForRegistrations,
} from "../scripts/offline/monitor";
import { PROJECT_DIR } from "../scripts/offline/run";

/**
 * The one place the Pulumi runtime is pointed at mocks (mocha loads this file before any spec;
 * see `.mocharc.json`). Specs build stacks by calling builders directly, then read what was
 * registered through the helpers below.
 */

export const PROJECT = readProjectName(PROJECT_DIR);
export const STACK = "test";

const engine = installOfflineEngine({ project: PROJECT, stack: STACK });

export const monitor: RecordingMonitor = engine.monitor;

export type { RecordedResource };
export { SecretValue } from "../scripts/offline/values";

/** The value of an output, once known. */
export function promiseOf<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => output.apply(resolve));
}

/** Whether an output is marked secret. */
export function isSecret<T>(output: pulumi.Output<T>): Promise<boolean> {
    return pulumi.isSecret(output);
}

/** Waits until every registration started so far has completed and been recorded. */
export function settle(): Promise<void> {
    return waitForRegistrations();
}

/** Every resource registered since the last `resetRecords()`. */
export function recorded(): RecordedResource[] {
    return monitor.recorded();
}

/** Forgets what has been recorded, e.g. in a `beforeEach`. */
export function resetRecords(): void {
    monitor.reset();
}

export function byType(type: string): RecordedResource[] {
    return recorded().filter((r) => r.type === type);
}

export function allByName(name: string): RecordedResource[] {
    return recorded().filter((r) => r.name === name);
}

/**
 * The one resource with this logical name (and type, when several types share the name, as a
 * key and the certificate made from it do). Throws, listing candidates, when there is not
 * exactly one.
 */
export function byName(name: string, type?: string): RecordedResource {
    const found = allByName(name).filter((r) => type === undefined || r.type === type);
    if (found.length !== 1) {
        const types = allByName(name).map((r) => r.type);
        throw new Error(
            `expected one resource named "${name}"${type ? ` of type ${type}` : ""}, found ${found.length}` +
                (types.length ? ` (types: ${types.join(", ")})` : ""),
        );
    }
    return found[0];
}

/**
 * Replaces the stack configuration, as `Pulumi.<stack>.yaml` would set it: keys without a
 * namespace belong to the project, structured values are passed as JSON.
 */
export function setConfig(config: Record<string, unknown>, secretKeys: string[] = []): void {
    applyConfig(
        toConfigMap(PROJECT, config),
        secretKeys.map((k) => (k.includes(":") ? k : `${PROJECT}:${k}`)),
    );
}

/**
 * What `new pulumi.StackReference(stack)` sees (`stack` fully qualified, `org/project/stack`);
 * wrap a value in `SecretValue` to make it a secret output of that stack.
 */
export function setStackOutputs(stack: string, outputs: Record<string, unknown>): void {
    engine.mocks.setStackOutputs(stack, outputs);
}
