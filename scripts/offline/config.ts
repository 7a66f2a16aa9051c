import * as pulumi from "@pulumi/pulumi";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { isPlainObject } from "./values";

/**
 * Stack configuration the way the Pulumi CLI hands it to a program: keys namespaced by package
 * (`eks-ambient-mesh:clusters`, `aws:region`), scalars as strings, structured values as JSON.
 */

/** A stack or config file that cannot be used offline; the message names the file and key. */
export class OfflineConfigError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "OfflineConfigError";
    }
}

export interface StackConfig {
    readonly project: string;
    /** The file the values came from. */
    readonly file: string;
    /** Namespaced keys to CLI-encoded values, ready for `pulumi.runtime.setAllConfig`. */
    readonly values: Record<string, string>;
    /** Namespaced keys whose values were set as secrets (`pulumi config set --secret`). */
    readonly secretKeys: string[];
    /** Decoded values by namespaced key, as written in the file. */
    readonly raw: Record<string, unknown>;
}

function readYaml(file: string): unknown {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch {
        throw new OfflineConfigError(`${file} not found`);
    }
    try {
        return parse(text);
    } catch (err) {
        throw new OfflineConfigError(`${file} is not valid YAML: ${(err as Error).message}`);
    }
}

/** The project name from `Pulumi.yaml`. */
export function readProjectName(projectDir: string): string {
    const file = path.join(projectDir, "Pulumi.yaml");
    const doc = readYaml(file);
    const name = isPlainObject(doc) ? doc.name : undefined;
    if (typeof name !== "string" || name === "") {
        throw new OfflineConfigError(`${file} has no project name`);
    }
    return name;
}

/** `clusters` → `<project>:clusters`; keys that already name a namespace are kept. */
export function namespacedKey(project: string, key: string): string {
    return key.includes(":") ? key : `${project}:${key}`;
}

function securePath(value: unknown, at: string): string | undefined {
    if (isPlainObject(value)) {
        if (Object.keys(value).length === 1 && typeof value.secure === "string") {
            return at;
        }
        for (const [k, inner] of Object.entries(value)) {
            const found = securePath(inner, `${at}.${k}`);
            if (found) {
                return found;
            }
        }
    }
    if (Array.isArray(value)) {
        for (const [i, inner] of value.entries()) {
            const found = securePath(inner, `${at}[${i}]`);
            if (found) {
                return found;
            }
        }
    }
    return undefined;
}

/** Where a value holds a number JSON cannot carry (YAML's `.inf`, `-.inf`, `.nan`), and what it is. */
function nonFinite(value: unknown, at: string): { at: string; written: string } | undefined {
    if (typeof value === "number" && !Number.isFinite(value)) {
        return { at, written: Number.isNaN(value) ? ".nan" : value > 0 ? ".inf" : "-.inf" };
    }
    const entries = Array.isArray(value)
        ? value.map((inner, i) => [`${at}[${i}]`, inner] as const)
        : isPlainObject(value)
          ? Object.entries(value).map(([k, inner]) => [`${at}.${k}`, inner] as const)
          : [];
    for (const [path, inner] of entries) {
        const found = nonFinite(inner, path);
        if (found) {
            return found;
        }
    }
    return undefined;
}

/** A value as the CLI passes it: strings unchanged, everything else as JSON. */
export function encodeConfigValue(value: unknown): string {
    return typeof value === "string" ? value : JSON.stringify(value);
}

/** Namespaced, CLI-encoded config from a `config:` map; `source` names the file in errors. */
export function toConfigMap(
    project: string,
    config: Record<string, unknown>,
    source = "config",
): Record<string, string> {
    const values: Record<string, string> = {};
    for (const [key, value] of Object.entries(config)) {
        const fullKey = namespacedKey(project, key);
        const secure = securePath(value, fullKey);
        if (secure) {
            throw new OfflineConfigError(
                `${source}: ${secure} is a secure value, which cannot be decrypted offline; export the stack's config with \`pulumi config --json --show-secrets\` (or make that form with npm run offline-config) and pass the file with --config`,
            );
        }
        const infinite = nonFinite(value, fullKey);
        if (infinite) {
            throw new OfflineConfigError(
                `${source}: ${infinite.at} is ${infinite.written}, which is no number a configuration value can hold (Pulumi hands configuration to the program as JSON, which has no infinities and no NaN); write a number`,
            );
        }
        if (value !== null && value !== undefined) {
            values[fullKey] = encodeConfigValue(value);
        }
    }
    return values;
}

/**
 * Reads `Pulumi.<stack>.yaml` (or `configFile`, in the same form) for the project in
 * `projectDir`; `config` (the `config:` map of such a file) stands in for any file.
 */
export function loadStackConfig(options: {
    readonly projectDir: string;
    readonly stack: string;
    readonly configFile?: string;
    readonly config?: Record<string, unknown>;
    /** Keys of `config` (short or namespaced) that stand for secret values. */
    readonly secretKeys?: readonly string[];
}): StackConfig {
    const project = readProjectName(options.projectDir);
    if (options.config !== undefined) {
        const raw = Object.fromEntries(
            Object.entries(options.config).map(([k, v]) => [namespacedKey(project, k), v]),
        );
        const file = `(config of stack ${options.stack})`;
        const secretKeys = (options.secretKeys ?? []).map((k) => namespacedKey(project, k));
        return {
            project,
            file,
            values: toConfigMap(project, options.config, file),
            raw,
            secretKeys,
        };
    }
    const file = options.configFile
        ? path.resolve(options.configFile)
        : path.join(options.projectDir, `Pulumi.${options.stack}.yaml`);
    if (file.endsWith(".json")) {
        return readExportedConfig(project, file);
    }
    const doc = readYaml(file);
    if (doc !== null && doc !== undefined && !isPlainObject(doc)) {
        throw new OfflineConfigError(`${file}: expected a mapping with a "config" key`);
    }
    const config = isPlainObject(doc) ? doc.config : undefined;
    if (config !== undefined && config !== null && !isPlainObject(config)) {
        throw new OfflineConfigError(`${file}: "config" must be a mapping of keys to values`);
    }
    const raw = Object.fromEntries(
        Object.entries(config ?? {}).map(([k, v]) => [namespacedKey(project, k), v]),
    );
    return { project, file, values: toConfigMap(project, config ?? {}, file), raw, secretKeys: [] };
}

/**
 * A `config:` map in the form `pulumi config --json --show-secrets` prints, `secretKeys` (short
 * or namespaced) marked secret: what `--config FILE.json` reads back.
 */
export function toExportedConfig(
    project: string,
    config: Record<string, unknown>,
    secretKeys: readonly string[] = [],
): Record<string, ExportedValue> {
    const secret = new Set(secretKeys.map((k) => namespacedKey(project, k)));
    return Object.fromEntries(
        Object.entries(config).map(([key, value]) => {
            const fullKey = namespacedKey(project, key);
            const entry =
                typeof value === "object" && value !== null
                    ? { value: JSON.stringify(value), objectValue: value }
                    : { value: String(value) };
            return [fullKey, { ...entry, secret: secret.has(fullKey) }];
        }),
    );
}

/** One key of `pulumi config --json --show-secrets`. */
export interface ExportedValue {
    readonly value?: string;
    readonly objectValue?: unknown;
    readonly secret?: boolean;
}

/**
 * A stack's configuration as `pulumi config --json --show-secrets` prints it: fully qualified
 * keys, each `{ value, objectValue?, secret }`. Secret values keep their secretness, as the CLI
 * hands decrypted `secure:` values to a program.
 */
function readExportedConfig(project: string, file: string): StackConfig {
    let doc: unknown;
    try {
        doc = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (err) {
        throw new OfflineConfigError(
            (err as NodeJS.ErrnoException).code === "ENOENT"
                ? `${file} not found`
                : `${file} is not valid JSON: ${(err as Error).message}`,
        );
    }
    if (!isPlainObject(doc)) {
        throw new OfflineConfigError(
            `${file}: expected the object \`pulumi config --json --show-secrets\` prints`,
        );
    }
    const values: Record<string, string> = {};
    const raw: Record<string, unknown> = {};
    const secretKeys: string[] = [];
    for (const [key, entry] of Object.entries(doc)) {
        const fullKey = namespacedKey(project, key);
        if (!isPlainObject(entry) || !("value" in entry || "objectValue" in entry)) {
            throw new OfflineConfigError(
                `${file}: ${fullKey} has no value; export the config with \`pulumi config --json --show-secrets\``,
            );
        }
        const { value, objectValue, secret } = entry as ExportedValue;
        raw[fullKey] = objectValue !== undefined ? objectValue : value;
        values[fullKey] =
            objectValue !== undefined ? encodeConfigValue(objectValue) : String(value);
        if (secret === true) {
            secretKeys.push(fullKey);
        }
    }
    return { project, file, values, raw, secretKeys };
}

/** Replaces the runtime's whole configuration. */
export function applyConfig(values: Record<string, string>, secretKeys: string[] = []): void {
    pulumi.runtime.setAllConfig(values, secretKeys);
}
