import { RunResult } from "../offline/run";
import { isPlainObject } from "../offline/values";

/** Which cluster of the stack each resource belongs to, for grouping a plan by cluster. */

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
