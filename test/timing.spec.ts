import * as assert from "node:assert/strict";
import { dependencyGraph, toDot, toMermaid } from "../scripts/docs/dependencyGraph";
import { GraphResource } from "../scripts/docs/graphResource";
import { markdownTable } from "../scripts/docs/markdownTable";
import { renderReachability } from "../scripts/docs/reachability";
import { versionBlocks } from "../scripts/docs/versionTables";
import { clusterNames } from "../scripts/plan/clusters";
import { buildPlanJson } from "../scripts/plan/planJson";
import {
    clusterByCluster,
    criticalPath,
    edgeImpact,
    floorMinutes,
    makespan,
    matchesSuffix,
    minutesFor,
    serialMinutes,
    tasksOf,
} from "../scripts/timing/model";
import { stackRun } from "./stacks";

/** A two-cluster fixture: shared provider, a chain per cluster, one remote secret each way. */
function fixture(): GraphResource[] {
    const r = (
        name: string,
        type: string,
        dependsOn: string[] = [],
        parent: string | null = null,
    ) => ({
        urn: `urn:${name}`,
        name,
        type,
        parent,
        provider: type.startsWith("kubernetes:") ? `urn:${name.split("-")[0]}-k8s` : null,
        dependsOn: dependsOn.map((d) => `urn:${d}`),
        inputs: {},
    });
    const cluster = (c: string, peer: string) => [
        r(`${c}-net`, "ambientmesh:network:Network"),
        r(`${c}-vpc`, "aws:ec2/vpc:Vpc", [], `urn:${c}-net`),
        r(`${c}-eks`, "eks:index:Cluster", [`${c}-vpc`]),
        r(`${c}-k8s`, "pulumi:providers:kubernetes", [`${c}-eks`]),
        r(`${c}-nodes`, "eks:index:ManagedNodeGroup", [`${c}-eks`]),
        r(`${c}-istio-base`, "kubernetes:helm.sh/v3:Release"),
        r(`${c}-istiod-1-31`, "kubernetes:helm.sh/v3:Release", [`${c}-istio-base`, `${c}-nodes`]),
        r(`${c}-ztunnel`, "kubernetes:helm.sh/v3:Release", [`${c}-istiod-1-31`]),
        r(`${c}-east-west`, "kubernetes:gateway.networking.k8s.io/v1:Gateway", [`${c}-ztunnel`]),
        r(`${c}-east-west-nlb`, "kubernetes:core/v1:Service", [`${c}-east-west`]),
        r(`${c}-reader-token`, "kubernetes:core/v1:Secret", [`${c}-istio-base`]),
        r(`${c}-remote-${peer}`, "kubernetes:core/v1:Secret", [`${peer}-reader-token`]),
    ];
    return [...cluster("a", "b"), ...cluster("b", "a")];
}

describe("deploy timeline model", () => {
    const tasks = tasksOf(fixture());

    it("takes minutes per type, with per-release overrides, and skips the program's components", () => {
        assert.equal(minutesFor("eks:index:Cluster", "x-eks"), 11);
        assert.equal(minutesFor("kubernetes:helm.sh/v3:Release", "x-istiod-1-31"), 1.5);
        assert.equal(minutesFor("kubernetes:helm.sh/v3:Release", "x-istiod-1-30"), 1.5);
        assert.equal(matchesSuffix("x-istiod-1-31", "-istiod-*"), true);
        assert.equal(matchesSuffix("x-istiod", "-istiod-*"), false);
        assert.equal(matchesSuffix("x-istio-cni", "-istio-cni"), true);
        assert.equal(minutesFor("kubernetes:helm.sh/v3:Release", "x-other"), 1);
        assert.equal(minutesFor("kubernetes:core/v1:Secret", "x-reader-token"), 0.1);
        assert.equal(minutesFor("some:unknown:Type", "x"), 0.05);
        assert.equal(tasks.length, 22);
        assert.ok(!tasks.some((t) => t.type.startsWith("ambientmesh:")));
        // A Kubernetes resource waits for its provider, which waits for the cluster.
        assert.deepEqual(tasks.find((t) => t.name === "a-istio-base")?.deps, ["urn:a-k8s"]);
    });

    it("finds the critical path and its length", () => {
        const cp = criticalPath(tasks);
        // vpc 0.1 + eks 11 + nodes 4 + istiod 1.5 + ztunnel 1 + east-west 1 + its NLB 3
        assert.equal(Number(cp.minutes.toFixed(2)), 21.6);
        assert.deepEqual(
            cp.path.map((s) => s.task.name),
            [
                "a-vpc",
                "a-eks",
                "a-nodes",
                "a-istiod-1-31",
                "a-ztunnel",
                "a-east-west",
                "a-east-west-nlb",
            ],
        );
    });

    it("schedules with limited parallelism, longest chain first", () => {
        assert.equal(Number(makespan(tasks).minutes.toFixed(2)), 21.6);
        assert.equal(
            Number(makespan(tasks, 1).minutes.toFixed(2)),
            Number(serialMinutes(tasks).toFixed(2)),
        );
        assert.equal(Number(serialMinutes(tasks).toFixed(2)), 44.5);
        // Two at a time: the two clusters' chains run side by side.
        assert.equal(Number(makespan(tasks, 2).minutes.toFixed(2)), 22.25);
    });

    it("measures the floor and the cluster-by-cluster baseline", () => {
        const floor = floorMinutes(tasks, "a");
        assert.deepEqual(
            floor.chain.map((t) => t.name),
            [
                "a-vpc",
                "a-eks",
                "a-nodes",
                "a-istio-base",
                "a-istiod-1-31",
                "a-ztunnel",
                "a-east-west",
                "a-east-west-nlb",
                "b-remote-a",
            ],
        );
        assert.equal(Number(floor.minutes.toFixed(2)), 22.15);
        // Cluster a (21.6), then cluster b (21.6), then the two remote secrets (0.05).
        assert.equal(Number(clusterByCluster(tasks, ["a", "b"]).toFixed(2)), 43.25);
    });

    it("ranks dependency edges by the critical-path minutes they cost, across clusters", () => {
        const edges = edgeImpact(tasks, ["a", "b"]);
        // Without istiod -> ztunnel, ztunnel, the gateway and its load balancer would run beside
        // istiod: 5 min saved.
        assert.deepEqual(edges[0], {
            from: "<cluster>-istiod-1-31",
            to: "<cluster>-ztunnel",
            count: 2,
            minutes: 5,
        });
        assert.ok(edges.every((e) => e.minutes > 0));
        assert.ok(!edges.some((e) => e.to.includes("remote")), "remote secrets are off the path");
    });

    it("draws the dependency graph collapsed by component or in full, in Mermaid and DOT", () => {
        const collapsed = dependencyGraph(fixture(), false);
        assert.ok(collapsed.nodes.includes("a-net (Network)"));
        assert.ok(!collapsed.nodes.includes("a-vpc"));
        assert.deepEqual(
            collapsed.edges.filter(([a]) => a === "a-net (Network)"),
            [["a-net (Network)", "a-eks"]],
        );
        const full = dependencyGraph(fixture(), true);
        assert.ok(full.nodes.includes("a-vpc"));
        const small = {
            nodes: ["a-vpc", "a-eks"],
            edges: [["a-vpc", "a-eks"]] as [string, string][],
        };
        assert.equal(
            toMermaid(small),
            'flowchart LR\n    a_vpc["a-vpc"]\n    a_eks["a-eks"]\n    a_vpc --> a_eks\n',
        );
        assert.equal(
            toDot(small, "x"),
            'digraph "x" {\n    rankdir=LR;\n    node [shape=box, fontname=Helvetica];\n    "a-vpc";\n    "a-eks";\n    "a-vpc" -> "a-eks";\n}\n',
        );
    });

    it("draws reachability as an arrow per ordered pair, closed paths red with their blocking hop", () => {
        assert.equal(
            renderReachability([
                { from: "a", to: "b", path: "api", open: true },
                { from: "a", to: "b", path: "hbone", open: false, blockedAt: "security-group" },
                { from: "b", to: "a", path: "api", open: true },
                { from: "b", to: "a", path: "hbone", open: true },
            ]),
            'flowchart LR\n    a["a"]\n    b["b"]\n' +
                '    a -- "api ✓ · hbone ✗ security-group" --> b\n' +
                '    b -- "api ✓ · hbone ✓" --> a\n' +
                "    linkStyle 0 stroke:#d00,stroke-dasharray:4\n",
        );
    });

    it("lays Markdown tables out as Prettier does, so regenerated blocks stay formatted", () => {
        assert.equal(
            markdownTable(
                ["a", "wide column"],
                [
                    ["1", "x"],
                    ["22", "yy"],
                ],
                ["right"],
            ),
            "|   a | wide column |\n| --: | ----------- |\n|   1 | x           |\n|  22 | yy          |",
        );
    });

    it("generates docs/versions.md's tables from the versions table", () => {
        const blocks = versionBlocks();
        assert.deepEqual(Object.keys(blocks), [
            "versions:eks",
            "versions:istio",
            "versions:charts",
        ]);
        assert.match(
            blocks["versions:eks"],
            /^\| 1\.32 +\| 2025-01-23 +\| 2026-03-23 +\| 2027-03-23 +\|/m,
        );
        assert.match(
            blocks["versions:istio"],
            /^\| 1\.31\.1 \(default\) +\| 1\.32–1\.36 +\| 1\.32–1\.35 +\|/m,
        );
        assert.match(blocks["versions:charts"], /refused: retired, removed in December 2026/);
    });

    it("meets the goals on prod: critical path within 1.2x the floor, 2x faster than cluster by cluster", async () => {
        const run = await stackRun("prod");
        const prod = tasksOf(buildPlanJson(run).resources);
        const cp = criticalPath(prod).minutes;
        assert.ok(cp <= 1.2 * floorMinutes(prod, "prod-use1-a").minutes);
        assert.ok(clusterByCluster(prod, clusterNames(run)) >= 2 * cp);
    });
});
