// @peculiar/x509 resolves its services through tsyringe, which needs the Reflect metadata API.
import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import * as crypto from "node:crypto";
import {
    algorithmOf,
    cached,
    CURVES,
    curveOfNodeName,
    generateKey,
    Inputs,
    num,
    pem,
    sha,
    stableJson,
    str,
    TlsResult,
} from "./tlsKeys";

type Algorithm = crypto.webcrypto.Algorithm;
type EcdsaParams = crypto.webcrypto.EcdsaParams;
type CryptoKeyPair = crypto.webcrypto.CryptoKeyPair;

/**
 * Mocks of `@pulumi/tls` that do what hashicorp/terraform-provider-tls does, with real keys and
 * certificates, so that a plan's certificates verify and tests can check the chain. Where the
 * provider relies on Go's `crypto/x509` defaults (string types in names, which extensions are
 * critical, how `max_path_length` is encoded, automatic authority key ids) the same rules are
 * applied here.
 */

x509.cryptoProvider.set(crypto.webcrypto);

export { privateKey } from "./tlsKeys";
export type { TlsResult } from "./tlsKeys";

interface WebKeys {
    readonly algorithm: "RSA" | "ECDSA";
    readonly pair: CryptoKeyPair;
    readonly signing: Algorithm | EcdsaParams;
}

async function webKeys(privateKeyPem: string, owner: string): Promise<WebKeys> {
    const privateKey = crypto.createPrivateKey(privateKeyPem);
    const publicKey = crypto.createPublicKey(privateKey);
    const algorithm = algorithmOf(privateKey);
    let importParams: crypto.webcrypto.RsaHashedImportParams | crypto.webcrypto.EcKeyImportParams;
    let signing: Algorithm | EcdsaParams;
    if (algorithm === "RSA") {
        importParams = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };
        signing = importParams;
    } else if (algorithm === "ECDSA") {
        const curve = CURVES[curveOfNodeName(privateKey.asymmetricKeyDetails?.namedCurve)];
        importParams = { name: "ECDSA", namedCurve: curve.web };
        signing = { name: "ECDSA", hash: curve.hash } as EcdsaParams;
    } else {
        throw new Error(
            `${owner}: the offline mocks sign with RSA or ECDSA keys, not ${algorithm}`,
        );
    }
    const subtle = crypto.webcrypto.subtle;
    const pair = {
        privateKey: await subtle.importKey(
            "pkcs8",
            privateKey.export({ type: "pkcs8", format: "der" }),
            importParams,
            true,
            ["sign"],
        ),
        publicKey: await subtle.importKey(
            "spki",
            publicKey.export({ type: "spki", format: "der" }),
            importParams,
            true,
            ["verify"],
        ),
    };
    return { algorithm, pair, signing };
}

const NAME_OIDS: readonly [string, string, boolean][] = [
    // Go's pkix.Name.ToRDNSequence order: C, ST, L, STREET, POSTALCODE, O, OU, CN, SERIALNUMBER.
    ["country", "2.5.4.6", false],
    ["province", "2.5.4.8", false],
    ["locality", "2.5.4.7", false],
    ["streetAddresses", "2.5.4.9", true],
    ["postalCode", "2.5.4.17", false],
    ["organization", "2.5.4.10", false],
    ["organizationalUnit", "2.5.4.11", false],
    ["commonName", "2.5.4.3", false],
    ["serialNumber", "2.5.4.5", false],
];

/** Go's asn1 encodes a string as PrintableString when it can, else as UTF8String. */
function goString(value: string): x509.JsonAttributeObject {
    return /^[A-Za-z0-9 '()+,\-./:=?]*$/.test(value)
        ? { printableString: value }
        : { utf8String: value };
}

function subjectName(subject: unknown): x509.Name {
    const fields = (typeof subject === "object" && subject !== null ? subject : {}) as Inputs;
    const rdns: x509.JsonNameParams = [];
    for (const [key, oid, many] of NAME_OIDS) {
        const raw = fields[key];
        const values = many ? (Array.isArray(raw) ? raw : []) : raw === undefined ? [] : [raw];
        for (const value of values) {
            if (typeof value === "string" && value !== "") {
                rdns.push({ [oid]: [goString(value)] });
            }
        }
    }
    return new x509.Name(rdns);
}

const KEY_USAGES: Record<string, x509.KeyUsageFlags> = {
    digital_signature: x509.KeyUsageFlags.digitalSignature,
    content_commitment: x509.KeyUsageFlags.nonRepudiation,
    key_encipherment: x509.KeyUsageFlags.keyEncipherment,
    data_encipherment: x509.KeyUsageFlags.dataEncipherment,
    key_agreement: x509.KeyUsageFlags.keyAgreement,
    cert_signing: x509.KeyUsageFlags.keyCertSign,
    crl_signing: x509.KeyUsageFlags.cRLSign,
    encipher_only: x509.KeyUsageFlags.encipherOnly,
    decipher_only: x509.KeyUsageFlags.decipherOnly,
};

const EXTENDED_KEY_USAGES: Record<string, string> = {
    any_extended: "2.5.29.37.0",
    server_auth: "1.3.6.1.5.5.7.3.1",
    client_auth: "1.3.6.1.5.5.7.3.2",
    code_signing: "1.3.6.1.5.5.7.3.3",
    email_protection: "1.3.6.1.5.5.7.3.4",
    ipsec_end_system: "1.3.6.1.5.5.7.3.5",
    ipsec_tunnel: "1.3.6.1.5.5.7.3.6",
    ipsec_user: "1.3.6.1.5.5.7.3.7",
    timestamping: "1.3.6.1.5.5.7.3.8",
    ocsp_signing: "1.3.6.1.5.5.7.3.9",
    microsoft_server_gated_crypto: "1.3.6.1.4.1.311.10.3.3",
    netscape_server_gated_crypto: "2.16.840.1.113730.4.1",
    microsoft_commercial_code_signing: "1.3.6.1.4.1.311.2.1.22",
    microsoft_kernel_code_signing: "1.3.6.1.4.1.311.61.1.1",
};

function strings(v: unknown): string[] {
    return Array.isArray(v) ? v.filter((s): s is string => typeof s === "string") : [];
}

function sanJson(inputs: Inputs): x509.JsonGeneralNames {
    return [
        ...strings(inputs.dnsNames).map((value) => ({ type: "dns" as const, value })),
        ...strings(inputs.ipAddresses).map((value) => ({ type: "ip" as const, value })),
        ...strings(inputs.uris).map((value) => ({ type: "url" as const, value })),
    ];
}

function serialHex(seed: string): string {
    const bytes = sha("sha256", seed).subarray(0, 16);
    bytes[0] = (bytes[0] & 0x7f) | 0x01;
    return bytes.toString("hex");
}

const notBefore = (() => {
    const now = new Date();
    now.setUTCMilliseconds(0);
    return now;
})();

function rfc3339(date: Date): string {
    return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

interface CertTemplate {
    readonly kind: string;
    readonly name: string;
    readonly inputs: Inputs;
    readonly subject: x509.Name;
    readonly issuer: x509.Name;
    readonly publicKey: x509.PublicKey;
    readonly signer: WebKeys;
    /** Subject key id of the issuing CA, which Go copies into the authority key id. */
    readonly issuerKeyId?: string;
    readonly selfSigned: boolean;
    readonly san: x509.JsonGeneralNames;
}

/** Go's `x509.CreateCertificate` as the provider's `createCertificate` drives it. */
async function createCertificate(t: CertTemplate): Promise<{ certPem: string; serial: string }> {
    const { inputs } = t;
    const owner = `${t.kind} ${t.name}`;
    const isCa = inputs.isCaCertificate === true;
    const maxPathLength = num(inputs.maxPathLength, -1);
    if (isCa && t.subject.toJSON().length === 0) {
        throw new Error(
            `${owner}: Invalid Certificate Subject: Must contain at least one Distinguished Name when creating Certificate Authority (CA)`,
        );
    }
    // Go encodes MaxPathLen 0 as "no limit" unless MaxPathLenZero is set, and the provider never
    // sets it: `maxPathLength: 0` yields a CA certificate without a pathLen constraint.
    if (!isCa && maxPathLength > 0) {
        throw new Error(`${owner}: x509: only CAs are allowed to specify MaxPathLen`);
    }
    const pathLength = isCa && maxPathLength > 0 ? maxPathLength : undefined;

    const uses = strings(inputs.allowedUses);
    const keyUsage = uses.reduce((flags, use) => flags | (KEY_USAGES[use] ?? 0), 0);
    const extendedUsages = uses
        .filter((use) => use in EXTENDED_KEY_USAGES)
        .map((use) => EXTENDED_KEY_USAGES[use]);

    const extensions: x509.Extension[] = [];
    if (keyUsage !== 0) {
        extensions.push(new x509.KeyUsagesExtension(keyUsage, true));
    }
    if (extendedUsages.length > 0) {
        extensions.push(new x509.ExtendedKeyUsageExtension(extendedUsages, false));
    }
    extensions.push(new x509.BasicConstraintsExtension(isCa, pathLength, true));
    let subjectKeyId: string | undefined;
    if (isCa || inputs.setSubjectKeyId === true) {
        const ski = await x509.SubjectKeyIdentifierExtension.create(t.publicKey);
        subjectKeyId = ski.keyId;
        extensions.push(ski);
    }
    if (t.selfSigned) {
        if (inputs.setAuthorityKeyId === true) {
            if (!subjectKeyId) {
                throw new Error(
                    `${owner}: Invalid Certificate Authority: Could not determine Authority Key Identifier`,
                );
            }
            extensions.push(new x509.AuthorityKeyIdentifierExtension(subjectKeyId, false));
        }
    } else if (t.issuerKeyId) {
        extensions.push(new x509.AuthorityKeyIdentifierExtension(t.issuerKeyId, false));
    }
    if (t.san.length > 0) {
        // RFC 5280: the SAN extension is critical when the subject is empty.
        extensions.push(
            new x509.SubjectAlternativeNameExtension(t.san, t.subject.toJSON().length === 0),
        );
    }

    const validityHours = num(inputs.validityPeriodHours, 0);
    const serial = serialHex(`${t.kind}|${t.name}|${stableJson(inputs)}`);
    const cert = await x509.X509CertificateGenerator.create({
        serialNumber: serial,
        subject: t.subject,
        issuer: t.issuer,
        notBefore,
        notAfter: new Date(notBefore.getTime() + validityHours * 3600 * 1000),
        publicKey: t.publicKey,
        signingKey: t.signer.pair.privateKey,
        signingAlgorithm: t.signer.signing,
        extensions,
    });
    return {
        certPem: pem("CERTIFICATE", cert.rawData),
        serial: BigInt(`0x${serial}`).toString(10),
    };
}

function certificateState(inputs: Inputs, validityHours: number): Inputs {
    return {
        allowedUses: [],
        earlyRenewalHours: 0,
        isCaCertificate: false,
        setSubjectKeyId: false,
        ...inputs,
        readyForRenewal: false,
        validityStartTime: rfc3339(notBefore),
        validityEndTime: rfc3339(new Date(notBefore.getTime() + validityHours * 3600 * 1000)),
    };
}

/** `tls:index/selfSignedCert:SelfSignedCert`. */
export function selfSignedCert(name: string, inputs: Inputs): Promise<TlsResult> {
    return cached("selfSignedCert", name, inputs, async () => {
        const keyPem = str(inputs.privateKeyPem);
        if (!keyPem) {
            throw new Error(`tls.SelfSignedCert ${name}: privateKeyPem is required`);
        }
        const signer = await webKeys(keyPem, `tls.SelfSignedCert ${name}`);
        const subject = subjectName(inputs.subject);
        const { certPem, serial } = await createCertificate({
            kind: "tls.SelfSignedCert",
            name,
            inputs,
            subject,
            issuer: subject,
            publicKey: await x509.PublicKey.create(signer.pair.publicKey),
            signer,
            selfSigned: true,
            san: sanJson(inputs),
        });
        return {
            id: serial,
            state: {
                setAuthorityKeyId: false,
                ...certificateState(inputs, num(inputs.validityPeriodHours, 0)),
                keyAlgorithm: signer.algorithm,
                certPem,
            },
        };
    });
}

/** `tls:index/certRequest:CertRequest`: a PKCS#10 request signed with the subject's key. */
export function certRequest(name: string, inputs: Inputs): Promise<TlsResult> {
    return cached("certRequest", name, inputs, async () => {
        const keyPem = str(inputs.privateKeyPem);
        if (!keyPem) {
            throw new Error(`tls.CertRequest ${name}: privateKeyPem is required`);
        }
        const signer = await webKeys(keyPem, `tls.CertRequest ${name}`);
        const san = sanJson(inputs);
        const csr = await x509.Pkcs10CertificateRequestGenerator.create({
            name: subjectName(inputs.subject),
            keys: signer.pair,
            signingAlgorithm: signer.signing,
            extensions:
                san.length > 0 ? [new x509.SubjectAlternativeNameExtension(san, false)] : [],
        });
        const certRequestPem = pem("CERTIFICATE REQUEST", csr.rawData);
        return {
            id: sha("sha1", certRequestPem).toString("hex"),
            state: { ...inputs, keyAlgorithm: signer.algorithm, certRequestPem },
        };
    });
}

/** `tls:index/locallySignedCert:LocallySignedCert`: the request's subject, key and SANs, signed by the CA. */
export function locallySignedCert(name: string, inputs: Inputs): Promise<TlsResult> {
    return cached("locallySignedCert", name, inputs, async () => {
        const owner = `tls.LocallySignedCert ${name}`;
        const csrPem = str(inputs.certRequestPem);
        const caKeyPem = str(inputs.caPrivateKeyPem);
        const caCertPem = str(inputs.caCertPem);
        if (!csrPem || !caKeyPem || !caCertPem) {
            throw new Error(`${owner}: certRequestPem, caPrivateKeyPem and caCertPem are required`);
        }
        const csr = new x509.Pkcs10CertificateRequest(csrPem);
        const caCert = new x509.X509Certificate(caCertPem);
        const signer = await webKeys(caKeyPem, owner);
        const caPublic = crypto.createPublicKey(caKeyPem).export({ type: "spki", format: "der" });
        if (!Buffer.from(caCert.publicKey.rawData).equals(caPublic)) {
            throw new Error(`${owner}: caPrivateKeyPem does not match the public key of caCertPem`);
        }
        const caSki = caCert.getExtension(x509.SubjectKeyIdentifierExtension);
        const sanExtension = csr.getExtension("2.5.29.17");
        const requestedSan = sanExtension
            ? new x509.SubjectAlternativeNameExtension(sanExtension.rawData)
            : undefined;
        const sameName = Buffer.from(csr.subjectName.toArrayBuffer()).equals(
            Buffer.from(caCert.subjectName.toArrayBuffer()),
        );
        const { certPem, serial } = await createCertificate({
            kind: "tls.LocallySignedCert",
            name,
            inputs,
            subject: csr.subjectName,
            issuer: caCert.subjectName,
            publicKey: csr.publicKey,
            signer,
            issuerKeyId: caSki?.keyId,
            selfSigned: sameName,
            san: requestedSan ? requestedSan.names.toJSON() : [],
        });
        return {
            id: serial,
            state: {
                ...certificateState(inputs, num(inputs.validityPeriodHours, 0)),
                caKeyAlgorithm: signer.algorithm,
                certPem,
            },
        };
    });
}

/**
 * A CA like the one EKS gives a cluster (RSA 2048, CN=kubernetes, ten years), one per cluster
 * name: the `certificate-authority-data` in kubeconfigs and service-account tokens is real.
 */
export function clusterCa(clusterName: string): Promise<string> {
    return cached("clusterCa", clusterName, {}, async () => {
        // A cloud-assigned placeholder: each cluster gets its own CA certificate, as EKS makes
        // them (RSA 2048, CN=kubernetes), but one key signs them all. A key per cluster cost a
        // tenth of a 32-cluster plan, and nothing reads the key.
        const keys = await generateKey("eks-ca", "RSA", "2048");
        const signer = await webKeys(
            keys.privateKey.export({ type: "pkcs1", format: "pem" }) as string,
            `EKS cluster ${clusterName}`,
        );
        const subject = subjectName({ commonName: "kubernetes" });
        const { certPem, serial } = await createCertificate({
            kind: "eks.ClusterCa",
            name: clusterName,
            inputs: {
                isCaCertificate: true,
                validityPeriodHours: 10 * 365 * 24,
                allowedUses: ["digital_signature", "key_encipherment", "cert_signing"],
            },
            subject,
            issuer: subject,
            publicKey: await x509.PublicKey.create(signer.pair.publicKey),
            signer,
            selfSigned: true,
            san: [],
        });
        return { id: serial, state: { certPem } };
    }).then((r) => r.state.certPem as string);
}
