import * as assert from "node:assert/strict";
import * as rules from "../../policies/rules";
import { check } from "../fixtures/policy-harness";
import { meshStack } from "../fixtures/policy-mesh";
import { resourceCases, stackCases } from "./cases";

/** The tls-* rules (policies/rules/tls.ts): the mesh CA chain. */

describe("policy: TLS (mesh CA chain)", () => {
    resourceCases(rules.tlsPrivateKeyStrength, () => meshStack().rootKey, [
        { title: "accepts RSA 4096", expected: [] },
    ]);

    resourceCases(rules.tlsPrivateKeyStrength, () => meshStack().a.intermediateKey, [
        {
            title: "rejects RSA 1024",
            change: (k) => (k.props.rsaBits = 1024),
            expected: ["rsaBits 1024 is below 2048."],
        },
        {
            title: "rejects ECDSA on the provider's default curve P224",
            change: (k) => (k.props = { algorithm: "ECDSA" }),
            expected: ['ecdsaCurve "P224" (the default) is not allowed; use P256 or P384.'],
        },
        {
            title: "rejects ED25519, which Istio's CA cannot use",
            change: (k) => (k.props = { algorithm: "ED25519" }),
            expected: ['algorithm "ED25519" is not allowed; use RSA or ECDSA.'],
        },
        {
            title: "takes the RSA minimum from the pack config",
            change: (k) => (k.props = { algorithm: "RSA" }),
            options: { config: { minRsaBits: 3072 } },
            expected: ["rsaBits 2048 (the default) is below 3072."],
        },
    ]);

    stackCases(rules.tlsCaKeyStrength, [
        { title: "accepts 4096-bit RSA behind the root and the intermediates", expected: [] },
        {
            title: "rejects a 2048-bit root key",
            change: (s) => (s.rootKey.props.rsaBits = 2048),
            expected: [
                {
                    resource: "root-key",
                    message:
                        "private key root-key of CA certificate root-ca is 2048-bit RSA; CA keys " +
                        "need at least 4096 bits.",
                },
            ],
        },
        {
            title: "rejects an intermediate key on P-256, not its issuer's key",
            change: (s) => (s.a.intermediateKey.props = { algorithm: "ECDSA", ecdsaCurve: "P256" }),
            expected: [
                {
                    resource: "a-intermediate-key",
                    message:
                        "private key a-intermediate-key of CA certificate a-intermediate uses curve " +
                        "P256; CA keys need P384.",
                },
            ],
        },
    ]);

    it("tls-ca-certificate-signing accepts CAs that may sign certificates", () => {
        const stack = meshStack();
        assert.deepEqual(check(rules.tlsCaCertificateSigning, stack.root), []);
        assert.deepEqual(check(rules.tlsCaCertificateSigning, stack.a.intermediate), []);
    });

    resourceCases(rules.tlsCaCertificateSigning, () => meshStack().root, [
        {
            title: "rejects a root CA without cert_signing",
            change: (r) => (r.props.allowedUses = ["crl_signing", "digital_signature"]),
            expected: [
                'isCaCertificate is true but allowedUses ("crl_signing" and "digital_signature") ' +
                    'lacks "cert_signing"; the CA could not sign the certificates istiod issues.',
            ],
        },
    ]);

    resourceCases(rules.tlsCaCertificateSigning, () => meshStack().a.intermediate, [
        {
            title: "rejects an intermediate CA without cert_signing",
            change: (i) => (i.props.allowedUses = ["digital_signature", "key_encipherment"]),
            expected: [
                'isCaCertificate is true but allowedUses ("digital_signature" and ' +
                    '"key_encipherment") lacks "cert_signing"; the CA could not sign the ' +
                    "certificates istiod issues.",
            ],
        },
    ]);

    resourceCases(rules.tlsIntermediatePathLength, () => meshStack().a.intermediate, [
        { title: "accepts path length 0", expected: [] },
        {
            title: "flags an intermediate without a path length",
            change: (i) => delete i.props.maxPathLength,
            expected: [
                "maxPathLength is not set; set 0 so a leaked intermediate cannot mint further CAs.",
            ],
        },
    ]);

    stackCases(rules.tlsValidityOrdering, [
        { title: "accepts one-year intermediates under a ten-year root", expected: [] },
        {
            title: "rejects an intermediate as long-lived as its root",
            change: (s) => (s.a.intermediate.props.validityPeriodHours = 87600),
            expected: [
                {
                    resource: "a-intermediate",
                    message:
                        "certificate a-intermediate is valid for 87600 hours, not less than its " +
                        "issuer root-ca (87600 hours); it must expire first.",
                },
            ],
        },
    ]);
});
