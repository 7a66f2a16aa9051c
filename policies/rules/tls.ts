import {
    PolicyConfigSchema,
    PolicyResource,
    ResourceValidationPolicy,
    StackValidationPolicy,
    validateResourceOfType,
} from "@pulumi/policy";
import * as tls from "@pulumi/tls";
import { configOf, dependenciesFor, known, quoteList } from "./util";

/** The mesh CA chain: key strength, CA flags and lifetimes that istiod's plug-in CA relies on. */

/** What the tls provider uses when `rsaBits` / `ecdsaCurve` are not set. */
const DEFAULT_RSA_BITS = 2048;
const DEFAULT_ECDSA_CURVE = "P224";

const keySchema: PolicyConfigSchema = {
    properties: {
        allowedAlgorithms: {
            type: "array",
            items: { type: "string" },
            default: ["RSA", "ECDSA"],
            description: "Key algorithms allowed (Istio's CA signs with RSA or ECDSA keys).",
        },
        minRsaBits: {
            type: "integer",
            default: 2048,
            description: "Smallest RSA modulus allowed for any key.",
        },
        allowedEcdsaCurves: {
            type: "array",
            items: { type: "string" },
            default: ["P256", "P384"],
            description: "ECDSA curves allowed for any key.",
        },
    },
};

interface KeyConfig {
    allowedAlgorithms: string[];
    minRsaBits: number;
    allowedEcdsaCurves: string[];
}

export const tlsPrivateKeyStrength: ResourceValidationPolicy = {
    name: "tls-private-key-strength",
    description: "TLS private keys are RSA of at least 2048 bits or ECDSA on P-256/P-384.",
    enforcementLevel: "mandatory",
    configSchema: keySchema,
    validateResource: validateResourceOfType(tls.PrivateKey, (key, args, report) => {
        const cfg = configOf<KeyConfig>(keySchema, args);
        if (!cfg.allowedAlgorithms.includes(key.algorithm)) {
            report(
                `algorithm "${key.algorithm}" is not allowed; use ${cfg.allowedAlgorithms.join(" or ")}.`,
            );
        } else if (key.algorithm === "RSA") {
            const bits = key.rsaBits ?? DEFAULT_RSA_BITS;
            if (bits < cfg.minRsaBits) {
                const origin = key.rsaBits === undefined ? " (the default)" : "";
                report(`rsaBits ${bits}${origin} is below ${cfg.minRsaBits}.`);
            }
        } else if (key.algorithm === "ECDSA") {
            const curve = key.ecdsaCurve ?? DEFAULT_ECDSA_CURVE;
            if (!cfg.allowedEcdsaCurves.includes(curve)) {
                const origin = key.ecdsaCurve === undefined ? " (the default)" : "";
                report(
                    `ecdsaCurve "${curve}"${origin} is not allowed; use ` +
                        `${cfg.allowedEcdsaCurves.join(" or ")}.`,
                );
            }
        }
    }),
};

const caKeySchema: PolicyConfigSchema = {
    properties: {
        minCaRsaBits: {
            type: "integer",
            default: 4096,
            description: "Smallest RSA modulus allowed for keys that sign CA certificates.",
        },
        allowedCaEcdsaCurves: {
            type: "array",
            items: { type: "string" },
            default: ["P384"],
            description: "ECDSA curves allowed for keys of CA certificates.",
        },
    },
};

function isCertificate(r: PolicyResource): boolean {
    return r.isType(tls.SelfSignedCert) || r.isType(tls.LocallySignedCert);
}

function isCa(cert: PolicyResource): boolean {
    return known(() => cert.props.isCaCertificate) === true;
}

/** The private key a certificate is issued for (not the one that signs it). */
function keysOf(cert: PolicyResource): PolicyResource[] {
    if (cert.isType(tls.SelfSignedCert)) {
        return dependenciesFor(cert, "privateKeyPem").filter((r) => r.isType(tls.PrivateKey));
    }
    // A locally signed certificate also depends on its issuer's key (caPrivateKeyPem): its own
    // key is the one behind its certificate request.
    return dependenciesFor(cert, "certRequestPem")
        .filter((r) => r.isType(tls.CertRequest))
        .flatMap((request) =>
            dependenciesFor(request, "privateKeyPem").filter((r) => r.isType(tls.PrivateKey)),
        );
}

export const tlsCaKeyStrength: StackValidationPolicy = {
    name: "tls-ca-key-strength",
    description: "Keys of CA certificates are RSA of at least 4096 bits or ECDSA on P-384.",
    enforcementLevel: "mandatory",
    configSchema: caKeySchema,
    validateStack: (args, report) => {
        const cfg = configOf<{ minCaRsaBits: number; allowedCaEcdsaCurves: string[] }>(
            caKeySchema,
            args,
        );
        const cas = args.resources.filter((r) => isCertificate(r) && isCa(r));
        if (cas.length === 0) {
            args.notApplicable("Policy only applies to stacks with CA certificates");
        }
        for (const cert of cas) {
            for (const key of keysOf(cert)) {
                const algorithm = known(() => key.props.algorithm) as string | undefined;
                if (algorithm === "RSA") {
                    const bits = (known(() => key.props.rsaBits) as number | undefined) ?? 2048;
                    if (bits < cfg.minCaRsaBits) {
                        report(
                            `private key ${key.name} of CA certificate ${cert.name} is ${bits}-bit ` +
                                `RSA; CA keys need at least ${cfg.minCaRsaBits} bits.`,
                            key.urn,
                        );
                    }
                } else if (algorithm === "ECDSA") {
                    const curve =
                        (known(() => key.props.ecdsaCurve) as string | undefined) ??
                        DEFAULT_ECDSA_CURVE;
                    if (!cfg.allowedCaEcdsaCurves.includes(curve)) {
                        report(
                            `private key ${key.name} of CA certificate ${cert.name} uses curve ` +
                                `${curve}; CA keys need ${cfg.allowedCaEcdsaCurves.join(" or ")}.`,
                            key.urn,
                        );
                    }
                }
            }
        }
    },
};

function checkCaSigning(
    cert: { isCaCertificate?: boolean; allowedUses: string[] },
    report: (message: string) => void,
): void {
    if (cert.isCaCertificate === true && !cert.allowedUses.includes("cert_signing")) {
        report(
            `isCaCertificate is true but allowedUses (${quoteList(cert.allowedUses)}) lacks ` +
                '"cert_signing"; the CA could not sign the certificates istiod issues.',
        );
    }
}

export const tlsCaCertificateSigning: ResourceValidationPolicy = {
    name: "tls-ca-certificate-signing",
    description: "CA certificates allow certificate signing.",
    enforcementLevel: "mandatory",
    validateResource: [
        validateResourceOfType(tls.SelfSignedCert, (cert, _args, report) =>
            checkCaSigning(cert, report),
        ),
        validateResourceOfType(tls.LocallySignedCert, (cert, _args, report) =>
            checkCaSigning(cert, report),
        ),
    ],
};

const pathLengthSchema: PolicyConfigSchema = {
    properties: {
        maxPathLength: {
            type: "integer",
            default: 0,
            description: "Largest path length an intermediate CA may allow below itself.",
        },
    },
};

export const tlsIntermediatePathLength: ResourceValidationPolicy = {
    name: "tls-intermediate-path-length",
    description: "Intermediate CAs limit their path length, as Istio's own tooling does with 0.",
    enforcementLevel: "advisory",
    configSchema: pathLengthSchema,
    validateResource: validateResourceOfType(tls.LocallySignedCert, (cert, args, report) => {
        const { maxPathLength } = configOf<{ maxPathLength: number }>(pathLengthSchema, args);
        if (cert.isCaCertificate !== true) {
            return;
        }
        if (cert.maxPathLength === undefined || cert.maxPathLength > maxPathLength) {
            const shown = cert.maxPathLength === undefined ? "not set" : String(cert.maxPathLength);
            report(
                `maxPathLength is ${shown}; set ${maxPathLength} so a leaked intermediate cannot ` +
                    "mint further CAs.",
            );
        }
    }),
};

export const tlsValidityOrdering: StackValidationPolicy = {
    name: "tls-validity-shorter-than-issuer",
    description:
        "Locally signed certificates are valid for less time than the certificate that signs them.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const signed = args.resources.filter((r) => r.isType(tls.LocallySignedCert));
        if (signed.length === 0) {
            args.notApplicable("Policy only applies to stacks with locally signed certificates");
        }
        for (const cert of signed) {
            const hours = known(() => cert.props.validityPeriodHours) as number | undefined;
            const issuers = dependenciesFor(cert, "caCertPem").filter(
                (r) => r !== cert && isCertificate(r),
            );
            for (const issuer of issuers) {
                const issuerHours = known(() => issuer.props.validityPeriodHours) as
                    number | undefined;
                if (hours !== undefined && issuerHours !== undefined && hours >= issuerHours) {
                    report(
                        `certificate ${cert.name} is valid for ${hours} hours, not less than its ` +
                            `issuer ${issuer.name} (${issuerHours} hours); it must expire first.`,
                        cert.urn,
                    );
                }
            }
        }
    },
};
