import * as crypto from "node:crypto";

/**
 * How two plans' input values are compared: deeply, down to the path where they differ, with
 * the offline mocks' key material made comparable. The TLS mocks make real keys and sign real
 * certificates, but every process makes new ones (and signs at its own start time), so the same
 * root CA has other bytes in a plan written an hour later. A certificate, key or CSR is compared
 * by what it is, not by its bytes: the plan resource that made it (the TLS provider's ids are a
 * certificate's serial number, the SHA-1 of a key's public key, the SHA-1 of a CSR's PEM), or,
 * for one no resource of the plan made (a supplied root CA, the EKS cluster CA), its issuer and
 * serial number, which is what identifies a certificate in X.509.
 */

/** `"[secret]"`: a value a plan written without `--show-secrets` does not show. */
export const REDACTED = "[secret]";

/** A property path: object keys, and array indexes as numbers. */
export type Path = readonly (string | number)[];

/** `spec.ports[0].port`; keys keep their dots (`stringData.root-cert.pem`), as the brief shows them. */
export function formatPath(path: Path): string {
    return path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("");
}

/** Splits a dotted rule path (`kubernetesNetworkConfig.serviceIpv4Cidr`) into its keys. */
export function parseRulePath(path: string): string[] {
    return path.split(".");
}

/** Whether `path` starts with `prefix`. */
export function startsWith(path: Path, prefix: Path): boolean {
    return prefix.length <= path.length && prefix.every((p, i) => path[i] === p);
}

/** The value at `path`, or undefined. */
export function valueAt(value: unknown, path: Path): unknown {
    let at: unknown = value;
    for (const key of path) {
        if (Array.isArray(at) && typeof key === "number") {
            at = at[key];
        } else if (isRecord(at) && typeof key === "string") {
            at = at[key];
        } else {
            return undefined;
        }
    }
    return at;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** What a plan offers to name its key material by: resource URNs by mock id. */
export interface MaterialIndex {
    /** URN of the custom resource with this id, for ids that are unique in the plan. */
    readonly urnById: ReadonlyMap<string, string>;
    /**
     * What each certificate of the plan is, by its SHA-256 fingerprint (`AB:CD:…`): a value
     * that records a certificate's fingerprint (the lifecycle output does) names it.
     */
    readonly fingerprints: ReadonlyMap<string, string>;
}

/**
 * The index of a plan: its resources' ids, and the fingerprints of the certificates found in
 * `values` (its inputs and outputs).
 */
export function materialIndex(
    resources: readonly { urn: string; id: string | null }[],
    values: unknown = [],
): MaterialIndex {
    const urnById = new Map<string, string>();
    const seen = new Set<string>();
    for (const r of resources) {
        if (r.id === null) {
            continue;
        }
        if (seen.has(r.id)) {
            urnById.delete(r.id);
        } else {
            seen.add(r.id);
            urnById.set(r.id, r.urn);
        }
    }
    const fingerprints = new Map<string, string>();
    const index = { urnById, fingerprints };
    for (const text of strings(values)) {
        for (const [block] of text.matchAll(PEM_BLOCK)) {
            if (block.includes("-----BEGIN CERTIFICATE-----")) {
                try {
                    const print = new crypto.X509Certificate(block).fingerprint256;
                    fingerprints.set(print, certificateIdentity(block, index));
                } catch {
                    // Not a certificate Node can read: nothing to name by its fingerprint.
                }
            }
        }
    }
    return index;
}

/** Every string in a value that may hold a PEM block. */
function strings(value: unknown, out: string[] = []): string[] {
    if (typeof value === "string") {
        if (value.includes("-----BEGIN")) {
            out.push(value);
        }
    } else if (Array.isArray(value)) {
        value.forEach((v) => strings(v, out));
    } else if (isRecord(value)) {
        Object.values(value).forEach((v) => strings(v, out));
    }
    return out;
}

const FINGERPRINT = /\b(?:[0-9A-F]{2}:){31}[0-9A-F]{2}\b/g;

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n[\s\S]*?-----END \1-----(\r?\n)?/g;
// Base64 of text that starts with "-----BEGIN" (kubeconfigs' certificate-authority-data).
const BASE64_PEM = /LS0tLS1CRUdJTi[A-Za-z0-9+/]*={0,2}/g;

const sha = (algorithm: string, data: crypto.BinaryLike) =>
    crypto.createHash(algorithm).update(data).digest("hex");

function certificateIdentity(pem: string, index: MaterialIndex): string {
    const cert = new crypto.X509Certificate(pem);
    const serial = BigInt(`0x${cert.serialNumber}`).toString(10);
    const urn = index.urnById.get(serial);
    if (urn !== undefined) {
        return `<certificate of ${urn}>`;
    }
    return `<certificate issuer="${cert.issuer.replace(/\n/g, ", ")}" serial=${cert.serialNumber}>`;
}

function keyIdentity(kind: string, key: crypto.KeyObject, index: MaterialIndex): string {
    const publicKey = key.type === "private" ? crypto.createPublicKey(key) : key;
    const spki = publicKey.export({ type: "spki", format: "der" });
    const urn = index.urnById.get(sha("sha1", spki));
    return urn !== undefined ? `<${kind} of ${urn}>` : `<${kind} sha256:${sha("sha256", spki)}>`;
}

function pemIdentity(block: string, label: string, index: MaterialIndex): string {
    try {
        if (label === "CERTIFICATE") {
            return certificateIdentity(block, index);
        }
        if (label === "CERTIFICATE REQUEST") {
            const pem = block.endsWith("\n") ? block : `${block}\n`;
            const urn = index.urnById.get(sha("sha1", pem));
            return urn !== undefined
                ? `<certificate request of ${urn}>`
                : `<certificate request sha256:${sha("sha256", pem)}>`;
        }
        if (label.endsWith("PRIVATE KEY")) {
            return keyIdentity("private key", crypto.createPrivateKey(block), index);
        }
        if (label.endsWith("PUBLIC KEY")) {
            return keyIdentity("public key", crypto.createPublicKey(block), index);
        }
    } catch {
        // Not parseable: compared by its bytes below.
    }
    return `<${label.toLowerCase()} sha256:${sha("sha256", block.trim())}>`;
}

/** A string with every PEM block (plain or base64) replaced by what it is. */
export function canonicalString(
    text: string,
    index: MaterialIndex,
    cache?: Map<string, string>,
): string {
    const prints = index.fingerprints.size > 0 && /(?:[0-9A-F]{2}:){31}/.test(text);
    if (!prints && !text.includes("-----BEGIN") && !text.includes("LS0tLS1CRUdJTi")) {
        return text;
    }
    const known = cache?.get(text);
    if (known !== undefined) {
        return known;
    }
    const result: string = text
        .replace(PEM_BLOCK, (block: string, label: string) => pemIdentity(block, label, index))
        .replace(BASE64_PEM, (encoded): string => {
            const decoded = Buffer.from(encoded, "base64").toString("utf8");
            const inner: string = canonicalString(decoded, index);
            return inner === decoded ? encoded : `<base64 of ${inner}>`;
        })
        .replace(FINGERPRINT, (print) => {
            const what = index.fingerprints.get(print);
            return what === undefined ? print : `<SHA-256 fingerprint of ${what}>`;
        });
    cache?.set(text, result);
    return result;
}

/** A value with every string canonical; `null` members dropped (Pulumi treats them as unset). */
export function canonical(
    value: unknown,
    index: MaterialIndex,
    cache?: Map<string, string>,
): unknown {
    const walk = (v: unknown): unknown => {
        if (typeof v === "string") {
            return canonicalString(v, index, cache);
        }
        if (Array.isArray(v)) {
            return v.map(walk);
        }
        if (isRecord(v)) {
            return Object.fromEntries(
                Object.entries(v)
                    .filter(([, inner]) => inner !== null && inner !== undefined)
                    .map(([k, inner]) => [k, walk(inner)]),
            );
        }
        return v;
    };
    return walk(value);
}

/** The paths where two values differ, and whether a redacted value met a shown one. */
export interface ValueDiff {
    readonly paths: Path[];
    /** A `"[secret]"` on one side only: the plans disagree on showing secrets, so it is not compared. */
    readonly mixedRedaction: boolean;
}

/**
 * Where `a` and `b` differ, down to the differing key or array element. Arrays of different
 * lengths differ as a whole; `"[secret]"` on both sides is taken as equal (nothing can be known
 * of it), and on one side only as not comparable.
 */
export function changedPaths(a: unknown, b: unknown, at: Path = []): ValueDiff {
    const paths: Path[] = [];
    let mixedRedaction = false;
    const walk = (x: unknown, y: unknown, path: Path) => {
        if (x === undefined || y === undefined) {
            if (x !== y) {
                paths.push(path);
            }
            return;
        }
        if (x === REDACTED || y === REDACTED) {
            mixedRedaction ||= x !== y;
            return;
        }
        if (Array.isArray(x) && Array.isArray(y)) {
            if (x.length !== y.length) {
                paths.push(path);
                return;
            }
            x.forEach((item, i) => walk(item, y[i], [...path, i]));
            return;
        }
        if (isRecord(x) && isRecord(y)) {
            const keys = [...new Set([...Object.keys(x), ...Object.keys(y)])].sort();
            for (const key of keys) {
                walk(x[key], y[key], [...path, key]);
            }
            return;
        }
        if (x !== y) {
            paths.push(path);
        }
    };
    walk(a, b, at);
    return { paths, mixedRedaction };
}

/** Whether a value holds `"[secret]"` anywhere. */
export function hasRedacted(value: unknown): boolean {
    if (value === REDACTED) {
        return true;
    }
    if (Array.isArray(value)) {
        return value.some(hasRedacted);
    }
    return isRecord(value) && Object.values(value).some(hasRedacted);
}
