import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { stringify } from "yaml";
import { clusterOf } from "../plan/clusters";
import { environment } from "./environment";

/**
 * Offline plan wall time, peak memory and resource count for generated environments of 1 to
 * 32 clusters over up to four regions, in one declared address space. Each size runs in a fresh
 * process (`npm run plan`'s own entry point), so start-up and key generation are measured as a
 * user meets them. Resources per cluster (remote secrets aside) must not grow with the mesh.
 */

export const SIZES = [1, 2, 4, 8, 16, 32];
const ROOT = path.resolve(__dirname, "..", "..");
const PLAN_CLI = path.join("scripts", "cli", "plan.ts");

export interface BenchRow {
    readonly clusters: number;
    readonly resources: number;
    /** Resources of each cluster but its remote secrets, when every cluster has as many. */
    readonly perCluster: number | "uneven";
    readonly seconds: number;
    readonly peakRssMb: number;
}

/** Whether the GNU time that measures peak memory is installed. */
export function hasGnuTime(): boolean {
    return fs.existsSync("/usr/bin/time");
}

/** Plans an environment of `n` clusters in a fresh process, working in `dir`. */
export function measure(n: number, dir: string): BenchRow {
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
            PLAN_CLI,
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
