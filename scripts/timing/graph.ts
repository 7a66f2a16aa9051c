import { PlanResourceLike, Task, tasksOf } from "./model";

/** What the diagrams read from a plan resource, beyond the scheduling fields. */
export interface GraphResource extends PlanResourceLike {
    readonly parent: string | null;
    readonly inputs: Record<string, unknown>;
}

const id = (text: string) => text.replace(/[^A-Za-z0-9]/g, "_");

function input(r: GraphResource | undefined, ...path: string[]): unknown {
    return path.reduce<unknown>(
        (v, k) =>
            v !== null && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined,
        r?.inputs,
    );
}

/**
 * The architecture as a Mermaid flowchart: a subgraph per region with its Transit Gateway and
 * clusters (VPC CIDR, Kubernetes and Istio versions, Istio network, east-west gateway),
 * peering between Transit Gateways, and an arrow from each cluster to every cluster it holds
 * a remote secret for.
 */
export function renderArchitecture(
    resources: readonly GraphResource[],
    clusters: readonly string[],
): string {
    const one = (type: string, name: string) =>
        resources.find((r) => r.type === type && r.name === name);
    const providerRegion = new Map(
        resources
            .filter((r) => r.type === "pulumi:providers:aws")
            .map((r) => [r.urn, String(input(r, "region"))]),
    );
    const tgws = resources.filter(
        (r) => r.type === "aws:ec2transitgateway/transitGateway:TransitGateway",
    );
    const regionOfTgw = new Map(
        tgws.map((t) => [t.urn, providerRegion.get(t.provider ?? "") ?? "?"]),
    );
    const attachments = resources.filter(
        (r) => r.type === "aws:ec2transitgateway/vpcAttachment:VpcAttachment",
    );
    const lines = ["flowchart LR"];
    for (const tgw of [...tgws].sort((a, b) => (a.name < b.name ? -1 : 1))) {
        const region = regionOfTgw.get(tgw.urn) as string;
        lines.push(`    subgraph ${id(region)}["${region}"]`);
        lines.push(
            `        ${id(tgw.name)}{{"Transit Gateway ${tgw.name}<br/>ASN ${String(input(tgw, "amazonSideAsn"))}"}}`,
        );
        for (const cluster of clusters) {
            const vpc = one("aws:ec2/vpc:Vpc", `${cluster}-vpc`);
            const attachment = attachments.find((a) => a.name === `${cluster}-tgw`);
            if (!vpc || !attachment || !attachment.dependsOn.includes(tgw.urn)) {
                continue;
            }
            const eks = one("eks:index:Cluster", `${cluster}-eks`);
            const istiod = one("kubernetes:helm.sh/v3:Release", `${cluster}-istiod`);
            const network = input(
                one("kubernetes:core/v1:Namespace", `${cluster}-istio-system`),
                "metadata",
                "labels",
                "topology.istio.io/network",
            );
            const ambientGateway = one(
                "kubernetes:gateway.networking.k8s.io/v1:Gateway",
                `${cluster}-east-west`,
            );
            const nlb = one("kubernetes:core/v1:Service", `${cluster}-east-west-nlb`);
            const addresses = String(
                input(
                    nlb,
                    "metadata",
                    "annotations",
                    "service.beta.kubernetes.io/aws-load-balancer-private-ipv4-addresses",
                ) ?? "",
            ).replace(/,/g, ", ");
            const gateway = `east-west: ${ambientGateway ? "HBONE 15008" : "mTLS 15443"} on internal NLB ${addresses}`;
            lines.push(
                `        subgraph ${id(cluster)}_vpc["VPC ${String(input(vpc, "cidrBlock"))}"]`,
            );
            lines.push(
                `            ${id(cluster)}["${cluster}<br/>EKS ${String(input(eks, "version"))} · Istio ${String(input(istiod, "version"))}<br/>network ${String(network)}<br/>${gateway}"]`,
            );
            lines.push("        end");
            lines.push(`        ${id(cluster)}_vpc --- ${id(tgw.name)}`);
        }
        lines.push("    end");
    }
    for (const peering of resources.filter(
        (r) => r.type === "aws:ec2transitgateway/peeringAttachment:PeeringAttachment",
    )) {
        const [a, b] = tgws
            .filter((t) => peering.dependsOn.includes(t.urn))
            .map((t) => id(t.name))
            .sort();
        if (a && b) {
            lines.push(`    ${a} <-. "TGW peering, static routes" .-> ${b}`);
        }
    }
    for (const local of clusters) {
        for (const peer of clusters) {
            if (
                resources.some(
                    (r) =>
                        r.type === "kubernetes:core/v1:Secret" &&
                        r.name === `${local}-remote-${peer}`,
                )
            ) {
                lines.push(`    ${id(local)} -. "remote secret" .-> ${id(peer)}`);
            }
        }
    }
    return lines.join("\n") + "\n";
}

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

/** What the reachability drawing reads of a plan's `reachability` entries. */
export interface ReachabilityLike {
    readonly from: string;
    readonly to: string;
    readonly path: string;
    readonly open: boolean;
    readonly blockedAt?: string;
}

/**
 * The plan's reachability as a Mermaid flowchart: an arrow per ordered pair of clusters,
 * labelled with each path (api, hbone) open or closed at its first blocking hop; closed arrows
 * are red and dashed.
 */
export function renderReachability(entries: readonly ReachabilityLike[]): string {
    const names = [...new Set(entries.flatMap((e) => [e.from, e.to]))];
    const lines = ["flowchart LR", ...names.map((n) => `    ${id(n)}["${n}"]`)];
    const closed: number[] = [];
    const pairs = [...new Set(entries.map((e) => `${e.from}\u0000${e.to}`))];
    pairs.forEach((key, i) => {
        const [from, to] = key.split("\u0000");
        const paths = entries.filter((e) => e.from === from && e.to === to);
        const label = paths
            .map((e) => (e.open ? `${e.path} ✓` : `${e.path} ✗ ${e.blockedAt ?? ""}`.trim()))
            .join(" · ");
        lines.push(`    ${id(from)} -- "${label}" --> ${id(to)}`);
        if (paths.some((e) => !e.open)) {
            closed.push(i);
        }
    });
    if (closed.length > 0) {
        lines.push(`    linkStyle ${closed.join(",")} stroke:#d00,stroke-dasharray:4`);
    }
    return lines.join("\n") + "\n";
}
