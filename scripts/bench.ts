import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";
import { clusterOf } from "./plan";
import { markdownTable, updateReadme } from "./timing/readme";

/**
 * Offline plan wall time, peak memory and resource count for generated environments of 1 to
 * 32 clusters over up to four regions, in one declared address space. Each size runs in a fresh
 * process (`npm run plan`'s own entry point), so start-up and key generation are measured as a
 * user meets them. Resources per cluster (remote secrets aside) must not grow with the mesh.
 */

const SIZES = [1, 2, 4, 8, 16, 32];
const REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "ap-southeast-1"];
const ROOT = path.resolve(__dirname, "..");

export interface BenchRow {
    readonly clusters: number;
    readonly resources: number;
    /** Resources of each cluster but its remote secrets, when every cluster has as many. */
    readonly perCluster: number | "uneven";
    readonly seconds: number;
    readonly peakRssMb: number;
}

/** A valid environment of `n` clusters, in `Pulumi.<stack>.yaml` form. */
export function environment(n: number): Record<string, unknown> {
    return {
        config: {
            "eks-ambient-mesh:environment": "bench",
            "eks-ambient-mesh:clusters": [...Array(n).keys()].map((i) => ({
                name: `bench-${i + 1}`,
                region: REGIONS[i % REGIONS.length],
                kubernetesVersion: "1.35",
                vpcCidr: `10.${i + 1}.0.0/16`,
                serviceCidr: `172.${16 + Math.floor(i / 16)}.${(i % 16) * 16}.0/20`,
                availabilityZoneCount: 2,
                nodeGroup: { instanceTypes: ["m6i.large"], minSize: 1, desiredSize: 2, maxSize: 3 },
            })),
            "eks-ambient-mesh:mesh": { addressSpace: ["10.0.0.0/8"] },
        },
    };
}

function measure(n: number, dir: string): BenchRow {
    const config = path.join(dir, `Pulumi.bench-${n}.yaml`);
    const out = path.join(dir, `plan-${n}.json`);
    fs.writeFileSync(config, stringify(environment(n)));
    const timeFile = path.join(dir, `time-${n}.txt`);
    const started = process.hrtime.bigint();
    // GNU time reports the child's peak resident set; the plan's own exit code must be 0.
    execFileSync(
        "/usr/bin/time",
        [
            "-f",
            "%M",
            "-o",
            timeFile,
            process.execPath,
            require.resolve("tsx/cli"),
            "scripts/plan.ts",
            "--stack",
            `bench-${n}`,
            "--config",
            config,
            "--out",
            out,
        ],
        { cwd: ROOT, stdio: "ignore" },
    );
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const peakKb = Number(fs.readFileSync(timeFile, "utf8").trim().split("\n").pop());
    const plan = JSON.parse(fs.readFileSync(out, "utf8")) as { resources: { name: string }[] };
    const names = [...Array(n).keys()].map((i) => `bench-${i + 1}`);
    const counts = names.map(
        (c) =>
            plan.resources.filter(
                (r) => clusterOf(r.name, names) === c && !r.name.startsWith(`${c}-remote-`),
            ).length,
    );
    return {
        clusters: n,
        resources: plan.resources.length,
        perCluster: counts.every((k) => k === counts[0]) ? counts[0] : "uneven",
        seconds: Math.round(seconds * 10) / 10,
        peakRssMb: Math.round(peakKb / 1024),
    };
}

export function renderTable(rows: readonly BenchRow[]): string {
    return markdownTable(
        ["clusters", "resources", "per cluster", "seconds", "ms per resource", "peak RSS (MB)"],
        rows.map((r) => [
            String(r.clusters),
            String(r.resources),
            String(r.perCluster),
            r.seconds.toFixed(1),
            String(Math.round((r.seconds * 1000) / r.resources)),
            String(r.peakRssMb),
        ]),
        ["right", "right", "right", "right", "right", "right"],
    );
}

function main(argv: readonly string[]): number {
    const unknown = argv.filter((a) => !["--json", "--readme"].includes(a));
    if (unknown.length) {
        process.stderr.write(
            `unknown argument: ${unknown[0]}\nusage: npm run bench [-- --json] [-- --readme]\n`,
        );
        return 2;
    }
    if (!fs.existsSync("/usr/bin/time")) {
        process.stderr.write(
            "npm run bench needs GNU time (/usr/bin/time): apt-get install time\n",
        );
        return 1;
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "eks-ambient-mesh-bench-"));
    try {
        const rows = SIZES.map((n) => {
            const row = measure(n, dir);
            if (!argv.includes("--json")) {
                process.stderr.write(`${n} clusters: ${row.seconds} s\n`);
            }
            return row;
        });
        const table = renderTable(rows);
        process.stdout.write(
            argv.includes("--json") ? `${JSON.stringify(rows, null, 2)}\n` : `${table}\n`,
        );
        if (argv.includes("--readme")) {
            updateReadme({
                bench: `${table}\n\nMeasured with \`npm run bench\` on ${os.cpus().length} cores (${os.cpus()[0]?.model ?? "unknown CPU"}).`,
            });
        }
        return 0;
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

process.exitCode = main(process.argv.slice(2));
