import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { main } from "../scripts/cli/plan";
import { toExportedConfig } from "../scripts/offline/config";
import { pairConfig } from "./fixtures/environments";
import { EU_STACK, euCluster, euOutputs } from "./fixtures/euPeer";
import { makeRootCa, RootCaSpec } from "./fixtures/rootCa";

/**
 * The corpus of bad input: every file in `test/corpus/` is a list of cases, each one bad
 * configuration (or command line) as data, run through the plan CLI exactly as a user runs it.
 * A case passes when the CLI exits with its code, its stderr holds every expected line, and
 * nothing anywhere shows a stack trace or a secret.
 *
 * A case:
 *   name:    what is wrong, in words
 *   set:     { "clusters[0].vpcCidr": "8.8.0.0/16", ... } paths into the base config (the
 *            `pair` environment, short keys); null removes the key
 *   plain:   keys written as plain (not secret) config; every other key the case sets to a
 *            CA key is secret, as `pulumi config set --secret` leaves it
 *   rootCa:  a root CA made for the case (test/fixtures/rootCa.ts, `RootCaSpec`: key, signature,
 *            notBeforeDays, notAfterDays, basicConstraints, keyUsage, issuer, signedByOtherKey,
 *            extraCert, keyInCertPem, mismatchedKey, keyFormat; every field defaults to a good
 *            P-384 root), written as rootCaCertPem and rootCaKeyPem before `set` applies
 *   peer:    the case's stack joins the stack organization/eks-ambient-mesh/eu (one cluster,
 *            eu-a, 10.30.0.0/16, eu-west-1), whose outputs come from a plan passed with --peer:
 *            `cluster` overrides fields of its meshPeers entry, `outputs` whole outputs (null
 *            removes one); the root is the case's (a good one unless `rootCa` says otherwise)
 *   argv:    arguments instead of `--stack corpus --config <file>` (usage cases)
 *   exit:    the expected exit code (default 1)
 *   expect:  lines (or parts of lines) stderr must hold, each naming the key; `{date+N}` (or
 *            `{date-N}`) stands for the UTC day N days from when the case runs, YYYY-MM-DD
 */

export interface CorpusCase {
    readonly name: string;
    readonly set?: Record<string, unknown>;
    readonly plain?: readonly string[];
    readonly rootCa?: RootCaSpec;
    readonly peer?: PeerSpec;
    readonly argv?: readonly string[];
    readonly exit?: number;
    readonly expect: readonly string[];
}

export interface PeerSpec {
    readonly cluster?: Record<string, unknown>;
    readonly outputs?: Record<string, unknown>;
}

const CORPUS = path.join(__dirname, "corpus");
const PEER_STACK = EU_STACK;

/** The peer stack `eu` as its plan shows it: valid unless the case overrides a field. */
function peerPlan(spec: PeerSpec, rootCaCertPem: string): Record<string, unknown> {
    const cluster = euCluster(rootCaCertPem, {
        token: "eu-reader-token-0123456789abcdef0123456789abcdef",
        ...spec.cluster,
    });
    const outputs: Record<string, unknown> = { ...euOutputs([cluster]), ...spec.outputs };
    for (const [key, value] of Object.entries(outputs)) {
        if (value === null) {
            delete outputs[key];
        }
    }
    return { project: "eks-ambient-mesh", stack: "eu", resources: [], outputs };
}
const SECRET_KEYS = ["rootCaKeyPem"];

/** Every case, by file (category). */
export function corpus(): Record<string, CorpusCase[]> {
    return Object.fromEntries(
        fs
            .readdirSync(CORPUS)
            .filter((f) => f.endsWith(".yaml"))
            .sort()
            .map((f) => [
                f.replace(/\.yaml$/, ""),
                parse(fs.readFileSync(path.join(CORPUS, f), "utf8")),
            ]),
    );
}

/** `clusters[0].nodeGroup.minSize` → ["clusters", 0, "nodeGroup", "minSize"]. */
function pathOf(key: string): (string | number)[] {
    return key
        .split(/\.|(?=\[)/)
        .map((part) => (/^\[\d+\]$/.test(part) ? Number(part.slice(1, -1)) : part));
}

export function setPath(root: Record<string, any>, key: string, value: unknown): void {
    const parts = pathOf(key);
    let node: any = root;
    for (const [i, part] of parts.slice(0, -1).entries()) {
        if (node[part] === undefined || node[part] === null) {
            node[part] = typeof parts[i + 1] === "number" ? [] : {};
        }
        node = node[part];
    }
    const last = parts[parts.length - 1];
    if (value === null) {
        if (Array.isArray(node) && typeof last === "number") {
            node.splice(last, 1);
        } else {
            delete node[last];
        }
    } else {
        node[last] = value;
    }
}

interface Outcome {
    readonly code: number;
    readonly stdout: string;
    readonly stderr: string;
    /** Private keys the case's config held: none may reach any output. */
    readonly secrets: readonly string[];
    /** When the case started and finished (ms), for the `{date±N}` of its expectations. */
    readonly started: number;
    readonly finished: number;
}

async function runCase(c: CorpusCase, dir: string): Promise<Outcome> {
    const started = Date.now();
    const config = pairConfig();
    const secrets: string[] = [];
    const peerArgs: string[] = [];
    if (c.rootCa || c.peer) {
        const root = await makeRootCa(c.rootCa ?? {}, started);
        config.rootCaCertPem = root.certPem;
        config.rootCaKeyPem = root.keyPem;
        secrets.push(...root.secrets);
        if (c.peer) {
            config.mesh.peers = [
                { stack: PEER_STACK, clusters: [{ name: "eu-a", vpcCidr: "10.30.0.0/16" }] },
            ];
            const plan = peerPlan(c.peer, root.certPem);
            const peerFile = path.join(dir, "peer-eu.json");
            fs.writeFileSync(peerFile, JSON.stringify(plan));
            peerArgs.push("--peer", `${PEER_STACK}=${peerFile}`);
            secrets.push("eu-reader-token-0123456789abcdef0123456789abcdef");
        }
    }
    for (const [key, value] of Object.entries(c.set ?? {})) {
        setPath(config, key, value);
        if (SECRET_KEYS.includes(key) && typeof value === "string") {
            secrets.push(value);
        }
    }
    const secret = SECRET_KEYS.filter((k) => !(c.plain ?? []).includes(k));
    const file = path.join(dir, "config.json");
    fs.writeFileSync(file, JSON.stringify(toExportedConfig("eks-ambient-mesh", config, secret)));
    const out: string[] = [];
    const err: string[] = [];
    const argv = c.argv ?? ["--stack", "corpus", "--config", file, ...peerArgs];
    const code = await main(argv, {
        stdout: (t) => out.push(t),
        stderr: (t) => err.push(t),
    });
    return {
        code,
        stdout: out.join(""),
        stderr: err.join(""),
        secrets,
        started,
        finished: Date.now(),
    };
}

/** Pieces of secret values that must never reach any output: each value and its long lines. */
function secretPieces(secrets: readonly string[]): string[] {
    return secrets.flatMap((value) => [
        value,
        ...value.split("\n").filter((line) => line.length > 40),
    ]);
}

const DAY_MS = 24 * 3600_000;

/**
 * An expected line as a pattern: `{date+N}` matches the day N days from the case's start or
 * from its end (a case that runs across midnight UTC sees either).
 */
function expectation(line: string, outcome: Outcome): RegExp {
    const pattern = line
        .split(/(\{date[+-]\d+\})/)
        .map((part) => {
            const offset = /^\{date([+-]\d+)\}$/.exec(part);
            if (!offset) {
                return part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
            }
            const days = Number(offset[1]) * DAY_MS;
            const dates = [outcome.started, outcome.finished].map((t) =>
                new Date(t + days).toISOString().slice(0, 10),
            );
            return `(?:${[...new Set(dates)].join("|")})`;
        })
        .join("");
    return new RegExp(pattern);
}

describe("corpus of bad input", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "eks-ambient-mesh-corpus-"));
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    for (const [category, cases] of Object.entries(corpus())) {
        describe(category, () => {
            for (const c of cases) {
                it(c.name, async () => {
                    const outcome = await runCase(c, dir);
                    const { code, stdout, stderr } = outcome;
                    const output = stdout + stderr;
                    assert.equal(code, c.exit ?? 1, `exit code; stderr:\n${stderr}`);
                    for (const line of c.expect) {
                        assert.ok(
                            expectation(line, outcome).test(stderr),
                            `stderr lacks:\n  ${line}\nstderr:\n${stderr}`,
                        );
                    }
                    assert.doesNotMatch(output, /^\s+at .+:\d+:\d+\)?$/m, "a stack trace");
                    assert.doesNotMatch(output, /PRIVATE KEY-----/, "a private key");
                    for (const secret of secretPieces(outcome.secrets)) {
                        assert.ok(!output.includes(secret), "a secret value in the output");
                    }
                });
            }
        });
    }
});
