import * as fs from "node:fs";
import * as path from "node:path";
import { ChartFactsFile } from "./facts";

/** The committed facts file the tests read, and how it is written. */

export const FACTS_FILE = path.join(
    __dirname,
    "..",
    "..",
    "test",
    "fixtures",
    "istio-chart-facts.json",
);

export function readFactsFile(file = FACTS_FILE): ChartFactsFile {
    return JSON.parse(fs.readFileSync(file, "utf8")) as ChartFactsFile;
}

/** The facts file as committed: minors in order, two-space JSON (what Prettier keeps). */
export function formatFactsFile(facts: ChartFactsFile): string {
    const minor = (v: string) => v.split(".").map(Number);
    const ordered = Object.keys(facts).sort((a, b) => {
        const [x, y] = [minor(a), minor(b)];
        return x[0] - y[0] || x[1] - y[1];
    });
    return `${JSON.stringify(Object.fromEntries(ordered.map((k) => [k, facts[k]])), null, 2)}\n`;
}
