import * as assert from "node:assert/strict";
import { configReference } from "../components/config/reference";
import { generatedDocs } from "../scripts/docs/blocks";
import { configurationTable } from "../scripts/docs/configTable";
import { readBlock, readDoc, replaceBlock, staleBlocks } from "../scripts/docs/files";
import { clusterNames } from "../scripts/plan/clusters";
import { buildPlanJson } from "../scripts/plan/planJson";
import { stackRun } from "./stacks";

/**
 * The generated documentation: every block in the repository's Markdown equals what its source
 * (config schema, versions table, rules, plans) makes of it today, and the configuration table
 * says for each key what the schema says.
 */

const fromStacks = () =>
    generatedDocs(async (stack) => {
        const run = await stackRun(stack);
        return { plan: buildPlanJson(run), clusters: clusterNames(run) };
    });

describe("generated documentation", () => {
    it("keeps every generated block equal to its source", async () => {
        const blocks = await fromStacks();
        assert.deepEqual(
            Object.fromEntries(Object.entries(blocks).map(([f, b]) => [f, Object.keys(b)])),
            {
                "README.md": ["configuration"],
                "docs/versions.md": ["versions:eks", "versions:istio", "versions:charts"],
                "docs/architecture.md": ["architecture:dev", "architecture:prod"],
                "docs/timing.md": ["timeline:dev", "timeline:prod"],
                "docs/plan.md": ["replace-on-change"],
                "policies/README.md": ["config", "rules"],
            },
        );
        assert.deepEqual(staleBlocks(blocks), [], "stale generated blocks: run npm run docs");
        // The bench is measured, not derived; it must still be there to be rewritten.
        assert.match(
            readBlock(readDoc("docs/timing.md"), "docs/timing.md", "bench"),
            /^\| +clusters/,
        );
    });

    it("names the stale block, and the file missing a block", () => {
        const text = "# t\n\n<!-- a:start -->\n\nold\n\n<!-- a:end -->\n";
        assert.deepEqual(
            staleBlocks({ "t.md": { a: "new" } }, () => text),
            ["t.md#a"],
        );
        assert.deepEqual(
            staleBlocks({ "t.md": { a: "old" } }, () => text),
            [],
        );
        assert.equal(
            replaceBlock(text, "t.md", "a", "new\n"),
            "# t\n\n<!-- a:start -->\n\nnew\n\n<!-- a:end -->\n",
        );
        assert.throws(
            () => staleBlocks({ "t.md": { b: "x" } }, () => text),
            /^Error: t\.md has no <!-- b:start --> \.\.\. <!-- b:end --> block$/,
        );
    });

    it("gives every configuration key its type, default and meaning, from the schema", () => {
        const rows = configReference();
        const byKey = new Map(rows.map((r) => [r.key, r]));
        assert.equal(new Set(rows.map((r) => r.key)).size, rows.length, "each key once");
        assert.deepEqual(
            rows.filter((r) => r.description === "").map((r) => r.key),
            [],
            "every key described",
        );
        assert.deepEqual(
            ["environment", "clusters[].kubernetesVersion", "clusters[].availabilityZoneCount"].map(
                (k) => byKey.get(k),
            ),
            [
                {
                    key: "environment",
                    type: "string",
                    default: "required",
                    description:
                        "DNS label of at most 20 characters; prefixes Transit Gateways and peerings",
                },
                {
                    key: "clusters[].kubernetesVersion",
                    type: "string",
                    default: "required",
                    description:
                        'a Kubernetes minor EKS offers (quoted, e.g. `"1.35"`) that the Istio release supports',
                },
                {
                    key: "clusters[].availabilityZoneCount",
                    type: "integer",
                    default: "`3`",
                    description: "availability zones, 2 or 3",
                },
            ],
        );
        assert.equal(byKey.get("clusters[].natGateways")?.type, "`single` or `perAz`");
        assert.equal(byKey.get("mesh.istioVersion")?.default, "`1.31.1`");
        assert.equal(byKey.get("mesh.meshId")?.default, "`mesh-<environment>`");
        assert.equal(byKey.get("mesh.tracing")?.default, "off");
        assert.equal(byKey.get("mesh.tracing.port")?.default, "`4317`");
        assert.equal(byKey.get("mesh.peers")?.type, "list of objects");
        assert.ok(byKey.has("mesh.peers[].stack"));
        // A section whose keys all have rows of their own gets no row itself.
        assert.equal(byKey.has("clusters[].nodeGroup"), false);
        assert.equal(byKey.has("mesh"), true);
    });

    it("lays the configuration table out one row per key, escaping what would end a cell", () => {
        const table = configurationTable([
            { key: "a", type: "string", default: "`x`", description: "one | two" },
        ]);
        assert.equal(
            table,
            "| key | type   | default | meaning    |\n" +
                "| --- | ------ | ------- | ---------- |\n" +
                "| `a` | string | `x`     | one \\| two |",
        );
        assert.equal(configurationTable().split("\n").length, configReference().length + 2);
    });
});
