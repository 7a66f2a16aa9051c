import * as fs from "node:fs";
import { SecretValue } from "../offline/values";
import { PeerPlan, PlanJson } from "./planJson";

export type { PeerPlan };

/**
 * Offline peering: `--peer org/project/stack=PLAN.json` feeds another stack's offline plan to
 * this run as that stack's outputs (what a StackReference to it reads), and its resources to
 * the reachability proof, which then follows each path across both stacks' networks.
 */

/** A `--peer` problem: bad usage of the flag, or a plan that cannot stand for the peer. */
export class PeerPlanError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "PeerPlanError";
    }
}

const STACK = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;

function redacted(value: unknown, at: string): string | undefined {
    if (value === "[secret]") {
        return at;
    }
    if (Array.isArray(value)) {
        for (const [i, v] of value.entries()) {
            const found = redacted(v, `${at}[${i}]`);
            if (found) {
                return found;
            }
        }
    } else if (value !== null && typeof value === "object") {
        for (const [k, v] of Object.entries(value)) {
            const found = redacted(v, `${at}.${k}`);
            if (found) {
                return found;
            }
        }
    }
    return undefined;
}

/** Reads `STACK=FILE`: the plan must be of that stack, with its secrets shown. */
export function loadPeerPlan(arg: string): PeerPlan {
    const cut = arg.indexOf("=");
    const stack = cut < 0 ? "" : arg.slice(0, cut);
    const file = cut < 0 ? "" : arg.slice(cut + 1);
    if (!STACK.test(stack) || file === "") {
        throw new PeerPlanError(
            `--peer: "${arg}" is not STACK=PLAN.json with STACK fully qualified, like organization/eks-ambient-mesh/west=plan-west.json`,
        );
    }
    let plan: PlanJson;
    try {
        plan = JSON.parse(fs.readFileSync(file, "utf8")) as PlanJson;
    } catch (err) {
        throw new PeerPlanError(
            (err as NodeJS.ErrnoException).code === "ENOENT"
                ? `--peer ${stack}: ${file} not found`
                : `--peer ${stack}: ${file} is not a plan (${(err as Error).message})`,
        );
    }
    if (!Array.isArray(plan?.resources) || typeof plan.outputs !== "object") {
        throw new PeerPlanError(
            `--peer ${stack}: ${file} is not a plan written by npm run plan -- --out`,
        );
    }
    const [, project, name] = stack.split("/");
    if (plan.project !== project || plan.stack !== name) {
        throw new PeerPlanError(
            `--peer ${stack}: ${file} is the plan of stack ${plan.stack} of project ${plan.project}, not ${name} of ${project}`,
        );
    }
    const hidden = redacted(plan.outputs.meshPeers, "meshPeers");
    if (hidden !== undefined) {
        throw new PeerPlanError(
            `--peer ${stack}: ${file} shows ${hidden} as [secret]; a peer reads the real value, so write that plan with --show-secrets`,
        );
    }
    return { stack, file, plan };
}

/** What StackReferences to the peers read: each plan's outputs, `meshPeers` secret. */
export function peerStackOutputs(
    peers: readonly PeerPlan[],
): Record<string, Record<string, unknown>> {
    return Object.fromEntries(
        peers.map((p) => [
            p.stack,
            {
                ...p.plan.outputs,
                ...(p.plan.outputs.meshPeers === undefined
                    ? {}
                    : { meshPeers: new SecretValue(p.plan.outputs.meshPeers) }),
            },
        ]),
    );
}
