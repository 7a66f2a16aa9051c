import * as assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { runProgram, RunResult } from "../scripts/offline/run";
import { buildPlanJson } from "../scripts/plan/planJson";
import { Config, pairConfig, Resources } from "./fixtures/environments";

/** The lifecycle output but its root-CA record (test/caRotation.spec.ts covers that). */
function withoutRoot(lifecycle: unknown): Record<string, unknown> {
    const { rootRotation, ...rest } = lifecycle as Record<string, unknown>;
    void rootRotation;
    return rest;
}

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

const RELEASE = "kubernetes:helm.sh/v3:Release";

function upgrading(phase?: string, istioVersion = "1.30.5", to = "1.31.1"): Config {
    const config = pairConfig();
    config.mesh.istioVersion = istioVersion;
    if (phase !== undefined) {
        config.mesh.upgrade = { to, phase };
    }
    return config;
}

/** Each cluster's Istio releases: name → [chart version, revision, tags]. */
function istioReleases(run: RunResult, cluster: string): Record<string, unknown[]> {
    return Object.fromEntries(
        new Resources(run.resources)
            .ofType(RELEASE)
            .filter(
                (r) => r.name.startsWith(`${cluster}-`) && r.inputs.namespace === "istio-system",
            )
            .map((r) => {
                const values = r.inputs.values as Record<string, unknown>;
                return [
                    r.inputs.name as string,
                    [
                        r.inputs.version,
                        values.revision ?? values.defaultRevision,
                        values.revisionTags,
                    ].filter((v) => v !== undefined),
                ];
            }),
    );
}

describe("lifecycle: Istio minor upgrades by revision", () => {
    const phases: Record<string, RunResult> = {};
    before(async function () {
        this.timeout(60_000);
        const was = (upgrade?: Record<string, string>) =>
            deployedOutputs({
                lifecycle: { istio: { version: "1.30.5", ...(upgrade ? { upgrade } : {}) } },
            });
        phases.before = await lifeRun(upgrading(), was());
        phases.canary = await lifeRun(upgrading("canary"), was());
        phases.dataplane = await lifeRun(
            upgrading("dataplane"),
            was({ to: "1.31.1", phase: "canary" }),
        );
        phases.promoted = await lifeRun(
            upgrading("promoted"),
            was({ to: "1.31.1", phase: "dataplane" }),
        );
        phases.finished = await lifeRun(
            upgrading(undefined, "1.31.1"),
            was({ to: "1.31.1", phase: "promoted" }),
        );
        phases.rolledBack = await lifeRun(
            upgrading("dataplane"),
            was({ to: "1.31.1", phase: "promoted" }),
        );
    });

    it("runs one revision, named after its minor, holding the default tag", () => {
        assert.deepEqual(istioReleases(phases.before, "east-a"), {
            "istio-base": ["1.30.5", "1-30"],
            "istiod-1-30": ["1.30.5", "1-30", ["default"]],
            "istio-cni": ["1.30.5", "1-30"],
            ztunnel: ["1.30.5", "1-30"],
        });
    });

    it("canary: the new istiod beside the old, base first, the data plane untouched", () => {
        assert.deepEqual(istioReleases(phases.canary, "east-a"), {
            "istio-base": ["1.31.1", "1-30"],
            "istiod-1-30": ["1.30.5", "1-30", ["default", "stable"]],
            "istiod-1-31": ["1.31.1", "1-31", ["canary"]],
            "istio-cni": ["1.30.5", "1-30"],
            ztunnel: ["1.30.5", "1-30"],
        });
        assert.deepEqual(withoutRoot(phases.canary.outputs.lifecycle), {
            istio: { version: "1.30.5", upgrade: { to: "1.31.1", phase: "canary" } },
        });
    });

    it("dataplane: ztunnel and istio-cni move to the new revision in place", () => {
        const releases = istioReleases(phases.dataplane, "east-a");
        assert.deepEqual(releases["istio-cni"], ["1.31.1", "1-31"]);
        assert.deepEqual(releases.ztunnel, ["1.31.1", "1-31"]);
        assert.deepEqual(releases["istiod-1-30"], ["1.30.5", "1-30", ["default", "stable"]]);
    });

    it("promoted: the default tag moves to the new revision, which waits for the old to let go", () => {
        const releases = istioReleases(phases.promoted, "east-a");
        assert.deepEqual(releases["istio-base"], ["1.31.1", "1-31"]);
        assert.deepEqual(releases["istiod-1-30"], ["1.30.5", "1-30", ["stable"]]);
        assert.deepEqual(releases["istiod-1-31"], ["1.31.1", "1-31", ["default", "canary"]]);
        const resources = new Resources(phases.promoted.resources);
        const next = resources.one(RELEASE, "east-a-istiod-1-31");
        assert.ok(resources.dependencyNames(next).includes("east-a-istiod-1-30"));
        // Rolled back a phase: the old revision takes default back, after the new lets go.
        const back = new Resources(phases.rolledBack.resources);
        const old = back.one(RELEASE, "east-a-istiod-1-30");
        assert.ok(back.dependencyNames(old).includes("east-a-istiod-1-31"));
        assert.ok(
            !back
                .dependencyNames(back.one(RELEASE, "east-a-istiod-1-31"))
                .includes("east-a-istiod-1-30"),
        );
    });

    it("finished: one revision again, the new one, its names unchanged from the canary", () => {
        assert.deepEqual(istioReleases(phases.finished, "east-a"), {
            "istio-base": ["1.31.1", "1-31"],
            "istiod-1-31": ["1.31.1", "1-31", ["default"]],
            "istio-cni": ["1.31.1", "1-31"],
            ztunnel: ["1.31.1", "1-31"],
        });
    });
});

describe("lifecycle: every phase of an Istio upgrade passes the policy pack and keeps every path open", () => {
    it("before, canary, dataplane, promoted, finished, rolled back", async function () {
        this.timeout(60_000);
        const was = (upgrade?: Record<string, string>) =>
            deployedOutputs({
                lifecycle: { istio: { version: "1.30.5", ...(upgrade ? { upgrade } : {}) } },
            });
        for (const [name, config, deployed] of [
            ["canary", upgrading("canary"), was()],
            ["dataplane", upgrading("dataplane"), was({ to: "1.31.1", phase: "canary" })],
            ["promoted", upgrading("promoted"), was({ to: "1.31.1", phase: "dataplane" })],
        ] as const) {
            const plan = buildPlanJson(await lifeRun(config, deployed), { asOf: "2026-11-30" });
            assert.deepEqual(
                plan.policyViolations
                    .filter((v) => v.enforcementLevel === "mandatory")
                    .map((v) => `${v.policy}: ${v.message}`),
                [],
                name,
            );
            assert.deepEqual(
                plan.reachability.filter((e) => !e.open).map((e) => `${e.from}>${e.to}`),
                [],
                name,
            );
        }
    });
});

describe("lifecycle: an Istio upgrade goes one phase at a time", () => {
    const was = (version: string, upgrade?: Record<string, string>) =>
        deployedOutputs({ lifecycle: { istio: { version, ...(upgrade ? { upgrade } : {}) } } });
    const cases: [string, Config, Record<string, unknown>, string[]][] = [
        [
            "a minor upgrade without a revision",
            upgrading(undefined, "1.31.1"),
            was("1.30.5"),
            [
                'mesh.istioVersion: "1.31.1" is a minor upgrade from the deployed 1.30.5; minor upgrades go by revision: keep mesh.istioVersion: "1.30.5" and set mesh.upgrade: { to: "1.31.1", phase: canary } (docs/operations.md, "Istio")',
            ],
        ],
        [
            "an upgrade that starts past canary",
            upgrading("dataplane"),
            was("1.30.5"),
            [
                'mesh.upgrade.phase: "dataplane" skips canary; an upgrade to 1.31.1 starts with phase: canary',
            ],
        ],
        [
            "a phase skipped",
            upgrading("promoted"),
            was("1.30.5", { to: "1.31.1", phase: "canary" }),
            ['mesh.upgrade.phase: "promoted" skips dataplane; after canary comes phase: dataplane'],
        ],
        [
            "two phases back at once",
            upgrading("canary"),
            was("1.30.5", { to: "1.31.1", phase: "promoted" }),
            [
                'mesh.upgrade.phase: "canary" goes back past dataplane; go back one phase at a time: phase: dataplane',
            ],
        ],
        [
            "finishing before promotion",
            upgrading(undefined, "1.31.1"),
            was("1.30.5", { to: "1.31.1", phase: "dataplane" }),
            [
                'mesh.upgrade: removed, with mesh.istioVersion "1.31.1", while the deployed upgrade is in phase dataplane; it finishes from promoted: set phase: promoted next',
            ],
        ],
        [
            "abandoning past canary",
            upgrading(undefined, "1.30.5"),
            was("1.30.5", { to: "1.31.1", phase: "dataplane" }),
            [
                "mesh.upgrade: removed in phase dataplane; to abandon the upgrade to 1.31.1, go back one phase at a time (phase: canary next) and remove it from canary",
            ],
        ],
    ];
    for (const [name, config, deployed, problems] of cases) {
        it(`refuses ${name}`, async () => {
            await assert.rejects(lifeRun(config, deployed), (err: Error) => {
                assert.equal(err.name, "ConfigError");
                assert.deepEqual(
                    err.message.split("\n").slice(1),
                    problems.map((p) => `  - ${p}`),
                );
                return true;
            });
        });
    }

    it("lets an upgrade be abandoned from canary", async () => {
        const run = await lifeRun(
            upgrading(undefined, "1.30.5"),
            was("1.30.5", { to: "1.31.1", phase: "canary" }),
        );
        assert.deepEqual(withoutRoot(run.outputs.lifecycle), { istio: { version: "1.30.5" } });
    });

    it("refuses, in config, an upgrade of two minors or of a patch", async () => {
        const twoMinors = upgrading("canary", "1.29.6", "1.31.1");
        twoMinors.clusters[0].kubernetesVersion = "1.33";
        twoMinors.clusters[1].kubernetesVersion = "1.34";
        await assert.rejects(
            lifeRun(twoMinors),
            /mesh\.upgrade\.to: "1\.31\.1" is 2 minors above mesh\.istioVersion 1\.29\.6; a revision upgrade goes one minor up at a time \(ztunnel and istio-cni work with an istiod one minor newer, not more\)/,
        );
        await assert.rejects(
            lifeRun(upgrading("canary", "1.31.1", "1.31.1")),
            /mesh\.upgrade\.to: "1\.31\.1" is a patch of mesh\.istioVersion 1\.31\.1; patches upgrade in place: set mesh\.istioVersion: "1\.31\.1" and remove mesh\.upgrade/,
        );
    });
});
