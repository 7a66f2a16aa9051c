// @peculiar/x509 resolves its services through tsyringe, which needs the Reflect metadata API.
import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import * as crypto from "node:crypto";
import { CA_LIFETIMES } from "../caLifecycle";
import { Problems, show } from "./problems";

/**
 * A supplied root CA (`rootCaCertPem` + the secret `rootCaKeyPem`), checked before any resource
 * is registered. The root signs one intermediate CA per cluster with the TLS provider
 * (`components/mesh/meshTrust.ts`), goes into every cluster's `cacerts` as `root-cert.pem` and
 * ends each `cert-chain.pem`; istiod (Go's crypto/x509) and the proxies verify workload
 * certificates up to it. A root that any of them would reject, or that would break the mesh
 * later, is refused here with the reason. The key is never shown: problems write `[secret]`.
 *
 * Sources, read for these checks:
 * - istio/istio@86c9f01f security/pkg/pki/util/keycertbundle.go:330-352 (`Verify`): istiod
 *   loads `cacerts` by verifying ca-cert.pem with Go's `x509.Certificate.Verify`, roots from
 *   root-cert.pem, intermediates from cert-chain.pem; :213-244 (`CertOptions`): istiod's own CA
 *   key must be RSA or ECDSA ("unknown private key type").
 * - istio/istio@86c9f01f tools/certs/Makefile.selfsigned.mk:25-27,45-49 and common.mk:3-4,38-54:
 *   Istio's plug-in CA tooling makes root-cert.pem a self-signed root (RSA 4096, SHA-256,
 *   `basicConstraints = critical, CA:true`, keyUsage with keyCertSign), and cert-chain.pem the
 *   intermediate followed by that root.
 * - Go src/crypto/x509/x509.go, `(*Certificate).CheckSignatureFrom` and `checkSignature`: an
 *   issuer needs CA:TRUE and, when it has a keyUsage, keyCertSign; MD5 signatures are always
 *   refused and SHA-1 ones on certificates ("SHA-1 signatures are only allowed for CRLs and
 *   CSRs", since Go 1.18, golang/go#41682); only RSA, ECDSA and Ed25519 keys verify (DSA not
 *   since Go 1.16); `parsePublicKey` fails on a curve other than P-224/256/384/521.
 * - Go src/crypto/x509/verify.go, `(*Certificate).isValid`: every certificate of a chain, the
 *   root included, must be within its validity at the time of verification, and a CA's
 *   `MaxPathLen` caps the intermediates below it (`TooManyIntermediates`).
 * - hashicorp/terraform-provider-tls@d72d90e1 (what @pulumi/tls bridges)
 *   internal/provider/common_key.go:70-116 and types.go:86-89: a CA key is read from the first
 *   PEM block only, which must be PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY, unencrypted;
 *   resource_locally_signed_cert.go:312-357: the CA certificate from the first PEM block.
 * - policies/rules/tls.ts `tls-ca-key-strength` (mandatory): CA keys are RSA of at least 4096
 *   bits or ECDSA on P-384; a supplied root is held to the rule the generated one meets.
 */

// The crypto @peculiar/x509 falls back on for any operation that needs it, as in the offline mocks.
x509.cryptoProvider.set(crypto.webcrypto);

const DAY_MS = 24 * 3600_000;

/** CA keys the mandatory policy `tls-ca-key-strength` allows (its defaults; a test compares). */
export const CA_KEY_RULE = { minRsaBits: 4096, ecdsaCurves: ["P-384"] } as const;

/** How long each intermediate the root signs lives (the root must outlive it). */
const INTERMEDIATE_DAYS = CA_LIFETIMES.intermediateValidityHours / 24;

/** PEM blocks the TLS provider reads a CA key from (types.go:86-88). */
const KEY_BLOCKS = ["PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY"];

const PLAIN_KEY =
    "rootCaKeyPem: [secret] is plain text in the stack's configuration; a CA key must be secret config: pulumi config set --secret rootCaKeyPem < root-ca.key";

export interface RootCaInput {
    readonly cert?: string;
    readonly key?: string;
    /** Whether the stack holds `rootCaKeyPem` as a secret. */
    readonly keyIsSecret: boolean;
    /**
     * The config keys the pair is read from, as the problems name them (and the commands they
     * suggest): the next root of a rotation is held to the same rules under its own keys.
     * @default rootCaCertPem and rootCaKeyPem
     */
    readonly keys?: { readonly cert: string; readonly key: string };
}

/** The certificate as both parsers see it: extensions from one, key and signature from the other. */
interface Root {
    readonly cert: x509.X509Certificate;
    readonly node: crypto.X509Certificate;
    /** The subject, quoted, as messages name the certificate. */
    readonly name: string;
}

/**
 * An existing root must be a self-signed CA certificate that istiod, the proxies and the TLS
 * provider accept, valid now and for longer than the intermediates it signs today, with its
 * matching, unencrypted key held as secret config. Every problem is reported; `now` is the time
 * of validation.
 */
export function checkRootCa(root: RootCaInput, problems: Problems, now: Date = new Date()): void {
    const found: Problems = [];
    checkPair(root, found, now);
    const keys = root.keys;
    problems.push(
        ...(keys === undefined
            ? found
            : found.map((p) =>
                  p.replace(/\brootCaCertPem\b/g, keys.cert).replace(/\brootCaKeyPem\b/g, keys.key),
              )),
    );
}

function checkPair(root: RootCaInput, problems: Problems, now: Date): void {
    if (root.cert === undefined && root.key === undefined) {
        return;
    }
    if (root.key !== undefined && !root.keyIsSecret) {
        problems.push(PLAIN_KEY);
    }
    if (root.cert === undefined || root.key === undefined) {
        problems.push(
            `${root.cert === undefined ? "rootCaCertPem" : "rootCaKeyPem"}: is required when ${root.cert === undefined ? "rootCaKeyPem" : "rootCaCertPem"} is set; set both or neither`,
        );
        return;
    }
    const parsed = readCertificate(root.cert, problems);
    const key = readKey(root.key, problems);
    if (!parsed) {
        return;
    }
    checkValidity(parsed, now, problems);
    checkConstraints(parsed, problems);
    checkKeyStrength(parsed, problems);
    checkSignature(parsed, problems);
    if (key && !matches(parsed.node, key)) {
        problems.push(
            `rootCaKeyPem: [secret] does not match the public key of rootCaCertPem (${parsed.name}); give that root's own key`,
        );
    }
}

function matches(cert: crypto.X509Certificate, key: crypto.KeyObject): boolean {
    try {
        return cert.checkPrivateKey(key);
    } catch {
        return false;
    }
}

function pemBlocks(text: string): x509.PemStruct[] {
    try {
        return x509.PemConverter.decodeWithHeaders(text);
    } catch {
        return [];
    }
}

/**
 * The root alone: every certificate in root-cert.pem is a trust anchor of the mesh while the TLS
 * provider signs with the first, and anything else in the value (a key) would be copied with the
 * certificate into every cluster and into the stack's outputs.
 */
function readCertificate(pem: string, problems: Problems): Root | undefined {
    const blocks = pemBlocks(pem);
    const certs = blocks.filter((b) => b.type === "CERTIFICATE");
    const first = certs[0];
    if (first === undefined) {
        problems.push(
            "rootCaCertPem: is not a PEM certificate; give the root CA's certificate (-----BEGIN CERTIFICATE-----)",
        );
        return undefined;
    }
    let root: Root;
    try {
        const cert = new x509.X509Certificate(first.rawData);
        const node = new crypto.X509Certificate(Buffer.from(first.rawData));
        root = { cert, node, name: show(cert.subject) };
    } catch {
        problems.push("rootCaCertPem: holds a CERTIFICATE block that is not an X.509 certificate");
        return undefined;
    }
    const others = blocks.filter((b) => b.type !== "CERTIFICATE").map((b) => b.type);
    if (others.length > 0) {
        problems.push(
            `rootCaCertPem: holds ${others.map((t) => `a PEM ${t} block`).join(", ")} besides the certificate ${root.name}; give the certificate alone: the program copies rootCaCertPem into every cluster's cacerts Secret (root-cert.pem, cert-chain.pem) and publishes it as a stack output, and a key belongs in the secret rootCaKeyPem`,
        );
    }
    if (certs.length > 1) {
        const names = certs.slice(1).map((b) => subjectOf(b.rawData));
        problems.push(
            `rootCaCertPem: holds ${certs.length} certificates (${root.name}, then ${names.join(", ")}); give the root alone: every certificate in root-cert.pem becomes a trust anchor of the mesh, while the intermediates are signed by the first`,
        );
    }
    return root;
}

function subjectOf(der: ArrayBuffer): string {
    try {
        return show(new x509.X509Certificate(der).subject);
    } catch {
        return "one that does not parse";
    }
}

/** The TLS provider reads the first PEM block, unencrypted, of one of three types. */
function readKey(pem: string, problems: Problems): crypto.KeyObject | undefined {
    const first = pemBlocks(pem)[0];
    const encrypted =
        first?.type === "ENCRYPTED PRIVATE KEY" ||
        first?.headers.some((h) => h.key === "Proc-Type" && h.value.includes("ENCRYPTED"));
    if (first && encrypted) {
        problems.push(
            `rootCaKeyPem: [secret] is an encrypted private key (${first.type}${first.type === "ENCRYPTED PRIVATE KEY" ? "" : ", Proc-Type ENCRYPTED"}); the TLS provider that signs the intermediate CAs reads no encrypted key (it takes no passphrase): set it unencrypted, as secret config: openssl pkey -in root-ca.key | pulumi config set --secret rootCaKeyPem`,
        );
        return undefined;
    }
    if (first && !KEY_BLOCKS.includes(first.type)) {
        problems.push(
            `rootCaKeyPem: [secret] starts with a PEM ${first.type} block; the TLS provider reads the key from the first block, which must be ${KEY_BLOCKS.join(", ")} (openssl pkey -in root-ca.key writes the key alone as PRIVATE KEY)`,
        );
        return undefined;
    }
    try {
        return crypto.createPrivateKey(pem);
    } catch {
        problems.push("rootCaKeyPem: [secret] is not a PEM private key");
        return undefined;
    }
}

const day = (date: Date): string => date.toISOString().slice(0, 10);

/**
 * Valid now, and for longer than an intermediate signed today: Go's verifier checks the root's
 * own validity in every chain, so once the root expires every workload certificate fails even
 * while its intermediate is still valid (the program renews an intermediate only in the last
 * days of its own life).
 */
function checkValidity({ cert, name }: Root, now: Date, problems: Problems): void {
    if (cert.notBefore.getTime() > now.getTime()) {
        problems.push(
            `rootCaCertPem: ${name} is not valid before ${day(cert.notBefore)} (its notBefore is in the future); every certificate under it fails verification until then: use a root that is valid now`,
        );
    }
    const intermediateEnd = new Date(now.getTime() + INTERMEDIATE_DAYS * DAY_MS);
    if (cert.notAfter.getTime() <= now.getTime()) {
        problems.push(
            `rootCaCertPem: ${name} expired on ${day(cert.notAfter)}; every certificate under it fails verification: use a root valid past ${day(intermediateEnd)}`,
        );
    } else if (cert.notAfter.getTime() <= intermediateEnd.getTime()) {
        problems.push(
            `rootCaCertPem: ${name} expires on ${day(cert.notAfter)}, before the intermediate CAs it would sign today (valid ${INTERMEDIATE_DAYS} days, to ${day(intermediateEnd)}); from ${day(cert.notAfter)} every workload certificate would fail verification while its intermediate is still valid: use a root valid past ${day(intermediateEnd)}`,
        );
    }
}

const USAGES: [x509.KeyUsageFlags, string][] = [
    [x509.KeyUsageFlags.digitalSignature, "digitalSignature"],
    [x509.KeyUsageFlags.nonRepudiation, "nonRepudiation"],
    [x509.KeyUsageFlags.keyEncipherment, "keyEncipherment"],
    [x509.KeyUsageFlags.dataEncipherment, "dataEncipherment"],
    [x509.KeyUsageFlags.keyAgreement, "keyAgreement"],
    [x509.KeyUsageFlags.keyCertSign, "keyCertSign"],
    [x509.KeyUsageFlags.cRLSign, "cRLSign"],
    [x509.KeyUsageFlags.encipherOnly, "encipherOnly"],
    [x509.KeyUsageFlags.decipherOnly, "decipherOnly"],
];

/**
 * basicConstraints CA:TRUE (critical or not), a path length that leaves room for the
 * intermediates, and, when keyUsage is there, keyCertSign.
 */
function checkConstraints({ cert, name }: Root, problems: Problems): void {
    const constraints = cert.getExtension(x509.BasicConstraintsExtension);
    if (!constraints?.ca) {
        const has = constraints
            ? "its basicConstraints say CA:FALSE"
            : "it has no basicConstraints";
        problems.push(
            `rootCaCertPem: ${name} is not a CA certificate: ${has}; a root that signs the intermediate CAs needs basicConstraints CA:TRUE (RFC 5280, 4.2.1.9)`,
        );
    } else if (constraints.pathLength === 0) {
        problems.push(
            `rootCaCertPem: ${name} has basicConstraints pathlen:0, which allows no CA below it; the program signs an intermediate CA per cluster with it and istiod issues workload certificates from those, so every workload certificate would fail verification: use a root without a path length, or with 1 or more`,
        );
    }
    const usage = cert.getExtension(x509.KeyUsagesExtension);
    if (usage && (usage.usages & x509.KeyUsageFlags.keyCertSign) === 0) {
        const has = USAGES.filter(([flag]) => (usage.usages & flag) !== 0).map(([, n]) => n);
        problems.push(
            `rootCaCertPem: ${name} has keyUsage ${has.join(", ") || "with no bits set"}, without keyCertSign, so its key may not sign certificates and verifiers refuse the intermediate CAs it signs (Go's crypto/x509 in istiod, BoringSSL in Envoy): use a root whose keyUsage includes keyCertSign`,
        );
    }
}

/** Curves Go's crypto/x509 parses, by OpenSSL name. */
const GO_CURVES: Record<string, string> = {
    secp224r1: "P-224",
    prime256v1: "P-256",
    secp384r1: "P-384",
    secp521r1: "P-521",
};

/** What the key is, in words, and why it matters beyond the policy. */
function describeKey(key: crypto.KeyObject): { what: string; allowed: boolean; also?: string } {
    const details = key.asymmetricKeyDetails ?? {};
    switch (key.asymmetricKeyType) {
        case "rsa": {
            const bits = details.modulusLength ?? 0;
            return { what: `a ${bits}-bit RSA key`, allowed: bits >= CA_KEY_RULE.minRsaBits };
        }
        case "ec": {
            const curve = details.namedCurve ?? "an unnamed curve";
            const goName = GO_CURVES[curve];
            return {
                what: `an ECDSA key on ${goName ?? curve}`,
                allowed: (CA_KEY_RULE.ecdsaCurves as readonly string[]).includes(goName ?? ""),
                also: goName
                    ? undefined
                    : `Go's crypto/x509, which istiod uses, cannot parse a certificate with a key on ${curve}`,
            };
        }
        case "dsa":
        case "rsa-pss": {
            const kind = key.asymmetricKeyType === "dsa" ? "DSA" : "RSA-PSS";
            return {
                what: `a${kind === "DSA" ? "" : "n"} ${kind} key`,
                allowed: false,
                also: `neither the TLS provider nor Go's crypto/x509, which istiod uses, signs or verifies with ${kind} keys`,
            };
        }
        default: {
            const type = key.asymmetricKeyType ?? "unknown";
            const kind = ({ ed25519: "Ed25519", ed448: "Ed448" } as Record<string, string>)[type];
            return { what: kind ? `an ${kind} key` : `a key of type ${type}`, allowed: false };
        }
    }
}

/** RSA of at least 4096 bits or ECDSA on P-384, as the mandatory policy asks of CA keys. */
function checkKeyStrength({ node, name }: Root, problems: Problems): void {
    const { what, allowed, also } = describeKey(node.publicKey);
    if (!allowed) {
        problems.push(
            `rootCaCertPem: ${name} has ${what}; CA keys of the mesh are RSA of at least ${CA_KEY_RULE.minRsaBits} bits or ECDSA on ${CA_KEY_RULE.ecdsaCurves.join(" or ")}, as the mandatory policy tls-ca-key-strength requires of the CA keys the program makes${also ? `, and ${also}` : ""}`,
        );
    }
}

/** Signature algorithms @peculiar/x509 does not name, by OID: [hash, scheme]. */
const LEGACY_SIGNATURES: Record<string, [string, string]> = {
    "1.2.840.113549.1.1.2": ["MD2", "RSA"],
    "1.2.840.113549.1.1.3": ["MD4", "RSA"],
    "1.2.840.113549.1.1.4": ["MD5", "RSA"],
    "1.3.14.3.2.29": ["SHA-1", "RSA"],
    "1.2.840.10040.4.3": ["SHA-1", "DSA"],
};

const BROKEN_HASHES = ["MD2", "MD4", "MD5", "SHA-1"];

/**
 * Signed with a hash that still resists collisions, and by its own key: a root is self-signed.
 * Go does not check a trust anchor's own signature (golang/go#41682; Go 1.18 release notes), so
 * istiod would load a SHA-1-signed root: it is refused all the same, as SHA-1 and MD5 are broken,
 * Go refuses them in every certificate signature it does check, and the program's own CAs are
 * signed with SHA-256 or stronger.
 */
function checkSignature({ cert, node, name }: Root, problems: Problems): void {
    // A Web Crypto algorithm: `{ name, hash: { name } }`, or `{ name: OID }` when unnamed.
    const algorithm = cert.signatureAlgorithm as unknown as {
        name: string;
        hash?: { name: string };
    };
    const legacy = LEGACY_SIGNATURES[algorithm.name];
    const hash = legacy?.[0] ?? algorithm.hash?.name;
    if (hash !== undefined && BROKEN_HASHES.includes(hash)) {
        const scheme = legacy?.[1] ?? algorithm.name.replace("RSASSA-PKCS1-v1_5", "RSA");
        problems.push(
            `rootCaCertPem: ${name} is signed with ${scheme} and ${hash}; SHA-1 and MD5 are broken by collision attacks and Go's crypto/x509, which istiod uses, rejects certificate signatures made with them: re-sign the root with SHA-256 or stronger (same key and subject)`,
        );
    }
    const plugIn =
        "Istio's plug-in CA takes the mesh's root itself as root-cert.pem, and the program ends every cert-chain.pem with it";
    if (cert.issuer !== cert.subject) {
        problems.push(
            `rootCaCertPem: ${name} is issued by ${show(cert.issuer)}, so it is not a root; ${plugIn}: give the self-signed root and its key`,
        );
    } else if (!verifiesItself(node)) {
        problems.push(
            `rootCaCertPem: ${name} names itself as issuer but its signature does not verify with its own key, so it is not a self-signed root; ${plugIn}: give the self-signed root and its key`,
        );
    }
}

function verifiesItself(node: crypto.X509Certificate): boolean {
    try {
        return node.verify(node.publicKey);
    } catch {
        return false;
    }
}
