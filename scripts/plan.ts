import * as fs from "node:fs";
import * as path from "node:path";
import type { PolicyPackConfig } from "@pulumi/policy";
import {
    evaluatePlan,
    hasMandatoryViolations,
    PlanResourceInput as PlanResource,
    PolicyResults,
    stackResourcesOf,
} from "../policies/evaluate";
import { meshReachability, ReachabilityEntry } from "../policies/rules/reachability";
import { runProgram, RunResult } from "./offline/run";
import { isPlainObject, redact, reveal } from "./offline/values";

/**
 * `npm run plan -- --stack <dev|prod> [--out FILE] [--show-secrets] [--config FILE]`: runs the
 * program against the offline mocks, prints a summary and optionally writes the plan as JSON
 * (format in DESIGN.md, "Offline plan"). No cloud account and no Pulumi CLI needed.
 */

export const USAGE =
    "usage: npm run plan -- --stack <dev|prod> [--out FILE] [--show-secrets] [--config FILE]\n" +
    "                       [--policy-config FILE] [--as-of YYYY-MM-DD]\n" +
    "  --stack NAME      stack whose Pulumi.<NAME>.yaml configures the run\n" +
    "  --config FILE     use FILE (in Pulumi.<stack>.yaml form) instead of the stack's config\n" +
    "  --out FILE        write the plan as JSON to FILE\n" +
    '  --show-secrets    print secret values instead of "[secret]"\n' +
    "  --policy-config FILE  policy pack config, as `pulumi preview --policy-pack-config` takes it\n" +
    "  --as-of DAY       judge support calendars (EKS versions, Istio releases) on DAY, not today\n";

export const MOCK_NOTICE = "Cloud-assigned values (ids, endpoints, ARNs) are mock placeholders.";

/** A plan resource and the policy results: the shapes the policy evaluator reads and writes. */
export type {
    PlanResourceInput as PlanResource,
    PolicyPackSummary,
    PolicyResults,
    PolicyViolationRecord as PolicyViolation,
} from "../policies/evaluate";

export interface PlanJson extends PolicyResults {
    readonly project: string;
    readonly stack: string;
    readonly offline: true;
    readonly mockValues: string;
    readonly resources: PlanResource[];
    readonly outputs: Record<string, unknown>;
    /** Every ordered pair of clusters, both paths (api, hbone), hop by hop. */
    readonly reachability: ReachabilityEntry[];
}

/**
 * The policy pack (`policies/`), evaluated in-process. Policies see secret values in the clear,
 * as the engine gives them, whatever the plan document shows.
 */
export function evaluatePolicies(
    run: RunResult,
    config?: PolicyPackConfig,
    asOf?: string,
): PolicyResults {
    const { plan, stackResources } = revealedPlan(run);
    return evaluatePlan(plan, { config, asOf, stackResources });
}

interface Revealed {
    readonly plan: { resources: PlanResource[] };
    readonly stackResources: ReturnType<typeof stackResourcesOf>;
}

const revealed = new WeakMap<RunResult, Revealed>();

/**
 * The run's resources with secrets revealed, as policies see them, built once per run: the
 * plan's reachability and the policy that checks it then share one computation.
 */
function revealedPlan(run: RunResult): Revealed {
    let found = revealed.get(run);
    if (!found) {
        const plan = { resources: planResources(run, (v) => reveal(v)) };
        found = { plan, stackResources: stackResourcesOf(plan) };
        revealed.set(run, found);
    }
    return found;
}

function planResources(run: RunResult, view: (v: unknown) => unknown): PlanResource[] {
    return run.resources.map((r): PlanResource => ({
        urn: r.urn,
        id: r.custom ? r.id : null,
        type: r.type,
        name: r.name,
        parent: r.parent,
        provider: r.provider,
        dependsOn: r.dependsOn,
        protect: r.protect,
        inputs: view(r.rawInputs) as Record<string, unknown>,
    }));
}

export interface PlanOptions {
    /** Keep secret values instead of replacing them with `"[secret]"`. @default false */
    readonly showSecrets?: boolean;
    /** Levels and settings for the policy pack's rules. @default the pack's own */
    readonly policyConfig?: PolicyPackConfig;
    /** The day (YYYY-MM-DD) calendar rules judge on. @default today */
    readonly asOf?: string;
}

/** The plan document for a run. */
export function buildPlanJson(run: RunResult, options: PlanOptions = {}): PlanJson {
    const view = (v: unknown) =>
        (options.showSecrets ? reveal(v) : redact(v)) as Record<string, unknown>;
    const plan = {
        project: run.project,
        stack: run.stack,
        offline: true as const,
        mockValues: "ids, ARNs and endpoints are mock placeholders",
        resources: planResources(run, view),
        outputs: view(run.rawOutputs),
        reachability: meshReachability(revealedPlan(run).stackResources),
    };
    return { ...plan, ...evaluatePolicies(run, options.policyConfig, options.asOf) };
}

/** Cluster names from the stack's `clusters` config, for grouping resources. */
export function clusterNames(run: RunResult): string[] {
    const clusters = run.config[`${run.project}:clusters`];
    return Array.isArray(clusters)
        ? clusters.flatMap((c) => (isPlainObject(c) && typeof c.name === "string" ? [c.name] : []))
        : [];
}

/** The cluster a resource belongs to: the longest cluster name its name starts with. */
export function clusterOf(resourceName: string, clusters: readonly string[]): string {
    const owner = [...clusters]
        .sort((a, b) => b.length - a.length)
        .find((c) => resourceName.startsWith(`${c}-`));
    return owner ?? "shared";
}

function countBy<T>(items: readonly T[], key: (item: T) => string): [string, number][] {
    const counts = new Map<string, number>();
    for (const item of items) {
        counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
    }
    return [...counts.entries()].sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1));
}

/** The human-readable summary `npm run plan` prints. */
export function summarize(
    plan: PlanJson,
    clusters: readonly string[],
    configFile?: string,
): string {
    const custom = plan.resources.filter((r) => r.id !== null).length;
    const width = String(plan.resources.length).length + 2;
    const table = (rows: [string, number][]) =>
        rows.map(([label, n]) => `${String(n).padStart(width)}  ${label}`).join("\n");
    const byCluster = countBy(plan.resources, (r) => clusterOf(r.name, clusters));
    const ordered = [
        ...clusters.map((c) => [c, byCluster.find(([k]) => k === c)?.[1] ?? 0] as [string, number]),
        ...byCluster.filter(([k]) => !clusters.includes(k)),
    ];
    const outputs = Object.keys(plan.outputs);
    const policies =
        plan.policyPacks.length === 0
            ? "Policies: none evaluated"
            : `Policies: ${plan.policyPacks
                  .map((p) => `${p.name} (${p.policies.length} evaluated)`)
                  .join(", ")}: ` +
              `${plan.policyViolations.filter((v) => v.enforcementLevel === "mandatory").length} mandatory, ` +
              `${plan.policyViolations.filter((v) => v.enforcementLevel !== "mandatory").length} advisory violation(s)` +
              plan.policyViolations
                  .map((v) => `\n  [${v.enforcementLevel}] ${v.policy}: ${v.urn}\n    ${v.message}`)
                  .join("");
    return [
        `Offline plan for ${plan.project}, stack ${plan.stack}` +
            (configFile
                ? ` (config: ${path.relative(process.cwd(), configFile) || configFile})`
                : ""),
        `Resources: ${plan.resources.length} (${custom} custom, ${plan.resources.length - custom} components)`,
        "",
        "By type:",
        table(countBy(plan.resources, (r) => r.type)),
        "",
        "By cluster:",
        table(ordered),
        "",
        `Stack outputs: ${outputs.length ? outputs.join(", ") : "none"}`,
        reachabilityMatrix(plan.reachability),
        policies,
        "",
        MOCK_NOTICE,
        "",
    ].join("\n");
}

/**
 * The reachability of every ordered pair as a matrix (rows: from, columns: to; each cell the
 * api and hbone paths, ✓ open, ✗ closed), then each closed path with the hop that blocks it.
 */
export function reachabilityMatrix(entries: readonly ReachabilityEntry[]): string {
    const names = [...new Set(entries.flatMap((e) => [e.from, e.to]))];
    if (names.length === 0) {
        return "Reachability: a single cluster, no paths between clusters";
    }
    const ports = [...new Set(entries.map((e) => `${e.path} ${e.port}`))].join(", ");
    const cell = (from: string, to: string) =>
        from === to
            ? "-"
            : entries
                  .filter((e) => e.from === from && e.to === to)
                  .map((e) => `${e.path} ${e.open ? "✓" : "✗"}`)
                  .join(" ");
    const rows = [
        ["from \\ to", ...names],
        ...names.map((f) => [f, ...names.map((t) => cell(f, t))]),
    ];
    const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
    const closed = entries.filter((e) => !e.open);
    return [
        `Reachability (${ports}): ${entries.length - closed.length} of ${entries.length} paths open`,
        ...rows.map(
            (r) =>
                `  ${r
                    .map((c, i) => c.padEnd(widths[i]))
                    .join("  ")
                    .trimEnd()}`,
        ),
        ...closed.map((e) => {
            const hop = e.hops.find((h) => !h.ok);
            return `  ✗ ${e.from} -> ${e.to} ${e.path}: blocked at ${e.blockedAt}: ${hop?.detail ?? ""}`;
        }),
    ].join("\n");
}

export interface CliArgs {
    readonly stack: string;
    readonly out?: string;
    readonly config?: string;
    readonly policyConfig?: string;
    readonly asOf?: string;
    readonly showSecrets: boolean;
    readonly help: boolean;
}

const CLI_KEYS: Record<string, string> = { "--policy-config": "policyConfig", "--as-of": "asOf" };

/** Whether `day` is a real date written YYYY-MM-DD. */
export function isCalendarDay(day: string): boolean {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) {
        return false;
    }
    const date = new Date(`${day}T00:00:00Z`);
    return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === day;
}

/** Parses the command line; returns an error message for anything it does not understand. */
export function parseArgs(argv: readonly string[]): CliArgs | { error: string } {
    const values: Record<string, string> = {};
    let showSecrets = false;
    let help = false;
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        const [flag, inline] =
            arg.startsWith("--") && arg.includes("=") ? arg.split(/=(.*)/s, 2) : [arg];
        if (flag === "--show-secrets" && inline === undefined) {
            showSecrets = true;
        } else if (flag === "--help" || flag === "-h") {
            help = true;
        } else if (["--stack", "--out", "--config", "--policy-config", "--as-of"].includes(flag)) {
            const value = inline ?? argv[++i];
            if (
                value === undefined ||
                value === "" ||
                (inline === undefined && value.startsWith("--"))
            ) {
                return { error: `${flag} needs a value` };
            }
            values[CLI_KEYS[flag] ?? flag.slice(2)] = value;
        } else {
            return { error: `unknown argument: ${arg}` };
        }
    }
    if (help) {
        return { stack: values.stack ?? "", showSecrets, help };
    }
    if (!values.stack) {
        return { error: "--stack is required" };
    }
    if (values.asOf !== undefined && !isCalendarDay(values.asOf)) {
        return { error: `--as-of: "${values.asOf}" is not a calendar day like 2026-11-30` };
    }
    return {
        stack: values.stack,
        out: values.out,
        config: values.config,
        policyConfig: values.policyConfig,
        asOf: values.asOf,
        showSecrets,
        help,
    };
}

export interface Io {
    readonly stdout: (text: string) => void;
    readonly stderr: (text: string) => void;
}

const processIo: Io = {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
};

/**
 * The CLI. Exit codes: 0 done, 1 invalid config or program error, 2 bad usage, 3 a mandatory
 * policy violation (the plan is still printed and written).
 */
export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
    const args = parseArgs(argv);
    if ("error" in args) {
        io.stderr(`${args.error}\n${USAGE}`);
        return 2;
    }
    if (args.help) {
        io.stdout(USAGE);
        return 0;
    }
    let run: RunResult;
    let policyConfig: PolicyPackConfig | undefined;
    try {
        policyConfig = args.policyConfig
            ? (JSON.parse(fs.readFileSync(args.policyConfig, "utf8")) as PolicyPackConfig)
            : undefined;
        run = await runProgram({ stack: args.stack, configFile: args.config });
    } catch (err) {
        io.stderr(`${err instanceof Error ? err.message : String(err)}\n`);
        return 1;
    }
    const plan = buildPlanJson(run, {
        showSecrets: args.showSecrets,
        policyConfig,
        asOf: args.asOf,
    });
    io.stdout(summarize(plan, clusterNames(run), run.configFile));
    if (args.out) {
        fs.writeFileSync(args.out, `${JSON.stringify(plan, null, 2)}\n`);
        io.stdout(`Plan written to ${args.out}\n`);
    }
    return hasMandatoryViolations(plan) ? 3 : 0;
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => {
            process.exitCode = code;
        },
        (err) => {
            process.stderr.write(
                `${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
            );
            process.exitCode = 1;
        },
    );
}
