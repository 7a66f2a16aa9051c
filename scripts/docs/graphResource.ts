import { PlanResourceLike } from "../timing/model";

/** What the diagrams read from a plan resource, beyond the scheduling fields. */
export interface GraphResource extends PlanResourceLike {
    readonly parent: string | null;
    readonly inputs: Record<string, unknown>;
}
