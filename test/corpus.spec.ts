import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { main } from "../scripts/cli/plan";
import { toExportedConfig } from "../scripts/offline/config";
import { pairConfig } from "./fixtures/environments";

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
 *   argv:    arguments instead of `--stack corpus --config <file>` (usage cases)
 *   exit:    the expected exit code (default 1)
 *   expect:  lines (or parts of lines) stderr must hold, each naming the key
 */

export interface CorpusCase {
    readonly name: string;
    readonly set?: Record<string, unknown>;
    readonly plain?: readonly string[];
    readonly argv?: readonly string[];
    readonly exit?: number;
    readonly expect: readonly string[];
}

const CORPUS = path.join(__dirname, "corpus");
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
}

async function runCase(c: CorpusCase, dir: string): Promise<Outcome> {
    const config = pairConfig();
    for (const [key, value] of Object.entries(c.set ?? {})) {
        setPath(config, key, value);
    }
    const secret = SECRET_KEYS.filter((k) => !(c.plain ?? []).includes(k));
    const file = path.join(dir, "config.json");
    fs.writeFileSync(file, JSON.stringify(toExportedConfig("eks-ambient-mesh", config, secret)));
    const out: string[] = [];
    const err: string[] = [];
    const argv = c.argv ?? ["--stack", "corpus", "--config", file];
    const code = await main(argv, {
        stdout: (t) => out.push(t),
        stderr: (t) => err.push(t),
    });
    return { code, stdout: out.join(""), stderr: err.join("") };
}

/** Values that must never reach any output: private keys and their base64 bodies. */
function secretsIn(c: CorpusCase): string[] {
    return Object.entries(c.set ?? {})
        .filter(([key]) => SECRET_KEYS.some((k) => key === k))
        .flatMap(([, value]) =>
            typeof value === "string"
                ? [value, ...value.split("\n").filter((line) => line.length > 40)]
                : [],
        );
}

describe("corpus of bad input", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "eks-ambient-mesh-corpus-"));
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    for (const [category, cases] of Object.entries(corpus())) {
        describe(category, () => {
            for (const c of cases) {
                it(c.name, async () => {
                    const { code, stdout, stderr } = await runCase(c, dir);
                    const output = stdout + stderr;
                    assert.equal(code, c.exit ?? 1, `exit code; stderr:\n${stderr}`);
                    for (const line of c.expect) {
                        assert.ok(
                            stderr.includes(line),
                            `stderr lacks:\n  ${line}\nstderr:\n${stderr}`,
                        );
                    }
                    assert.doesNotMatch(output, /^\s+at .+:\d+:\d+\)?$/m, "a stack trace");
                    assert.doesNotMatch(output, /PRIVATE KEY-----/, "a private key");
                    for (const secret of secretsIn(c)) {
                        assert.ok(!output.includes(secret), "a secret value in the output");
                    }
                });
            }
        });
    }
});
