import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { main } from "../scripts/cli/plan";
import { toExportedConfig } from "../scripts/offline/config";
import { ComparedPlan } from "../scripts/plan/against";
import { Config, pairConfig } from "./fixtures/environments";
import { makeRoot, SharedRoot, sharedRoot } from "./fixtures/sharedRoot";

/**
 * Day-2 operations, each phase planned the way an operator plans it: `npm run plan -- --against
 * <the previous phase's plan>`, which both diffs the two plans and hands the program the previous
 * plan's outputs as the deployed state (so an out-of-order step would be refused). Each phase's
 * diff touches exactly what the phase names, and nothing anywhere is replaced but what it says.
 */

const AS_OF = "2026-11-30";
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "eks-ambient-mesh-phases-"));

interface Step {
    readonly file: string;
    readonly plan: ComparedPlan;
}

async function plan(name: string, config: Config, against?: Step): Promise<Step> {
    const configFile = path.join(dir, `${name}.config.json`);
    fs.writeFileSync(
        configFile,
        JSON.stringify(
            toExportedConfig("eks-ambient-mesh", config, ["rootCaKeyPem", "nextRootCaKeyPem"]),
        ),
    );
    const file = path.join(dir, `${name}.json`);
    const err: string[] = [];
    const code = await main(
        [
            ...["--stack", "phases", "--config", configFile, "--out", file],
            ...["--show-secrets", "--as-of", AS_OF],
            ...(against ? ["--against", against.file] : []),
        ],
        { stdout: () => undefined, stderr: (t) => err.push(t) },
    );
    assert.equal(code, 0, `${name}: ${err.join("")}`);
    return { file, plan: JSON.parse(fs.readFileSync(file, "utf8")) as ComparedPlan };
}

/** `action name [properties]`, in the diff's order. */
const changes = (step: Step) =>
    step.plan.diff.map((d) => `${d.action} ${d.name} ${d.properties.join(",")}`.trim());
const impacts = (step: Step) => step.plan.impacts.map((i) => `${i.kind} ${i.cluster}`).sort();
const replaced = (step: Step) =>
    (step.plan.diff ?? []).filter((d) => d.action === "replace").map((d) => d.name);

let root: SharedRoot;
let next: SharedRoot;
before(async () => {
    root = await sharedRoot();
    next = await makeRoot("Next Mesh Root CA");
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The pair environment on a supplied root (a root rotation needs one). */
function base(): Config {
    const config = pairConfig();
    config.rootCaCertPem = root.certPem;
    config.rootCaKeyPem = root.keyPem;
    return config;
}

describe("phases: an Istio minor upgrade by revision, 1.30.5 to 1.31.1", function () {
    this.timeout(60_000);
    const steps: Record<string, Step> = {};
    before(async () => {
        const istio = (version: string, phase?: string) => {
            const config = base();
            config.mesh.istioVersion = version;
            if (phase) {
                config.mesh.upgrade = { to: "1.31.1", phase };
            }
            return config;
        };
        steps.before = await plan("istio-before", istio("1.30.5"));
        steps.canary = await plan("istio-canary", istio("1.30.5", "canary"), steps.before);
        steps.dataplane = await plan("istio-dataplane", istio("1.30.5", "dataplane"), steps.canary);
        steps.promoted = await plan("istio-promoted", istio("1.30.5", "promoted"), steps.dataplane);
        steps.finished = await plan("istio-finished", istio("1.31.1"), steps.promoted);
    });

    it("canary creates the new istiod and moves the CRDs first; the data plane is untouched", () => {
        assert.deepEqual(changes(steps.canary), [
            "update east-a-istio-base version",
            "update east-a-istiod-1-30 values.revisionTags",
            "create east-a-istiod-1-31",
            "update east-b-istio-base version",
            "update east-b-istiod-1-30 values.revisionTags",
            "create east-b-istiod-1-31",
            "update east-a-gateway-api file",
            "update east-b-gateway-api file",
        ]);
        assert.deepEqual(impacts(steps.canary), ["istiod-rolled east-a", "istiod-rolled east-b"]);
    });

    it("dataplane moves ztunnel and istio-cni, in place, and nothing else", () => {
        assert.deepEqual(changes(steps.dataplane), [
            "update east-a-istio-cni values.global.tag,values.revision,version",
            "update east-a-ztunnel values.revision,values.tag,version",
            "update east-b-istio-cni values.global.tag,values.revision,version",
            "update east-b-ztunnel values.revision,values.tag,version",
        ]);
        assert.deepEqual(impacts(steps.dataplane), [
            "cni-rolled east-a",
            "cni-rolled east-b",
            "ztunnel-rolled east-a",
            "ztunnel-rolled east-b",
        ]);
    });

    it("promoted moves the tags and the base validator only", () => {
        assert.deepEqual(changes(steps.promoted), [
            "update east-a-istio-base values.defaultRevision",
            "update east-a-istiod-1-30 values.revisionTags",
            "update east-a-istiod-1-31 values.revisionTags",
            "update east-b-istio-base values.defaultRevision",
            "update east-b-istiod-1-30 values.revisionTags",
            "update east-b-istiod-1-31 values.revisionTags",
        ]);
    });

    it("finishing deletes the old revision; the new keeps its name", () => {
        assert.deepEqual(changes(steps.finished), [
            "delete east-a-istiod-1-30",
            "update east-a-istiod-1-31 values.revisionTags",
            "delete east-b-istiod-1-30",
            "update east-b-istiod-1-31 values.revisionTags",
        ]);
        for (const step of Object.values(steps)) {
            assert.deepEqual(replaced(step), []);
        }
    });

    it("refuses, through --against, a phase skipped", async () => {
        const config = base();
        config.mesh.istioVersion = "1.30.5";
        config.mesh.upgrade = { to: "1.31.1", phase: "promoted" };
        const configFile = path.join(dir, "skip.config.json");
        fs.writeFileSync(
            configFile,
            JSON.stringify(toExportedConfig("eks-ambient-mesh", config, ["rootCaKeyPem"])),
        );
        const err: string[] = [];
        const code = await main(
            ["--stack", "phases", "--config", configFile, "--against", steps.canary.file],
            { stdout: () => undefined, stderr: (t) => err.push(t) },
        );
        assert.equal(code, 1);
        assert.match(
            err.join(""),
            /mesh\.upgrade\.phase: "promoted" skips dataplane; after canary comes phase: dataplane/,
        );
    });
});

describe("phases: the CA", function () {
    this.timeout(60_000);
    const steps: Record<string, Step> = {};
    before(async () => {
        const rotating = (phase: string) => {
            const config = base();
            config.rootRotation = phase;
            config.nextRootCaCertPem = next.certPem;
            config.nextRootCaKeyPem = next.keyPem;
            return config;
        };
        steps.none = await plan("ca-none", base());
        const reissue = base();
        reissue.clusters[0].intermediateGeneration = 1;
        steps.reissue = await plan("ca-reissue", reissue, steps.none);
        steps.trustBoth = await plan("ca-trust-both", rotating("trust-both"), steps.none);
        steps.signWithNew = await plan("ca-sign", rotating("sign-with-new"), steps.trustBoth);
        steps.dropOld = await plan("ca-drop-old", rotating("drop-old"), steps.signWithNew);
        const finished = base();
        finished.rootCaCertPem = next.certPem;
        finished.rootCaKeyPem = next.keyPem;
        steps.finished = await plan("ca-finished", finished, steps.dropOld);
    });

    it("re-issues one cluster's intermediate: new key, request and certificate, cacerts in place", () => {
        assert.deepEqual(changes(steps.reissue), [
            "update east-a-cacerts stringData.ca-cert.pem,stringData.ca-key.pem,stringData.cert-chain.pem",
            "delete east-a-intermediate",
            "create east-a-intermediate-g1",
            "delete east-a-intermediate",
            "create east-a-intermediate-g1",
            "delete east-a-intermediate",
            "create east-a-intermediate-g1",
        ]);
        assert.deepEqual(impacts(steps.reissue), ["intermediate-reissued east-a"]);
    });

    it("trust-both and drop-old change each cluster's trust bundle only, in place", () => {
        for (const step of [steps.trustBoth, steps.dropOld]) {
            assert.deepEqual(changes(step), [
                "update east-a-cacerts stringData.root-cert.pem",
                "update east-b-cacerts stringData.root-cert.pem",
            ]);
            assert.deepEqual(impacts(step), [
                "trust-anchor-replaced east-a",
                "trust-anchor-replaced east-b",
            ]);
        }
    });

    it("sign-with-new re-issues every intermediate from the new root, keys kept", () => {
        assert.deepEqual(changes(steps.signWithNew), [
            "update east-a-cacerts stringData.ca-cert.pem,stringData.cert-chain.pem",
            "update east-b-cacerts stringData.ca-cert.pem,stringData.cert-chain.pem",
            "replace east-a-intermediate caCertPem,caPrivateKeyPem",
            "replace east-b-intermediate caCertPem,caPrivateKeyPem",
        ]);
        assert.deepEqual(impacts(steps.signWithNew), [
            "intermediate-reissued east-a",
            "intermediate-reissued east-b",
        ]);
    });

    it("finishing onto the new root changes nothing deployed", () => {
        assert.deepEqual(changes(steps.finished), []);
        for (const step of [steps.reissue, steps.trustBoth, steps.dropOld, steps.finished]) {
            assert.deepEqual(replaced(step), []);
        }
        // Every phase's chains verify against every cluster's bundle.
        for (const step of Object.values(steps)) {
            assert.ok(
                (step.plan as unknown as { trust: { verifies: boolean }[] }).trust.every(
                    (t) => t.verifies,
                ),
            );
        }
    });
});

describe("phases: a reader-token rotation", function () {
    this.timeout(60_000);
    const steps: Record<string, Step> = {};
    before(async () => {
        const rotating = (phase: string) => {
            const config = base();
            config.mesh.readerTokenRotation = { generation: 1, phase };
            return config;
        };
        steps.none = await plan("token-none", base());
        steps.issue = await plan("token-issue", rotating("issue"), steps.none);
        steps.switch = await plan("token-switch", rotating("switch"), steps.issue);
        steps.retire = await plan("token-retire", rotating("retire"), steps.switch);
    });

    it("issue creates the next token beside the current one, and nothing else", () => {
        assert.deepEqual(changes(steps.issue), [
            "create east-a-reader-token-g1",
            "create east-b-reader-token-g1",
        ]);
        assert.deepEqual(impacts(steps.issue), []);
    });

    it("switch moves every remote secret to it, in place", () => {
        assert.deepEqual(changes(steps.switch), [
            "update east-a-remote-east-b stringData.east-b",
            "update east-b-remote-east-a stringData.east-a",
        ]);
        assert.deepEqual(impacts(steps.switch), [
            "reader-token-replaced east-a",
            "reader-token-replaced east-b",
        ]);
    });

    it("retire deletes the old tokens, and nothing is replaced in any phase", () => {
        assert.deepEqual(changes(steps.retire), [
            "delete east-a-reader-token",
            "delete east-b-reader-token",
        ]);
        for (const step of Object.values(steps)) {
            assert.deepEqual(replaced(step), []);
        }
    });
});
