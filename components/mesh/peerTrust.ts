import { X509Certificate } from "node:crypto";

/**
 * Whether this stack and a peer stack trust each other's workloads, from what each exports: the
 * root its intermediates are signed by (`rootCaCertPem`) and the roots its clusters' root-cert.pem
 * holds (`trustBundlePem`; a stack that exports none trusts its `rootCaCertPem` alone). Outside a
 * root rotation both are the one root of the mesh; during one, stacks take each phase one after
 * the other, and this is what keeps them at most one phase apart in a direction that works
 * (components/caLifecycle.ts, docs/operations.md).
 */

export interface TrustSide {
    /** The root the stack's intermediates are signed by, PEM. */
    readonly rootCaCertPem: string;
    /** Its clusters' root-cert.pem. @default rootCaCertPem */
    readonly trustBundlePem?: string;
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g;

/** Certificates named by SHA-256 fingerprint, never by their PEM. */
function fingerprints(pem: string): string[] {
    return (pem.match(PEM_CERT) ?? []).map((block) => {
        try {
            return new X509Certificate(block).fingerprint256;
        } catch {
            return "an unreadable certificate";
        }
    });
}

const GUIDE = "docs/operations.md";

/**
 * The problems of one peer cluster's roots against this stack's, each prefixed with `at` (the
 * config key and the peer stack). Two stacks on one root each, different ones, get the message
 * they always got.
 */
export function peerTrustProblems(
    at: string,
    cluster: string,
    found: TrustSide,
    ours: TrustSide,
): string[] {
    const theirSigning = fingerprints(found.rootCaCertPem)[0];
    const ourSigning = fingerprints(ours.rootCaCertPem)[0];
    const theirs = fingerprints(found.trustBundlePem ?? found.rootCaCertPem);
    const ourRoots = fingerprints(ours.trustBundlePem ?? ours.rootCaCertPem);
    if (theirs.length === 1 && ourRoots.length === 1) {
        return theirSigning === ourSigning
            ? []
            : [
                  `${at}: cluster "${cluster}" has a different rootCaCertPem (SHA-256 ${theirSigning}, this stack's ${ourSigning}); every cluster of a mesh shares one root CA`,
              ];
    }
    const phase =
        "every stack of a mesh takes a root rotation's phase before any stack takes the next";
    return [
        ...(theirs.includes(ourSigning)
            ? []
            : [
                  `${at}: cluster "${cluster}" does not trust the root this stack signs with (SHA-256 ${ourSigning}; it trusts ${theirs.join(", ")}), so its workloads would refuse this stack's: bring that stack to this one's rotation phase first; ${phase} (${GUIDE})`,
              ]),
        ...(ourRoots.includes(theirSigning)
            ? []
            : [
                  `${at}: cluster "${cluster}" signs with a root this stack does not trust (SHA-256 ${theirSigning}; this stack trusts ${ourRoots.join(", ")}), so this stack's workloads would refuse its: keep the phase that still trusts it until that stack has moved on; ${phase} (${GUIDE})`,
              ]),
    ];
}
