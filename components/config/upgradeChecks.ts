import { IstioRelease } from "../versions";
import { checkRelease } from "./crossChecks";
import { Problems } from "./problems";
import { ParsedCluster, ParsedMesh } from "./schema";

/**
 * `mesh.upgrade`: a minor Istio upgrade by revision. The new release must be pinned, one minor
 * above `mesh.istioVersion` (Istio supports upgrading one minor at a time, and ztunnel and
 * istio-cni work with an istiod one minor newer, not more), and fit everything the current one
 * must (each cluster's Kubernetes version, ambient's needs). A patch upgrade needs no revision:
 * it changes `mesh.istioVersion` in place.
 */
export function checkUpgrade(
    mesh: ParsedMesh,
    current: IstioRelease | undefined,
    clusters: readonly ParsedCluster[],
    problems: Problems,
    warnings: string[],
): { to: string; release: IstioRelease; phase: "canary" | "dataplane" | "promoted" } | undefined {
    const upgrade = mesh.upgrade;
    if (upgrade === undefined) {
        return undefined;
    }
    if (typeof upgrade.to === "number") {
        problems.push(
            `mesh.upgrade.to: ${upgrade.to} is a number; quote the release (YAML reads 1.30 as 1.3), e.g. "${mesh.istioVersion}"`,
        );
        return undefined;
    }
    const release = checkRelease(upgrade.to, "mesh.upgrade.to", mesh, clusters, problems, warnings);
    if (release === undefined || current === undefined) {
        return undefined;
    }
    const minor = (v: string) => Number(v.split(".")[1]);
    const step = minor(release.version) - minor(current.version);
    if (step === 0) {
        problems.push(
            `mesh.upgrade.to: "${upgrade.to}" is a patch of mesh.istioVersion ${current.version}; patches upgrade in place: set mesh.istioVersion: "${upgrade.to}" and remove mesh.upgrade`,
        );
        return undefined;
    }
    if (step !== 1) {
        problems.push(
            `mesh.upgrade.to: "${upgrade.to}" is ${step > 0 ? `${step} minors above` : "below"} mesh.istioVersion ${current.version}; a revision upgrade goes one minor up at a time (ztunnel and istio-cni work with an istiod one minor newer, not more)`,
        );
        return undefined;
    }
    return { to: release.version, release, phase: upgrade.phase };
}
