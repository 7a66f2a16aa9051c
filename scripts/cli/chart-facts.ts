import * as fs from "node:fs";
import * as path from "node:path";
import { deriveReleaseFacts } from "../chartFacts/facts";
import { FACTS_FILE, formatFactsFile, readFactsFile } from "../chartFacts/file";
import { chartDefaultsFolder, istioSourceTree } from "../chartFacts/sources";
import { readArgs, usageError } from "./args";
import { Io, processIo, runCli } from "./runner";

/**
 * `npm run chart-facts`: derives one Istio minor's chart facts from its charts and writes them
 * into the committed facts file the tests read.
 */

const USAGE =
    "usage: npm run chart-facts -- --minor 1.31 --derived-from 1.31.1 (--istio-source DIR | --defaults DIR)\n" +
    "  --istio-source DIR  an Istio source tree: manifests/charts, manifests/helm-profiles, go.mod\n" +
    "  --defaults DIR      one release's chart defaults: <chart>/values.yaml, profile-ambient.yaml,\n" +
    "                      gateway-api-version.txt (no templates, so no template-only paths)\n" +
    `  Writes the minor's entry into ${path.relative(process.cwd(), FACTS_FILE)}.\n`;

const SPEC = {
    usage: USAGE,
    values: ["minor", "derived-from", "istio-source", "defaults"],
    switches: [],
} as const;

export function main(argv: readonly string[], io: Io = processIo): number {
    const args = readArgs(argv, SPEC, io);
    if (typeof args === "number") {
        return args;
    }
    const { minor, "derived-from": derivedFrom, "istio-source": tree, defaults } = args.values;
    if (!minor || !derivedFrom || (tree === undefined) === (defaults === undefined)) {
        return usageError(io, USAGE);
    }
    const source =
        tree !== undefined
            ? istioSourceTree(tree, derivedFrom)
            : chartDefaultsFolder(defaults as string, derivedFrom);
    const facts = fs.existsSync(FACTS_FILE) ? readFactsFile() : {};
    facts[minor] = deriveReleaseFacts(source);
    fs.writeFileSync(FACTS_FILE, formatFactsFile(facts));
    io.stdout(`${minor}: facts from ${derivedFrom} written to ${FACTS_FILE}\n`);
    return 0;
}

if (require.main === module) {
    runCli(main);
}
