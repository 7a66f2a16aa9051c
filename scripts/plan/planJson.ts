import type { PolicyPackConfig } from "@pulumi/policy";
import {
    evaluatePlan,
    PlanResourceInput,
    PolicyResults,
    stackResourcesOf,
} from "../../policies/evaluate";
import { meshTrustChains, TrustEntry } from "../../policies/rules/istio/trust";
import { meshReachability, ReachabilityEntry } from "../../policies/rules/reachability";
import { RunResult } from "../offline/run";
import { redact, reveal } from "../offline/values";

/**
 * The plan document `npm run plan` prints a summary of and writes as JSON (format in
 * docs/plan.md): the run's resources and outputs, secrets redacted unless asked for, the
 * reachability between clusters, and the policy pack's results.
 */

/** The policy results: the shapes the policy evaluator writes. */
export type {
    PolicyPackSummary,
    PolicyResults,
    PolicyViolationRecord as PolicyViolation,
} from "../../policies/evaluate";

/**
 * A plan resource: what the policy evaluator reads, and, as the engine records it in a stack's
 * state, the resources each top-level input took its value from (only inputs that took one).
 */
export interface PlanResource extends PlanResourceInput {
    readonly propertyDependencies: Record<string, string[]>;
}

/** A peer stack's offline plan, fed to this run by `--peer STACK=PLAN.json` (see `peers.ts`). */
export interface PeerPlan {
    /** The peer stack, fully qualified, as `mesh.peers[].stack` names it. */
    readonly stack: string;
    readonly file: string;
    readonly plan: PlanJson;
}

export interface PlanJson extends PolicyResults {
    readonly project: string;
    readonly stack: string;
    readonly offline: true;
    readonly mockValues: string;
    readonly resources: PlanResource[];
    readonly outputs: Record<string, unknown>;
    /**
     * Every ordered pair of clusters, both paths (api, hbone), hop by hop; with peer plans, the
     * pairs across stacks too, followed through both stacks' networks.
     */
    readonly reachability: ReachabilityEntry[];
    /**
     * Every ordered pair of clusters with known cacerts (each with itself too): whether the
     * first's CA chain verifies against the second's root-cert.pem, computed from the revealed
     * Secrets whatever the plan shows; with peer plans, the peers' clusters too.
     */
    readonly trust: TrustEntry[];
    /** The peer stacks' plans this plan read (`--peer`), by stack. */
    readonly peers?: { readonly stack: string; readonly plan: string }[];
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
        propertyDependencies: Object.fromEntries(
            Object.entries(r.propertyDependencies).filter(([, urns]) => urns.length > 0),
        ),
    }));
}

export interface PlanOptions {
    /** Keep secret values instead of replacing them with `"[secret]"`. @default false */
    readonly showSecrets?: boolean;
    /** Levels and settings for the policy pack's rules. @default the pack's own */
    readonly policyConfig?: PolicyPackConfig;
    /** The day (YYYY-MM-DD) calendar rules judge on. @default today */
    readonly asOf?: string;
    /** Peer stacks' plans (`--peer`): their resources join the reachability proof. */
    readonly peers?: readonly PeerPlan[];
}

/** The reachability proof over this run's resources, and the peers' when there are any. */
function reachabilityOf(run: RunResult, peers: readonly PeerPlan[]): ReachabilityEntry[] {
    const local = revealedPlan(run);
    if (peers.length === 0) {
        return meshReachability(local.stackResources);
    }
    const resources = [...local.plan.resources, ...peers.flatMap((p) => p.plan.resources)];
    return meshReachability(stackResourcesOf({ resources }));
}

/** The trust proof over this run's cacerts Secrets, and the peers' when there are any. */
function trustOf(run: RunResult, peers: readonly PeerPlan[]): TrustEntry[] {
    const local = revealedPlan(run);
    if (peers.length === 0) {
        return meshTrustChains(local.stackResources);
    }
    const resources = [...local.plan.resources, ...peers.flatMap((p) => p.plan.resources)];
    return meshTrustChains(stackResourcesOf({ resources }));
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
        reachability: reachabilityOf(run, options.peers ?? []),
        trust: trustOf(run, options.peers ?? []),
        ...(options.peers?.length
            ? { peers: options.peers.map((p) => ({ stack: p.stack, plan: p.file })) }
            : {}),
    };
    return { ...plan, ...evaluatePolicies(run, options.policyConfig, options.asOf) };
}
