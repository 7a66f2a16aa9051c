import {
    specialArchiveSig,
    specialAssetSig,
    specialOutputValueSig,
    specialResourceSig,
    specialSecretSig,
    specialSigKey,
    unknownValue,
} from "./sdk";

/**
 * Property values as the engine sees them, decoded from the wire without losing what plain JSON
 * cannot say: which values are secret (kept at the exact place they were marked, not hoisted to
 * the top-level property as the SDK's own deserializer does) and which resources an input
 * refers to.
 */

/** A secret value. Serialises to `"[secret]"`, so a plan written with `JSON.stringify` is redacted. */
export class SecretValue {
    constructor(public readonly value: unknown) {}

    toJSON(): string {
        return "[secret]";
    }
}

/** A value the engine does not know yet (only in previews; mocks resolve everything). */
export class UnknownValue {
    toJSON(): string {
        return "[unknown]";
    }
}

export const UNKNOWN = new UnknownValue();

export type PropertyMap = Record<string, unknown>;

export interface Decoded {
    readonly value: PropertyMap;
    /** URNs of every resource referenced by value (resource references and output values). */
    readonly references: Set<string>;
}

type Wire = null | boolean | number | string | Wire[] | { [key: string]: Wire };

function isWireObject(v: unknown): v is Record<string, Wire> {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Decodes a property map as produced by `Struct.toJavaScript()` on a request or response. */
export function decodeProperties(wire: Record<string, unknown> | undefined): Decoded {
    const references = new Set<string>();
    const value: PropertyMap = {};
    for (const [key, v] of Object.entries(wire ?? {})) {
        value[key] = decodeValue(v as Wire, references);
    }
    return { value, references };
}

function decodeValue(v: Wire, references: Set<string>): unknown {
    if (v === unknownValue) {
        return UNKNOWN;
    }
    if (v === null || typeof v !== "object") {
        return v;
    }
    if (Array.isArray(v)) {
        return v.map((e) => decodeValue(e, references));
    }
    switch (v[specialSigKey]) {
        case specialSecretSig:
            return new SecretValue(decodeValue(v.value, references));
        case specialResourceSig: {
            // A reference reads as what the program would see when it awaits `resource.id`: the
            // id for custom resources, the URN for components.
            const urn = String(v.urn);
            references.add(urn);
            if (typeof v.id === "string") {
                return v.id === "" || v.id === unknownValue ? UNKNOWN : v.id;
            }
            return urn;
        }
        case specialOutputValueSig: {
            for (const dep of Array.isArray(v.dependencies) ? v.dependencies : []) {
                references.add(String(dep));
            }
            const inner = v.value === undefined ? UNKNOWN : decodeValue(v.value, references);
            return v.secret === true ? new SecretValue(inner) : inner;
        }
        case specialAssetSig:
            return { "@asset": v.path ?? v.text ?? v.uri ?? null };
        case specialArchiveSig:
            return {
                "@archive": v.path ?? v.uri ?? Object.keys(isWireObject(v.assets) ? v.assets : {}),
            };
        default: {
            const out: PropertyMap = {};
            for (const [key, inner] of Object.entries(v)) {
                out[key] = decodeValue(inner, references);
            }
            return out;
        }
    }
}

/** The value with every secret replaced by what it holds. */
export function reveal(v: unknown): unknown {
    if (v instanceof SecretValue) {
        return reveal(v.value);
    }
    if (Array.isArray(v)) {
        return v.map(reveal);
    }
    if (isPlainObject(v)) {
        return Object.fromEntries(Object.entries(v).map(([k, inner]) => [k, reveal(inner)]));
    }
    return v;
}

/** The value with every secret replaced by `"[secret]"` (and unknowns by `"[unknown]"`). */
export function redact(v: unknown): unknown {
    if (v instanceof SecretValue || v instanceof UnknownValue) {
        return v.toJSON();
    }
    if (Array.isArray(v)) {
        return v.map(redact);
    }
    if (isPlainObject(v)) {
        return Object.fromEntries(Object.entries(v).map(([k, inner]) => [k, redact(inner)]));
    }
    return v;
}

/** Re-encodes decoded values for the wire (what mocks receive and return). */
export function encode(v: unknown): unknown {
    if (v instanceof SecretValue) {
        return wireSecret(encode(v.value));
    }
    if (v instanceof UnknownValue) {
        return unknownValue;
    }
    if (Array.isArray(v)) {
        return v.map(encode);
    }
    if (isPlainObject(v)) {
        return Object.fromEntries(Object.entries(v).map(([k, inner]) => [k, encode(inner)]));
    }
    return v;
}

/** A secret in wire form: what `pulumi.secret` becomes in a registration and in a mock's state. */
export function wireSecret(value: unknown): Record<string, unknown> {
    return { [specialSigKey]: specialSecretSig, value };
}

export function isWireSecret(v: unknown): v is { value: unknown } {
    return isPlainObject(v) && v[specialSigKey] === specialSecretSig;
}

/** Strips wire secrets at any depth: mocks compute with the values, not the wrappers. */
export function unwrapWire(v: unknown): unknown {
    if (isWireSecret(v)) {
        return unwrapWire(v.value);
    }
    if (Array.isArray(v)) {
        return v.map(unwrapWire);
    }
    if (isPlainObject(v)) {
        return Object.fromEntries(Object.entries(v).map(([k, inner]) => [k, unwrapWire(inner)]));
    }
    return v;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
    if (typeof v !== "object" || v === null || Array.isArray(v)) {
        return false;
    }
    const proto = Object.getPrototypeOf(v);
    return proto === Object.prototype || proto === null;
}
