import type { TrustEntry } from "../../policies/rules/istio/trust";

/**
 * The trust proof in a line (how many chains verify), then each that does not, with why: every
 * ordered pair of clusters, each with itself, in every phase of a root rotation.
 */
export function trustSummary(entries: readonly TrustEntry[]): string {
    if (entries.length === 0) {
        return "Trust: no cacerts with known contents";
    }
    const broken = entries.filter((e) => !e.verifies);
    return [
        `Trust (each cluster's CA chain against each root-cert.pem): ${entries.length - broken.length} of ${entries.length} verify`,
        ...broken.map((e) => `  ✗ ${e.from} -> ${e.to}: ${e.detail}`),
    ].join("\n");
}
