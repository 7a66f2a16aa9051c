import { z } from "zod";

/**
 * What the stack's last update left deployed, as its own outputs record it: each cluster's
 * Kubernetes version, and where the stack stands in its multi-step operations (the `lifecycle`
 * output). The program refuses changes that AWS or Istio take only step by step — a Kubernetes
 * minor at a time, one phase of an Istio revision upgrade, a CA rotation or a reader-token
 * rotation at a time — against this, before anything is created.
 */

export const clusterStateSchema = z.looseObject({
    name: z.string(),
    kubernetesVersion: z.string(),
});

/** The `lifecycle` output: where the stack stands in its multi-step operations. */
export const lifecycleSchema = z.looseObject({
    istio: z
        .looseObject({
            version: z.string(),
            upgrade: z.object({ to: z.string(), phase: z.string() }).optional(),
        })
        .optional(),
    rootRotation: z.looseObject({ phase: z.string() }).optional(),
    readerTokens: z.looseObject({ phase: z.string(), generation: z.number() }).optional(),
});

export type Lifecycle = z.output<typeof lifecycleSchema>;

export interface DeployedState {
    readonly clusters: readonly z.output<typeof clusterStateSchema>[];
    readonly lifecycle: Lifecycle;
}
