import { isRecord } from "./compare";
import type { DiffablePlan, DiffableResource, DiffEntry, Impact, ImpactKind } from "./diffTypes";

/**
 * The mesh's blast radius of a diff: which changes reach a cluster as a whole, its network, the
 * mesh's trust (root CA, intermediates, reader tokens), the east-west path, or roll Istio's
 * control and data planes. Resources are recognised by type and by the names the program gives
 * them in Kubernetes (components/mesh), not by their Pulumi names.
 */

/** From most to least severe: the order impacts are listed in. */
export const IMPACT_ORDER: readonly ImpactKind[] = [
    "cluster-removed",
    "cluster-replaced",
    "vpc-replaced",
    "kubernetes-provider-replaced",
    "trust-anchor-replaced",
    "intermediate-reissued",
    "east-west-lb-replaced",
    "node-group-replaced",
    "reader-token-replaced",
    "kubernetes-upgraded",
    "istiod-rolled",
    "cni-rolled",
    "ztunnel-rolled",
    "cluster-added",
];

/** The impacts a reviewer must not miss: printed first, in words. */
export const HEADLINE_KINDS: readonly ImpactKind[] = IMPACT_ORDER.slice(0, 7);

export const EKS_CLUSTER_TYPES = ["eks:index:Cluster", "aws:eks/cluster:Cluster"];
const NODE_GROUP_TYPES = ["eks:index:ManagedNodeGroup", "aws:eks/nodeGroup:NodeGroup"];
const SECRET = "kubernetes:core/v1:Secret";
const SERVICE = "kubernetes:core/v1:Service";
const RELEASE = "kubernetes:helm.sh/v3:Release";
const SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup";

/**
 * Names the program gives its mesh objects in Kubernetes (components/mesh/istioMesh.ts,
 * eastWestGateway.ts, remoteSecrets.ts); test/diff.spec.ts checks they still match.
 */
export const MESH_NAMES = {
    cacerts: "cacerts",
    readerServiceAccount: "istio-reader-service-account",
    eastWestLoadBalancer: "istio-eastwest-nlb",
    remoteSecretLabel: "istio/multiCluster",
    remoteSecretClusterAnnotation: "networking.istio.io/cluster",
} as const;

/** The stack outputs that hold the mesh's root, and (during a root rotation) its bundle of roots. */
const ROOT_OUTPUT = "rootCaCertPem";
const TRUST_BUNDLE_OUTPUT = "trustBundlePem";

const ROLLED: Readonly<Record<string, ImpactKind>> = {
    istiod: "istiod-rolled",
    cni: "cni-rolled",
    ztunnel: "ztunnel-rolled",
};

const CHANGED = new Set(["update", "replace"]);

const record = (v: unknown): Record<string, unknown> => (isRecord(v) ? v : {});
const metadata = (r: DiffableResource | undefined) => record(r?.inputs.metadata);

/** A Helm chart's name: `istiod`, also from `oci://registry/path/istiod`. */
export function chartName(chart: unknown): string | undefined {
    return typeof chart === "string" ? chart.replace(/\/+$/, "").split("/").pop() : undefined;
}

function changedUnder(entry: DiffEntry, ...prefixes: string[]): boolean {
    return entry.properties.some((p) =>
        prefixes.some((prefix) => p === prefix || p.startsWith(`${prefix}.`)),
    );
}

/** `a -> b` of a top-level string input, when it changes. */
function fromTo(key: string, before?: DiffableResource, after?: DiffableResource) {
    const a = before?.inputs[key];
    const b = after?.inputs[key];
    return a !== b && (typeof a === "string" || typeof b === "string")
        ? `${key} ${String(a ?? "unset")} -> ${String(b ?? "unset")}`
        : undefined;
}

class Impacts {
    private readonly found = new Map<string, { urns: Set<string>; details: Set<string> }>();

    add(kind: ImpactKind, cluster: string, urns: string[], detail?: string): void {
        const key = `${kind}\u0000${cluster}`;
        const at = this.found.get(key) ?? { urns: new Set(), details: new Set() };
        urns.forEach((u) => at.urns.add(u));
        if (detail) {
            at.details.add(detail);
        }
        this.found.set(key, at);
    }

    list(clusterOrder: readonly string[]): Impact[] {
        const rank = (c: string) => {
            const i = clusterOrder.indexOf(c);
            return i < 0 ? clusterOrder.length : i;
        };
        return [...this.found.entries()]
            .map(([key, { urns, details }]) => {
                const [kind, cluster] = key.split("\u0000") as [ImpactKind, string];
                const detail = [...details].join("; ");
                return { kind, cluster, urns: [...urns].sort(), ...(detail ? { detail } : {}) };
            })
            .sort(
                (a, b) =>
                    IMPACT_ORDER.indexOf(a.kind) - IMPACT_ORDER.indexOf(b.kind) ||
                    rank(a.cluster) - rank(b.cluster) ||
                    (a.cluster < b.cluster ? -1 : 1),
            );
    }
}

function isCaCert(r: DiffableResource | undefined): boolean {
    return r?.inputs.isCaCertificate === true;
}

function isCacerts(r: DiffableResource | undefined): boolean {
    return r?.type === SECRET && metadata(r).name === MESH_NAMES.cacerts;
}

function isReaderToken(r: DiffableResource | undefined): boolean {
    const annotations = record(metadata(r).annotations);
    return (
        r?.type === SECRET &&
        r.inputs.type === "kubernetes.io/service-account-token" &&
        annotations["kubernetes.io/service-account.name"] === MESH_NAMES.readerServiceAccount
    );
}

/** The cluster a remote secret lets istiod watch. */
function remoteSecretFor(r: DiffableResource | undefined): string | undefined {
    const meta = metadata(r);
    const labels = record(meta.labels);
    const cluster = record(meta.annotations)[MESH_NAMES.remoteSecretClusterAnnotation];
    return r?.type === SECRET &&
        labels[MESH_NAMES.remoteSecretLabel] === "true" &&
        typeof cluster === "string"
        ? cluster
        : undefined;
}

function isEastWestLoadBalancer(r: DiffableResource | undefined): boolean {
    return r?.type === SERVICE && metadata(r).name === MESH_NAMES.eastWestLoadBalancer;
}

/** Every string in a value. */
function strings(value: unknown): string[] {
    if (typeof value === "string") {
        return [value];
    }
    if (Array.isArray(value)) {
        return value.flatMap(strings);
    }
    return isRecord(value) ? Object.values(value).flatMap(strings) : [];
}

/** Security groups an east-west load balancer Service names (its annotations), by URN. */
function loadBalancerGroups(plan: DiffablePlan): Set<string> {
    const groups = plan.resources.filter((r) => r.type === SECURITY_GROUP && r.id);
    const named = new Set(
        plan.resources
            .filter(isEastWestLoadBalancer)
            .flatMap((r) => strings(metadata(r).annotations))
            .flatMap((v) => v.split(",").map((s) => s.trim())),
    );
    return new Set(groups.filter((g) => named.has(g.id as string)).map((g) => g.urn));
}

/**
 * The impacts of `diff` (of `next` against `old`): per kind and cluster, with the URNs of the
 * changed resources behind each.
 */
export function classifyImpacts(
    diff: readonly DiffEntry[],
    old: DiffablePlan,
    next: DiffablePlan,
    clusters: { readonly old: readonly string[]; readonly new: readonly string[] },
    outputChanges: readonly string[] = [],
): Impact[] {
    const before = new Map(old.resources.map((r) => [r.urn, r]));
    const after = new Map(next.resources.map((r) => [r.urn, r]));
    const either = (urn: string) => after.get(urn) ?? before.get(urn);
    // Recognised as it was or as it will be (a reader token may change its type).
    const was = (test: (r?: DiffableResource) => boolean, urn: string) =>
        test(after.get(urn)) || test(before.get(urn));
    const impacts = new Impacts();
    const eastWestGroups = new Set([...loadBalancerGroups(old), ...loadBalancerGroups(next)]);
    const hadTrust = old.resources.some((r) => isCacerts(r));
    const why = (e: DiffEntry) => (e.replaceBecause ? e.replaceBecause.join(", ") : undefined);

    for (const e of diff) {
        const r = either(e.urn);
        const replaced = e.action === "replace";
        if (EKS_CLUSTER_TYPES.includes(e.type)) {
            if (replaced) {
                impacts.add("cluster-replaced", e.cluster, [e.urn], why(e));
            } else if (e.action === "update" && changedUnder(e, "version")) {
                const detail = fromTo("version", before.get(e.urn), after.get(e.urn));
                impacts.add("kubernetes-upgraded", e.cluster, [e.urn], detail);
            }
        } else if (e.type === "aws:ec2/vpc:Vpc" && replaced) {
            impacts.add("vpc-replaced", e.cluster, [e.urn], why(e));
        } else if (NODE_GROUP_TYPES.includes(e.type) && replaced) {
            impacts.add("node-group-replaced", e.cluster, [e.urn], why(e));
        } else if (e.type === "pulumi:providers:kubernetes" && replaced) {
            impacts.add("kubernetes-provider-replaced", e.cluster, [e.urn], why(e));
        } else if (e.type === "tls:index/selfSignedCert:SelfSignedCert" && was(isCaCert, e.urn)) {
            // A new root in place of one (replaced, or another resource instead of it).
            if (replaced || (e.action !== "update" && hadTrust)) {
                const done = { create: "created", delete: "deleted", replace: "replaced" };
                const because = replaced ? `: ${why(e)}` : "";
                impacts.add(
                    "trust-anchor-replaced",
                    e.cluster,
                    [e.urn],
                    `${e.name} ${done[e.action as keyof typeof done]}${because}`,
                );
            }
        } else if (
            e.type === "tls:index/locallySignedCert:LocallySignedCert" &&
            was(isCaCert, e.urn)
        ) {
            if (replaced) {
                impacts.add("intermediate-reissued", e.cluster, [e.urn], why(e));
            }
        } else if (was(isCacerts, e.urn) && CHANGED.has(e.action)) {
            if (changedUnder(e, "stringData.root-cert.pem", "data.root-cert.pem")) {
                impacts.add("trust-anchor-replaced", e.cluster, [e.urn], "cacerts root-cert.pem");
            }
            if (changedUnder(e, "stringData.ca-cert.pem", "data.ca-cert.pem")) {
                impacts.add("intermediate-reissued", e.cluster, [e.urn], "cacerts ca-cert.pem");
            }
        } else if (was(isReaderToken, e.urn)) {
            if (replaced || changedUnder(e, "data.token", "stringData.token")) {
                impacts.add("reader-token-replaced", e.cluster, [e.urn], why(e));
            }
        } else if (e.type === RELEASE && CHANGED.has(e.action)) {
            const kind = ROLLED[chartName(r?.inputs.chart) ?? ""];
            if (kind) {
                const detail =
                    fromTo("version", before.get(e.urn), after.get(e.urn)) ??
                    (why(e) || e.properties.join(", "));
                impacts.add(kind, e.cluster, [e.urn], detail);
            }
        } else if (
            replaced &&
            (was(isEastWestLoadBalancer, e.urn) ||
                (e.type === SECURITY_GROUP && eastWestGroups.has(e.urn)))
        ) {
            impacts.add("east-west-lb-replaced", e.cluster, [e.urn], `${e.name}: ${why(e)}`);
        }
    }
    // The remote secrets that carry a cluster's token to the others: the token they hold changes.
    for (const e of diff) {
        const watched = remoteSecretFor(after.get(e.urn)) ?? remoteSecretFor(before.get(e.urn));
        if (watched && CHANGED.has(e.action) && changedUnder(e, "stringData", "data")) {
            impacts.add("reader-token-replaced", watched, [e.urn], `${e.name} changes`);
        }
    }
    // A supplied root has no resource: the stack outputs name the trust anchor, the bundle of
    // roots where the stack exports one (during a root rotation the signing root moves first).
    const anchor = [old.outputs, next.outputs].some((o) => o?.[TRUST_BUNDLE_OUTPUT] !== undefined)
        ? TRUST_BUNDLE_OUTPUT
        : ROOT_OUTPUT;
    if (outputChanges.includes(anchor) && hadTrust && !impacts.list([]).some(isRootImpact)) {
        impacts.add("trust-anchor-replaced", "shared", [], `stack output ${anchor}`);
    }
    addClusterChanges(impacts, diff, clusters);
    return impacts.list(clusters.new.length > 0 ? clusters.new : clusters.old);
}

const isRootImpact = (i: Impact) => i.kind === "trust-anchor-replaced";

function addClusterChanges(
    impacts: Impacts,
    diff: readonly DiffEntry[],
    clusters: { readonly old: readonly string[]; readonly new: readonly string[] },
): void {
    const urnsOf = (cluster: string, action: string) => {
        const all = diff.filter((e) => e.cluster === cluster && e.action === action);
        const eks = all.filter((e) => EKS_CLUSTER_TYPES.includes(e.type));
        return (eks.length > 0 ? eks : all).map((e) => e.urn);
    };
    for (const c of clusters.new.filter((c) => !clusters.old.includes(c))) {
        impacts.add("cluster-added", c, urnsOf(c, "create"));
    }
    for (const c of clusters.old.filter((c) => !clusters.new.includes(c))) {
        impacts.add("cluster-removed", c, urnsOf(c, "delete"));
    }
}

/** An impact in words: for the headline ones, what a reviewer reads first (`REPLACES ...`). */
export function describeImpact(impact: Impact): string {
    const c = impact.cluster;
    const detail = impact.detail ? ` (${impact.detail})` : "";
    switch (impact.kind) {
        case "cluster-removed":
            return `DELETES the EKS cluster ${c}: every Kubernetes object and workload on it goes, and the mesh loses the cluster`;
        case "cluster-replaced":
            return `REPLACES the EKS cluster ${c}: every Kubernetes object on it is recreated${detail}`;
        case "vpc-replaced":
            return `REPLACES the VPC of ${c}: its subnets, NAT gateways, nodes and load balancers are recreated${detail}`;
        case "kubernetes-provider-replaced":
            return `REPLACES the Kubernetes provider of ${c}: every Kubernetes object it manages (Istio, cacerts, gateways, remote secrets) is deleted and created again${detail}`;
        case "trust-anchor-replaced":
            return c === "shared"
                ? `REPLACES the mesh's trust anchor, its root CA${detail}: until every cluster trusts the new root and every workload holds a certificate chained to it, mTLS between workloads on either side of the change fails`
                : `REPLACES the trust anchor of ${c}${detail}: istiod takes a new root-cert.pem without a restart only with ISTIO_MULTIROOT_MESH, and only a bundle that holds the old roots or is held by them`;
        case "intermediate-reissued":
            return `RE-ISSUES the intermediate CA of ${c}${detail}: istiod's cacerts changes and new workload certificates are signed by the new intermediate; existing ones keep the old chain until they renew`;
        case "east-west-lb-replaced":
            return `REPLACES the east-west load balancer of ${c}${detail}: traffic from the other clusters to ${c} stops until the new load balancer is up and healthy`;
        case "node-group-replaced":
            return `node group of ${c} replaced${detail}: every node is recreated, ztunnel and workloads restart with them`;
        case "reader-token-replaced":
            return `reader token of ${c} replaced${detail}: the remote secrets the other clusters hold for ${c} change, and istiod there reconnects with the new token`;
        case "kubernetes-upgraded":
            return `Kubernetes of ${c} upgraded${detail}: in place, then the nodes roll`;
        case "istiod-rolled":
            return `istiod of ${c} rolls${detail}`;
        case "cni-rolled":
            return `istio-cni of ${c} rolls${detail}: the node agent restarts on every node`;
        case "ztunnel-rolled":
            return `ztunnel of ${c} rolls${detail}: long-lived connections on each node reset as it restarts`;
        case "cluster-added":
            return `cluster ${c} is added to the mesh`;
    }
}
