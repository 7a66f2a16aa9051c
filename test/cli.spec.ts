import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { isCalendarDay, parseCommandLine } from "../scripts/cli/args";
import { main as bench } from "../scripts/cli/bench";
import { main as chartFacts } from "../scripts/cli/chart-facts";
import { main as docs } from "../scripts/cli/docs";
import { main as offlineConfig } from "../scripts/cli/offline-config";
import { main as graph } from "../scripts/cli/graph";
import { Io } from "../scripts/cli/runner";
import { main as timeline } from "../scripts/cli/timeline";

/** The scripts' one argument parser, and every command's answer to bad usage and `--help`. */

const SPEC = { usage: "usage: demo\n", values: ["stack", "out"], switches: ["json"] } as const;

function capture(): { io: Io; out: string[]; err: string[] } {
    const out: string[] = [];
    const err: string[] = [];
    return { io: { stdout: (t) => out.push(t), stderr: (t) => err.push(t) }, out, err };
}

describe("scripts/cli: the argument parser", () => {
    it("takes a flag's value after a space or after =, and switches alone", () => {
        assert.deepEqual(parseCommandLine(["--stack", "dev", "--out=a=b.json", "--json"], SPEC), {
            values: { stack: "dev", out: "a=b.json" },
            switches: { json: true },
            lists: {},
            help: false,
        });
        assert.deepEqual(parseCommandLine([], SPEC), {
            values: {},
            switches: { json: false },
            lists: {},
            help: false,
        });
    });

    it("collects every value of a repeatable flag, in order", () => {
        const spec = { ...SPEC, lists: ["peer"] } as const;
        assert.deepEqual(
            parseCommandLine(["--peer", "a=1.json", "--stack", "dev", "--peer=b=2.json"], spec),
            {
                values: { stack: "dev" },
                switches: { json: false },
                lists: { peer: ["a=1.json", "b=2.json"] },
                help: false,
            },
        );
        assert.deepEqual(parseCommandLine(["--peer"], spec), { error: "--peer needs a value" });
    });

    it("asks for the usage on --help or -h", () => {
        for (const flag of ["--help", "-h"]) {
            assert.equal((parseCommandLine(["--stack", "dev", flag], SPEC) as any).help, true);
        }
    });

    it("names a flag left without its value", () => {
        for (const argv of [["--stack"], ["--stack="], ["--stack", "--json"], ["--out", ""]]) {
            assert.deepEqual(parseCommandLine(argv, SPEC), {
                error: `${argv[0].replace("=", "")} needs a value`,
            });
        }
    });

    it("names the first argument it does not know", () => {
        for (const arg of ["--frob", "stack", "-x", "--json=yes", "dev"]) {
            assert.deepEqual(parseCommandLine(["--stack", "dev", arg, "--what"], SPEC), {
                error: `unknown argument: ${arg}`,
            });
        }
    });

    it("knows a calendar day", () => {
        assert.equal(isCalendarDay("2026-11-30"), true);
        assert.equal(isCalendarDay("2026-11-31"), false);
    });
});

describe("scripts/cli: every command", () => {
    const commands = {
        bench,
        "chart-facts": chartFacts,
        docs,
        graph,
        "offline-config": offlineConfig,
        timeline,
    };

    for (const [name, main] of Object.entries(commands)) {
        it(`${name}: exits 2 with the problem and its usage on an unknown argument`, async () => {
            const { io, out, err } = capture();
            assert.equal(await main(["--frobnicate"], io), 2);
            assert.deepEqual(out, []);
            assert.match(
                err.join(""),
                new RegExp(`^unknown argument: --frobnicate\\nusage: npm run ${name}`),
            );
        });

        it(`${name}: prints its usage on --help and exits 0`, async () => {
            const { io, out, err } = capture();
            assert.equal(await main(["--help"], io), 0);
            assert.match(out.join(""), new RegExp(`^usage: npm run ${name}`));
            assert.deepEqual(err, []);
        });
    }

    it("graph and timeline exit 2 with their usage alone when --stack is missing", async () => {
        for (const [main, argv] of [
            [graph, ["--full"]],
            [timeline, ["--json"]],
            [timeline, ["--stack", "dev", "--parallel", "0"]],
        ] as const) {
            const { io, err } = capture();
            assert.equal(await main(argv, io), 2);
            assert.match(err.join(""), /^usage: npm run (graph|timeline) -- --stack <dev\|prod>/);
        }
    });

    it("chart-facts exits 2 with its usage alone unless given exactly one source", () => {
        for (const argv of [
            ["--minor", "1.31", "--derived-from", "1.31.1"],
            [
                "--minor",
                "1.31",
                "--derived-from",
                "1.31.1",
                "--defaults",
                "a",
                "--istio-source",
                "b",
            ],
        ]) {
            const { io, err } = capture();
            assert.equal(chartFacts(argv, io), 2);
            assert.match(err.join(""), /^usage: npm run chart-facts -- --minor/);
        }
    });
});

describe("scripts/cli: offline-config", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "eks-ambient-mesh-offline-config-"));
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("writes a stack file as `pulumi config --json --show-secrets` prints it, secrets marked", () => {
        const from = path.join(dir, "Pulumi.x.yaml");
        fs.writeFileSync(
            from,
            "config:\n  eks-ambient-mesh:environment: x\n  aws:region: us-east-1\n  eks-ambient-mesh:tags: { a: b }\n",
        );
        const keyFile = path.join(dir, "root.key");
        fs.writeFileSync(keyFile, "KEY MATERIAL\n");
        const { io, out, err } = capture();
        const code = offlineConfig(
            ["--from", from, "--set", "rootCaCertPem=CERT", "--secret", `rootCaKeyPem=@${keyFile}`],
            io,
        );
        assert.equal(code, 0, err.join(""));
        assert.deepEqual(JSON.parse(out.join("")), {
            "eks-ambient-mesh:environment": { value: "x", secret: false },
            "aws:region": { value: "us-east-1", secret: false },
            "eks-ambient-mesh:tags": { value: '{"a":"b"}', objectValue: { a: "b" }, secret: false },
            "eks-ambient-mesh:rootCaCertPem": { value: "CERT", secret: false },
            "eks-ambient-mesh:rootCaKeyPem": { value: "KEY MATERIAL\n", secret: true },
        });
    });

    it("exits 2 naming what it cannot use", () => {
        for (const [argv, message] of [
            [[], /^--from is required\n/],
            [["--from", path.join(dir, "none.yaml")], /^--from: .*none\.yaml: ENOENT/],
            [
                ["--from", path.join(dir, "Pulumi.x.yaml"), "--set", "novalue"],
                /^--set: "novalue" is not KEY=VALUE\n/,
            ],
            [
                ["--from", path.join(dir, "Pulumi.x.yaml"), "--secret", "k=@/nonexistent/key"],
                /^--secret: k: \/nonexistent\/key cannot be read\n/,
            ],
        ] as const) {
            const { io, err } = capture();
            assert.equal(offlineConfig(argv, io), 2);
            assert.match(err.join(""), message);
        }
    });
});
