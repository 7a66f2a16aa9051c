import { z } from "zod";
import { DEFAULT_ISTIO_VERSION } from "../versions";
import { show } from "./problems";

/**
 * Problems with the configuration's shape (a key of the wrong type, missing or unknown), from
 * zod's issues, in the words the README's configuration reference uses.
 */

/** `clusters[1].nodeGroup.minSize` from zod's path. */
export function keyOf(path: readonly PropertyKey[]): string {
    return path
        .map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
        .join("");
}

export function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
    return path.reduce<unknown>(
        (node, key) =>
            node !== null && typeof node === "object"
                ? (node as Record<PropertyKey, unknown>)[key]
                : undefined,
        root,
    );
}

/** Config keys whose values never appear in a message. */
const SECRET_KEYS = new Set(["rootCaKeyPem", "nextRootCaKeyPem"]);

/** What each of zod's expected types is called in the configuration reference. */
const NOUNS: Readonly<Record<string, string>> = {
    string: "a string",
    number: "a number",
    int: "a whole number",
    boolean: "a boolean",
    array: "a list",
    object: "an object",
    record: "a map",
};

/** Version keys YAML reads as numbers when unquoted, with a version to quote as an example. */
const VERSION_KEYS: Readonly<Record<string, string>> = {
    "mesh.istioVersion": DEFAULT_ISTIO_VERSION,
};

const nounOf = (expected: string) =>
    NOUNS[expected] ?? `${/^[aeiou]/.test(expected) ? "an" : "a"} ${expected}`;

/** The type an issue asked for; for a union, its first member's (the one the reference names). */
function expectedOf(issue: z.core.$ZodIssue): string | undefined {
    if (issue.code === "invalid_union") {
        const first = issue.errors[0]?.[0];
        return first ? expectedOf(first) : undefined;
    }
    return issue.code === "invalid_type" ? String(issue.expected) : undefined;
}

/** A value of the wrong type: what it is not, and how YAML made it so. */
function wrongType(key: string, value: unknown, expected: string): string {
    const noun = nounOf(expected);
    if (expected === "string" && typeof value === "number" && Object.hasOwn(VERSION_KEYS, key)) {
        return `${key}: ${show(value)} is a number; quote it (YAML reads 1.30 as 1.3), e.g. "${VERSION_KEYS[key]}"`;
    }
    if (expected === "string" && (typeof value === "number" || typeof value === "boolean")) {
        return `${key}: ${show(value)} is not a string; quote it`;
    }
    if (value === null) {
        return `${key}: null is not ${noun}; YAML reads a key with nothing after the colon as null`;
    }
    return `${key}: ${show(value)} is not ${noun}`;
}

/** One problem per issue, naming the key, the value (unless secret) and what is allowed. */
export function shapeProblems(raw: unknown, issues: readonly z.core.$ZodIssue[]): string[] {
    return issues.map((issue) => {
        const key = keyOf(issue.path);
        if (issue.code === "unrecognized_keys") {
            const where = issue.path.length ? `${key}: ` : "";
            return `${where}unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys
                .map((k) => `"${k}"`)
                .join(", ")}; check the spelling against the README's configuration reference`;
        }
        const secret = SECRET_KEYS.has(String(issue.path[0]));
        const value = secret ? "[secret]" : valueAt(raw, issue.path);
        if (value === undefined) {
            return `${key}: is required`;
        }
        if (issue.code === "invalid_value") {
            return `${key}: ${show(value)} is not allowed; use one of ${issue.values
                .map((v) => String(v))
                .join(", ")}`;
        }
        if (issue.code === "too_big" || issue.code === "too_small") {
            const bound = Number.MAX_SAFE_INTEGER * (issue.code === "too_big" ? 1 : -1);
            return `${key}: ${show(value)} is ${issue.code === "too_big" ? "above" : "below"} ${bound}, beyond the whole numbers a configuration value holds exactly`;
        }
        const expected = expectedOf(issue);
        return expected === undefined
            ? `${key}: ${show(value)} is not allowed`
            : wrongType(key, value, expected);
    });
}
