import * as assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { main } from "../scripts/cli/plan";
import { validateConfig } from "../components/config";
import { loadStackConfig, toExportedConfig } from "../scripts/offline/config";
import { runProgram } from "../scripts/offline/run";
import { SecretValue } from "../scripts/offline/values";
import { PlanJson } from "../scripts/plan/planJson";
import { Config, pairConfig, Resources, westConfig } from "./fixtures/environments";
import { EU_STACK, EU_TRANSIT_GATEWAY_ID, euCluster, euOutputs } from "./fixtures/euPeer";
import { makeRoot, SharedRoot, sharedRoot } from "./fixtures/sharedRoot";

/**
 * Stacks of one mesh: what a stack reads from its peers (parsed and checked against its own
 * config before anything is created), the Transit Gateway peering it makes with them (one
 * stack requests, the other accepts, routes once accepted), and two stacks planned offline
 * with `--peer`, the path proven across both.
 */

const PEERING = "aws:ec2transitgateway/peeringAttachment:PeeringAttachment";
const ACCEPTER = "aws:ec2transitgateway/peeringAttachmentAccepter:PeeringAttachmentAccepter";
const TGW_ROUTE = "aws:ec2transitgateway/route:Route";
const VPC_ROUTE = "aws:ec2/route:Route";
const EU = EU_STACK;
const PEER_TGW = EU_TRANSIT_GATEWAY_ID;

let root: SharedRoot;
before(async () => {
    root = await sharedRoot();
});

/** The pair environment joined to the stack `eu`, which runs one cluster, eu-a, in eu-west-1. */
function peeredConfig(): Config {
    const config = pairConfig();
    config.rootCaCertPem = root.certPem;
    config.rootCaKeyPem = root.keyPem;
    config.mesh.peers = [{ stack: EU, clusters: [{ name: "eu-a", vpcCidr: "10.30.0.0/16" }] }];
    return config;
}

/** eu's outputs; `cluster` overrides fields of eu-a, any other key replaces that output. */
function euStack(overrides: { cluster?: Record<string, unknown>; [output: string]: unknown } = {}) {
    const { cluster, ...outputs } = overrides;
    return {
        ...euOutputs(new SecretValue([euCluster(root.certPem, cluster)])),
        ...outputs,
    };
}

async function peered(stack: string, outputs: Record<string, unknown>, config = peeredConfig()) {
    const run = await runProgram({
        stack,
        config,
        secretKeys: ["rootCaKeyPem"],
        stackOutputs: { [EU]: outputs },
    });
    return { run, resources: new Resources(run.resources) };
}

describe("peer stacks: the Transit Gateway peering between stacks", () => {
    it("requests a peering to each region of a peer whose name sorts first, and routes nothing before it is accepted", async () => {
        const { run, resources } = await peered("zeta", euStack());
        const [peering] = resources.ofType(PEERING);
        assert.equal(
            peering.name,
            "peer-organization-eks-ambient-mesh-eu-us-east-1-eu-west-1-peering",
        );
        const tgw = resources.one(
            "aws:ec2transitgateway/transitGateway:TransitGateway",
            "pair-us-east-1-tgw",
        );
        assert.deepEqual(
            [
                peering.inputs.transitGatewayId,
                peering.inputs.peerTransitGatewayId,
                peering.inputs.peerRegion,
                peering.inputs.peerAccountId,
            ],
            [tgw.id, PEER_TGW, "eu-west-1", "210987654321"],
        );
        assert.equal(
            resources.ofType(TGW_ROUTE).filter((r) => r.name.startsWith("peer-")).length,
            0,
        );
        // Every route table of both VPCs (two private, one public each) sends the peer's VPC
        // to the regional Transit Gateway.
        const toEu = resources
            .ofType(VPC_ROUTE)
            .filter((r) => r.inputs.destinationCidrBlock === "10.30.0.0/16");
        assert.equal(toEu.length, 6);
        assert.ok(toEu.every((r) => r.inputs.transitGatewayId === tgw.id));
        assert.deepEqual(run.outputs.transitGatewayPeerings, [
            {
                peerStack: EU,
                role: "requester",
                region: "us-east-1",
                peerRegion: "eu-west-1",
                attachmentId: peering.id,
            },
        ]);
    });

    it("routes to the peer's VPCs over the peering once the peer exports it accepted", async () => {
        const accepted = {
            peerStack: "organization/eks-ambient-mesh/zeta",
            role: "accepter",
            region: "eu-west-1",
            peerRegion: "us-east-1",
            attachmentId: "tgw-attach-0a0a0a0a0a0a0a0a0",
        };
        const { resources } = await peered("zeta", euStack({ transitGatewayPeerings: [accepted] }));
        const peering = resources.ofType(PEERING)[0];
        const [route] = resources.ofType(TGW_ROUTE).filter((r) => r.name.startsWith("peer-"));
        assert.equal(
            route.name,
            "peer-organization-eks-ambient-mesh-eu-us-east-1-eu-west-1-us-east-1-to-eu-a",
        );
        assert.deepEqual(
            [route.inputs.destinationCidrBlock, route.inputs.transitGatewayAttachmentId],
            ["10.30.0.0/16", peering.id],
        );
        assert.ok(route.dependsOn.includes(peering.urn));
    });

    it("accepts a request addressed to it when its name sorts first, and routes at once", async () => {
        const request = {
            peerStack: "organization/eks-ambient-mesh/alpha",
            role: "requester",
            region: "eu-west-1",
            peerRegion: "us-east-1",
            attachmentId: "tgw-attach-0b0b0b0b0b0b0b0b0",
        };
        const elsewhere = {
            ...request,
            peerStack: "organization/eks-ambient-mesh/other",
            attachmentId: "tgw-attach-0c0c0c0c0c0c0c0c0",
        };
        const { run, resources } = await peered(
            "alpha",
            euStack({ transitGatewayPeerings: [request, elsewhere] }),
        );
        assert.equal(resources.ofType(PEERING).length, 0);
        const [accepter] = resources.ofType(ACCEPTER);
        assert.equal(accepter.inputs.transitGatewayAttachmentId, request.attachmentId);
        const [route] = resources.ofType(TGW_ROUTE).filter((r) => r.name.startsWith("peer-"));
        assert.deepEqual(
            [route.inputs.destinationCidrBlock, route.inputs.transitGatewayAttachmentId],
            ["10.30.0.0/16", request.attachmentId],
        );
        assert.ok(route.dependsOn.includes(accepter.urn));
        assert.deepEqual(run.outputs.transitGatewayPeerings, [
            {
                peerStack: EU,
                role: "accepter",
                region: "us-east-1",
                peerRegion: "eu-west-1",
                attachmentId: request.attachmentId,
            },
        ]);
    });
});

describe("peer stacks: what a peer exports is checked before anything is created", () => {
    const fingerprint = () => new X509Certificate(root.certPem).fingerprint256;
    const cases: [string, Record<string, unknown>, string][] = [
        [
            "a VPC CIDR other than the configured one",
            { cluster: { vpcCidr: "10.31.0.0/16" } },
            'mesh.peers[0].clusters[0].vpcCidr: "10.30.0.0/16", but organization/eks-ambient-mesh/eu exports vpcCidr "10.31.0.0/16" for cluster "eu-a"; make the config say what the peer runs',
        ],
        [
            "a network other than the configured one",
            { cluster: { network: "east-a-network" } },
            'mesh.peers[0].clusters[0].network: "eu-a-network", but organization/eks-ambient-mesh/eu exports network "east-a-network" for cluster "eu-a"; make the config say what the peer runs',
        ],
        [
            "another trust domain",
            { cluster: { trustDomain: "other.local" } },
            'mesh.peers[0] (organization/eks-ambient-mesh/eu): cluster "eu-a" has trustDomain "other.local", this stack "cluster.local"; every cluster of a mesh shares one mesh id, trust domain and root CA',
        ],
        [
            "a cluster without a token",
            { cluster: { token: undefined } },
            "mesh.peers[0] (organization/eks-ambient-mesh/eu): meshPeers[0].token is missing; is it an eks-ambient-mesh stack of this version?",
        ],
        [
            "a token that is not text (never shown)",
            { cluster: { token: 42 } },
            "mesh.peers[0] (organization/eks-ambient-mesh/eu): meshPeers[0].token [secret] is not a string; is it an eks-ambient-mesh stack of this version?",
        ],
        [
            "an API endpoint over plain http",
            { cluster: { endpoint: "http://EU.example" } },
            'mesh.peers[0] (organization/eks-ambient-mesh/eu): meshPeers[0].endpoint "http://EU.example" is not an https:// URL; is it an eks-ambient-mesh stack of this version?',
        ],
        [
            "a region this platform does not know",
            { cluster: { region: "mars-1" } },
            'mesh.peers[0] (organization/eks-ambient-mesh/eu): meshPeers[0].region "mars-1" is not an AWS region this platform supports; is it an eks-ambient-mesh stack of this version?',
        ],
        [
            "a Transit Gateway without its owner",
            {
                transitGateways: [
                    {
                        region: "eu-west-1",
                        transitGatewayId: PEER_TGW,
                        routeTableId: "tgw-rtb-0e",
                        amazonSideAsn: 64520,
                    },
                ],
            },
            "mesh.peers[0] (organization/eks-ambient-mesh/eu): transitGateways[0].ownerId is missing; is it an eks-ambient-mesh stack of this version?",
        ],
        [
            "meshPeers that is not a list",
            { meshPeers: new SecretValue({ name: "eu-a" }) },
            'mesh.peers[0] (organization/eks-ambient-mesh/eu): meshPeers {"name":"eu-a"} is not a list; is it an eks-ambient-mesh stack of this version?',
        ],
        [
            "a stack that exports nothing yet",
            { meshPeers: undefined },
            "mesh.peers[0].stack: organization/eks-ambient-mesh/eu exports no meshPeers; deploy it first (pulumi up in that stack), or remove it from mesh.peers",
        ],
    ];
    for (const [name, overrides, message] of cases) {
        it(`refuses ${name}`, async () => {
            await assert.rejects(peered("zeta", euStack(overrides)), (err: Error) => {
                assert.equal(err.name, "ConfigError");
                assert.ok(err.message.includes(`  - ${message}`), err.message);
                assert.ok(!err.message.includes("eu-reader-token"));
                return true;
            });
        });
    }

    it("refuses another root, naming both by fingerprint, never by their PEM", async () => {
        const other = await makeRoot("Other Root");
        const otherPrint = new X509Certificate(other.certPem).fingerprint256;
        await assert.rejects(
            peered(
                "zeta",
                euStack({ cluster: { rootCaCertPem: other.certPem, meshId: "mesh-x" } }),
            ),
            (err: Error) => {
                assert.ok(
                    err.message.includes(
                        `  - mesh.peers[0] (organization/eks-ambient-mesh/eu): cluster "eu-a" has a different rootCaCertPem (SHA-256 ${otherPrint}, this stack's ${fingerprint()}); every cluster of a mesh shares one root CA`,
                    ),
                    err.message,
                );
                assert.ok(err.message.includes('has meshId "mesh-x", this stack "mesh-pair"'));
                assert.ok(!err.message.includes("BEGIN CERTIFICATE"));
                return true;
            },
        );
    });

    it("registers nothing but the reference when a peer is refused", async () => {
        const outputs = euStack({ cluster: { vpcCidr: "10.31.0.0/16" } });
        await assert.rejects(
            runProgram({
                stack: "zeta",
                config: peeredConfig(),
                secretKeys: ["rootCaKeyPem"],
                stackOutputs: { [EU]: outputs },
            }),
            /vpcCidr/,
        );
    });
});

describe("peer stacks: two stacks planned offline with --peer", function () {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "eks-ambient-mesh-peers-"));
    after(() => fs.rmSync(dir, { recursive: true, force: true }));
    const EAST = "organization/eks-ambient-mesh/east";
    const WEST = "organization/eks-ambient-mesh/west";

    function writeConfig(name: string, config: Config): string {
        const file = path.join(dir, `${name}.json`);
        fs.writeFileSync(
            file,
            JSON.stringify(toExportedConfig("eks-ambient-mesh", config, ["rootCaKeyPem"])),
        );
        return file;
    }

    function east(withPeer: boolean): string {
        const config = pairConfig();
        config.environment = "east";
        config.rootCaCertPem = root.certPem;
        config.rootCaKeyPem = root.keyPem;
        config.mesh.meshId = "mesh-acme";
        config.mesh.peers = withPeer
            ? [{ stack: WEST, clusters: [{ name: "west-a", vpcCidr: "10.30.0.0/16" }] }]
            : [];
        return writeConfig(withPeer ? "east" : "east-alone", config);
    }

    function west(): string {
        const config = westConfig();
        config.rootCaCertPem = root.certPem;
        config.rootCaKeyPem = root.keyPem;
        config.mesh.meshId = "mesh-acme";
        config.mesh.peers = [
            {
                stack: EAST,
                clusters: [
                    { name: "east-a", vpcCidr: "10.10.0.0/16" },
                    { name: "east-b", vpcCidr: "10.20.0.0/16" },
                ],
            },
        ];
        return writeConfig("west", config);
    }

    async function plan(stack: string, config: string, out: string, peers: string[] = []) {
        const err: string[] = [];
        const outFile = path.join(dir, `${out}.json`);
        const code = await main(
            [
                "--stack",
                stack,
                "--config",
                config,
                "--out",
                outFile,
                "--show-secrets",
                "--as-of",
                "2026-11-30",
                ...peers.flatMap((p) => ["--peer", p]),
            ],
            { stdout: () => undefined, stderr: (t) => err.push(t) },
        );
        return { code, stderr: err.join(""), file: outFile };
    }

    const read = (file: string) => JSON.parse(fs.readFileSync(file, "utf8")) as PlanJson;
    const closed = (p: PlanJson) =>
        p.reachability
            .filter((e) => !e.open)
            .map((e) => `${e.from}>${e.to} ${e.path}: ${e.blockedAt}`);

    let files: Record<string, string> = {};
    before(async function () {
        this.timeout(60_000);
        const e0 = await plan("east", east(false), "east0");
        const w1 = await plan("west", west(), "west1", [`${EAST}=${e0.file}`]);
        const e1 = await plan("east", east(true), "east1", [`${WEST}=${w1.file}`]);
        const w2 = await plan("west", west(), "west2", [`${EAST}=${e1.file}`]);
        files = { e0: e0.file, w1: w1.file, e1: e1.file, w2: w2.file };
        assert.deepEqual(
            [e0.code, w1.code, e1.code, w2.code],
            [0, 0, 0, 0],
            [e0, w1, e1, w2].map((r) => r.stderr).join("\n"),
        );
    });

    it("first: west requests the peering; its paths to east wait at the peering hop", () => {
        const w1 = read(files.w1);
        assert.equal(w1.resources.filter((r) => r.type === PEERING).length, 1);
        assert.deepEqual(w1.peers, [{ stack: EAST, plan: files.e0 }]);
        assert.deepEqual(
            closed(w1).filter((c) => c.startsWith("west-a")),
            [
                "west-a>east-a api: peering",
                "west-a>east-a hbone: peering",
                "west-a>east-b api: peering",
                "west-a>east-b hbone: peering",
            ],
        );
    });

    it("then: east accepts and routes, and names west's missing routes as the hop still closed", () => {
        const e1 = read(files.e1);
        assert.equal(e1.resources.filter((r) => r.type === ACCEPTER).length, 1);
        assert.equal(
            e1.resources.filter((r) => r.type === TGW_ROUTE && r.name.startsWith("peer-")).length,
            1,
        );
        const blocked = e1.reachability.find(
            (e) => e.from === "east-a" && e.to === "west-a" && e.path === "api",
        );
        assert.equal(blocked?.blockedAt, "return-route");
        assert.match(
            blocked?.hops.find((h) => !h.ok)?.detail ?? "",
            /is accepted: the routes over it come with the next update of the stack that owns west-us-west-2-tgw/,
        );
        // Remote secrets for the peer's cluster, with the peer's endpoint and a secret token.
        const secret = e1.resources.find((r) => r.name === "east-a-remote-west-a");
        assert.ok(secret, "east-a holds a remote secret for west-a");
    });

    it("last: west routes over the accepted peering, and every path of both stacks is open", () => {
        const w2 = read(files.w2);
        assert.equal(
            w2.resources.filter((r) => r.type === TGW_ROUTE && r.name.startsWith("peer-")).length,
            2,
        );
        assert.equal(w2.reachability.length, 12);
        assert.deepEqual(closed(w2), []);
        const rules = w2.resources.filter(
            (r) =>
                r.type === "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule" &&
                r.name.startsWith("west-a-") &&
                r.name.includes("-from-east-"),
        );
        assert.deepEqual(rules.map((r) => [r.name, r.inputs.cidrIpv4, r.inputs.fromPort]).sort(), [
            ["west-a-api-from-east-a", "10.10.0.0/16", 443],
            ["west-a-api-from-east-b", "10.20.0.0/16", 443],
            ["west-a-east-west-from-east-a", "10.10.0.0/16", 15008],
            ["west-a-east-west-from-east-b", "10.20.0.0/16", 15008],
        ]);
    });

    it("fails, naming the field, when the peer's plan carries another root or CIDR", async () => {
        const e1 = read(files.e1);
        const other = await makeRoot("Another Root");
        const mesh = e1.outputs.meshPeers as Record<string, unknown>[];
        const changed = {
            ...e1,
            outputs: {
                ...e1.outputs,
                meshPeers: [
                    { ...mesh[0], rootCaCertPem: other.certPem, vpcCidr: "10.11.0.0/16" },
                    mesh[1],
                ],
            },
        };
        const file = path.join(dir, "east-changed.json");
        fs.writeFileSync(file, JSON.stringify(changed));
        const result = await plan("west", west(), "west3", [`${EAST}=${file}`]);
        assert.equal(result.code, 1);
        assert.match(
            result.stderr,
            /mesh\.peers\[0\]\.clusters\[0\]\.vpcCidr: "10\.10\.0\.0\/16", but organization\/eks-ambient-mesh\/east exports vpcCidr "10\.11\.0\.0\/16"/,
        );
        assert.match(result.stderr, /cluster "east-a" has a different rootCaCertPem/);
    });

    it("takes only a plan of the named stack, written with its secrets shown", async () => {
        const redactedFile = path.join(dir, "redacted.json");
        const e0 = read(files.e0);
        fs.writeFileSync(
            redactedFile,
            JSON.stringify({
                ...e0,
                outputs: {
                    ...e0.outputs,
                    meshPeers: (e0.outputs.meshPeers as object[]).map((m) => ({
                        ...m,
                        token: "[secret]",
                    })),
                },
            }),
        );
        const cases: [string, RegExp][] = [
            [
                `${EAST}=${redactedFile}`,
                /--peer organization\/eks-ambient-mesh\/east: .*redacted\.json shows meshPeers\[0\]\.token as \[secret\]; a peer reads the real value, so write that plan with --show-secrets/,
            ],
            [
                `${WEST}=${files.e0}`,
                /--peer organization\/eks-ambient-mesh\/west: .*east0\.json is the plan of stack east of project eks-ambient-mesh, not west of eks-ambient-mesh/,
            ],
            [
                `${EAST}=${path.join(dir, "nope.json")}`,
                /--peer organization\/eks-ambient-mesh\/east: .*nope\.json not found/,
            ],
            [
                `east=${files.e0}`,
                /--peer: "east=.*" is not STACK=PLAN\.json with STACK fully qualified/,
            ],
        ];
        for (const [arg, message] of cases) {
            const result = await plan("west", west(), "unused", [arg]);
            assert.equal(result.code, 2, arg);
            assert.match(result.stderr, message);
        }
    });
});

describe("peer stacks: the README's two-stack example", () => {
    it("configures east (before and after it lists west) and west validly", () => {
        for (const [name, stack] of [
            ["east-first", "east"],
            ["east", "east"],
            ["west", "west"],
        ]) {
            const file = path.join(__dirname, "..", "examples", "peered", `${name}.yaml`);
            const { raw } = loadStackConfig({
                projectDir: path.join(__dirname, ".."),
                stack,
                configFile: file,
            });
            const config = Object.fromEntries(
                Object.entries(raw).map(([k, v]) => [k.replace("eks-ambient-mesh:", ""), v]),
            );
            const valid = validateConfig(
                { ...config, rootCaCertPem: root.certPem, rootCaKeyPem: root.keyPem },
                "eks-ambient-mesh",
                {
                    secretKeys: new Set(["rootCaKeyPem"]),
                    stack: `organization/eks-ambient-mesh/${stack}`,
                },
            );
            assert.equal(valid.mesh.meshId, "mesh-acme", name);
        }
    });
});
