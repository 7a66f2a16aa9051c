import { createPrivateKey, X509Certificate } from "node:crypto";
import * as k8s from "@pulumi/kubernetes";
import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { byChart, helmReleases, knownString, providerKey } from "../util";

/**
 * Whether every cluster's workloads would accept every other cluster's, judged from the planned
 * `cacerts` Secrets alone: for each ordered pair (from, to), including a cluster with itself,
 * `from`'s CA certificate (ca-cert.pem), through the intermediates its workloads send after
 * their leaf (cert-chain.pem), must reach a root of `to`'s root-cert.pem with valid signatures.
 *
 * That is how Istio uses the files: istiod signs workload certificates with ca-cert.pem and
 * hands out leaf + each cert-chain.pem entry + the whole root-cert.pem bundle
 * (istio/istio@1.30.3 security/pkg/server/ca/server.go:133-155); a peer verifies the leaf
 * against its own root-cert.pem, every root of it (ztunnel splits the bundle,
 * istio/ztunnel@1.30.3 src/tls/certificate.rs:241-262); istiod itself loads the files only when
 * ca-cert.pem chains to root-cert.pem through cert-chain.pem and ca-key.pem matches it
 * (security/pkg/pki/util/keycertbundle.go:330-362). During a root rotation this must hold in
 * every phase, for every pair (components/caLifecycle.ts).
 *
 * A cluster is named by its istiod's `global.multiCluster.clusterName` (the Istio cluster id),
 * else by its Secret. A cacerts whose files are not known, or redacted, is left out.
 */

export interface TrustEntry {
    /** The cluster whose chain is judged. */
    readonly from: string;
    /** The cluster whose root-cert.pem judges it. */
    readonly to: string;
    readonly verifies: boolean;
    /** The path found, or why there is none. */
    readonly detail: string;
    /** `from`'s cacerts Secret. */
    readonly urn: string;
}

interface ClusterCa {
    readonly cluster: string;
    readonly urn: string;
    readonly caCert: string;
    readonly caKey?: string;
    readonly chain: string;
    readonly roots: string;
}

const FILES = ["ca-cert.pem", "cert-chain.pem", "root-cert.pem"] as const;

/** A file of the Secret, from stringData or base64 data; undefined when unknown or redacted. */
function fileOf(secret: PolicyResource, file: string): string | undefined {
    const plain = knownString(() => secret.props.stringData?.[file]);
    if (plain !== undefined) {
        return plain;
    }
    const encoded = knownString(() => secret.props.data?.[file]);
    return encoded === undefined ? undefined : Buffer.from(encoded, "base64").toString("utf8");
}

function clusterCas(resources: readonly PolicyResource[]): ClusterCa[] {
    const istiods = byChart(helmReleases(resources), "istiod");
    return resources
        .filter(
            (r) =>
                r.isType(k8s.core.v1.Secret) &&
                knownString(() => r.props.metadata?.name) === "cacerts",
        )
        .flatMap((secret) => {
            const [caCert, chain, roots] = FILES.map((f) => fileOf(secret, f));
            if (caCert === undefined || chain === undefined || roots === undefined) {
                return [];
            }
            const istiod = istiods.find((i) => providerKey(i.resource) === providerKey(secret));
            const id = istiod?.at(["global", "multiCluster", "clusterName"]);
            const cluster =
                typeof id === "string" && id !== "" ? id : secret.name.replace(/-cacerts$/, "");
            const caKey = fileOf(secret, "ca-key.pem");
            return [
                { cluster, urn: secret.urn, caCert, chain, roots, ...(caKey ? { caKey } : {}) },
            ];
        });
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g;

/** Every certificate of a PEM text that parses; the count of those that do not. */
function certificates(pem: string): { certs: X509Certificate[]; unreadable: number } {
    const blocks = pem.match(PEM_CERT) ?? [];
    const certs = blocks.flatMap((b) => {
        try {
            return [new X509Certificate(b)];
        } catch {
            return [];
        }
    });
    return { certs, unreadable: blocks.length - certs.length };
}

/** A certificate as details name it: its subject on one line, and its fingerprint for roots. */
const subjectOf = (c: X509Certificate) => c.subject.split("\n").join(", ");
const rootName = (c: X509Certificate) => `${subjectOf(c)} (SHA-256 ${c.fingerprint256})`;

function issues(issuer: X509Certificate, cert: X509Certificate): boolean {
    try {
        return issuer.ca && cert.checkIssued(issuer) && cert.verify(issuer.publicKey);
    } catch {
        return false;
    }
}

function validityProblem(c: X509Certificate, now: Date): string | undefined {
    if (new Date(c.validFrom) > now) {
        return `${subjectOf(c)} is not valid before ${c.validFrom}`;
    }
    return new Date(c.validTo) < now ? `${subjectOf(c)} expired on ${c.validTo}` : undefined;
}

const MAX_DEPTH = 5;

/**
 * The path from `from`'s ca-cert.pem through its cert-chain.pem to a root of `to`'s bundle, as
 * a peer would build it; the detail names the root reached or where the path stops.
 */
function judge(from: ClusterCa, to: ClusterCa, now: Date): { verifies: boolean; detail: string } {
    const ca = certificates(from.caCert).certs[0];
    const chain = certificates(from.chain);
    const bundle = certificates(to.roots);
    const whose = (file: string, c: ClusterCa) => `${c.cluster}'s ${file}`;
    if (ca === undefined) {
        return { verifies: false, detail: `${whose("ca-cert.pem", from)} holds no certificate` };
    }
    if (bundle.certs.length === 0) {
        return { verifies: false, detail: `${whose("root-cert.pem", to)} holds no certificate` };
    }
    if (!chain.certs.some((c) => c.raw.equals(ca.raw))) {
        return {
            verifies: false,
            detail: `${whose("cert-chain.pem", from)} does not hold its ca-cert.pem (${subjectOf(ca)}), so peers cannot link the workload certificates it signs to any root`,
        };
    }
    const held = bundle.certs.map(rootName).join(", ");
    let current = ca;
    for (let depth = 0; depth < MAX_DEPTH; depth++) {
        const expired = validityProblem(current, now);
        if (expired !== undefined) {
            return { verifies: false, detail: `${from.cluster}'s chain: ${expired}` };
        }
        const root = bundle.certs.find((r) => issues(r, current));
        if (root !== undefined) {
            const rootExpired = validityProblem(root, now);
            return rootExpired === undefined
                ? {
                      verifies: true,
                      detail: `${whose("ca-cert.pem", from)} (${subjectOf(ca)}) chains to ${rootName(root)} of ${whose("root-cert.pem", to)}`,
                  }
                : { verifies: false, detail: `${whose("root-cert.pem", to)}: ${rootExpired}` };
        }
        const issuer = chain.certs.find((c) => !c.raw.equals(current.raw) && issues(c, current));
        if (issuer === undefined) {
            const end = current.issuer.split("\n").join(", ");
            return {
                verifies: false,
                detail: `${whose("ca-cert.pem", from)} (${subjectOf(ca)}) chains to ${current === ca ? "" : `${subjectOf(current)}, issued by `}${end}, which ${whose("root-cert.pem", to)} does not hold with a key that verifies it (it holds ${held})`,
            };
        }
        if (issuer.checkIssued(issuer) && issuer.verify(issuer.publicKey)) {
            return {
                verifies: false,
                detail: `${whose("ca-cert.pem", from)} (${subjectOf(ca)}) chains to ${rootName(issuer)}, which ${whose("root-cert.pem", to)} does not hold (it holds ${held})`,
            };
        }
        current = issuer;
    }
    return { verifies: false, detail: `${from.cluster}'s chain is longer than ${MAX_DEPTH}` };
}

/** istiod loads its files only with a key that matches ca-cert.pem; judged where readable. */
function keyProblem(ca: ClusterCa): string | undefined {
    if (ca.caKey === undefined) {
        return undefined;
    }
    try {
        const cert = certificates(ca.caCert).certs[0];
        const key = createPrivateKey(ca.caKey);
        return cert === undefined || cert.checkPrivateKey(key)
            ? undefined
            : `${ca.cluster}'s ca-key.pem does not match its ca-cert.pem, so istiod refuses to load the bundle`;
    } catch {
        return undefined;
    }
}

const computed = new WeakMap<readonly PolicyResource[], TrustEntry[]>();

/**
 * Every ordered pair of the clusters with known cacerts, each with itself first, in the order
 * of their Secrets. Kept per resource list, so the plan and the policy compute it once.
 */
export function meshTrustChains(
    resources: readonly PolicyResource[],
    now = new Date(),
): TrustEntry[] {
    let entries = computed.get(resources);
    if (!entries) {
        const cas = clusterCas(resources);
        entries = cas.flatMap((from) =>
            [from, ...cas.filter((c) => c !== from)].map((to) => {
                const judged = judge(from, to, now);
                const key = from === to && judged.verifies ? keyProblem(from) : undefined;
                return {
                    from: from.cluster,
                    to: to.cluster,
                    verifies: judged.verifies && key === undefined,
                    detail: key ?? judged.detail,
                    urn: from.urn,
                };
            }),
        );
        computed.set(resources, entries);
    }
    return entries;
}

export const istioTrustChainsVerify: StackValidationPolicy = {
    name: "istio-trust-chains-verify",
    description:
        "Every cluster's CA chain (ca-cert.pem through cert-chain.pem) verifies against every cluster's root-cert.pem, its own included, in every phase of a root rotation.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const entries = meshTrustChains(args.resources);
        if (entries.length === 0) {
            args.notApplicable("Policy only applies to stacks with known cacerts Secrets");
        }
        for (const e of entries.filter((x) => !x.verifies)) {
            const against =
                e.to === e.from
                    ? "its own root-cert.pem"
                    : `${e.to}'s root-cert.pem, so ${e.to}'s workloads refuse ${e.from}'s`;
            report(`${e.from}'s CA chain does not verify against ${against}: ${e.detail}.`, e.urn);
        }
    },
};
