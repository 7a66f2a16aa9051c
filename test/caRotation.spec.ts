import * as assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { checkRootRotation } from "../components/config/caRotation";
import { platformSchema } from "../components/config/schema";
import { ISTIO_RELEASES } from "../components/versions";
import { evaluatePlan, hasMandatoryViolations, stackResourcesOf } from "../policies/evaluate";
import { meshTrustChains } from "../policies/rules/istio/trust";
import { RecordedResource } from "../scripts/offline/monitor";
import { runProgram, RunResult } from "../scripts/offline/run";
import { buildPlanJson, PlanResource } from "../scripts/plan/planJson";
import { Config, pairConfig, Resources } from "./fixtures/environments";
import { EU_STACK, euCluster, euOutputs } from "./fixtures/euPeer";
import { makeRootCa } from "./fixtures/rootCa";
import { makeRoot, SharedRoot } from "./fixtures/sharedRoot";

/**
 * CA rotation (docs/operations.md): a root rotation in phases the program refuses to skip,
 * checked against what the stack last deployed (its `lifecycle.rootRotation` output), and an
 * intermediate re-issued on demand. Every phase is planned through the real program, and the
 * plan's trust proof must show every cluster's chain verifying against every root-cert.pem.
 */

const SELF = "organization/eks-ambient-mesh/rotation";
const SECRET = "kubernetes:core/v1:Secret";
const CERT = "tls:index/locallySignedCert:LocallySignedCert";
const KEY = "tls:index/privateKey:PrivateKey";
const CSR = "tls:index/certRequest:CertRequest";
const GUIDE = "docs/operations.md";
const WAIT =
    "wait until every ztunnel has renewed its certificate (12 h, or restart ztunnel node by node)";

type Phase = "trust-both" | "sign-with-new" | "drop-old";

let OLD: SharedRoot;
let NEXT: SharedRoot;
const print = (pem: string) => new X509Certificate(pem).fingerprint256;

before(async () => {
    OLD = await makeRoot("Mesh Root CA");
    NEXT = await makeRoot("Next Mesh Root CA");
});

/** The pair on the old root, in `phase` of a rotation to the next (none: no rotation). */
function configFor(phase?: Phase, root: SharedRoot = OLD): Config {
    return {
        ...pairConfig(),
        rootCaCertPem: root.certPem,
        rootCaKeyPem: root.keyPem,
        ...(phase
            ? {
                  rootRotation: phase,
                  nextRootCaCertPem: NEXT.certPem,
                  nextRootCaKeyPem: NEXT.keyPem,
              }
            : {}),
    };
}

/** What an update in `phase` from the old root (or a finished one, on the next) leaves. */
function deployedIn(phase: Phase | "none", root: SharedRoot = OLD): Record<string, unknown> {
    return {
        clusters: [
            { name: "east-a", kubernetesVersion: "1.32" },
            { name: "east-b", kubernetesVersion: "1.35" },
        ],
        lifecycle: {
            istio: { version: "1.31.1" },
            rootRotation: {
                phase,
                root: print(root.certPem),
                generated: false,
                ...(phase === "none" ? {} : { next: print(NEXT.certPem) }),
            },
        },
    };
}

function run(config: Config, deployed?: Record<string, unknown>): Promise<RunResult> {
    return runProgram({
        stack: "rotation",
        config,
        secretKeys: ["rootCaKeyPem", "nextRootCaKeyPem"],
        stackOutputs: deployed ? { [SELF]: deployed } : {},
    });
}

/** The program's refusal: the ConfigError's problems, one per line. */
async function refusal(config: Config, deployed?: Record<string, unknown>): Promise<string[]> {
    try {
        await run(config, deployed);
    } catch (err) {
        assert.equal((err as Error).name, "ConfigError");
        return (err as Error).message
            .split("\n")
            .slice(1)
            .map((l) => l.replace(/^ {2}- /, ""));
    }
    assert.fail("the program ran");
}

type Files = Record<"ca-cert.pem" | "ca-key.pem" | "root-cert.pem" | "cert-chain.pem", string>;

/** Each cluster's cacerts files, as the revealed plan holds them. */
function cacerts(r: RunResult): Record<string, Files> {
    return Object.fromEntries(
        new Resources(r.resources)
            .ofType(SECRET)
            .filter((s) => s.name.endsWith("-cacerts"))
            .map((s) => [s.name.replace(/-cacerts$/, ""), s.inputs.stringData as Files]),
    );
}

const lifecycleOf = (r: RunResult) => r.outputs.lifecycle as Record<string, any>;
const issuerOf = (pem: string) => new X509Certificate(pem).issuer.split("\n").join(", ");
const certs = (pem: string) =>
    pem.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g);

describe("CA rotation: the root, phase by phase", () => {
    const runs: Record<string, RunResult> = {};
    // Each phase from the state the one before it deployed; the roots exist only once `before` ran.
    const steps: [string, () => Config, (() => Record<string, unknown>) | undefined][] = [
        ["none", () => configFor(), undefined],
        ["trust-both", () => configFor("trust-both"), () => deployedIn("none")],
        ["sign-with-new", () => configFor("sign-with-new"), () => deployedIn("trust-both")],
        ["drop-old", () => configFor("drop-old"), () => deployedIn("sign-with-new")],
        ["finished", () => configFor(undefined, NEXT), () => deployedIn("drop-old")],
    ];

    for (const [name, config, deployed] of steps) {
        it(`plans ${name} with every chain verifying and no mandatory violation`, async () => {
            const result = await run(config(), deployed?.());
            runs[name] = result;
            const plan = buildPlanJson(result);
            assert.deepEqual(
                plan.trust.map((t) => [t.from, t.to, t.verifies]),
                [
                    ["east-a", "east-a", true],
                    ["east-a", "east-b", true],
                    ["east-b", "east-b", true],
                    ["east-b", "east-a", true],
                ],
            );
            assert.ok(!hasMandatoryViolations(plan), JSON.stringify(plan.policyViolations));
            assert.ok(plan.policyPacks[0].policies.includes("istio-trust-chains-verify"));
        });
    }

    it("trust-both adds the next root to root-cert.pem and changes nothing else", () => {
        const [before, after] = [cacerts(runs.none), cacerts(runs["trust-both"])];
        for (const cluster of ["east-a", "east-b"]) {
            assert.equal(after[cluster]["root-cert.pem"], OLD.certPem + "\n" + NEXT.certPem);
            for (const file of ["ca-cert.pem", "ca-key.pem", "cert-chain.pem"] as const) {
                assert.equal(after[cluster][file], before[cluster][file], `${cluster} ${file}`);
            }
        }
        assert.deepEqual(lifecycleOf(runs["trust-both"]).rootRotation, {
            phase: "trust-both",
            root: print(OLD.certPem),
            generated: false,
            next: print(NEXT.certPem),
        });
    });

    it("sign-with-new re-issues each intermediate under the next root, root-cert.pem untouched", () => {
        const [before, after] = [cacerts(runs["trust-both"]), cacerts(runs["sign-with-new"])];
        for (const cluster of ["east-a", "east-b"]) {
            const files = after[cluster];
            assert.equal(files["root-cert.pem"], before[cluster]["root-cert.pem"]);
            assert.equal(files["ca-key.pem"], before[cluster]["ca-key.pem"]);
            assert.notEqual(files["ca-cert.pem"], before[cluster]["ca-cert.pem"]);
            assert.equal(issuerOf(files["ca-cert.pem"]), "O=acme, CN=Next Mesh Root CA");
            assert.deepEqual(certs(files["cert-chain.pem"]), [
                files["ca-cert.pem"].trim(),
                NEXT.certPem.trim(),
            ]);
        }
        // The same resources, the certificate re-signed (replaced), key and request kept.
        const names = (r: RunResult, type: string) =>
            new Resources(r.resources).ofType(type).map((x) => x.name);
        for (const type of [KEY, CSR, CERT]) {
            assert.deepEqual(names(runs["sign-with-new"], type), names(runs["trust-both"], type));
        }
        assert.equal(runs["sign-with-new"].outputs.rootCaCertPem, NEXT.certPem);
    });

    it("drop-old leaves the next root alone in root-cert.pem, the chains as they were", () => {
        const [before, after] = [cacerts(runs["sign-with-new"]), cacerts(runs["drop-old"])];
        for (const cluster of ["east-a", "east-b"]) {
            assert.equal(after[cluster]["root-cert.pem"], NEXT.certPem);
            for (const file of ["ca-cert.pem", "ca-key.pem", "cert-chain.pem"] as const) {
                assert.equal(after[cluster][file], before[cluster][file], `${cluster} ${file}`);
            }
            assert.ok(!JSON.stringify(after[cluster]).includes(OLD.certPem.trim().slice(40, 120)));
        }
    });

    it("finishing onto the next root as rootCaCertPem changes no cluster's Secret or CA", () => {
        assert.deepEqual(cacerts(runs.finished), cacerts(runs["drop-old"]));
        const tls = (r: RunResult) =>
            r.resources
                .filter((x) => x.type.startsWith("tls:"))
                .map((x) => ({ name: x.name, inputs: x.inputs }));
        assert.deepEqual(tls(runs.finished), tls(runs["drop-old"]));
        assert.deepEqual(lifecycleOf(runs.finished).rootRotation, {
            phase: "none",
            root: print(NEXT.certPem),
            generated: false,
        });
    });

    it("keeps root-cert.pem a superset or subset of the one before, byte for byte", () => {
        const order = ["none", "trust-both", "sign-with-new", "drop-old", "finished"];
        for (let i = 1; i < order.length; i++) {
            const before = cacerts(runs[order[i - 1]])["east-a"]["root-cert.pem"];
            const after = cacerts(runs[order[i]])["east-a"]["root-cert.pem"];
            assert.ok(before.includes(after) || after.includes(before), order[i]);
        }
    });
});

describe("CA rotation: steps the program refuses", () => {
    it("refuses skipping a phase forward, naming the next step", async () => {
        assert.deepEqual(await refusal(configFor("drop-old"), deployedIn("trust-both")), [
            `rootRotation: "drop-old" skips "sign-with-new"; the deployed phase is "trust-both": set rootRotation to "sign-with-new", pulumi up, and ${WAIT} before the next phase (${GUIDE})`,
        ]);
        assert.deepEqual(await refusal(configFor("sign-with-new"), deployedIn("none")), [
            `rootRotation: "sign-with-new" skips "trust-both"; no rotation is deployed: set rootRotation to "trust-both", pulumi up, and ${WAIT} before the next phase (${GUIDE})`,
        ]);
        assert.deepEqual(await refusal(configFor("drop-old"), deployedIn("none")), [
            `rootRotation: "drop-old" skips "trust-both" and "sign-with-new"; no rotation is deployed: set rootRotation to "trust-both", pulumi up, and ${WAIT} before the next phase (${GUIDE})`,
        ]);
    });

    it("rolls back one phase, and refuses two", async () => {
        const back = await run(configFor("trust-both"), deployedIn("sign-with-new"));
        for (const files of Object.values(cacerts(back))) {
            assert.equal(issuerOf(files["ca-cert.pem"]), "O=acme, CN=Mesh Root CA");
            assert.equal(files["root-cert.pem"], OLD.certPem + "\n" + NEXT.certPem);
        }
        await run(configFor(), deployedIn("trust-both"));
        assert.deepEqual(await refusal(configFor(), deployedIn("sign-with-new")), [
            `rootRotation: is not set, 2 phases back from "sign-with-new"; a rotation rolls back one phase at a time: set rootRotation to "trust-both", pulumi up, and ${WAIT} before the next step back (${GUIDE})`,
        ]);
        assert.deepEqual(await refusal(configFor("trust-both"), deployedIn("drop-old")), [
            `rootRotation: "trust-both", 2 phases back from "drop-old"; a rotation rolls back one phase at a time: set rootRotation to "sign-with-new", pulumi up, and ${WAIT} before the next step back (${GUIDE})`,
        ]);
    });

    it("refuses finishing before drop-old, naming the phase to take", async () => {
        assert.deepEqual(await refusal(configFor(undefined, NEXT), deployedIn("sign-with-new")), [
            `rootCaCertPem: is the next root (SHA-256 ${print(NEXT.certPem)}), which finishes the rotation, but the deployed phase is "sign-with-new": keep the rotation's keys, set rootRotation to "drop-old", pulumi up, and ${WAIT} before the next phase; finish after "drop-old" (${GUIDE})`,
        ]);
    });

    it("finishes only onto the next root", async () => {
        assert.deepEqual(await refusal(configFor(), deployedIn("drop-old")), [
            `rootRotation: is not set while the deployed phase is "drop-old"; to finish the rotation, set rootCaCertPem and rootCaKeyPem from the files nextRootCaCertPem and nextRootCaKeyPem came from (SHA-256 ${print(NEXT.certPem)}) and remove rootRotation, nextRootCaCertPem and nextRootCaKeyPem; to roll back instead, set rootRotation to "sign-with-new" (${GUIDE})`,
        ]);
    });

    it("refuses a new root outside a rotation, and another root or next root during one", async () => {
        const other = await makeRoot("Other Mesh Root CA");
        assert.deepEqual(await refusal(configFor(undefined, NEXT), deployedIn("none")), [
            `rootCaCertPem: SHA-256 ${print(NEXT.certPem)} is not the deployed root (SHA-256 ${print(OLD.certPem)}); a root changes every cluster's trust anchor at once, so move to a new one with a root rotation instead: keep rootCaCertPem as deployed and set nextRootCaCertPem, nextRootCaKeyPem and rootRotation: trust-both (${GUIDE})`,
        ]);
        const moved: Config = { ...configFor("sign-with-new"), nextRootCaCertPem: other.certPem };
        moved.nextRootCaKeyPem = other.keyPem;
        assert.deepEqual(await refusal(moved, deployedIn("trust-both")), [
            `nextRootCaCertPem: SHA-256 ${print(other.certPem)} is not the root the deployed phase "trust-both" moves to (SHA-256 ${print(NEXT.certPem)}); a rotation keeps one next root to its end: set it back, or roll the rotation back phase by phase first (${GUIDE})`,
        ]);
        const generated = deployedIn("none");
        (generated.lifecycle as any).rootRotation = {
            phase: "none",
            root: "AA:BB",
            generated: true,
        };
        assert.deepEqual(await refusal(configFor(), generated), [
            `rootCaCertPem: is set, and the stack runs on its generated root (SHA-256 AA:BB); a root changes every cluster's trust anchor at once, so move to a new one with a root rotation instead: keep rootCaCertPem as deployed and set nextRootCaCertPem, nextRootCaKeyPem and rootRotation: trust-both (${GUIDE})`,
        ]);
    });

    it("moves a stack from its generated root onto a supplied one, keeping the generated until the end", async () => {
        const fromGenerated = configFor("trust-both");
        delete fromGenerated.rootCaCertPem;
        delete fromGenerated.rootCaKeyPem;
        const first = await run(fromGenerated);
        const record = lifecycleOf(first).rootRotation;
        assert.equal(record.generated, true);
        assert.equal(record.root, print(first.outputs.rootCaCertPem as string));
        const generatedRoot = new Resources(first.resources).one(
            "tls:index/selfSignedCert:SelfSignedCert",
            "mesh-root",
        );
        const files = cacerts(first)["east-a"];
        assert.equal(
            files["root-cert.pem"],
            `${String(generatedRoot.state.certPem)}${NEXT.certPem}`,
        );
    });
});

describe("CA rotation: the config", () => {
    it("asks for the next root, refuses the current one as next, and left-over next keys", async () => {
        const bare = configFor("trust-both");
        delete bare.nextRootCaCertPem;
        delete bare.nextRootCaKeyPem;
        assert.deepEqual(await refusal(bare), [
            `rootRotation: "trust-both" needs the root to move to: set nextRootCaCertPem and, as secret config, nextRootCaKeyPem (${GUIDE})`,
        ]);
        const same: Config = { ...configFor("trust-both"), nextRootCaCertPem: OLD.certPem };
        same.nextRootCaKeyPem = OLD.keyPem;
        assert.deepEqual(await refusal(same), [
            `nextRootCaCertPem: is the current root, rootCaCertPem (SHA-256 ${print(OLD.certPem)}); a rotation moves to another root`,
        ]);
        assert.deepEqual(await refusal({ ...configFor("trust-both"), rootRotation: "phase-1" }), [
            'rootRotation: "phase-1" is not allowed; use one of trust-both, sign-with-new, drop-old',
        ]);
        const leftOver = configFor("drop-old");
        delete leftOver.rootRotation;
        assert.deepEqual(await refusal(leftOver), [
            `nextRootCaCertPem: is set, but rootRotation is not; start a rotation with rootRotation: trust-both, or, when one has finished, remove nextRootCaCertPem and nextRootCaKeyPem (${GUIDE})`,
        ]);
    });

    it("holds the next root to the rules of rootCaCertPem, under its own keys", async () => {
        const weak = await makeRootCa({ key: "RSA-2048", subject: "CN=Weak Root, O=acme" });
        const config: Config = { ...configFor("trust-both"), nextRootCaCertPem: weak.certPem };
        config.nextRootCaKeyPem = weak.keyPem;
        const problems = await runProgram({
            stack: "rotation",
            config,
            secretKeys: ["rootCaKeyPem"],
        }).then(
            () => [],
            (err: Error) => err.message.split("\n").slice(1),
        );
        assert.deepEqual(problems, [
            "  - nextRootCaKeyPem: [secret] is plain text in the stack's configuration; a CA key must be secret config: pulumi config set --secret nextRootCaKeyPem < root-ca.key",
            '  - nextRootCaCertPem: "CN=Weak Root, O=acme" has a 2048-bit RSA key; CA keys of the mesh are RSA of at least 4096 bits or ECDSA on P-384, as the mandatory policy tls-ca-key-strength requires of the CA keys the program makes',
        ]);
    });

    it("refuses the two-root phases in ambient mode where ztunnel trusts one root only", () => {
        const release = { ...ISTIO_RELEASES["1.24"], version: "1.24.5" };
        const parsed = platformSchema.parse({
            ...configFor("trust-both"),
            mesh: { ...pairConfig().mesh, istioVersion: "1.24.5" },
        });
        const problems: string[] = [];
        checkRootRotation(parsed, release, new Set(["rootCaKeyPem", "nextRootCaKeyPem"]), problems);
        assert.deepEqual(problems, [
            'rootRotation: "trust-both" puts two roots in every root-cert.pem, and the ztunnel of Istio 1.24.5 trusts only the first root of a bundle (it splits bundles from 1.24.6, 1.25.3 and 1.26.0 on, istio/ztunnel#1510), so workloads signed under the other would be refused: move mesh.istioVersion to a release whose ztunnel splits them first (components/versions.ts, ztunnelMultiRoot)',
        ]);
        const dropOld = platformSchema.parse({ ...configFor("drop-old"), mesh: parsed.mesh });
        const none: string[] = [];
        checkRootRotation(dropOld, release, new Set(["nextRootCaKeyPem"]), none);
        assert.deepEqual(none, []);
        for (const pinned of Object.values(ISTIO_RELEASES)) {
            const ok: string[] = [];
            checkRootRotation(parsed, pinned, new Set(["nextRootCaKeyPem"]), ok);
            assert.deepEqual(ok, [], pinned.version);
        }
    });
});

describe("CA rotation: an intermediate re-issued on demand", () => {
    it("re-issues one cluster's intermediate with a new key, under the same root", async () => {
        const before = await run(configFor());
        const config = configFor();
        config.clusters[0].intermediateGeneration = 1;
        const after = await run(config, deployedIn("none"));
        const tls = (r: RunResult) =>
            r.resources.filter((x) => [KEY, CSR, CERT].includes(x.type)).map((x) => x.name);
        assert.deepEqual(tls(before), [
            "east-a-intermediate",
            "east-b-intermediate",
            "east-a-intermediate",
            "east-b-intermediate",
            "east-a-intermediate",
            "east-b-intermediate",
        ]);
        assert.deepEqual(tls(after), [
            "east-a-intermediate-g1",
            "east-b-intermediate",
            "east-a-intermediate-g1",
            "east-b-intermediate",
            "east-a-intermediate-g1",
            "east-b-intermediate",
        ]);
        const [was, now] = [cacerts(before), cacerts(after)];
        assert.deepEqual(now["east-b"], was["east-b"]);
        assert.equal(now["east-a"]["root-cert.pem"], was["east-a"]["root-cert.pem"]);
        for (const file of ["ca-cert.pem", "ca-key.pem", "cert-chain.pem"] as const) {
            assert.notEqual(now["east-a"][file], was["east-a"][file], file);
        }
        assert.equal(issuerOf(now["east-a"]["ca-cert.pem"]), "O=acme, CN=Mesh Root CA");
        assert.equal(after.outputs.rootCaCertPem, before.outputs.rootCaCertPem);
        assert.ok(buildPlanJson(after).trust.every((t) => t.verifies));
    });

    it("refuses a generation below 0", async () => {
        const config = configFor();
        config.clusters[1].intermediateGeneration = -1;
        assert.deepEqual(await refusal(config), [
            "clusters[1].intermediateGeneration: -1 is below 0; it starts at 0, and raising it by one re-issues the cluster's intermediate CA",
        ]);
    });
});

describe("CA rotation: what breaks the proof", () => {
    /** The revealed plan of `a`, with east-b's cacerts taken from `b`. */
    function mixed(a: RunResult, b: RunResult): PlanResource[] {
        const plan = buildPlanJson(a, { showSecrets: true }).resources;
        const other = buildPlanJson(b, { showSecrets: true }).resources;
        const eastB = (r: PlanResource) => r.type === SECRET && r.name === "east-b-cacerts";
        const replacement = other.find(eastB) as PlanResource;
        return plan.map((r) => (eastB(r) ? { ...r, inputs: replacement.inputs } : r));
    }

    it("fails the proof and the policy, naming the pair, when one cluster signs with a root the other does not trust", async () => {
        const none = await run(configFor());
        const signing = await run(configFor("sign-with-new"), deployedIn("trust-both"));
        const resources = mixed(none, signing);
        const trust = meshTrustChains(stackResourcesOf({ resources }));
        assert.deepEqual(
            trust.map((t) => [t.from, t.to, t.verifies]),
            [
                ["east-a", "east-a", true],
                ["east-a", "east-b", true],
                ["east-b", "east-b", true],
                ["east-b", "east-a", false],
            ],
        );
        const eastBName = "L=east-b, O=eks-ambient-mesh, CN=Intermediate CA";
        const detail = `east-b's ca-cert.pem (${eastBName}) chains to O=acme, CN=Next Mesh Root CA (SHA-256 ${print(NEXT.certPem)}), which east-a's root-cert.pem does not hold (it holds O=acme, CN=Mesh Root CA (SHA-256 ${print(OLD.certPem)}))`;
        assert.equal(trust[3].detail, detail);
        const violations = evaluatePlan({ resources })
            .policyViolations.filter((v) => v.policy === "istio-trust-chains-verify")
            .map((v) => v.message);
        assert.deepEqual(violations, [
            `east-b's CA chain does not verify against east-a's root-cert.pem, so east-a's workloads refuse east-b's: ${detail}.`,
        ]);
    });

    it("fails the self pair of a cacerts whose chain does not reach its own root-cert.pem", async () => {
        const none = await run(configFor());
        const resources = buildPlanJson(none, { showSecrets: true }).resources.map((r) => {
            if (r.type !== SECRET || r.name !== "east-a-cacerts") {
                return r;
            }
            const files = { ...(r.inputs.stringData as Files), "root-cert.pem": NEXT.certPem };
            return { ...r, inputs: { ...r.inputs, stringData: files } };
        });
        const failing = meshTrustChains(stackResourcesOf({ resources }))
            .filter((t) => !t.verifies)
            .map((t) => `${t.from} -> ${t.to}`);
        assert.deepEqual(failing, ["east-a -> east-a", "east-b -> east-a"]);
    });
});

describe("CA rotation: what makes each phase a reload, not a restart", () => {
    it("sets ISTIO_MULTIROOT_MESH on every istiod, and mutable Secrets on every cluster's provider", async () => {
        const result = await run(configFor());
        const resources = new Resources(result.resources);
        const istiods = resources
            .ofType("kubernetes:helm.sh/v3:Release")
            .filter((r) => /-istiod-\d+-\d+$/.test(r.name));
        assert.equal(istiods.length, 2);
        for (const istiod of istiods) {
            assert.equal((istiod.inputs.values as any).env.ISTIO_MULTIROOT_MESH, "true");
        }
        const providers = resources.ofType("pulumi:providers:kubernetes");
        const names = (result.outputs.clusters as { eksClusterName: string }[]).map(
            (c) => c.eksClusterName,
        );
        assert.deepEqual(
            providers.map((p: RecordedResource) => [
                p.inputs.enableSecretMutable,
                p.inputs.clusterIdentifier,
            ]),
            names.map((n) => ["true", n]),
        );
    });
});

describe("CA rotation: stacks of one mesh, one phase at a time", () => {
    const EU = EU_STACK;

    /** The pair, peered with stack `eu`, in `phase` (none: on `root`, no rotation). */
    function peeredIn(phase?: Phase, root: SharedRoot = OLD): Config {
        const config = configFor(phase, root);
        config.mesh.peers = [{ stack: EU, clusters: [{ name: "eu-a", vpcCidr: "10.30.0.0/16" }] }];
        return config;
    }

    /** What `eu` exports when it signs with `signing` and trusts `trusted`. */
    function eu(signing: SharedRoot, trusted?: SharedRoot[]): Record<string, unknown> {
        const bundle = trusted?.map((r) => r.certPem).join("\n");
        return euOutputs([euCluster(signing.certPem, { trustBundlePem: bundle })]);
    }

    const peeredRun = (config: Config, peer: Record<string, unknown>) =>
        runProgram({
            stack: "zeta",
            config,
            secretKeys: ["rootCaKeyPem", "nextRootCaKeyPem"],
            stackOutputs: { [EU]: peer },
        });

    async function peerProblems(config: Config, peer: Record<string, unknown>) {
        try {
            await peeredRun(config, peer);
        } catch (err) {
            return (err as Error).message
                .split("\n")
                .slice(1)
                .map((l) => l.slice(4));
        }
        return [];
    }

    const at = `mesh.peers[0] (${EU}): cluster "eu-a"`;
    const phaseRule = `every stack of a mesh takes a root rotation's phase before any stack takes the next (${GUIDE})`;

    it("exports the roots it signs with and trusts, and accepts a peer one phase behind or ahead", async () => {
        const run = await peeredRun(peeredIn("sign-with-new"), eu(OLD, [OLD, NEXT]));
        const [exported] = run.outputs.meshPeers as Record<string, string>[];
        assert.equal(exported.rootCaCertPem, NEXT.certPem);
        assert.equal(exported.trustBundlePem, `${OLD.certPem}\n${NEXT.certPem}`);
        assert.deepEqual(await peerProblems(peeredIn("trust-both"), eu(OLD)), []);
        assert.deepEqual(await peerProblems(peeredIn("drop-old"), eu(NEXT, [OLD, NEXT])), []);
        assert.deepEqual(await peerProblems(peeredIn(undefined, NEXT), eu(NEXT, [NEXT])), []);
    });

    it("refuses signing with the next root while a peer does not trust it yet", async () => {
        assert.deepEqual(await peerProblems(peeredIn("sign-with-new"), eu(OLD)), [
            `${at} does not trust the root this stack signs with (SHA-256 ${print(NEXT.certPem)}; it trusts ${print(OLD.certPem)}), so its workloads would refuse this stack's: bring that stack to this one's rotation phase first; ${phaseRule}`,
        ]);
    });

    it("refuses dropping the old root while a peer still signs with it", async () => {
        assert.deepEqual(await peerProblems(peeredIn("drop-old"), eu(OLD, [OLD, NEXT])), [
            `${at} signs with a root this stack does not trust (SHA-256 ${print(OLD.certPem)}; this stack trusts ${print(NEXT.certPem)}), so this stack's workloads would refuse its: keep the phase that still trusts it until that stack has moved on; ${phaseRule}`,
        ]);
    });
});
