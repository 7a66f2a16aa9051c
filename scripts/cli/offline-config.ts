import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { PROJECT_DIR } from "../offline/run";
import { readProjectName, toExportedConfig } from "../offline/config";
import { readArgs, usageError } from "./args";
import { Io, processIo, runCli } from "./runner";

/**
 * `npm run offline-config`: a stack file in `Pulumi.<stack>.yaml` form, with values set (and
 * secrets marked) the way `pulumi config set [--secret]` would, written in the form
 * `pulumi config --json --show-secrets` prints: what `npm run plan -- --config FILE.json` reads
 * when a stack needs secret config (a shared root CA's key) and no Pulumi CLI is at hand.
 */

const USAGE =
    "usage: npm run offline-config -- --from FILE.yaml [--set KEY=VALUE]... [--secret KEY=VALUE]...\n" +
    "                                [--out FILE.json]\n" +
    "  --from FILE    a stack file in Pulumi.<stack>.yaml form (its config: map)\n" +
    "  --set K=V      set key K (top level, e.g. rootCaCertPem) to V; V=@FILE reads FILE\n" +
    "  --secret K=V   the same, marked secret as `pulumi config set --secret` marks it\n" +
    "  --out FILE     write there instead of stdout\n";

const SPEC = {
    usage: USAGE,
    values: ["from", "out"],
    switches: [],
    lists: ["set", "secret"],
} as const;

function assignment(arg: string): [string, string] | string {
    const cut = arg.indexOf("=");
    if (cut <= 0) {
        return `"${arg}" is not KEY=VALUE`;
    }
    const key = arg.slice(0, cut);
    const value = arg.slice(cut + 1);
    if (!value.startsWith("@")) {
        return [key, value];
    }
    try {
        return [key, fs.readFileSync(value.slice(1), "utf8")];
    } catch {
        return `${key}: ${value.slice(1)} cannot be read`;
    }
}

export function main(argv: readonly string[], io: Io = processIo): number {
    const args = readArgs(argv, SPEC, io);
    if (typeof args === "number") {
        return args;
    }
    const from = args.values.from;
    if (from === undefined) {
        return usageError(io, USAGE, "--from is required");
    }
    let doc: { config?: Record<string, unknown> } | null;
    try {
        doc = parse(fs.readFileSync(from, "utf8")) as typeof doc;
    } catch (err) {
        return usageError(io, USAGE, `--from: ${from}: ${(err as Error).message}`);
    }
    const config: Record<string, unknown> = { ...(doc?.config ?? {}) };
    const secret: string[] = [];
    for (const [list, isSecret] of [
        [args.lists.set, false],
        [args.lists.secret, true],
    ] as const) {
        for (const arg of list) {
            const parsed = assignment(arg);
            if (typeof parsed === "string") {
                return usageError(io, USAGE, `--${isSecret ? "secret" : "set"}: ${parsed}`);
            }
            config[parsed[0]] = parsed[1];
            if (isSecret) {
                secret.push(parsed[0]);
            }
        }
    }
    const exported = toExportedConfig(readProjectName(PROJECT_DIR), config, secret);
    const text = `${JSON.stringify(exported, null, 2)}\n`;
    if (args.values.out) {
        fs.writeFileSync(args.values.out, text);
        io.stderr(
            `${path.relative(process.cwd(), args.values.out)}: ${Object.keys(exported).length} keys, ${secret.length} secret\n`,
        );
    } else {
        io.stdout(text);
    }
    return 0;
}

if (require.main === module) {
    runCli(main);
}
