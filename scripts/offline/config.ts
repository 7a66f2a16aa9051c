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
                `${source}: ${secure} is a secure value; secure config values cannot be decrypted offline; pass plaintext through --config`,
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
}): StackConfig {
    const project = readProjectName(options.projectDir);
    if (options.config !== undefined) {
        const raw = Object.fromEntries(
            Object.entries(options.config).map(([k, v]) => [namespacedKey(project, k), v]),
        );
        const file = `(config of stack ${options.stack})`;
        return { project, file, values: toConfigMap(project, options.config, file), raw };
    }
    const file = options.configFile
        ? path.resolve(options.configFile)
        : path.join(options.projectDir, `Pulumi.${options.stack}.yaml`);
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
    return { project, file, values: toConfigMap(project, config ?? {}, file), raw };
}

/** Replaces the runtime's whole configuration. */
export function applyConfig(values: Record<string, string>, secretKeys: string[] = []): void {
    pulumi.runtime.setAllConfig(values, secretKeys);
}
