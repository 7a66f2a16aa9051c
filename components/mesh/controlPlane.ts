import { MeshConfig } from "../config";
import { IstioRelease, istioReleaseOf } from "../versions";

/**
 * Which Istio control planes a cluster runs, and what follows which, for the mesh's release and
 * a minor upgrade by revision in progress (`mesh.upgrade`). Istio's way (istio.io, "Upgrade with
 * Helm", ambient): each minor is a revision of its own, immutable, named after the minor
 * (`1-31`; patches upgrade a revision in place); revision tags are the mutable pointers
 * namespaces follow (`default` serves every unlabelled namespace and the east-west gateway);
 * ztunnel and istio-cni are one per node, so they cannot be canaried: they move to the new
 * revision in place, node by node, in a phase of their own.
 *
 * | phase        | revisions (tags)                       | base chart | ztunnel, istio-cni |
 * | ------------ | -------------------------------------- | ---------- | ------------------ |
 * | (none)       | current (default)                      | current    | current            |
 * | canary       | current (default, stable), new (canary) | new        | current            |
 * | dataplane    | current (default, stable), new (canary) | new        | new                |
 * | promoted     | current (stable), new (default, canary) | new        | new                |
 * | (finished)   | new (default)                          | new        | new                |
 *
 * The base chart (CRDs, the default validator) goes to the new release first, as Istio's
 * upgrade guide does; its validator follows the revision that holds `default`.
 */

export interface Revision {
    /** `1-31`: the revision's name, from its minor. */
    readonly name: string;
    readonly version: string;
    readonly release: IstioRelease;
    /** Revision tags this revision's istiod holds. */
    readonly tags: readonly string[];
}

export interface ControlPlane {
    /** The current revision first, then the canary while an upgrade is in progress. */
    readonly revisions: readonly Revision[];
    /** The revision holding the `default` tag. */
    readonly serving: Revision;
    /** The release of the base chart: the newest installed. */
    readonly base: Revision;
    /** The revision ztunnel and istio-cni run and ztunnel talks to. */
    readonly dataplane: Revision;
}

export const DEFAULT_TAG = "default";
export const CANARY_TAG = "canary";
export const STABLE_TAG = "stable";

/** `1.31.1` → `1-31`. */
export function revisionName(version: string): string {
    const [major, minor] = version.split(".");
    return `${major}-${minor}`;
}

function revision(version: string, tags: string[]): Revision {
    const release = istioReleaseOf(version);
    if (release === undefined) {
        throw new Error(`Istio ${version} is not in the versions table`);
    }
    return { name: revisionName(version), version, release, tags };
}

export function controlPlaneOf(mesh: MeshConfig): ControlPlane {
    const upgrade = mesh.upgrade;
    if (upgrade === undefined) {
        const only = revision(mesh.istioVersion, [DEFAULT_TAG]);
        return { revisions: [only], serving: only, base: only, dataplane: only };
    }
    const promoted = upgrade.phase === "promoted";
    const current = revision(
        mesh.istioVersion,
        promoted ? [STABLE_TAG] : [DEFAULT_TAG, STABLE_TAG],
    );
    const next = revision(upgrade.to, promoted ? [DEFAULT_TAG, CANARY_TAG] : [CANARY_TAG]);
    return {
        revisions: [current, next],
        serving: promoted ? next : current,
        base: next,
        dataplane: upgrade.phase === "canary" ? current : next,
    };
}
