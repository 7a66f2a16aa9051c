import * as pulumi from "@pulumi/pulumi";
import * as path from "node:path";
import { applyConfig, loadStackConfig } from "./config";
import {
    installOfflineEngine,
    RecordedResource,
    ROOT_STACK_TYPE,
    waitForRegistrations,
} from "./monitor";
import { OfflineMocksOptions } from "./mocks";
import { getMonitor, hasMonitor, runInPulumiStack, runtimeStore, setMockOptions } from "./sdk";
import { PropertyMap } from "./values";

/**
 * Runs a Pulumi program the way `pulumi up` would (inside the root stack resource, its exports
 * becoming stack outputs) against the offline mocks, and returns what it registered.
 */

export const PROJECT_DIR = path.resolve(__dirname, "..", "..");

export interface RunOptions extends OfflineMocksOptions {
    readonly stack: string;
    /**
     * A file used instead of the stack's own: in `Pulumi.<stack>.yaml` form, or (`.json`) as
     * `pulumi config --json --show-secrets` prints a stack's configuration, secrets marked.
     */
    readonly configFile?: string;
    /** The `config:` map of such a file, used instead of any file. */
    readonly config?: Record<string, unknown>;
    /** Keys of `config` set as secrets, as `pulumi config set --secret` would. */
    readonly secretKeys?: readonly string[];
    /** @default the repository root */
    readonly projectDir?: string;
    /**
     * The program: a module path (its exports, or the result of calling an exported function,
     * become stack outputs) or a function returning the outputs.
     * @default `<projectDir>/index.ts`
     */
    readonly program?: string | (() => unknown);
}

export interface RunResult {
    readonly project: string;
    readonly stack: string;
    /** The config file the run used. */
    readonly configFile: string;
    /** The configuration as written in that file, by namespaced key. */
    readonly config: Record<string, unknown>;
    /** Every registration, the root stack first, then in URN order. */
    readonly resources: RecordedResource[];
    /** Stack outputs with secrets revealed. */
    readonly outputs: PropertyMap;
    /** Stack outputs with each secret a `SecretValue`. */
    readonly rawOutputs: PropertyMap;
}

/** What `runProgram` replaces, so that a test process gets its own engine back afterwards. */
function snapshotRuntime(): () => void {
    if (!hasMonitor()) {
        return () => undefined;
    }
    const monitor = getMonitor();
    const project = pulumi.getProject();
    const stack = pulumi.getStack();
    const store = runtimeStore();
    const flags = Object.fromEntries(
        Object.entries(store).filter(
            ([k, v]) => k.startsWith("supports") && typeof v === "boolean",
        ),
    );
    const config = { ...store.config };
    return () => {
        setMockOptions(monitor, project, stack, false);
        const restored = runtimeStore();
        Object.assign(restored, flags);
        restored.config = config;
    };
}

/** Forgets the project's own modules so that the program runs again from scratch. */
function purgeProgramModules(projectDir: string): void {
    // The engine and the specs stay loaded (their state is the runtime's), and so do packages.
    const keep = ["scripts", "test"].map((dir) => path.join(projectDir, dir) + path.sep);
    const packages = `${path.sep}node_modules${path.sep}`;
    for (const file of Object.keys(require.cache)) {
        if (
            file.startsWith(projectDir + path.sep) &&
            !file.includes(packages) &&
            !keep.some((dir) => file.startsWith(dir))
        ) {
            delete require.cache[file];
        }
    }
}

function order(resources: RecordedResource[]): RecordedResource[] {
    // Registrations complete in an order that depends on timing (key generation); URN order is
    // stable, and keeps a component's children next to each other.
    const root = resources.filter((r) => r.type === ROOT_STACK_TYPE && r.parent === null);
    const rest = resources
        .filter((r) => !root.includes(r))
        .sort((a, b) => (a.urn < b.urn ? -1 : 1));
    return [...root, ...rest];
}

// The Pulumi runtime is process-wide: one run at a time.
let previousRun: Promise<unknown> = Promise.resolve();

/**
 * Runs the program once. Configuration errors and errors thrown by the program reject with the
 * original error (class, message and properties such as `problems`). Safe to call repeatedly in
 * one process: calls run one after the other, each with a fresh engine and fresh program
 * modules, and an engine installed before the call (e.g. by `test/mocks.ts`) is restored
 * afterwards. Resources registered elsewhere while a run is in progress would land in that run.
 */
export function runProgram(options: RunOptions): Promise<RunResult> {
    const run = previousRun.then(() => runAlone(options));
    previousRun = run.catch(() => undefined);
    return run;
}

async function runAlone(options: RunOptions): Promise<RunResult> {
    const projectDir = options.projectDir ?? PROJECT_DIR;
    const config = loadStackConfig({
        projectDir,
        stack: options.stack,
        configFile: options.configFile,
        config: options.config,
        secretKeys: options.secretKeys,
    });
    const restore = snapshotRuntime();
    // The SDK records `new Error().stack` for every promise it creates (its leak detector):
    // formatting those stacks, and mapping them through source maps, took a third of a large
    // plan's time and most of its memory. Nothing here prints a stack; errors keep their messages.
    const sourceMaps = process.sourceMapsEnabled;
    const stackTraceLimit = Error.stackTraceLimit;
    process.setSourceMapsEnabled(false);
    Error.stackTraceLimit = 0;
    const engine = installOfflineEngine({
        ...options,
        project: config.project,
        stack: options.stack,
        strictUrns: true,
    });
    applyConfig(config.values, config.secretKeys);

    // The SDK reports failed registrations as unhandled rejections, and the CLI's language host
    // ends the program at the first. Nothing else would end it: a resource whose inputs failed
    // never resolves its outputs, so whatever waits on them (dependents, stack outputs) waits
    // forever. Collect them, and stop waiting at the first.
    const rejections: unknown[] = [];
    let rejected: () => void = () => undefined;
    const firstRejection = new Promise<void>((resolve) => (rejected = resolve));
    const onRejection = (reason: unknown) => {
        rejections.push(reason);
        rejected();
    };
    process.on("unhandledRejection", onRejection);
    try {
        const program = options.program ?? path.join(projectDir, "index.ts");
        let failure: unknown;
        try {
            await Promise.race([
                runInPulumiStack(async () => {
                    if (typeof program === "function") {
                        return await program();
                    }
                    purgeProgramModules(projectDir);
                    // eslint-disable-next-line @typescript-eslint/no-require-imports
                    const exported: unknown = require(path.resolve(program));
                    return exported instanceof Function ? await exported() : exported;
                }),
                firstRejection,
            ]);
        } catch (err) {
            failure = err;
        }
        await Promise.race([waitForRegistrations(), firstRejection]);
        // Let rejections raised by the last registrations reach the handler.
        await new Promise((resolve) => setImmediate(resolve));
        const error = failure ?? engine.monitor.failures()[0] ?? rejections[0];
        if (error !== undefined) {
            throw error;
        }
        const outputs = engine.monitor.stackOutputs();
        return {
            project: config.project,
            stack: options.stack,
            configFile: config.file,
            config: config.raw,
            resources: order(engine.monitor.recorded()),
            outputs: outputs?.outputs ?? {},
            rawOutputs: outputs?.rawOutputs ?? {},
        };
    } finally {
        process.off("unhandledRejection", onRejection);
        process.setSourceMapsEnabled(sourceMaps);
        Error.stackTraceLimit = stackTraceLimit;
        restore();
    }
}
