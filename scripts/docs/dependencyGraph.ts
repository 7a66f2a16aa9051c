import { Task, tasksOf } from "../timing/model";
import { GraphResource } from "./graphResource";
import { mermaidId as id } from "./mermaidId";

/**
 * The group a resource is drawn in when components are collapsed: its outermost component
 * below the Platform (a cluster's Network, EksCluster, IstioMesh...), or itself.
 */
function groupOf(r: GraphResource, byUrn: Map<string, GraphResource>): string {
    let group = r;
    for (
        let p = r.parent ? byUrn.get(r.parent) : undefined;
        p;
        p = p.parent ? byUrn.get(p.parent) : undefined
    ) {
        if (p.type === "ambientmesh:index:Platform" || p.type === "pulumi:pulumi:Stack") {
            break;
        }
        group = p;
    }
    return group === r ? r.name : `${group.name} (${group.type.split(":").pop()})`;
}

export interface DependencyGraph {
    readonly nodes: string[];
    readonly edges: [string, string][];
}

/** Who waits for whom: every resource (`full`) or one node per top-level component. */
export function dependencyGraph(
    resources: readonly GraphResource[],
    full: boolean,
): DependencyGraph {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const tasks: Task[] = tasksOf(resources);
    const label = (urn: string) => {
        const r = byUrn.get(urn) as GraphResource;
        return full ? r.name : groupOf(r, byUrn);
    };
    const nodes = new Set(tasks.map((t) => label(t.urn)));
    const edges = new Set<string>();
    for (const t of tasks) {
        for (const d of t.deps) {
            const [from, to] = [label(d), label(t.urn)];
            if (from !== to) {
                edges.add(JSON.stringify([from, to]));
            }
        }
    }
    return {
        nodes: [...nodes].sort(),
        edges: [...edges]
            .map((e) => JSON.parse(e) as [string, string])
            .sort((a, b) => (a.join() < b.join() ? -1 : 1)),
    };
}

export function toMermaid(g: DependencyGraph): string {
    return (
        [
            "flowchart LR",
            ...g.nodes.map((n) => `    ${id(n)}["${n}"]`),
            ...g.edges.map(([a, b]) => `    ${id(a)} --> ${id(b)}`),
        ].join("\n") + "\n"
    );
}

export function toDot(g: DependencyGraph, name: string): string {
    const q = (s: string) => JSON.stringify(s);
    return (
        [
            `digraph ${q(name)} {`,
            "    rankdir=LR;",
            "    node [shape=box, fontname=Helvetica];",
            ...g.nodes.map((n) => `    ${q(n)};`),
            ...g.edges.map(([a, b]) => `    ${q(a)} -> ${q(b)};`),
            "}",
        ].join("\n") + "\n"
    );
}
