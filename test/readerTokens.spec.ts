import * as assert from "node:assert/strict";
import { parse } from "yaml";
import { validateConfig } from "../components/config";
import { MeshPeerExport } from "../components/meshPeer";
import { peerRotationNotices } from "../components/platform/readerTokens";
import { RecordedResource } from "../scripts/offline/monitor";
import { runProgram, RunResult } from "../scripts/offline/run";
import { SecretValue } from "../scripts/offline/values";
import { Config, pairConfig, Resources, westConfig } from "./fixtures/environments";
import { EU_STACK, euCluster, euOutputs } from "./fixtures/euPeer";
import { SharedRoot, sharedRoot } from "./fixtures/sharedRoot";

/** The lifecycle output but its root-CA record (test/caRotation.spec.ts covers that). */
function withoutRoot(lifecycle: unknown): Record<string, unknown> {
    const { rootRotation, ...rest } = lifecycle as Record<string, unknown>;
    void rootRotation;
    return rest;
}

/**
 * Reader-token rotation without a gap (components/config/readerTokens.ts): the stack `east`
 * (clusters east-a and east-b) is peered with the stack `eu` (cluster eu-a). Each phase runs the
 * real program with what east's previous update exported as its deployed state (a StackReference
 * to itself, as test/lifecycle.spec.ts does) and with eu's exports (as test/peers.spec.ts does).
 */

const SECRET = "kubernetes:core/v1:Secret";
const TOKEN_TYPE = "kubernetes.io/service-account-token";
const EAST = "organization/eks-ambient-mesh/east";
const EU = EU_STACK;
const WEST = "organization/eks-ambient-mesh/west";
const TOKEN = "istio-reader-service-account-istio-remote-secret-token";

type Phase = "issue" | "switch" | "retire";
type Rotation = { generation: number; phase: Phase } | undefined;

let root: SharedRoot;
before(async () => {
    root = await sharedRoot();
});

/** east: the pair environment, peered with eu's one cluster, rotating as `rotation` says. */
function eastConfig(rotation: Rotation, peers = [{ stack: EU, clusters: [euPeer] }]): Config {
    const config = pairConfig();
    config.environment = "east";
    config.rootCaCertPem = root.certPem;
    config.rootCaKeyPem = root.keyPem;
    config.mesh.peers = peers;
    if (rotation !== undefined) {
        config.mesh.readerTokenRotation = rotation;
    }
    return config;
}
const euPeer = { name: "eu-a", vpcCidr: "10.30.0.0/16" };

/** What eu exports; `cluster` overrides fields of its one cluster (undefined removes one). */
function euStack(cluster: Record<string, unknown> = {}) {
    const generations = { tokenGeneration: 0, peerTokenGenerations: { "east-a": 0, "east-b": 0 } };
    return euOutputs(new SecretValue([euCluster(root.certPem, { ...generations, ...cluster })]));
}

/** The outputs a stack reads back as its deployed state, from the run that left them. */
const deployedBy = (run: RunResult) => ({
    clusters: run.outputs.clusters,
    lifecycle: run.outputs.lifecycle,
});

/** Outputs as a peer reads them through a StackReference: meshPeers secret. */
const exportsOf = (run: RunResult) => ({
    ...run.outputs,
    meshPeers: new SecretValue(run.outputs.meshPeers),
});

interface Phased {
    readonly run: RunResult;
    readonly resources: Resources;
}

async function stack(
    name: string,
    config: Config,
    outputs: Record<string, Record<string, unknown>>,
): Promise<Phased> {
    const run = await runProgram({
        stack: name,
        config,
        secretKeys: ["rootCaKeyPem"],
        stackOutputs: outputs,
    });
    return { run, resources: new Resources(run.resources) };
}

/** east at `rotation`, its last update having been `before` (none: never deployed). */
function east(rotation: Rotation, before?: Phased, eu = euStack()): Promise<Phased> {
    const self: Record<string, Record<string, unknown>> = before
        ? { [EAST]: deployedBy(before.run) }
        : {};
    return stack("east", eastConfig(rotation), { ...self, [EU]: eu });
}

/** The token Secrets, as [Pulumi name, Secret name]. */
function tokenSecrets(r: Resources): string[][] {
    return r
        .ofType(SECRET)
        .filter((s) => s.inputs.type === TOKEN_TYPE)
        .map((s) => [s.name, (s.inputs.metadata as { name: string }).name]);
}

/** The token a token Secret holds, as the API server filled it in. */
function tokenIn(r: Resources, name: string): string {
    const data = r.one(SECRET, name).state.data as { token: string };
    return Buffer.from(data.token, "base64").toString("utf8");
}

/** The bearer token in `local`'s remote secret for `peer`. */
function carried(r: Resources, local: string, peer: string): string {
    const secret = r.one(SECRET, `${local}-remote-${peer}`);
    const kubeconfig = parse((secret.inputs.stringData as Record<string, string>)[peer]);
    return kubeconfig.users[0].user.token as string;
}

/** What decides whether a Secret is updated in place or replaced, and what istiod keys on. */
function identity(s: RecordedResource) {
    return {
        urn: s.urn,
        metadata: s.inputs.metadata,
        type: s.inputs.type,
        keys: Object.keys(s.inputs.stringData as object),
    };
}

const remoteSecrets = (r: Resources) => r.ofType(SECRET).filter((s) => s.name.includes("-remote-"));

const meshPeers = (run: RunResult) => run.outputs.meshPeers as Record<string, unknown>[];

function refusal(message: string) {
    return (err: Error) => {
        assert.equal(err.name, "ConfigError");
        assert.equal(err.message, `Invalid configuration (1 problem):\n  - ${message}`);
        return true;
    };
}

describe("reader-token rotation: the phases, in this stack's clusters and its exports", function () {
    this.timeout(60_000);
    let before0: Phased;
    let issued: Phased;
    let switched: Phased;
    let retired: Phased;

    before(async () => {
        before0 = await east(undefined);
        issued = await east({ generation: 1, phase: "issue" }, before0);
        switched = await east({ generation: 1, phase: "switch" }, issued);
        const euSwitched = euStack({ peerTokenGenerations: { "east-a": 1, "east-b": 1 } });
        retired = await east({ generation: 1, phase: "retire" }, switched, euSwitched);
    });

    it("never rotated: one token Secret per cluster, generation 0, exported as such", () => {
        assert.deepEqual(tokenSecrets(before0.resources), [
            ["east-a-reader-token", TOKEN],
            ["east-b-reader-token", TOKEN],
        ]);
        assert.deepEqual(
            meshPeers(before0.run).map((p) => [
                p.tokenGeneration,
                p.nextToken,
                p.peerTokenGenerations,
            ]),
            [
                [0, undefined, { "eu-a": 0 }],
                [0, undefined, { "eu-a": 0 }],
            ],
        );
        assert.deepEqual(withoutRoot(before0.run.outputs.lifecycle), {
            istio: { version: "1.31.1" },
        });
    });

    it("issue: generation 1 beside generation 0; every remote secret still carries 0; both exported", () => {
        const r = issued.resources;
        assert.deepEqual(tokenSecrets(r), [
            ["east-a-reader-token", TOKEN],
            ["east-a-reader-token-g1", `${TOKEN}-g1`],
            ["east-b-reader-token", TOKEN],
            ["east-b-reader-token-g1", `${TOKEN}-g1`],
        ]);
        const g1 = r.one(SECRET, "east-a-reader-token-g1");
        assert.deepEqual(g1.inputs.metadata, {
            name: `${TOKEN}-g1`,
            namespace: "istio-system",
            annotations: { "kubernetes.io/service-account.name": "istio-reader-service-account" },
        });
        assert.ok(r.dependencyNames(g1).includes("east-a-istio-base"));
        assert.notEqual(tokenIn(r, "east-a-reader-token"), tokenIn(r, "east-a-reader-token-g1"));
        assert.equal(carried(r, "east-a", "east-b"), tokenIn(r, "east-b-reader-token"));
        assert.equal(carried(r, "east-b", "east-a"), tokenIn(r, "east-a-reader-token"));
        assert.equal(carried(r, "east-a", "eu-a"), "eu-reader-token");
        assert.deepEqual(
            meshPeers(issued.run).map((p) => [
                p.name,
                p.token,
                p.tokenGeneration,
                p.nextToken,
                p.nextTokenGeneration,
                p.peerTokenGenerations,
            ]),
            ["east-a", "east-b"].map((c) => [
                c,
                tokenIn(r, `${c}-reader-token`),
                0,
                tokenIn(r, `${c}-reader-token-g1`),
                1,
                { "eu-a": 0 },
            ]),
        );
        const raw = issued.run.rawOutputs.meshPeers as Record<string, unknown>[];
        assert.equal(raw[0].nextToken?.constructor.name, "SecretValue");
        assert.deepEqual(withoutRoot(issued.run.outputs.lifecycle), {
            istio: { version: "1.31.1" },
            readerTokens: { phase: "issue", generation: 1 },
        });
    });

    it("switch: every remote secret of this stack moves to generation 1, in place; 0 stays valid", () => {
        const r = switched.resources;
        assert.deepEqual(tokenSecrets(r), tokenSecrets(issued.resources));
        assert.equal(carried(r, "east-a", "east-b"), tokenIn(r, "east-b-reader-token-g1"));
        assert.equal(carried(r, "east-b", "east-a"), tokenIn(r, "east-a-reader-token-g1"));
        assert.equal(carried(r, "east-a", "eu-a"), "eu-reader-token");
        // Nothing that would replace a Secret, or that istiod keys on, changes: the same Pulumi
        // resources, names, labels, annotations, type and data keys; only the token moves.
        assert.deepEqual(
            remoteSecrets(r).map(identity),
            remoteSecrets(issued.resources).map(identity),
        );
        const before = parse(
            (issued.resources.one(SECRET, "east-a-remote-east-b").inputs.stringData as any)[
                "east-b"
            ],
        );
        const after = parse(
            (r.one(SECRET, "east-a-remote-east-b").inputs.stringData as any)["east-b"],
        );
        before.users[0].user.token = after.users[0].user.token;
        assert.deepEqual(after, before);
        // Remote secrets no longer hang on generation 0, which retire deletes.
        const secret = r.one(SECRET, "east-a-remote-east-b");
        assert.ok(r.dependencyNames(secret).includes("east-b-reader-token-g1"));
        assert.ok(!r.dependencyNames(secret).includes("east-b-reader-token"));
        assert.deepEqual(
            meshPeers(switched.run).map((p) => [p.token, p.tokenGeneration, "nextToken" in p]),
            ["east-a", "east-b"].map((c) => [tokenIn(r, `${c}-reader-token-g1`), 1, false]),
        );
        assert.deepEqual(withoutRoot(switched.run.outputs.lifecycle), {
            istio: { version: "1.31.1" },
            readerTokens: { phase: "switch", generation: 1 },
        });
    });

    it("retire: generation 0's Secrets are gone once eu carries 1; the remote secrets stay as switched", () => {
        const r = retired.resources;
        assert.deepEqual(tokenSecrets(r), [
            ["east-a-reader-token-g1", `${TOKEN}-g1`],
            ["east-b-reader-token-g1", `${TOKEN}-g1`],
        ]);
        assert.deepEqual(
            remoteSecrets(r).map((s) => [identity(s), s.inputs.stringData]),
            remoteSecrets(switched.resources).map((s) => [identity(s), s.inputs.stringData]),
        );
        assert.deepEqual(
            meshPeers(retired.run).map((p) => [p.token, p.tokenGeneration]),
            meshPeers(switched.run).map((p) => [p.token, p.tokenGeneration]),
        );
        assert.deepEqual(withoutRoot(retired.run.outputs.lifecycle), {
            istio: { version: "1.31.1" },
            readerTokens: { phase: "retire", generation: 1 },
        });
    });

    it("the next rotation issues generation 2 beside 1, and 0 never comes back", async () => {
        const next = await east({ generation: 2, phase: "issue" }, retired);
        assert.deepEqual(tokenSecrets(next.resources), [
            ["east-a-reader-token-g1", `${TOKEN}-g1`],
            ["east-a-reader-token-g2", `${TOKEN}-g2`],
            ["east-b-reader-token-g1", `${TOKEN}-g1`],
            ["east-b-reader-token-g2", `${TOKEN}-g2`],
        ]);
        assert.equal(
            carried(next.resources, "east-a", "east-b"),
            tokenIn(next.resources, "east-b-reader-token-g1"),
        );
        assert.deepEqual(
            meshPeers(next.run).map((p) => [p.tokenGeneration, p.nextTokenGeneration]),
            [
                [1, 2],
                [1, 2],
            ],
        );
    });

    it("goes back one phase: from switch to issue every remote secret carries 0 again", async () => {
        const back = await east({ generation: 1, phase: "issue" }, switched);
        assert.deepEqual(tokenSecrets(back.resources), tokenSecrets(issued.resources));
        assert.equal(
            carried(back.resources, "east-a", "east-b"),
            tokenIn(back.resources, "east-b-reader-token"),
        );
        // And from issue back to no rotation: generation 1 goes, no remote secret carried it.
        const abandoned = await east(undefined, issued);
        assert.deepEqual(tokenSecrets(abandoned.resources), tokenSecrets(before0.resources));
    });
});

describe("reader-token rotation: steps refused against the deployed state", function () {
    this.timeout(60_000);
    const deployed = (readerTokens?: { phase: string; generation: number }) => ({
        clusters: [
            { name: "east-a", kubernetesVersion: "1.32" },
            { name: "east-b", kubernetesVersion: "1.35" },
        ],
        lifecycle: { istio: { version: "1.31.1" }, ...(readerTokens ? { readerTokens } : {}) },
    });
    const attempt = (rotation: Rotation, readerTokens?: { phase: string; generation: number }) =>
        stack("east", eastConfig(rotation), {
            [EAST]: deployed(readerTokens),
            [EU]: euStack(),
        });

    const cases: [string, Rotation, { phase: string; generation: number } | undefined, string][] = [
        [
            "switching before issuing",
            { generation: 1, phase: "switch" },
            undefined,
            'mesh.readerTokenRotation: generation 1, phase "switch" is 2 phases ahead of what is deployed (generation 0 alone, never rotated); reader tokens rotate one phase per pulumi up: set generation 1, phase "issue", pulumi up, and go on from there',
        ],
        [
            "retiring before switching",
            { generation: 1, phase: "retire" },
            { phase: "issue", generation: 1 },
            'mesh.readerTokenRotation: generation 1, phase "retire" is 2 phases ahead of what is deployed (generation 1 issued beside 0, which every remote secret still carries); reader tokens rotate one phase per pulumi up: set generation 1, phase "switch", pulumi up, and go on from there',
        ],
        [
            "issuing the generation after next",
            { generation: 3, phase: "issue" },
            { phase: "retire", generation: 1 },
            'mesh.readerTokenRotation: generation 3, phase "issue" is 4 phases ahead of what is deployed (generation 1 alone); reader tokens rotate one phase per pulumi up: set generation 2, phase "issue", pulumi up, and go on from there',
        ],
        [
            "going back two phases",
            { generation: 1, phase: "issue" },
            { phase: "retire", generation: 1 },
            'mesh.readerTokenRotation: generation 1, phase "issue" is 2 phases behind what is deployed (generation 1 alone); a rotation goes back one phase per pulumi up: set generation 1, phase "switch", pulumi up, and go on from there',
        ],
        [
            "dropping the key after a rotation",
            undefined,
            { phase: "retire", generation: 2 },
            'mesh.readerTokenRotation: not set, but the stack runs reader token generation 2; keep generation 2, phase "retire" in the config once a rotation is done',
        ],
        [
            "dropping the key mid-rotation",
            undefined,
            { phase: "switch", generation: 1 },
            'mesh.readerTokenRotation: not set (generation 0) is 2 phases behind what is deployed (every remote secret switched to generation 1, 0 still valid); a rotation goes back one phase per pulumi up: set generation 1, phase "issue", pulumi up, and go on from there',
        ],
        [
            "a recorded phase this program does not know",
            { generation: 1, phase: "issue" },
            { phase: "rollover", generation: 1 },
            'mesh.readerTokenRotation: the stack\'s last update recorded reader tokens {"phase":"rollover","generation":1}, which this program cannot read; deploy with the program version that wrote it',
        ],
    ];
    for (const [name, rotation, recorded, message] of cases) {
        it(`refuses ${name}, naming the next step`, async () => {
            await assert.rejects(attempt(rotation, recorded), refusal(message));
        });
    }

    it("takes any phase on a stack never deployed: there is no token to lose", async () => {
        const fresh = await east({ generation: 4, phase: "switch" });
        assert.deepEqual(tokenSecrets(fresh.resources), [
            ["east-a-reader-token-g3", `${TOKEN}-g3`],
            ["east-a-reader-token-g4", `${TOKEN}-g4`],
            ["east-b-reader-token-g3", `${TOKEN}-g3`],
            ["east-b-reader-token-g4", `${TOKEN}-g4`],
        ]);
    });

    it("refuses generation 0 as a rotation, with the rest of the config", () => {
        const config = eastConfig({ generation: 0, phase: "issue" });
        assert.throws(
            () =>
                validateConfig(config, "eks-ambient-mesh", {
                    secretKeys: new Set(["rootCaKeyPem"]),
                }),
            refusal(
                "mesh.readerTokenRotation.generation: 0 is below 1; generation 0 is the token the stack started with, and the first rotation is generation 1",
            ),
        );
    });
});

describe("reader-token rotation: never deleting a token a peer stack still carries", function () {
    this.timeout(60_000);
    const switchedState = {
        clusters: [
            { name: "east-a", kubernetesVersion: "1.32" },
            { name: "east-b", kubernetesVersion: "1.35" },
        ],
        lifecycle: {
            istio: { version: "1.31.1" },
            readerTokens: { phase: "switch", generation: 1 },
        },
    };
    const retire = (eu: ReturnType<typeof euStack>, rotation: Rotation = undefined) =>
        stack("east", eastConfig(rotation ?? { generation: 1, phase: "retire" }), {
            [EAST]: switchedState,
            [EU]: eu,
        });

    it("refuses retire while eu's remote secrets carry generation 0, naming eu and its cluster", async () => {
        await assert.rejects(
            retire(euStack({ peerTokenGenerations: { "east-a": 1, "east-b": 0 } })),
            refusal(
                `mesh.readerTokenRotation: generation 1, phase "retire" deletes reader token generation 0 of this stack's clusters, but ${EU} still uses it: the remote secrets of its cluster eu-a carry it; pulumi up ${EU} first (it then reads generation 1 from this stack's exports), then here again`,
            ),
        );
    });

    it("refuses retire when eu does not say what it carries (a version before rotation)", async () => {
        await assert.rejects(
            retire(euStack({ tokenGeneration: undefined, peerTokenGenerations: undefined })),
            refusal(
                `mesh.readerTokenRotation: generation 1, phase "retire" deletes reader token generation 0 of this stack's clusters, but ${EU} does not say which generation its remote secrets carry (no peerTokenGenerations in its meshPeers: an eks-ambient-mesh from before reader-token rotation); update that stack to this version and pulumi up it first, then here again`,
            ),
        );
    });

    it("refuses going back from issue while eu already carries the token that would go", async () => {
        await assert.rejects(
            stack("east", eastConfig(undefined), {
                [EAST]: {
                    ...switchedState,
                    lifecycle: { readerTokens: { phase: "issue", generation: 1 } },
                },
                [EU]: euStack({ peerTokenGenerations: { "east-a": 1, "east-b": 1 } }),
            }),
            refusal(
                `mesh.readerTokenRotation: not set (generation 0) deletes reader token generation 1 of this stack's clusters, but ${EU} still uses it: the remote secrets of its cluster eu-a carry it; pulumi up ${EU} first (it then reads generation 0 from this stack's exports), then here again`,
            ),
        );
    });

    it("retires once eu carries generation 1, and ignores what eu carries of clusters not ours", async () => {
        const done = await retire(
            euStack({ peerTokenGenerations: { "east-a": 1, "east-b": 1, "west-a": 0 } }),
        );
        assert.deepEqual(tokenSecrets(done.resources), [
            ["east-a-reader-token-g1", `${TOKEN}-g1`],
            ["east-b-reader-token-g1", `${TOKEN}-g1`],
        ]);
    });

    it("checks nothing in a phase that deletes no token, whatever eu carries", async () => {
        const silent = euStack({ tokenGeneration: undefined, peerTokenGenerations: undefined });
        const switched = await retire(silent, { generation: 1, phase: "switch" });
        assert.equal(tokenSecrets(switched.resources).length, 4);
    });
});

describe("reader-token rotation: a peer stack's tokens", function () {
    this.timeout(60_000);

    it("keeps carrying a peer's token while the peer has only issued the next one", async () => {
        const eu = euStack({ nextToken: "eu-reader-token-g1", nextTokenGeneration: 1 });
        const { run, resources } = await east(undefined, undefined, eu);
        assert.equal(carried(resources, "east-a", "eu-a"), "eu-reader-token");
        assert.equal(carried(resources, "east-b", "eu-a"), "eu-reader-token");
        assert.deepEqual(
            meshPeers(run).map((p) => p.peerTokenGenerations),
            [{ "eu-a": 0 }, { "eu-a": 0 }],
        );
    });

    it("tells of a peer's issued token: what moves when, and what the peer waits for", () => {
        const exported: MeshPeerExport = {
            name: "eu-a",
            network: "eu-a-network",
            region: "eu-west-1",
            vpcCidr: "10.30.0.0/16",
            endpoint: "https://EU.gr7.eu-west-1.eks.amazonaws.com",
            certificateAuthorityData: "RVUtQ0E=",
            token: "eu-reader-token-g4",
            tokenGeneration: 4,
            nextToken: "eu-reader-token-g5",
            nextTokenGeneration: 5,
            meshId: "mesh-pair",
            trustDomain: "cluster.local",
            rootCaCertPem: root.certPem,
        };
        assert.deepEqual(
            peerRotationNotices([
                {
                    stack: EU,
                    clusters: [exported],
                    transitGateways: [],
                    peerings: [],
                    exported: [],
                },
                {
                    stack: WEST,
                    clusters: [
                        {
                            ...exported,
                            name: "west-a",
                            nextToken: undefined,
                            nextTokenGeneration: undefined,
                        },
                    ],
                    transitGateways: [],
                    peerings: [],
                    exported: [],
                },
            ]),
            [
                `${EU} has issued reader token generation 5 beside generation 4, which this stack's remote secrets for eu-a carry; they move to it on this stack's first pulumi up after ${EU} switches, and ${EU} retires generation 4 only after that`,
            ],
        );
    });

    it("moves its remote secrets to the token a peer switched to, in place, and exports the generation", async () => {
        const before = await east(undefined);
        const after = await east(
            undefined,
            undefined,
            euStack({ token: "eu-reader-token-g1", tokenGeneration: 1 }),
        );
        assert.equal(carried(after.resources, "east-a", "eu-a"), "eu-reader-token-g1");
        assert.equal(carried(after.resources, "east-b", "eu-a"), "eu-reader-token-g1");
        assert.deepEqual(
            remoteSecrets(after.resources).map(identity),
            remoteSecrets(before.resources).map(identity),
        );
        assert.deepEqual(
            meshPeers(after.run).map((p) => p.peerTokenGenerations),
            [{ "eu-a": 1 }, { "eu-a": 1 }],
        );
    });

    it("reads a peer of a version before rotation as generation 0", async () => {
        const eu = euStack({ tokenGeneration: undefined, peerTokenGenerations: undefined });
        const { run, resources } = await east(undefined, undefined, eu);
        assert.equal(carried(resources, "east-a", "eu-a"), "eu-reader-token");
        assert.deepEqual(meshPeers(run)[0].peerTokenGenerations, { "eu-a": 0 });
    });

    it("refuses exported rotation fields of the wrong shape, never showing a token", async () => {
        await assert.rejects(
            east(undefined, undefined, euStack({ tokenGeneration: -1, nextToken: 7 })),
            (err: Error) => {
                assert.equal(
                    err.message,
                    "Invalid configuration (2 problems):\n" +
                        `  - mesh.peers[0] (${EU}): meshPeers[0].tokenGeneration -1 is not a generation (0 or more); is it an eks-ambient-mesh stack of this version?\n` +
                        `  - mesh.peers[0] (${EU}): meshPeers[0].nextToken [secret] is not a string; is it an eks-ambient-mesh stack of this version?`,
                );
                return true;
            },
        );
    });
});

describe("reader-token rotation across two stacks, each reading the other's exports", function () {
    this.timeout(120_000);

    /** west: one cluster, peered with east's two. */
    function west(): Config {
        const config = westConfig();
        config.rootCaCertPem = root.certPem;
        config.rootCaKeyPem = root.keyPem;
        config.mesh.peers = [
            {
                stack: EAST,
                clusters: [
                    { name: "east-a", vpcCidr: "10.10.0.0/16" },
                    { name: "east-b", vpcCidr: "10.20.0.0/16" },
                ],
            },
        ];
        return config;
    }
    const eastWithWest = (rotation: Rotation) =>
        eastConfig(rotation, [
            { stack: WEST, clusters: [{ name: "west-a", vpcCidr: "10.30.0.0/16" }] },
        ]);

    it("east issues, switches, west follows on its next update, and only then east retires", async () => {
        // The first join (docs/operations.md): east alone, west with east, east with west.
        const alone = eastConfig(undefined, []);
        const e0 = await stack("east", alone, {});
        const w0 = await stack("west", west(), { [EAST]: exportsOf(e0.run) });
        const joined = await stack("east", eastWithWest(undefined), {
            [EAST]: deployedBy(e0.run),
            [WEST]: exportsOf(w0.run),
        });
        const eastAt = (rotation: Rotation, before: Phased, west: Phased) =>
            stack("east", eastWithWest(rotation), {
                [EAST]: deployedBy(before.run),
                [WEST]: exportsOf(west.run),
            });
        const issued = await eastAt({ generation: 1, phase: "issue" }, joined, w0);
        const switched = await eastAt({ generation: 1, phase: "switch" }, issued, w0);
        // west has not updated since: east may not delete the token west carries.
        await assert.rejects(
            eastAt({ generation: 1, phase: "retire" }, switched, w0),
            refusal(
                `mesh.readerTokenRotation: generation 1, phase "retire" deletes reader token generation 0 of this stack's clusters, but ${WEST} still uses it: the remote secrets of its cluster west-a carry it; pulumi up ${WEST} first (it then reads generation 1 from this stack's exports), then here again`,
            ),
        );
        // west updating while east is only issued keeps east's current token.
        const wIssued = await stack("west", west(), { [EAST]: exportsOf(issued.run) });
        assert.equal(
            carried(wIssued.resources, "west-a", "east-a"),
            tokenIn(issued.resources, "east-a-reader-token"),
        );
        // After east's switch, west's next update moves to generation 1, in place.
        const w1 = await stack("west", west(), { [EAST]: exportsOf(switched.run) });
        for (const c of ["east-a", "east-b"]) {
            assert.equal(
                carried(w1.resources, "west-a", c),
                tokenIn(switched.resources, `${c}-reader-token-g1`),
            );
        }
        assert.deepEqual(
            remoteSecrets(w1.resources).map(identity),
            remoteSecrets(w0.resources).map(identity),
        );
        assert.deepEqual(meshPeers(w1.run)[0].peerTokenGenerations, { "east-a": 1, "east-b": 1 });
        const retired = await eastAt({ generation: 1, phase: "retire" }, switched, w1);
        assert.deepEqual(tokenSecrets(retired.resources), [
            ["east-a-reader-token-g1", `${TOKEN}-g1`],
            ["east-b-reader-token-g1", `${TOKEN}-g1`],
        ]);
        assert.equal(
            carried(retired.resources, "east-a", "west-a"),
            carried(joined.resources, "east-a", "west-a"),
        );
    });
});
