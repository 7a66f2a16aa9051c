import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { main } from "../scripts/cli/plan";
import { Io } from "../scripts/cli/runner";
import { runProgram, PROJECT_DIR, RunResult } from "../scripts/offline/run";
import { ComparedPlan, compareWith } from "../scripts/plan/against";
import { diffPlans, PlanDiff } from "../scripts/plan/diff";
import { commentMarker, renderMarkdown } from "../scripts/plan/markdown";
import { buildPlanJson, PlanJson } from "../scripts/plan/planJson";
import { unknownTypes } from "../scripts/plan/replaceOnChange";
import { Config, configRun, environmentRun, pairConfig, queued } from "./fixtures/environments";
import { stackRun } from "./stacks";

/**
 * `npm run plan -- --against`: the diff of two plans of the real program, for the changes a
 * platform engineer makes. The `pair` environment (two small clusters, east-a on Kubernetes
 * 1.32, east-b on 1.35, Istio 1.31.1) is the deployed state; each case plans it once more with
 * one change and asserts exactly what `pulumi preview` would show and what it does to the mesh.
 */

const AS_OF = "2026-11-30";

const plans = new Map<string, Promise<PlanJson>>();

function planOf(key: string, run: () => Promise<RunResult>): Promise<PlanJson> {
    let plan = plans.get(key);
    if (!plan) {
        plan = run().then((r) => buildPlanJson(r, { asOf: AS_OF }));
        plans.set(key, plan);
    }
    return plan;
}

const base = () => planOf("pair", () => environmentRun("pair"));

/** The pair environment with one change. */
function changed(key: string, change: (config: Config) => void): Promise<PlanJson> {
    return planOf(key, () => {
        const config = pairConfig();
        change(config);
        return configRun("pair", config);
    });
}

const addEastC = (c: Config) =>
    c.clusters.push({
        ...c.clusters[1],
        name: "east-c",
        vpcCidr: "10.30.0.0/16",
        serviceCidr: "172.22.0.0/16",
    });

/**
 * The pair environment as a base branch that pinned Istio 1.31.0 would plan it: the versions
 * table's 1.31 entry at the previous patch, the program otherwise as it is.
 */
function pairOnIstio1310(): Promise<PlanJson> {
    return planOf("pair-istio-1.31.0", () =>
        queued(() =>
            runProgram({
                stack: "pair",
                config: { ...pairConfig(), mesh: { ...pairConfig().mesh, istioVersion: "1.31.0" } },
                program: async () => {
                    for (const file of Object.keys(require.cache)) {
                        if (
                            file.startsWith(path.join(PROJECT_DIR, "components") + path.sep) ||
                            file === path.join(PROJECT_DIR, "index.ts")
                        ) {
                            delete require.cache[file];
                        }
                    }
                    // eslint-disable-next-line @typescript-eslint/no-require-imports
                    const versions = require("../components/versions");
                    versions.ISTIO_RELEASES["1.31"].version = "1.31.0";
                    // eslint-disable-next-line @typescript-eslint/no-require-imports
                    const program = require("../index.ts");
                    return program instanceof Function ? await program() : program;
                },
            }),
        ),
    );
}

const urnOf = (plan: PlanJson, name: string, type?: string) => {
    const found = plan.resources.filter((r) => r.name === name && (!type || r.type === type));
    assert.equal(found.length, 1, `one resource named ${name}`);
    return found[0].urn;
};

/** The diff entries as [action, name, properties, replaceBecause?] rows, in URN order. */
const rows = (d: PlanDiff) =>
    d.diff.map((e) => [
        e.action,
        e.name,
        e.properties.join(" "),
        ...(e.replaceBecause ? [e.replaceBecause.join(" ")] : []),
    ]);

const impactRows = (d: PlanDiff) => d.impacts.map((i) => [i.kind, i.cluster, i.detail ?? ""]);

describe("plan diff: changes to the pair environment", () => {
    it("finds nothing to do between a plan and itself", async () => {
        const d = diffPlans(await base(), await base());
        assert.deepEqual([d.diff, d.impacts, d.outputChanges], [[], [], []]);
    });

    it("scaling a node group updates its scaling config, and nothing else", async () => {
        const old = await base();
        const d = diffPlans(
            old,
            await changed("scale", (c) => (c.clusters[0].nodeGroup.desiredSize = 3)),
        );
        assert.deepEqual(d.diff, [
            {
                urn: urnOf(old, "east-a-nodes"),
                type: "eks:index:ManagedNodeGroup",
                name: "east-a-nodes",
                cluster: "east-a",
                action: "update",
                properties: ["scalingConfig.desiredSize"],
            },
        ]);
        assert.deepEqual([d.impacts, d.outputChanges], [[], []]);
    });

    it("changing a tag updates every tagged resource in place (53), and replaces nothing", async () => {
        const old = await base();
        const d = diffPlans(old, await changed("tags", (c) => (c.tags.owner = "mesh-team")));
        const tagged = old.resources
            .filter((r) => r.inputs.tags !== undefined)
            .map((r) => ["update", r.name, "tags.owner"])
            .sort();
        assert.equal(tagged.length, 53);
        assert.deepEqual([...rows(d)].sort(), tagged);
        assert.deepEqual(d.impacts, []);
    });

    it("adding a cluster creates it, the others' remote secrets, routes and rules for it; nothing else changes", async () => {
        const old = await base();
        const next = await changed("add", addEastC);
        const d = diffPlans(old, next);
        assert.deepEqual([...new Set(d.diff.map((e) => e.action))], ["create"]);
        const own = next.resources.filter(
            (r) => r.name === "east-c" || r.name.startsWith("east-c-"),
        );
        assert.equal(own.length, 76);
        const elsewhere = d.diff.filter((e) => !own.some((r) => r.urn === e.urn));
        assert.deepEqual(
            elsewhere.map((e) => [e.cluster, e.type, e.name]),
            [
                [
                    "east-a",
                    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
                    "east-a-api-from-east-c",
                ],
                [
                    "east-b",
                    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
                    "east-b-api-from-east-c",
                ],
                [
                    "east-a",
                    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
                    "east-a-east-west-from-east-c",
                ],
                [
                    "east-b",
                    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
                    "east-b-east-west-from-east-c",
                ],
                ["east-a", "kubernetes:core/v1:Secret", "east-a-remote-east-c"],
                ["east-b", "kubernetes:core/v1:Secret", "east-b-remote-east-c"],
                ["east-a", "aws:ec2/route:Route", "east-a-private-1-to-east-c"],
                ["east-a", "aws:ec2/route:Route", "east-a-private-2-to-east-c"],
                ["east-a", "aws:ec2/route:Route", "east-a-public-to-east-c"],
                ["east-b", "aws:ec2/route:Route", "east-b-private-1-to-east-c"],
                ["east-b", "aws:ec2/route:Route", "east-b-private-2-to-east-c"],
                ["east-b", "aws:ec2/route:Route", "east-b-public-to-east-c"],
            ],
        );
        assert.equal(d.diff.length, own.length + elsewhere.length);
        assert.deepEqual(d.impacts, [
            { kind: "cluster-added", cluster: "east-c", urns: [urnOf(next, "east-c-eks")] },
        ]);
        assert.deepEqual(d.outputChanges, ["clusters", "meshPeers"]);
    });

    it("removing a cluster deletes exactly what adding it created", async () => {
        const old = await changed("add", addEastC);
        const d = diffPlans(old, await base());
        const added = diffPlans(await base(), old);
        assert.deepEqual(
            d.diff.map((e) => [e.action, e.urn]),
            added.diff.map((e) => ["delete", e.urn]),
        );
        assert.deepEqual(d.impacts, [
            { kind: "cluster-removed", cluster: "east-c", urns: [urnOf(old, "east-c-eks")] },
        ]);
    });

    it("reordering the clusters changes no resource, only the order of the stack outputs' lists", async () => {
        const d = diffPlans(await base(), await changed("reorder", (c) => c.clusters.reverse()));
        assert.deepEqual([d.diff, d.impacts], [[], []]);
        assert.deepEqual(
            [...new Set(d.outputChanges.map((p) => p.split(/[.[]/)[0]))],
            ["clusters", "meshPeers"],
        );
    });

    it("an Istio patch upgrade rolls istiod, istio-cni and ztunnel in every cluster, and replaces nothing", async () => {
        const old = await pairOnIstio1310();
        const d = diffPlans(old, await base());
        assert.deepEqual(rows(d), [
            ["update", "east-a-istio-base", "version"],
            ["update", "east-a-istio-cni", "values.global.tag version"],
            ["update", "east-a-istiod-1-31", "values.global.tag version"],
            ["update", "east-a-ztunnel", "values.tag version"],
            ["update", "east-b-istio-base", "version"],
            ["update", "east-b-istio-cni", "values.global.tag version"],
            ["update", "east-b-istiod-1-31", "values.global.tag version"],
            ["update", "east-b-ztunnel", "values.tag version"],
        ]);
        const detail = "version 1.31.0 -> 1.31.1";
        assert.deepEqual(impactRows(d), [
            ["istiod-rolled", "east-a", detail],
            ["istiod-rolled", "east-b", detail],
            ["cni-rolled", "east-a", detail],
            ["cni-rolled", "east-b", detail],
            ["ztunnel-rolled", "east-a", detail],
            ["ztunnel-rolled", "east-b", detail],
        ]);
        assert.deepEqual(d.outputChanges, ["istioVersion", "lifecycle.istio.version"]);
    });

    it("a Kubernetes upgrade of one cluster updates its control plane and its node group, in place", async () => {
        const old = await base();
        const d = diffPlans(
            old,
            await changed("k8s", (c) => (c.clusters[0].kubernetesVersion = "1.33")),
        );
        assert.deepEqual(rows(d), [
            ["update", "east-a-eks", "version"],
            ["update", "east-a-nodes", "version"],
        ]);
        assert.deepEqual(d.impacts, [
            {
                kind: "kubernetes-upgraded",
                cluster: "east-a",
                urns: [urnOf(old, "east-a-eks")],
                detail: "version 1.32 -> 1.33",
            },
        ]);
    });

    it("a third availability zone adds subnets and routes, and replaces the node group and the east-west ConfigMap", async () => {
        const d = diffPlans(
            await base(),
            await changed("az", (c) => (c.clusters[0].availabilityZoneCount = 3)),
        );
        const annotation = "metadata.annotations.service.beta.kubernetes.io/aws-load-balancer";
        assert.deepEqual(rows(d), [
            ["update", "east-a-eks", "privateSubnetIds publicSubnetIds"],
            ["replace", "east-a-nodes", "subnetIds", "subnetIds"],
            ["replace", "east-a-east-west-params", "data.service", "data"],
            [
                "update",
                "east-a-east-west-nlb",
                `${annotation}-private-ipv4-addresses ${annotation}-subnets`,
            ],
            ["create", "east-a-private-3-nat", ""],
            ["create", "east-a-private-3", ""],
            ["create", "east-a-private-3", ""],
            ["create", "east-a-public-3", ""],
            ["create", "east-a-private-3", ""],
            ["create", "east-a-public-3", ""],
            ["create", "east-a-private-3-reserved", ""],
            ["create", "east-a-private-3-to-east-b", ""],
            ["update", "east-a-tgw", "subnetIds"],
        ]);
        assert.deepEqual(
            d.diff.filter((e) => e.action === "create").map((e) => e.type.split(":")[1]),
            [
                "ec2/route",
                "ec2/routeTable",
                "ec2/routeTableAssociation",
                "ec2/routeTableAssociation",
                "ec2/subnet",
                "ec2/subnet",
                "ec2/subnetCidrReservation",
                "ec2/route",
            ],
        );
        // The new subnet's id is unknown until it exists: Pulumi shows these as computed.
        assert.deepEqual(
            d.diff.filter((e) => e.unknown).map((e) => [e.name, e.unknown]),
            [
                ["east-a-eks", ["privateSubnetIds[2]", "publicSubnetIds[2]"]],
                ["east-a-nodes", ["subnetIds[2]"]],
                ["east-a-east-west-nlb", [`${annotation}-subnets`]],
                ["east-a-tgw", ["subnetIds[2]"]],
            ],
        );
        assert.deepEqual(impactRows(d), [["node-group-replaced", "east-a", "subnetIds"]]);
        assert.deepEqual(d.outputChanges, ["clusters[0].privateSubnetIds"]);
    });

    it("a new service CIDR replaces the cluster, and with its Kubernetes provider every object on it", async () => {
        const old = await base();
        const d = diffPlans(
            old,
            await changed("service-cidr", (c) => (c.clusters[0].serviceCidr = "172.25.0.0/16")),
        );
        const onEastA = old.resources.filter(
            (r) => r.type.startsWith("kubernetes:") && r.provider === urnOf(old, "east-a-k8s"),
        );
        const replaced = d.diff.filter((e) => e.action === "replace").map((e) => e.urn);
        assert.deepEqual(
            onEastA.filter((r) => !replaced.includes(r.urn)),
            [],
        );
        assert.deepEqual(
            d.diff
                .filter((e) => !e.type.startsWith("kubernetes:"))
                .map((e) => [e.action, e.name, e.replaceBecause?.join(" ")]),
            [
                ["replace", "east-a-api-from-east-b", "securityGroupId"],
                ["replace", "east-a-eks", "kubernetesServiceIpAddressRange"],
                ["replace", "east-a-nodes", "cluster"],
                ["replace", "east-a-k8s", "clusterIdentifier"],
                ["replace", "east-a-pod-identity-agent", "clusterName"],
                ["replace", "east-a-lb-controller", "clusterName"],
                ["update", "east-a-lb-controller", undefined],
            ],
        );
        // east-b's istiod watches east-a through a remote secret: a new endpoint, CA and token.
        assert.deepEqual(
            d.diff
                .filter((e) => e.cluster === "east-b")
                .map((e) => [e.action, e.name, e.properties]),
            [["update", "east-b-remote-east-a", ["stringData"]]],
        );
        assert.deepEqual(
            d.impacts.map((i) => [i.kind, i.cluster]),
            [
                ["cluster-replaced", "east-a"],
                ["kubernetes-provider-replaced", "east-a"],
                ["east-west-lb-replaced", "east-a"],
                ["node-group-replaced", "east-a"],
                ["reader-token-replaced", "east-a"],
                ["istiod-rolled", "east-a"],
                ["cni-rolled", "east-a"],
                ["ztunnel-rolled", "east-a"],
            ],
        );
        assert.deepEqual(
            d.impacts.find((i) => i.kind === "reader-token-replaced")?.urns,
            [urnOf(old, "east-a-reader-token"), urnOf(old, "east-b-remote-east-a")].sort(),
        );
    });
});

describe("plan diff: the replace-on-change table covers the program", () => {
    it("has a rule for every type the dev, prod, pair and trio plans register", async () => {
        const runs = await Promise.all([
            stackRun("dev"),
            stackRun("prod"),
            environmentRun("pair"),
            environmentRun("trio"),
        ]);
        const types = runs.flatMap((r) => r.resources.map((x) => x.type));
        assert.deepEqual(
            unknownTypes(types),
            [],
            "add these types to scripts/plan/replace-on-change.json, with their source",
        );
        assert.deepEqual(unknownTypes([...types, "aws:ec2/newThing:NewThing"]), [
            "aws:ec2/newThing:NewThing",
        ]);
    });

    it("knows the project's components have no inputs (the ambientmesh:* rule)", async () => {
        for (const run of [await stackRun("prod"), await environmentRun("trio")]) {
            const components = run.resources.filter((r) => r.type.startsWith("ambientmesh:"));
            assert.ok(components.length > 20);
            assert.deepEqual(
                components.filter((r) => Object.keys(r.inputs).length > 0).map((r) => r.urn),
                [],
            );
        }
    });
});

function capture(): { io: Io; out: string[]; err: string[] } {
    const out: string[] = [];
    const err: string[] = [];
    return { io: { stdout: (t) => out.push(t), stderr: (t) => err.push(t) }, out, err };
}

describe("plan diff: the Markdown comment", () => {
    async function clusterReplaced(): Promise<ComparedPlan> {
        const next = await changed(
            "service-cidr",
            (c) => (c.clusters[0].serviceCidr = "172.25.0.0/16"),
        );
        return compareWith(next, { file: "base.json", plan: await base() });
    }

    it("puts the headline warnings first, then counts, impact, policies and a table per cluster", async () => {
        const md = renderMarkdown(await clusterReplaced());
        const lines = md.split("\n");
        assert.deepEqual(lines.slice(0, 10), [
            commentMarker("pair"),
            "### Offline plan of stack `pair`",
            "",
            "> [!CAUTION]",
            "> **REPLACES the EKS cluster east-a: every Kubernetes object on it is recreated (kubernetesServiceIpAddressRange)**",
            "> **REPLACES the Kubernetes provider of east-a: every Kubernetes object it manages (Istio, cacerts, gateways, remote secrets) is deleted and created again (clusterIdentifier)**",
            "> **REPLACES the east-west load balancer of east-a (east-a-east-west-nlb: provider replaced): traffic from the other clusters to east-a stops until the new load balancer is up and healthy**",
            "",
            "Compared with `base.json`: **0** to create · **2** to update · **20** to replace · **0** to delete · 127 unchanged.",
            "",
        ]);
        const sections = [
            "| cluster |",
            "#### Mesh impact",
            "#### Policies",
            "<details open><summary><b>east-a</b>: 1 update, 20 replace</summary>",
            "<details><summary><b>east-b</b>: 1 update</summary>",
        ];
        const at = sections.map((s) => md.indexOf(s));
        assert.ok(
            at.every((i, n) => i > 0 && (n === 0 || i > at[n - 1])),
            JSON.stringify(at),
        );
        assert.match(
            md,
            /\n\| \+- replace \| `east-a-eks` \| `eks:index:Cluster` \| kubernetesServiceIpAddressRange \(replaces\) \|\n/,
        );
        for (const row of [
            "| +- replace | `east-a-nodes` | `eks:index:ManagedNodeGroup` | cluster (unknown, replaces) |",
            "| +- replace | `east-a-k8s` | `pulumi:providers:kubernetes` | clusterIdentifier (unknown, replaces); kubeconfig (unknown) |",
            "| ~ update | `east-a-lb-controller` | `aws:iam/policy:Policy` | policy (unknown) |",
            "| +- replace | `east-a-cacerts` | `kubernetes:core/v1:Secret` | replaced: provider replaced |",
        ]) {
            assert.ok(md.includes(`\n${row}\n`), row);
        }
        assert.ok(md.length < 65_536);
    });

    it("cuts the tables to fit the limit, keeping the warnings, and says how many rows it left out", async () => {
        const plan = await clusterReplaced();
        const md = renderMarkdown(plan, 4000);
        assert.ok(md.length <= 4000, String(md.length));
        assert.ok(md.includes("> **REPLACES the EKS cluster east-a"));
        const shown = (md.match(/^\| (\+|~|\+-|-) /gm) ?? []).length;
        assert.match(
            md,
            new RegExp(
                `\\*\\*${plan.diff.length - shown} more changed resource\\(s\\) not shown\\*\\*`,
            ),
        );
        assert.ok(shown > 0 && shown < plan.diff.length);
    });

    it("says there is no diff when there is no older plan", async () => {
        const md = renderMarkdown(await base());
        assert.deepEqual(md.split("\n").slice(0, 6), [
            commentMarker("pair"),
            "### Offline plan of stack `pair`",
            "",
            "No diff: no older plan was given to compare with (`--against`).",
            "",
            "149 resources planned.",
        ]);
    });
});

describe("plan diff: the CLI", () => {
    let dir: string;
    before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-diff-"))));
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("prints the diff first, writes it with --out and the comment with --summary-md", async () => {
        const old = path.join(dir, "old.json");
        fs.writeFileSync(
            old,
            JSON.stringify(buildPlanJson(await stackRun("dev"), { asOf: AS_OF })),
        );
        const out = path.join(dir, "new.json");
        const md = path.join(dir, "summary.md");
        const { io, out: stdout } = capture();
        const argv = ["--stack", "dev", "--against", old, "--out", out, "--summary-md", md];
        assert.equal(await main([...argv, "--as-of", AS_OF], io), 0);
        assert.ok(
            stdout
                .join("")
                .startsWith(
                    `No replacement of a cluster, VPC, CA or east-west gateway.\n\nDiff against ${old} (stack dev): 0 to create, 0 to update, 0 to replace, 0 to delete; 149 unchanged\n`,
                ),
            stdout.join("").slice(0, 300),
        );
        const written = JSON.parse(fs.readFileSync(out, "utf8"));
        assert.deepEqual(
            [written.against, written.diff, written.impacts, written.outputChanges],
            [old, [], [], []],
        );
        assert.ok(fs.readFileSync(md, "utf8").startsWith(`${commentMarker("dev")}\n`));
    });

    it("refuses an --against that is missing, not a plan, or of another stack (exit 2, nothing run)", async () => {
        const other = path.join(dir, "prod.json");
        fs.writeFileSync(
            other,
            JSON.stringify({
                project: "eks-ambient-mesh",
                stack: "prod",
                resources: [],
                outputs: {},
            }),
        );
        const junk = path.join(dir, "junk.json");
        fs.writeFileSync(junk, "{}");
        for (const [file, message] of [
            [
                path.join(dir, "none.json"),
                `--against: ${path.join(dir, "none.json")} does not exist`,
            ],
            [junk, `--against: ${junk} is not a plan written by npm run plan -- --out`],
            [
                other,
                `--against: ${other} is the plan of stack prod of project eks-ambient-mesh, not of dev; a diff compares two plans of one stack`,
            ],
        ]) {
            const { io, err } = capture();
            assert.equal(await main(["--stack", "dev", "--against", file], io), 2);
            assert.equal(err.join("").split("\n")[0], message);
        }
    });
});
