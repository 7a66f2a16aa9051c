import * as assert from "node:assert/strict";
import { ConfigError, validateConfig } from "../components/config";
import { CA_KEY_RULE, checkRootCa } from "../components/config/rootCa";
import { CA_LIFETIMES } from "../components/caLifecycle";
import { tlsCaKeyStrength } from "../policies/rules/tls";
import { pairConfig } from "./fixtures/environments";
import { GeneratedRoot, makeRootCa, RootCaSpec } from "./fixtures/rootCa";

/**
 * The supplied root CA's checks, one problem at a time, with real certificates made for each
 * test relative to now (so the tests hold on any day) and the exact message each gives.
 */

const DAY_MS = 24 * 3600_000;
const ROOT = '"CN=Test Root CA, O=acme"';
const POLICY =
    "CA keys of the mesh are RSA of at least 4096 bits or ECDSA on P-384, as the mandatory policy tls-ca-key-strength requires of the CA keys the program makes";
const BROKEN_HASH =
    "SHA-1 and MD5 are broken by collision attacks and Go's crypto/x509, which istiod uses, rejects certificate signatures made with them: re-sign the root with SHA-256 or stronger (same key and subject)";
const PLUG_IN =
    "Istio's plug-in CA takes the mesh's root itself as root-cert.pem, and the program ends every cert-chain.pem with it: give the self-signed root and its key";

describe("supplied root CA", () => {
    /** Whole seconds, as certificates hold time; every certificate and check uses this now. */
    const now = Math.floor(Date.now() / 1000) * 1000;
    const day = (days: number) => new Date(now + days * DAY_MS).toISOString().slice(0, 10);

    function problemsOf(root: Partial<GeneratedRoot>, keyIsSecret = true): string[] {
        const problems: string[] = [];
        checkRootCa({ cert: root.certPem, key: root.keyPem, keyIsSecret }, problems, new Date(now));
        return problems;
    }

    async function problemsFor(spec: RootCaSpec): Promise<string[]> {
        const root = await makeRootCa(spec, now);
        const problems = problemsOf(root);
        for (const problem of problems) {
            assert.doesNotMatch(problem, /-----/, "PEM in a message");
            for (const secret of root.secrets) {
                const body = secret.split("\n")[1];
                assert.ok(!problem.includes(body), "key material in a message");
            }
        }
        return problems;
    }

    it("accepts a good root: ECDSA P-384 or RSA 4096, either key format, without keyUsage or with a path length of 1", async () => {
        assert.deepEqual(await problemsFor({}), []);
        assert.deepEqual(await problemsFor({ keyFormat: "traditional" }), []);
        assert.deepEqual(await problemsFor({ key: "RSA-4096", keyFormat: "traditional" }), []);
        assert.deepEqual(await problemsFor({ key: "RSA-4096", signature: "SHA-384" }), []);
        assert.deepEqual(
            await problemsFor({
                basicConstraints: { ca: true, pathLen: 1, critical: false },
                keyUsage: "none",
            }),
            [],
        );
    });

    it("holds CA keys to the mandatory policy's defaults", () => {
        const props = tlsCaKeyStrength.configSchema?.properties as Record<
            string,
            { default: unknown }
        >;
        assert.equal(CA_KEY_RULE.minRsaBits, props.minCaRsaBits.default);
        assert.deepEqual(
            CA_KEY_RULE.ecdsaCurves.map((c) => c.replace("-", "")),
            props.allowedCaEcdsaCurves.default,
        );
    });

    it("says nothing when no root is supplied, and asks for both halves", () => {
        assert.deepEqual(problemsOf({}), []);
        assert.deepEqual(problemsOf({ keyPem: "x" }), [
            "rootCaCertPem: is required when rootCaKeyPem is set; set both or neither",
        ]);
        assert.deepEqual(problemsOf({ certPem: "x" }), [
            "rootCaKeyPem: is required when rootCaCertPem is set; set both or neither",
        ]);
    });

    it("refuses a key held as plain config, in the words it always used", async () => {
        const root = await makeRootCa({}, now);
        assert.deepEqual(problemsOf(root, false), [
            "rootCaKeyPem: [secret] is plain text in the stack's configuration; a CA key must be secret config: pulumi config set --secret rootCaKeyPem < root-ca.key",
        ]);
    });

    it("refuses text that is not a PEM certificate, or a CERTIFICATE block that is not X.509", async () => {
        const { keyPem } = await makeRootCa({}, now);
        assert.deepEqual(problemsOf({ certPem: "MIIBkTCCATegAwIBAgIU", keyPem }), [
            "rootCaCertPem: is not a PEM certificate; give the root CA's certificate (-----BEGIN CERTIFICATE-----)",
        ]);
        const garbage = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
        assert.deepEqual(problemsOf({ certPem: garbage, keyPem }), [
            "rootCaCertPem: holds a CERTIFICATE block that is not an X.509 certificate",
        ]);
    });

    it("refuses a root that is expired, not yet valid, or expires before today's intermediates", async () => {
        const intermediateDays = CA_LIFETIMES.intermediateValidityHours / 24;
        assert.equal(intermediateDays, 365);
        assert.deepEqual(await problemsFor({ notBeforeDays: -400, notAfterDays: -1 }), [
            `rootCaCertPem: ${ROOT} expired on ${day(-1)}; every certificate under it fails verification: use a root valid past ${day(365)}`,
        ]);
        assert.deepEqual(await problemsFor({ notBeforeDays: 2 }), [
            `rootCaCertPem: ${ROOT} is not valid before ${day(2)} (its notBefore is in the future); every certificate under it fails verification until then: use a root that is valid now`,
        ]);
        assert.deepEqual(await problemsFor({ notAfterDays: 365 }), [
            `rootCaCertPem: ${ROOT} expires on ${day(365)}, before the intermediate CAs it would sign today (valid 365 days, to ${day(365)}); from ${day(365)} every workload certificate would fail verification while its intermediate is still valid: use a root valid past ${day(365)}`,
        ]);
        assert.deepEqual(await problemsFor({ notAfterDays: 366 }), []);
    });

    it("refuses a certificate that is not a CA, with or without basicConstraints", async () => {
        assert.deepEqual(await problemsFor({ basicConstraints: { ca: false } }), [
            `rootCaCertPem: ${ROOT} is not a CA certificate: its basicConstraints say CA:FALSE; a root that signs the intermediate CAs needs basicConstraints CA:TRUE (RFC 5280, 4.2.1.9)`,
        ]);
        assert.deepEqual(await problemsFor({ basicConstraints: "none" }), [
            `rootCaCertPem: ${ROOT} is not a CA certificate: it has no basicConstraints; a root that signs the intermediate CAs needs basicConstraints CA:TRUE (RFC 5280, 4.2.1.9)`,
        ]);
        assert.deepEqual(
            await problemsFor({ basicConstraints: { ca: true, critical: false } }),
            [],
        );
    });

    it("refuses pathlen:0, which leaves no room for the intermediates", async () => {
        assert.deepEqual(await problemsFor({ basicConstraints: { ca: true, pathLen: 0 } }), [
            `rootCaCertPem: ${ROOT} has basicConstraints pathlen:0, which allows no CA below it; the program signs an intermediate CA per cluster with it and istiod issues workload certificates from those, so every workload certificate would fail verification: use a root without a path length, or with 1 or more`,
        ]);
    });

    it("refuses a keyUsage without keyCertSign, naming the usages it has", async () => {
        assert.deepEqual(await problemsFor({ keyUsage: ["digitalSignature", "cRLSign"] }), [
            `rootCaCertPem: ${ROOT} has keyUsage digitalSignature, cRLSign, without keyCertSign, so its key may not sign certificates and verifiers refuse the intermediate CAs it signs (Go's crypto/x509 in istiod, BoringSSL in Envoy): use a root whose keyUsage includes keyCertSign`,
        ]);
    });

    it("refuses keys the mandatory policy refuses, and says where Go or the TLS provider would fail too", async () => {
        assert.deepEqual(await problemsFor({ key: "RSA-2048" }), [
            `rootCaCertPem: ${ROOT} has a 2048-bit RSA key; ${POLICY}`,
        ]);
        assert.deepEqual(await problemsFor({ key: "P-256" }), [
            `rootCaCertPem: ${ROOT} has an ECDSA key on P-256; ${POLICY}`,
        ]);
        assert.deepEqual(await problemsFor({ key: "P-521", signature: "SHA-384" }), [
            `rootCaCertPem: ${ROOT} has an ECDSA key on P-521; ${POLICY}`,
        ]);
        assert.deepEqual(await problemsFor({ key: "secp256k1" }), [
            `rootCaCertPem: ${ROOT} has an ECDSA key on secp256k1; ${POLICY}, and Go's crypto/x509, which istiod uses, cannot parse a certificate with a key on secp256k1`,
        ]);
        assert.deepEqual(await problemsFor({ key: "Ed25519" }), [
            `rootCaCertPem: ${ROOT} has an Ed25519 key; ${POLICY}`,
        ]);
        assert.deepEqual(await problemsFor({ key: "DSA" }), [
            `rootCaCertPem: ${ROOT} has a DSA key; ${POLICY}, and neither the TLS provider nor Go's crypto/x509, which istiod uses, signs or verifies with DSA keys`,
        ]);
    });

    it("refuses a root signed with SHA-1 or MD5", async () => {
        assert.deepEqual(await problemsFor({ key: "RSA-4096", signature: "SHA-1" }), [
            `rootCaCertPem: ${ROOT} is signed with RSA and SHA-1; ${BROKEN_HASH}`,
        ]);
        assert.deepEqual(await problemsFor({ signature: "SHA-1" }), [
            `rootCaCertPem: ${ROOT} is signed with ECDSA and SHA-1; ${BROKEN_HASH}`,
        ]);
        assert.deepEqual(await problemsFor({ key: "RSA-4096", signature: "MD5" }), [
            `rootCaCertPem: ${ROOT} is signed with RSA and MD5; ${BROKEN_HASH}`,
        ]);
    });

    it("refuses a certificate that is not self-signed", async () => {
        assert.deepEqual(
            await problemsFor({ subject: "CN=Team CA, O=acme", issuer: "CN=Corp Root CA, O=acme" }),
            [
                `rootCaCertPem: "CN=Team CA, O=acme" is issued by "CN=Corp Root CA, O=acme", so it is not a root; ${PLUG_IN}`,
            ],
        );
        assert.deepEqual(await problemsFor({ signedByOtherKey: true }), [
            `rootCaCertPem: ${ROOT} names itself as issuer but its signature does not verify with its own key, so it is not a self-signed root; ${PLUG_IN}`,
        ]);
    });

    it("wants the root alone in rootCaCertPem: no second certificate, no key", async () => {
        assert.deepEqual(await problemsFor({ extraCert: true }), [
            `rootCaCertPem: holds 2 certificates (${ROOT}, then "CN=Other Root CA, O=acme"); give the root alone: every certificate in root-cert.pem becomes a trust anchor of the mesh, while the intermediates are signed by the first`,
        ]);
        assert.deepEqual(await problemsFor({ keyInCertPem: true }), [
            `rootCaCertPem: holds a PEM PRIVATE KEY block besides the certificate ${ROOT}; give the certificate alone: the program copies rootCaCertPem into every cluster's cacerts Secret (root-cert.pem, cert-chain.pem) and publishes it as a stack output, and a key belongs in the secret rootCaKeyPem`,
        ]);
    });

    it("refuses a key the TLS provider cannot read, or that is not the root's", async () => {
        const unencrypted =
            "the TLS provider that signs the intermediate CAs reads no encrypted key (it takes no passphrase): set it unencrypted, as secret config: openssl pkey -in root-ca.key | pulumi config set --secret rootCaKeyPem";
        assert.deepEqual(await problemsFor({ keyFormat: "encrypted" }), [
            `rootCaKeyPem: [secret] is an encrypted private key (ENCRYPTED PRIVATE KEY); ${unencrypted}`,
        ]);
        assert.deepEqual(await problemsFor({ key: "RSA-4096", keyFormat: "encrypted-pkcs1" }), [
            `rootCaKeyPem: [secret] is an encrypted private key (RSA PRIVATE KEY, Proc-Type ENCRYPTED); ${unencrypted}`,
        ]);
        assert.deepEqual(await problemsFor({ keyFormat: "ec-parameters" }), [
            "rootCaKeyPem: [secret] starts with a PEM EC PARAMETERS block; the TLS provider reads the key from the first block, which must be PRIVATE KEY, RSA PRIVATE KEY, EC PRIVATE KEY (openssl pkey -in root-ca.key writes the key alone as PRIVATE KEY)",
        ]);
        assert.deepEqual(await problemsFor({ mismatchedKey: true }), [
            `rootCaKeyPem: [secret] does not match the public key of rootCaCertPem (${ROOT}); give that root's own key`,
        ]);
        const { certPem } = await makeRootCa({}, now);
        assert.deepEqual(problemsOf({ certPem, keyPem: "hunter2" }), [
            "rootCaKeyPem: [secret] is not a PEM private key",
        ]);
        const rsa = await makeRootCa({ key: "RSA-4096" }, now);
        assert.deepEqual(problemsOf({ certPem, keyPem: rsa.keyPem }), [
            `rootCaKeyPem: [secret] does not match the public key of rootCaCertPem (${ROOT}); give that root's own key`,
        ]);
    });

    it("reports every problem of a root at once", async () => {
        const root = await makeRootCa(
            {
                key: "RSA-2048",
                signature: "SHA-1",
                notBeforeDays: -800,
                notAfterDays: -1,
                basicConstraints: { ca: true, pathLen: 0 },
                keyUsage: ["digitalSignature"],
                mismatchedKey: true,
            },
            now,
        );
        assert.deepEqual(
            problemsOf(root, false).map((p) => p.split(";")[0]),
            [
                "rootCaKeyPem: [secret] is plain text in the stack's configuration",
                `rootCaCertPem: ${ROOT} expired on ${day(-1)}`,
                `rootCaCertPem: ${ROOT} has basicConstraints pathlen:0, which allows no CA below it`,
                `rootCaCertPem: ${ROOT} has keyUsage digitalSignature, without keyCertSign, so its key may not sign certificates and verifiers refuse the intermediate CAs it signs (Go's crypto/x509 in istiod, BoringSSL in Envoy): use a root whose keyUsage includes keyCertSign`,
                `rootCaCertPem: ${ROOT} has a 2048-bit RSA key`,
                `rootCaCertPem: ${ROOT} is signed with RSA and SHA-1`,
                `rootCaKeyPem: [secret] does not match the public key of rootCaCertPem (${ROOT})`,
            ],
        );
    });

    it("runs in validateConfig, before any resource, with the other problems", async () => {
        const root = await makeRootCa({ key: "P-256" });
        const raw: Record<string, any> = {
            ...pairConfig(),
            rootCaCertPem: root.certPem,
            rootCaKeyPem: root.keyPem,
        };
        raw.mesh.hub = "docker.io istio";
        assert.throws(
            () =>
                validateConfig(raw, "eks-ambient-mesh", { secretKeys: new Set(["rootCaKeyPem"]) }),
            (err: unknown) => {
                assert.ok(err instanceof ConfigError);
                assert.deepEqual(err.problems, [
                    'mesh.hub: "docker.io istio" is not an image registry path like docker.io/istio',
                    `rootCaCertPem: ${ROOT} has an ECDSA key on P-256; ${POLICY}`,
                ]);
                return true;
            },
        );
        const good = await makeRootCa({});
        const config = validateConfig(
            { ...pairConfig(), rootCaCertPem: good.certPem, rootCaKeyPem: good.keyPem },
            "eks-ambient-mesh",
            { secretKeys: new Set(["rootCaKeyPem"]) },
        );
        assert.deepEqual(config.mesh.rootCa, { certPem: good.certPem, privateKeyPem: good.keyPem });
    });
});
