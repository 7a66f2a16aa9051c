import * as fs from "node:fs";
import type { PolicyPackConfig } from "@pulumi/policy";
import { hasMandatoryViolations } from "../../policies/evaluate";
import { PROJECT_DIR, runProgram, RunResult } from "../offline/run";
import {
    AgainstPlan,
    ComparedPlan,
    compareWith,
    deployedOutputs,
    loadAgainstPlan,
} from "../plan/against";
import { clusterNames } from "../plan/clusters";
import { diffSummary } from "../plan/diffText";
import { renderMarkdown } from "../plan/markdown";
import { loadPeerPlan, PeerPlan, peerStackOutputs } from "../plan/peers";
import { buildPlanJson } from "../plan/planJson";
import { summarize } from "../plan/summary";
import {
    fileProblem,
    isCalendarDay,
    outProblem,
    parseCommandLine,
    stackProblem,
    usageError,
} from "./args";
import { Io, processIo, runCli } from "./runner";

/**
 * `npm run plan -- --stack <dev|prod> [--out FILE] [--show-secrets] [--config FILE]`: runs the
 * program against the offline mocks, prints a summary and optionally writes the plan as JSON
 * (format in docs/plan.md). No cloud account and no Pulumi CLI needed.
 */

export const USAGE =
    "usage: npm run plan -- --stack <dev|prod> [--out FILE] [--show-secrets] [--config FILE]\n" +
    "                       [--policy-config FILE] [--as-of YYYY-MM-DD] [--peer STACK=PLAN]...\n" +
    "                       [--against OLD.json] [--summary-md FILE]\n" +
    "  --stack NAME      stack whose Pulumi.<NAME>.yaml configures the run\n" +
    "  --config FILE     use FILE instead of the stack's config: in Pulumi.<stack>.yaml form, or\n" +
    "                    (.json) as `pulumi config --json --show-secrets` prints it\n" +
    "  --out FILE        write the plan as JSON to FILE\n" +
    '  --show-secrets    print secret values instead of "[secret]"\n' +
    "  --policy-config FILE  policy pack config, as `pulumi preview --policy-pack-config` takes it\n" +
    "  --as-of DAY       judge support calendars (EKS versions, Istio releases) on DAY, not today\n" +
    "  --peer STACK=PLAN the peer stack STACK (org/project/stack) reads as the plan PLAN, written\n" +
    "                    with --out --show-secrets; repeat for each peer\n" +
    "  --against OLD.json  diff against an older plan of the stack, as pulumi preview would,\n" +
    "                    and name what it does to the mesh (printed first, written with --out)\n" +
    "  --summary-md FILE write the plan (and its diff) as Markdown for a pull-request comment\n";

const SPEC = {
    usage: USAGE,
    values: ["stack", "out", "config", "policy-config", "as-of", "against", "summary-md"],
    switches: ["show-secrets"],
    lists: ["peer"],
} as const;

export interface CliArgs {
    readonly stack: string;
    readonly out?: string;
    readonly config?: string;
    readonly policyConfig?: string;
    readonly asOf?: string;
    /** `STACK=PLAN.json`, once per peer. */
    readonly peers: readonly string[];
    readonly showSecrets: boolean;
    readonly help: boolean;
    /** `--against`: the older plan to diff against. */
    readonly against?: string;
    /** `--summary-md`: where to write the Markdown summary. */
    readonly summaryMd?: string;
}

/** Parses the command line; returns an error message for anything it does not understand. */
export function parseArgs(argv: readonly string[]): CliArgs | { error: string } {
    const args = parseCommandLine(argv, SPEC);
    if ("error" in args) {
        return args;
    }
    const { values, switches, lists, help } = args;
    if (help) {
        return {
            stack: values.stack ?? "",
            peers: [],
            showSecrets: switches["show-secrets"],
            help,
        };
    }
    if (!values.stack) {
        return { error: "--stack is required" };
    }
    const asOf = values["as-of"];
    if (asOf !== undefined && !isCalendarDay(asOf)) {
        return { error: `--as-of: "${asOf}" is not a calendar day like 2026-11-30` };
    }
    return {
        stack: values.stack,
        out: values.out,
        config: values.config,
        policyConfig: values["policy-config"],
        asOf,
        peers: lists.peer,
        showSecrets: switches["show-secrets"],
        help,
        ...(values.against === undefined ? {} : { against: values.against }),
        ...(values["summary-md"] === undefined ? {} : { summaryMd: values["summary-md"] }),
    };
}

/**
 * Why the files the arguments name cannot be used, or undefined when they can: the stack's own
 * (or `--config`), `--policy-config`, and the folder `--out` writes to.
 */
export function filesProblem(args: CliArgs, projectDir = PROJECT_DIR): string | undefined {
    const problems = [
        stackProblem(args.stack, args.config, projectDir),
        args.policyConfig && fileProblem("--policy-config", args.policyConfig),
        args.out && outProblem("--out", args.out),
        args.against && fileProblem("--against", args.against),
        args.summaryMd && outProblem("--summary-md", args.summaryMd),
    ].filter((p): p is string => typeof p === "string" && p !== "");
    return problems.length > 0 ? problems.join("\n") : undefined;
}

/** A policy pack config file, as `pulumi preview --policy-pack-config` takes it. */
function readPolicyConfig(file: string): PolicyPackConfig {
    try {
        return JSON.parse(fs.readFileSync(file, "utf8")) as PolicyPackConfig;
    } catch (err) {
        throw new Error(`--policy-config: ${file} is not valid JSON: ${(err as Error).message}`);
    }
}

/**
 * The CLI. Exit codes: 0 done, 1 invalid config or program error, 2 bad usage (a stack that is
 * not a stack name or has no file, a file that cannot be read), 3 a mandatory policy violation
 * (the plan is still printed and written).
 */
export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
    const args = parseArgs(argv);
    if ("error" in args) {
        return usageError(io, USAGE, args.error);
    }
    if (args.help) {
        io.stdout(USAGE);
        return 0;
    }
    const problem = filesProblem(args);
    if (problem) {
        return usageError(io, USAGE, problem);
    }
    let peers: PeerPlan[];
    let against: AgainstPlan | undefined;
    try {
        peers = args.peers.map(loadPeerPlan);
        against = args.against ? loadAgainstPlan(args.against, args.stack) : undefined;
    } catch (err) {
        return usageError(io, USAGE, (err as Error).message);
    }
    let run: RunResult;
    let policyConfig: PolicyPackConfig | undefined;
    try {
        policyConfig = args.policyConfig ? readPolicyConfig(args.policyConfig) : undefined;
        run = await runProgram({
            stack: args.stack,
            configFile: args.config,
            // The older plan stands for what is deployed: the program reads its own last
            // outputs through a StackReference to itself (components/platform/deployedState.ts).
            stackOutputs: {
                ...peerStackOutputs(peers),
                ...(against ? deployedOutputs(against, args.stack) : {}),
            },
        });
    } catch (err) {
        io.stderr(`${err instanceof Error ? err.message : String(err)}\n`);
        return 1;
    }
    const plan = buildPlanJson(run, {
        showSecrets: args.showSecrets,
        policyConfig,
        asOf: args.asOf,
        peers,
    });
    let compared: ComparedPlan | undefined;
    try {
        compared = against && compareWith(plan, against);
    } catch (err) {
        return usageError(io, USAGE, (err as Error).message);
    }
    const document = compared ?? plan;
    io.stdout(
        (compared ? diffSummary(compared) : "") +
            summarize(plan, clusterNames(run), run.configFile),
    );
    if (args.out) {
        fs.writeFileSync(args.out, `${JSON.stringify(document, null, 2)}\n`);
        io.stdout(`Plan written to ${args.out}\n`);
    }
    if (args.summaryMd) {
        fs.writeFileSync(args.summaryMd, renderMarkdown(document));
        io.stdout(`Markdown summary written to ${args.summaryMd}\n`);
    }
    return hasMandatoryViolations(plan) ? 3 : 0;
}

if (require.main === module) {
    runCli(main);
}
