import * as fs from "node:fs";
import { diffPlans } from "./diff";
import type { DiffEntry, Impact } from "./diffTypes";
import { PlanJson } from "./planJson";

/**
 * `--against OLD.json`: the plan the new one is compared with, as `pulumi preview` compares a
 * program with the deployed state. It must be a plan of the same project and stack.
 */

export interface AgainstPlan {
    readonly file: string;
    readonly plan: PlanJson;
}

/** A plan compared with an older one: the plan document gains these. */
export interface ComparedPlan extends PlanJson {
    /** The older plan's file. */
    readonly against: string;
    readonly diff: DiffEntry[];
    readonly impacts: Impact[];
    readonly outputChanges: string[];
    readonly diffNotes: string[];
}

/** An `--against` problem: bad usage, exit code 2. */
export class AgainstPlanError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "AgainstPlanError";
    }
}

/** Reads an older plan of `stack` (its project is checked against the new plan's, in `compareWith`). */
export function loadAgainstPlan(file: string, stack: string): AgainstPlan {
    let plan: PlanJson;
    try {
        plan = JSON.parse(fs.readFileSync(file, "utf8")) as PlanJson;
    } catch (err) {
        throw new AgainstPlanError(
            (err as NodeJS.ErrnoException).code === "ENOENT"
                ? `--against: ${file} does not exist`
                : `--against: ${file} is not a plan (${(err as Error).message})`,
        );
    }
    if (!Array.isArray(plan?.resources) || typeof plan.outputs !== "object") {
        throw new AgainstPlanError(
            `--against: ${file} is not a plan written by npm run plan -- --out`,
        );
    }
    if (plan.stack !== stack) {
        throw new AgainstPlanError(
            `--against: ${file} is the plan of stack ${plan.stack} of project ${plan.project}, not of ${stack}; a diff compares two plans of one stack`,
        );
    }
    return { file, plan };
}

/** The plan with its diff against the older one: what `--out` writes with `--against`. */
export function compareWith(plan: PlanJson, against: AgainstPlan): ComparedPlan {
    if (against.plan.project !== plan.project) {
        throw new AgainstPlanError(
            `--against: ${against.file} is a plan of project ${against.plan.project}, not ${plan.project}`,
        );
    }
    const result = diffPlans(against.plan, plan);
    return {
        ...plan,
        against: against.file,
        diff: result.diff,
        impacts: result.impacts,
        outputChanges: result.outputChanges,
        diffNotes: result.notes,
    };
}

/**
 * The older plan's outputs as the stack's own last outputs, for the StackReference the program
 * makes to itself (`organization/<project>/<stack>`, as the offline engine names stacks): the
 * program then judges this plan's steps (Kubernetes, Istio, CA and token phases) against it.
 */
export function deployedOutputs(
    against: AgainstPlan,
    stack: string,
): Record<string, Record<string, unknown>> {
    return { [`organization/${against.plan.project}/${stack}`]: against.plan.outputs };
}
