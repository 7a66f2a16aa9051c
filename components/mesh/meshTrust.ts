import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";

/** The four entries of Istio's `cacerts` Secret for one cluster. */
export interface CaCerts {
    readonly "ca-cert.pem": pulumi.Output<string>;
    readonly "ca-key.pem": pulumi.Output<string>;
    readonly "root-cert.pem": pulumi.Output<string>;
    readonly "cert-chain.pem": pulumi.Output<string>;
}

export interface MeshTrustArgs {
    /** Cluster names; each gets its own intermediate CA. */
    readonly clusters: readonly string[];
    /** Organisation in the certificates' subjects. */
    readonly organization: string;
    /**
     * An existing root CA to sign the intermediates with, instead of generating one: how
     * several stacks share the mesh's one root.
     * @default a new RSA 4096 root, valid 10 years
     */
    readonly existingRoot?: {
        readonly certPem: pulumi.Input<string>;
        readonly privateKeyPem: pulumi.Input<string>;
    };
}

/**
 * Certificate lifetimes. The root is renewed two years before it expires and an intermediate
 * lives one year, so an intermediate issued on any `pulumi up` always expires before its root.
 * Renewal happens on the first `pulumi up` after a certificate enters its early-renewal window.
 */
export const CA_LIFETIMES = {
    rootValidityHours: 10 * 365 * 24,
    rootEarlyRenewalHours: 2 * 365 * 24,
    intermediateValidityHours: 365 * 24,
    intermediateEarlyRenewalHours: 30 * 24,
} as const;

/** Key usages of the intermediates, as Istio's own certificate tooling sets them. */
export const INTERMEDIATE_USES = [
    "digital_signature",
    "content_commitment",
    "key_encipherment",
    "cert_signing",
] as const;

/** SAN Istio's tooling puts on an intermediate: the name istiod serves under. */
export const ISTIOD_SAN = "istiod.istio-system.svc";

/**
 * The mesh's trust chain: one root CA (generated, or supplied) and, per cluster, an
 * intermediate CA that istiod signs workload certificates with. All clusters share the root,
 * which is what lets workloads in different clusters authenticate each other.
 */
export class MeshTrust extends pulumi.ComponentResource {
    public readonly rootCertPem: pulumi.Output<string>;
    public readonly cacerts: Record<string, CaCerts>;

    constructor(name: string, args: MeshTrustArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ambientmesh:mesh:MeshTrust", name, {}, opts);
        let rootCertPem: pulumi.Output<string>;
        let rootKeyPem: pulumi.Output<string>;
        if (args.existingRoot) {
            rootCertPem = pulumi.output(args.existingRoot.certPem);
            rootKeyPem = pulumi.secret(args.existingRoot.privateKeyPem);
        } else {
            const rootKey = new tls.PrivateKey(
                `${name}-root`,
                { algorithm: "RSA", rsaBits: 4096 },
                { parent: this },
            );
            const root = new tls.SelfSignedCert(
                `${name}-root`,
                {
                    privateKeyPem: rootKey.privateKeyPem,
                    subject: { organization: args.organization, commonName: "Root CA" },
                    isCaCertificate: true,
                    setSubjectKeyId: true,
                    validityPeriodHours: CA_LIFETIMES.rootValidityHours,
                    earlyRenewalHours: CA_LIFETIMES.rootEarlyRenewalHours,
                    allowedUses: ["cert_signing", "crl_signing", "digital_signature"],
                },
                { parent: this },
            );
            rootCertPem = root.certPem;
            rootKeyPem = pulumi.secret(rootKey.privateKeyPem);
        }

        this.cacerts = {};
        for (const cluster of args.clusters) {
            const key = new tls.PrivateKey(
                `${cluster}-intermediate`,
                { algorithm: "RSA", rsaBits: 4096 },
                { parent: this },
            );
            const csr = new tls.CertRequest(
                `${cluster}-intermediate`,
                {
                    privateKeyPem: key.privateKeyPem,
                    subject: {
                        organization: args.organization,
                        commonName: "Intermediate CA",
                        locality: cluster,
                    },
                    dnsNames: [ISTIOD_SAN],
                },
                { parent: this },
            );
            const cert = new tls.LocallySignedCert(
                `${cluster}-intermediate`,
                {
                    certRequestPem: csr.certRequestPem,
                    caCertPem: rootCertPem,
                    caPrivateKeyPem: rootKeyPem,
                    isCaCertificate: true,
                    // Asks for pathlen:0; see the README on how the provider encodes it.
                    maxPathLength: 0,
                    setSubjectKeyId: true,
                    validityPeriodHours: CA_LIFETIMES.intermediateValidityHours,
                    earlyRenewalHours: CA_LIFETIMES.intermediateEarlyRenewalHours,
                    allowedUses: [...INTERMEDIATE_USES],
                },
                { parent: this },
            );
            this.cacerts[cluster] = {
                "ca-cert.pem": cert.certPem,
                "ca-key.pem": pulumi.secret(key.privateKeyPem),
                "root-cert.pem": rootCertPem,
                "cert-chain.pem": pulumi.concat(cert.certPem, rootCertPem),
            };
        }
        this.rootCertPem = rootCertPem;
        this.registerOutputs({ rootCertPem: this.rootCertPem });
    }
}
