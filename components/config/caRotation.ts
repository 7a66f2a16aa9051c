import { X509Certificate } from "node:crypto";
import { z } from "zod";
import {
    NO_ROTATION,
    phaseIndex,
    ROOT_ROTATION_PHASES,
    RootRotationPhase,
    RotationState,
    isMultiRoot,
} from "../caLifecycle";
import { hasZtunnelMultiRoot, IstioRelease } from "../versions";
import type { DeployedState } from "./deployed";
import type { PlatformConfig } from "./model";
import { Problems } from "./problems";
import { checkRootCa } from "./rootCa";
import { ParsedPlatformConfig } from "./schema";

/**
 * The CA's step-by-step operations, as config: a root rotation (`rootRotation` with
 * `nextRootCaCertPem` and the secret `nextRootCaKeyPem`), one phase per `pulumi up` in the order
 * of ROOT_ROTATION_PHASES, and an intermediate's re-issue (`clusters[].intermediateGeneration`).
 * The config alone is checked here (`checkRootRotation`), and its step from what the stack last
 * deployed (`rootRotationSteps`, against the `lifecycle.rootRotation` output `rootRotationRecord`
 * builds). What each phase puts into cacerts, and why, is in components/caLifecycle.ts.
 */

const GUIDE = "docs/operations.md";
const WAIT =
    "wait until every ztunnel has renewed its certificate (12 h, or restart ztunnel node by node)";

/** A root as messages name it: by SHA-256 fingerprint, never by its PEM. */
export function rootFingerprint(pem: string): string | undefined {
    try {
        return new X509Certificate(pem).fingerprint256;
    } catch {
        return undefined;
    }
}

/** Raising it re-issues; anything else it could be is a mistake. */
function checkGenerations(cfg: ParsedPlatformConfig, problems: Problems): void {
    cfg.clusters.forEach((c, i) => {
        if (c.intermediateGeneration < 0) {
            problems.push(
                `clusters[${i}].intermediateGeneration: ${c.intermediateGeneration} is below 0; it starts at 0, and raising it by one re-issues the cluster's intermediate CA`,
            );
        }
    });
}

/**
 * A rotation needs its next root, held to the rules of `rootCaCertPem`, other than the current
 * one; the next root's keys without a rotation are left-overs; and ambient mode needs a ztunnel
 * that trusts both roots of the multi-root phases.
 */
export function checkRootRotation(
    cfg: ParsedPlatformConfig,
    release: IstioRelease | undefined,
    secretKeys: ReadonlySet<string> | undefined,
    problems: Problems,
): void {
    checkGenerations(cfg, problems);
    const { rootRotation: phase, nextRootCaCertPem: cert, nextRootCaKeyPem: key } = cfg;
    if (phase === undefined) {
        const set = (["nextRootCaCertPem", "nextRootCaKeyPem"] as const).filter(
            (k) => cfg[k] !== undefined,
        );
        if (set.length > 0) {
            problems.push(
                `${set[0]}: is set, but rootRotation is not; start a rotation with rootRotation: trust-both, or, when one has finished, remove nextRootCaCertPem and nextRootCaKeyPem (${GUIDE})`,
            );
        }
        return;
    }
    if (cert === undefined && key === undefined) {
        problems.push(
            `rootRotation: "${phase}" needs the root to move to: set nextRootCaCertPem and, as secret config, nextRootCaKeyPem (${GUIDE})`,
        );
    }
    checkRootCa(
        {
            cert,
            key,
            keyIsSecret: secretKeys?.has("nextRootCaKeyPem") ?? false,
            keys: { cert: "nextRootCaCertPem", key: "nextRootCaKeyPem" },
        },
        problems,
    );
    const next = cert === undefined ? undefined : rootFingerprint(cert);
    if (next !== undefined && cfg.rootCaCertPem !== undefined) {
        if (next === rootFingerprint(cfg.rootCaCertPem)) {
            problems.push(
                `nextRootCaCertPem: is the current root, rootCaCertPem (SHA-256 ${next}); a rotation moves to another root`,
            );
        }
    }
    checkZtunnel(cfg, phase, release, problems);
}

/** ztunnel before the split of multi-root bundles trusts only the first root (versions.ts). */
function checkZtunnel(
    cfg: ParsedPlatformConfig,
    phase: RootRotationPhase,
    release: IstioRelease | undefined,
    problems: Problems,
): void {
    if (
        release === undefined ||
        cfg.mesh.dataplaneMode !== "ambient" ||
        !isMultiRoot(phase) ||
        hasZtunnelMultiRoot(release)
    ) {
        return;
    }
    problems.push(
        `rootRotation: "${phase}" puts two roots in every root-cert.pem, and the ztunnel of Istio ${release.version} trusts only the first root of a bundle (it splits bundles from 1.24.6, 1.25.3 and 1.26.0 on, istio/ztunnel#1510), so workloads signed under the other would be refused: move mesh.istioVersion to a release whose ztunnel splits them first (components/versions.ts, ztunnelMultiRoot)`,
    );
}

/** What the `lifecycle.rootRotation` output records, and the next update reads back. */
export interface RootRotationRecord {
    readonly phase: RotationState;
    /** The root the stack ran on before any rotation (`rootCaCertPem`), by SHA-256. */
    readonly root?: string;
    /** Whether that root is the stack's generated one (then `rootCaCertPem` is not set). */
    readonly generated?: boolean;
    /** The root a rotation moves to, by SHA-256. */
    readonly next?: string;
}

/** The record as read back; a phase this version does not know reads as none. */
const recordSchema = z.object({
    phase: z.enum([NO_ROTATION, ...ROOT_ROTATION_PHASES]).catch(NO_ROTATION),
    root: z.string().optional(),
    generated: z.boolean().optional(),
    next: z.string().optional(),
});

/** The config's view of the roots: where it stands, and which roots it names. */
function configured(config: PlatformConfig): RootRotationRecord {
    const { mesh } = config;
    const root = mesh.rootCa ? rootFingerprint(mesh.rootCa.certPem) : undefined;
    const next = mesh.rootRotation
        ? rootFingerprint(mesh.rootRotation.nextRoot.certPem)
        : undefined;
    return {
        phase: mesh.rootRotation?.phase ?? NO_ROTATION,
        generated: mesh.rootCa === undefined,
        ...(root === undefined ? {} : { root }),
        ...(next === undefined ? {} : { next }),
    };
}

const quoted = (phase: RotationState) => (phase === NO_ROTATION ? "no rotation" : `"${phase}"`);

/** The phase after `phase`, or before it; undefined past either end. */
function neighbour(phase: RotationState, by: 1 | -1): RotationState | undefined {
    const i = phaseIndex(phase) + by;
    return i === 0 ? NO_ROTATION : ROOT_ROTATION_PHASES[i - 1];
}

/** How to set `rootRotation` to a state, in words. */
const setTo = (phase: RotationState) =>
    phase === NO_ROTATION ? "remove rootRotation" : `set rootRotation to "${phase}"`;

/** A move of more than one phase, forward or back, named with the step to take instead. */
function skipProblem(deployed: RotationState, wanted: RotationState): string | undefined {
    const from = phaseIndex(deployed);
    const to = phaseIndex(wanted);
    const at =
        deployed === NO_ROTATION
            ? "no rotation is deployed"
            : `the deployed phase is "${deployed}"`;
    const shown = wanted === NO_ROTATION ? "is not set" : `"${wanted}"`;
    if (to > from + 1) {
        const skipped = ROOT_ROTATION_PHASES.slice(from, to - 1).map((p) => `"${p}"`);
        const next = neighbour(deployed, 1) as RotationState;
        return `rootRotation: ${shown} skips ${skipped.join(" and ")}; ${at}: ${setTo(next)}, pulumi up, and ${WAIT} before the next phase (${GUIDE})`;
    }
    if (to < from - 1 && !(deployed === "drop-old" && wanted === NO_ROTATION)) {
        const back = neighbour(deployed, -1) as RotationState;
        return `rootRotation: ${shown}, ${from - to} phases back from ${quoted(deployed)}; a rotation rolls back one phase at a time: ${setTo(back)}, pulumi up, and ${WAIT} before the next step back (${GUIDE})`;
    }
    return undefined;
}

/** The next root made `rootCaCertPem` before `drop-old` has been deployed. */
function earlyFinishProblem(
    config: RootRotationRecord,
    deployed: RootRotationRecord,
): string | undefined {
    if (
        config.phase !== NO_ROTATION ||
        deployed.phase === NO_ROTATION ||
        deployed.phase === "drop-old" ||
        deployed.next === undefined ||
        config.root !== deployed.next
    ) {
        return undefined;
    }
    const next = neighbour(deployed.phase, 1) as RotationState;
    return `rootCaCertPem: is the next root (SHA-256 ${deployed.next}), which finishes the rotation, but the deployed phase is "${deployed.phase}": keep the rotation's keys, ${setTo(next)}, pulumi up, and ${WAIT} before the next phase; finish after "drop-old" (${GUIDE})`;
}

/** Finishing: after `drop-old`, the next root becomes `rootCaCertPem` and nothing else moves. */
function finishProblem(config: RootRotationRecord, deployed: RootRotationRecord): string[] {
    if (deployed.next === undefined || config.root === deployed.next) {
        return [];
    }
    return [
        `rootRotation: is not set while the deployed phase is "drop-old"; to finish the rotation, set rootCaCertPem and rootCaKeyPem from the files nextRootCaCertPem and nextRootCaKeyPem came from (SHA-256 ${deployed.next}) and remove rootRotation, nextRootCaCertPem and nextRootCaKeyPem; to roll back instead, set rootRotation to "sign-with-new" (${GUIDE})`,
    ];
}

/** The root the stack ran on must stay until the rotation finishes. */
function rootProblem(config: RootRotationRecord, deployed: RootRotationRecord): string[] {
    if (deployed.generated === undefined) {
        return [];
    }
    const during = deployed.phase !== NO_ROTATION || config.phase !== NO_ROTATION;
    const keep = during
        ? `keep the root the rotation started from until it has finished (${GUIDE})`
        : `a root changes every cluster's trust anchor at once, so move to a new one with a root rotation instead: keep rootCaCertPem as deployed and set nextRootCaCertPem, nextRootCaKeyPem and rootRotation: trust-both (${GUIDE})`;
    if (deployed.generated && !config.generated) {
        return [
            `rootCaCertPem: is set, and the stack runs on its generated root (SHA-256 ${deployed.root}); ${keep}`,
        ];
    }
    if (!deployed.generated && config.generated) {
        return [
            `rootCaCertPem: is not set, so the stack would generate a new root in place of the deployed one (SHA-256 ${deployed.root}): set it back`,
        ];
    }
    if (!config.generated && config.root !== deployed.root) {
        return [
            `rootCaCertPem: SHA-256 ${config.root ?? "(unreadable)"} is not the deployed root (SHA-256 ${deployed.root}); ${keep}`,
        ];
    }
    return [];
}

/** The next root is fixed from `trust-both` to the end. */
function nextProblem(config: RootRotationRecord, deployed: RootRotationRecord): string[] {
    if (deployed.next === undefined || config.next === deployed.next) {
        return [];
    }
    return [
        `nextRootCaCertPem: SHA-256 ${config.next ?? "(unreadable)"} is not the root the deployed phase "${deployed.phase}" moves to (SHA-256 ${deployed.next}); a rotation keeps one next root to its end: set it back, or roll the rotation back phase by phase first (${GUIDE})`,
    ];
}

/**
 * The rotation's step from what the stack last deployed: one phase forward or back, from the
 * same root to the same next root, and finishing only onto the next root. A stack whose last
 * update recorded no root (deployed before rotations were recorded) is judged on phases alone.
 */
export function rootRotationSteps(config: PlatformConfig, deployed: DeployedState): string[] {
    const parsed = recordSchema.safeParse(deployed.lifecycle.rootRotation ?? {});
    const before: RootRotationRecord = parsed.success ? parsed.data : { phase: NO_ROTATION };
    const now = configured(config);
    const early = earlyFinishProblem(now, before);
    if (early !== undefined) {
        return [early];
    }
    const skip = skipProblem(before.phase, now.phase);
    if (skip !== undefined) {
        return [skip];
    }
    if (before.phase === "drop-old" && now.phase === NO_ROTATION) {
        return finishProblem(now, before);
    }
    return [
        ...rootProblem(now, before),
        ...(now.phase === NO_ROTATION ? [] : nextProblem(now, before)),
    ];
}
