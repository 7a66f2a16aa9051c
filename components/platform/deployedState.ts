import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { clusterStateSchema, DeployedState, lifecycleSchema } from "../config/deployed";

/**
 * What this stack's last update left deployed, read from the stack's own outputs through a
 * StackReference to itself (the backend hands a reference the outputs of the stack's latest
 * checkpoint, which during an update are those of the update before). A stack that was never
 * deployed has no outputs. `checkTransitions` (components/config) judges the config against it.
 */

/** This stack, fully qualified, as a StackReference names it. */
export function thisStack(): string {
    return `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`;
}

/** The deployed state, or undefined for a stack that has never been deployed. */
export async function readDeployedState(): Promise<DeployedState | undefined> {
    const self = new pulumi.StackReference("deployed", { name: thisStack() });
    const read = async (name: string) => {
        const details = await self.getOutputDetails(name);
        return details.value ?? details.secretValue;
    };
    const [clusters, lifecycle] = await Promise.all([read("clusters"), read("lifecycle")]);
    if (clusters === undefined) {
        return undefined;
    }
    const parsedClusters = z.array(clusterStateSchema).safeParse(clusters);
    const parsedLifecycle = lifecycleSchema.safeParse(lifecycle ?? {});
    return {
        clusters: parsedClusters.success ? parsedClusters.data : [],
        lifecycle: parsedLifecycle.success ? parsedLifecycle.data : {},
    };
}
