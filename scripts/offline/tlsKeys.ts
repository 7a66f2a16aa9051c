import * as crypto from "node:crypto";
import { promisify } from "node:util";

/**
 * Keys for the `@pulumi/tls` mocks, in the formats hashicorp/terraform-provider-tls writes them
 * (PKCS#1 or SEC1 PEM, PKCS#8, PKIX public key, OpenSSH), plus the helpers the certificate
 * mocks share: results cached per process, PEM encoding.
 */

export type Inputs = Record<string, unknown>;

/** What a TLS mock returns: the physical id and the full state. */
export interface TlsResult {
    readonly id: string;
    readonly state: Inputs;
}

export interface KeyMaterial {
    readonly privateKey: crypto.KeyObject;
    readonly publicKey: crypto.KeyObject;
}

const generateKeyPair = promisify(crypto.generateKeyPair);

// Key generation dominates the cost of a plan (RSA 4096 takes seconds), and a second run in the
// same process must produce the same plan: keys are generated once per process and name.
const keyCache = new Map<string, Promise<KeyMaterial>>();
// Certificates embed a time and a signature; caching them makes a rerun identical.
const resultCache = new Map<string, Promise<TlsResult>>();

export const CURVES: Record<string, { node: string; web: string; hash: string; ssh?: string }> = {
    P224: { node: "secp224r1", web: "P-224", hash: "SHA-256" },
    P256: { node: "prime256v1", web: "P-256", hash: "SHA-256", ssh: "nistp256" },
    P384: { node: "secp384r1", web: "P-384", hash: "SHA-384", ssh: "nistp384" },
    P521: { node: "secp521r1", web: "P-521", hash: "SHA-512", ssh: "nistp521" },
};

export function curveOfNodeName(nodeName: string | undefined): string {
    const entry = Object.entries(CURVES).find(([, c]) => c.node === nodeName);
    if (!entry) {
        throw new Error(`Unsupported elliptic curve ${nodeName}`);
    }
    return entry[0];
}

export function sha(algorithm: string, data: crypto.BinaryLike): Buffer {
    return crypto.createHash(algorithm).update(data).digest();
}

export function stableJson(v: unknown): string {
    if (Array.isArray(v)) {
        return `[${v.map(stableJson).join(",")}]`;
    }
    if (typeof v === "object" && v !== null) {
        const entries = Object.entries(v as Inputs)
            .filter(([, inner]) => inner !== undefined)
            .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        return `{${entries.map(([k, inner]) => `${JSON.stringify(k)}:${stableJson(inner)}`).join(",")}}`;
    }
    return JSON.stringify(v) ?? "null";
}

export function cached(
    kind: string,
    name: string,
    inputs: Inputs,
    make: () => Promise<TlsResult>,
): Promise<TlsResult> {
    const key = `${kind}|${name}|${sha("sha256", stableJson(inputs)).toString("hex")}`;
    let result = resultCache.get(key);
    if (!result) {
        result = make();
        resultCache.set(key, result);
        result.catch(() => resultCache.delete(key));
    }
    return result;
}

export function pem(tag: string, der: ArrayBuffer | Buffer): string {
    const body = Buffer.from(der as ArrayBuffer).toString("base64");
    const lines = body.match(/.{1,64}/g) ?? [];
    return `-----BEGIN ${tag}-----\n${lines.join("\n")}\n-----END ${tag}-----\n`;
}

export function str(v: unknown): string | undefined {
    return typeof v === "string" && v !== "" ? v : undefined;
}

export function num(v: unknown, fallback: number): number {
    return typeof v === "number" ? v : typeof v === "string" && v !== "" ? Number(v) : fallback;
}

/** A key pair, generated on the thread pool and kept for the life of the process. */
export function generateKey(
    cacheKey: string,
    algorithm: string,
    size: string,
): Promise<KeyMaterial> {
    const key = `${cacheKey}|${algorithm}|${size}`;
    let keys = keyCache.get(key);
    if (!keys) {
        keys =
            algorithm === "RSA"
                ? generateKeyPair("rsa", { modulusLength: Number(size) })
                : algorithm === "ECDSA"
                  ? generateKeyPair("ec", { namedCurve: CURVES[size].node })
                  : generateKeyPair("ed25519");
        keyCache.set(key, keys);
        keys.catch(() => keyCache.delete(key));
    }
    return keys;
}

export function algorithmOf(key: crypto.KeyObject): "RSA" | "ECDSA" | "ED25519" {
    switch (key.asymmetricKeyType) {
        case "rsa":
            return "RSA";
        case "ec":
            return "ECDSA";
        case "ed25519":
            return "ED25519";
        default:
            throw new Error(`Unsupported key type ${key.asymmetricKeyType}`);
    }
}

function sshString(data: Buffer | string): Buffer {
    const bytes = typeof data === "string" ? Buffer.from(data) : data;
    const len = Buffer.alloc(4);
    len.writeUInt32BE(bytes.length);
    return Buffer.concat([len, bytes]);
}

function sshMpint(base64url: string | undefined): Buffer {
    let bytes = Buffer.from(base64url ?? "", "base64url");
    let start = 0;
    while (start < bytes.length - 1 && bytes[start] === 0) {
        start++;
    }
    bytes = bytes.subarray(start);
    if (bytes.length > 0 && bytes[0] & 0x80) {
        bytes = Buffer.concat([Buffer.from([0]), bytes]);
    }
    return sshString(bytes);
}

interface SshKey {
    readonly type: string;
    readonly publicBlob: Buffer;
    readonly privateFields: Buffer;
}

/** The key in SSH wire form, or undefined for curves SSH does not define (P-224). */
function sshKey(keys: KeyMaterial): SshKey | undefined {
    const jwk = keys.privateKey.export({ format: "jwk" });
    switch (algorithmOf(keys.privateKey)) {
        case "RSA": {
            const publicBlob = Buffer.concat([
                sshString("ssh-rsa"),
                sshMpint(jwk.e),
                sshMpint(jwk.n),
            ]);
            const privateFields = Buffer.concat([
                sshMpint(jwk.n),
                sshMpint(jwk.e),
                sshMpint(jwk.d),
                sshMpint(jwk.qi),
                sshMpint(jwk.p),
                sshMpint(jwk.q),
            ]);
            return { type: "ssh-rsa", publicBlob, privateFields };
        }
        case "ECDSA": {
            const curve = CURVES[curveOfNodeName(keys.privateKey.asymmetricKeyDetails?.namedCurve)];
            if (!curve.ssh) {
                return undefined;
            }
            const type = `ecdsa-sha2-${curve.ssh}`;
            const point = Buffer.concat([
                Buffer.from([4]),
                Buffer.from(jwk.x ?? "", "base64url"),
                Buffer.from(jwk.y ?? "", "base64url"),
            ]);
            const publicBlob = Buffer.concat([
                sshString(type),
                sshString(curve.ssh),
                sshString(point),
            ]);
            const privateFields = Buffer.concat([
                sshString(curve.ssh),
                sshString(point),
                sshMpint(jwk.d),
            ]);
            return { type, publicBlob, privateFields };
        }
        case "ED25519": {
            const pub = Buffer.from(jwk.x ?? "", "base64url");
            const seed = Buffer.from(jwk.d ?? "", "base64url");
            const type = "ssh-ed25519";
            return {
                type,
                publicBlob: Buffer.concat([sshString(type), sshString(pub)]),
                privateFields: Buffer.concat([
                    sshString(pub),
                    sshString(Buffer.concat([seed, pub])),
                ]),
            };
        }
    }
}

/** `openssh-key-v1`, unencrypted, as Go's `ssh.MarshalPrivateKey` writes it. */
function opensshPrivateKey(ssh: SshKey, seed: string): string {
    const check = sha("sha256", seed).subarray(0, 4);
    let section = Buffer.concat([
        check,
        check,
        sshString(ssh.type),
        ssh.privateFields,
        sshString(""),
    ]);
    const padding: number[] = [];
    for (let i = 1; (section.length + padding.length) % 8 !== 0; i++) {
        padding.push(i);
    }
    section = Buffer.concat([section, Buffer.from(padding)]);
    const body = Buffer.concat([
        Buffer.from("openssh-key-v1\0"),
        sshString("none"),
        sshString("none"),
        sshString(""),
        Buffer.from([0, 0, 0, 1]),
        sshString(ssh.publicBlob),
        sshString(section),
    ]);
    return pem("OPENSSH PRIVATE KEY", body);
}

/** `tls:index/privateKey:PrivateKey`. */
export function privateKey(name: string, inputs: Inputs): Promise<TlsResult> {
    const algorithm = str(inputs.algorithm) ?? "RSA";
    const rsaBits = num(inputs.rsaBits, 2048);
    const ecdsaCurve = str(inputs.ecdsaCurve) ?? "P224";
    if (!["RSA", "ECDSA", "ED25519"].includes(algorithm)) {
        return Promise.reject(
            new Error(`tls.PrivateKey ${name}: unsupported algorithm "${algorithm}"`),
        );
    }
    if (algorithm === "ECDSA" && !CURVES[ecdsaCurve]) {
        return Promise.reject(
            new Error(`tls.PrivateKey ${name}: unsupported ecdsaCurve "${ecdsaCurve}"`),
        );
    }
    const size = algorithm === "RSA" ? String(rsaBits) : algorithm === "ECDSA" ? ecdsaCurve : "";
    return cached("privateKey", name, { algorithm, size }, async () => {
        const keys = await generateKey(name, algorithm, size);
        const spki = keys.publicKey.export({ type: "spki", format: "der" });
        const privateKeyPem =
            algorithm === "RSA"
                ? (keys.privateKey.export({ type: "pkcs1", format: "pem" }) as string)
                : algorithm === "ECDSA"
                  ? (keys.privateKey.export({ type: "sec1", format: "pem" }) as string)
                  : (keys.privateKey.export({ type: "pkcs8", format: "pem" }) as string);
        const ssh = sshKey(keys);
        const fingerprintMd5 = ssh
            ? (sha("md5", ssh.publicBlob).toString("hex").match(/../g) ?? []).join(":")
            : "";
        return {
            id: sha("sha1", spki).toString("hex"),
            state: {
                ...inputs,
                algorithm,
                rsaBits,
                ecdsaCurve,
                privateKeyPem,
                privateKeyPemPkcs8: keys.privateKey.export({
                    type: "pkcs8",
                    format: "pem",
                }) as string,
                publicKeyPem: keys.publicKey.export({ type: "spki", format: "pem" }) as string,
                privateKeyOpenssh: ssh ? opensshPrivateKey(ssh, name) : "",
                publicKeyOpenssh: ssh ? `${ssh.type} ${ssh.publicBlob.toString("base64")}\n` : "",
                publicKeyFingerprintMd5: fingerprintMd5,
                publicKeyFingerprintSha256: ssh
                    ? `SHA256:${sha("sha256", ssh.publicBlob).toString("base64").replace(/=+$/, "")}`
                    : "",
            },
        };
    });
}
