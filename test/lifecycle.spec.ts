import * as assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { runProgram, RunResult } from "../scripts/offline/run";
import { Config, pairConfig, Resources } from "./fixtures/environments";

/**
 * Step-by-step operations: the program reads what the stack's last update deployed (its own
 * outputs, through a StackReference to itself) and refuses a step AWS or Istio would not take,
 * before anything is created.
 */

const SELF = "organization/eks-ambient-mesh/life";

/** Runs `config` as stack `life`, whose last update exported `deployed`. */
export function lifeRun(config: Config, deployed?: Record<string, unknown>): Promise<RunResult> {
    return runProgram({
        stack: "life",
        config,
        secretKeys: ["rootCaKeyPem"],
        stackOutputs: deployed ? { [SELF]: deployed } : {},
    });
}

/** The outputs a deployed `pair` would have left, as far as the program reads them back. */
export function deployedOutputs(
    overrides: { versions?: Record<string, string>; lifecycle?: Record<string, unknown> } = {},
): Record<string, unknown> {
    const versions = overrides.versions ?? { "east-a": "1.32", "east-b": "1.35" };
    return {
        clusters: Object.entries(versions).map(([name, kubernetesVersion]) => ({
            name,
            kubernetesVersion,
        })),
        lifecycle: { istio: { version: "1.31.1" }, ...overrides.lifecycle },
    };
}

function withVersions(versions: string[]): Config {
    const config = pairConfig();
    versions.forEach((v, i) => (config.clusters[i].kubernetesVersion = v));
    return config;
}

describe("lifecycle: Kubernetes upgrades", () => {
    it("upgrades one cluster one minor: the control plane, then its node group, in place", async () => {
        const run = await lifeRun(withVersions(["1.33", "1.35"]), deployedOutputs());
        const resources = new Resources(run.resources);
        const cluster = resources.one("eks:index:Cluster", "east-a-eks");
        const nodes = resources.one("eks:index:ManagedNodeGroup", "east-a-nodes");
        assert.equal(cluster.inputs.version, "1.33");
        assert.equal(nodes.inputs.version, "1.33");
        // The node group waits for the cluster, so its version moves after the control plane's.
        assert.ok(nodes.dependsOn.includes(cluster.urn));
        assert.equal(
            resources.one("eks:index:ManagedNodeGroup", "east-b-nodes").inputs.version,
            "1.35",
        );
        assert.deepEqual(run.outputs.lifecycle, {
            istio: { version: "1.31.1" },
            // The generated root, recorded so that no update replaces it outside a rotation.
            rootRotation: {
                phase: "none",
                root: new X509Certificate(run.outputs.rootCaCertPem as string).fingerprint256,
                generated: true,
            },
        });
    });

    it("refuses two minors at once and a downgrade, naming the next step", async () => {
        await assert.rejects(
            lifeRun(withVersions(["1.34", "1.34"]), deployedOutputs()),
            (err: Error) => {
                assert.equal(err.name, "ConfigError");
                assert.equal(
                    err.message,
                    "Invalid configuration (2 problems):\n" +
                        '  - clusters[0].kubernetesVersion: "1.34" is 2 minors above the deployed 1.32; EKS upgrades one minor at a time: set "1.33", pulumi up, and go on from there\n' +
                        '  - clusters[1].kubernetesVersion: "1.34" is below the deployed 1.35; EKS cannot downgrade a cluster: keep "1.35", or replace the cluster under another name',
                );
                return true;
            },
        );
    });

    it("lets a stack never deployed, and a cluster new to it, start at any version", async () => {
        await lifeRun(withVersions(["1.35", "1.32"]));
        const added = await lifeRun(
            withVersions(["1.32", "1.35"]),
            deployedOutputs({ versions: { "east-a": "1.32" } }),
        );
        assert.ok(added.resources.length > 100);
    });
});
