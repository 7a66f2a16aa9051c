import { X509Certificate } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import {
    CA_LIFETIMES,
    joinPem,
    NO_ROTATION,
    RootRotationPhase,
    rootsOfPhase,
    RotationState,
} from "../caLifecycle";

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
    readonly existingRoot?: RootPair;
    /**
     * A root rotation under way: its phase and the root it moves to (components/caLifecycle.ts).
     * @default none
     */
    readonly rotation?: { readonly phase: RootRotationPhase; readonly nextRoot: RootPair };
    /**
     * Per cluster, the intermediate's generation (`clusters[].intermediateGeneration`): a new
     * generation is a new key, request and certificate under new names, so the old ones are
     * deleted once the cacerts Secret holds the new. @default 0 for every cluster
     */
    readonly generations?: Readonly<Record<string, number>>;
}

/** A root CA's certificate and key, as config supplies them. */
export interface RootPair {
    readonly certPem: pulumi.Input<string>;
    readonly privateKeyPem: pulumi.Input<string>;
}

/** A root as the intermediates and the cacerts Secrets use it. */
interface Root {
    readonly certPem: pulumi.Output<string>;
    readonly keyPem: pulumi.Output<string>;
}

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
 * which is what lets workloads in different clusters authenticate each other. During a root
 * rotation every cluster trusts the roots of its phase and its intermediate is signed by the
 * phase's signing root (components/caLifecycle.ts); all clusters move together.
 */
export class MeshTrust extends pulumi.ComponentResource {
    /** The root the intermediates are signed by: the next root from `sign-with-new` on. */
    public readonly rootCertPem: pulumi.Output<string>;
    /** What every cluster's root-cert.pem holds: one root, or two during a rotation. */
    public readonly trustBundlePem: pulumi.Output<string>;
    /** What the next update needs to judge its rotation step (the lifecycle output). */
    public readonly rotationRecord: RotationRecordOutputs;
    public readonly cacerts: Record<string, CaCerts>;

    constructor(name: string, args: MeshTrustArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ambientmesh:mesh:MeshTrust", name, {}, opts);
        const current = args.existingRoot
            ? suppliedRoot(args.existingRoot)
            : generatedRoot(name, args.organization, this);
        const phase: RotationState = args.rotation?.phase ?? NO_ROTATION;
        const next = args.rotation ? suppliedRoot(args.rotation.nextRoot) : undefined;
        const { signing, trusted } = rootsOfPhase(phase, current, next);
        this.trustBundlePem = pulumi
            .all(trusted.map((r) => r.certPem))
            .apply((pems) => joinPem(...pems));
        this.cacerts = {};
        for (const cluster of args.clusters) {
            const generation = args.generations?.[cluster] ?? 0;
            const { cert, key } = intermediate(this, cluster, generation, args, signing);
            this.cacerts[cluster] = {
                "ca-cert.pem": cert.certPem,
                "ca-key.pem": pulumi.secret(key.privateKeyPem),
                "root-cert.pem": this.trustBundlePem,
                "cert-chain.pem": pulumi.concat(cert.certPem, signing.certPem),
            };
        }
        this.rootCertPem = signing.certPem;
        this.rotationRecord = {
            phase,
            root: current.certPem.apply(fingerprintOf),
            generated: args.existingRoot === undefined,
            ...(next ? { next: next.certPem.apply(fingerprintOf) } : {}),
        };
        this.registerOutputs({
            rootCertPem: this.rootCertPem,
            trustBundlePem: this.trustBundlePem,
        });
    }
}

/**
 * `RootRotationRecord` (components/config/caRotation.ts) as outputs; a type rather than an
 * interface so that it is a `lifecycle` entry (an object with string keys).
 */
export type RotationRecordOutputs = {
    readonly phase: RotationState;
    readonly root: pulumi.Output<string>;
    readonly generated: boolean;
    readonly next?: pulumi.Output<string>;
};

function fingerprintOf(pem: string): string {
    return new X509Certificate(pem).fingerprint256;
}

/** A supplied root, its text exactly as config holds it (caLifecycle.ts says why). */
function suppliedRoot(pair: RootPair): Root {
    return {
        certPem: pulumi.output(pair.certPem),
        keyPem: pulumi.secret(pair.privateKeyPem),
    };
}

/** The stack's own root, when it is given none: RSA 4096, valid ten years. */
function generatedRoot(name: string, organization: string, parent: pulumi.Resource): Root {
    const rootKey = new tls.PrivateKey(
        `${name}-root`,
        { algorithm: "RSA", rsaBits: 4096 },
        { parent },
    );
    const root = new tls.SelfSignedCert(
        `${name}-root`,
        {
            privateKeyPem: rootKey.privateKeyPem,
            subject: { organization, commonName: "Root CA" },
            isCaCertificate: true,
            setSubjectKeyId: true,
            validityPeriodHours: CA_LIFETIMES.rootValidityHours,
            earlyRenewalHours: CA_LIFETIMES.rootEarlyRenewalHours,
            allowedUses: ["cert_signing", "crl_signing", "digital_signature"],
        },
        { parent },
    );
    return { certPem: root.certPem, keyPem: pulumi.secret(rootKey.privateKeyPem) };
}

/**
 * Resource names of a cluster's intermediate at a generation: generation 0 keeps the names
 * stacks were first deployed with; a later one is a new key, request and certificate (the TLS
 * provider's own early renewal replaces the certificate alone and keeps the key:
 * hashicorp/terraform-provider-tls@v4.2.1 internal/provider/common_cert.go:268-312).
 */
export function intermediateName(cluster: string, generation: number): string {
    return generation === 0 ? `${cluster}-intermediate` : `${cluster}-intermediate-g${generation}`;
}

/** A cluster's intermediate CA: its key, its request, and the certificate `signing` issues. */
function intermediate(
    parent: pulumi.Resource,
    cluster: string,
    generation: number,
    args: MeshTrustArgs,
    signing: Root,
): { cert: tls.LocallySignedCert; key: tls.PrivateKey } {
    const name = intermediateName(cluster, generation);
    const key = new tls.PrivateKey(name, { algorithm: "RSA", rsaBits: 4096 }, { parent });
    const csr = new tls.CertRequest(
        name,
        {
            privateKeyPem: key.privateKeyPem,
            subject: {
                organization: args.organization,
                commonName: "Intermediate CA",
                locality: cluster,
            },
            dnsNames: [ISTIOD_SAN],
        },
        { parent },
    );
    const cert = new tls.LocallySignedCert(
        name,
        {
            certRequestPem: csr.certRequestPem,
            caCertPem: signing.certPem,
            caPrivateKeyPem: signing.keyPem,
            isCaCertificate: true,
            // Asks for pathlen:0; see the README on how the provider encodes it.
            maxPathLength: 0,
            setSubjectKeyId: true,
            validityPeriodHours: CA_LIFETIMES.intermediateValidityHours,
            earlyRenewalHours: CA_LIFETIMES.intermediateEarlyRenewalHours,
            allowedUses: [...INTERMEDIATE_USES],
        },
        { parent },
    );
    return { cert, key };
}
