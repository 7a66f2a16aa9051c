import type { PeerStack } from "../meshPeer";
import { DeployedState } from "./deployed";
import { Problems, show } from "./problems";
import { ParsedMesh } from "./schema";

/**
 * Rotating the reader token without a gap (`mesh.readerTokenRotation`, docs/operations.md ("Rotating the reader tokens")).
 *
 * Every remote secret of the mesh (in this stack's other clusters, and in the peer stacks'
 * clusters) carries the bearer token of a cluster's `istio-reader-service-account`: a legacy
 * token held in a `kubernetes.io/service-account-token` Secret, valid as long as that Secret
 * exists (the API server looks the Secret up on every request and refuses a token whose Secret
 * is gone: kubernetes/kubernetes `pkg/serviceaccount/legacy.go`, `legacyValidator.Validate`).
 * A rotation therefore has three phases, one `pulumi up` each, and generation N names the token
 * being rotated in (generation 0 is the Secret every stack starts with):
 *
 * - `issue`: generation N is created beside N-1; every remote secret still carries N-1, and the
 *   stack exports N as `nextToken`.
 * - `switch`: every remote secret of this stack moves to N, in place; the stack exports N as
 *   `token`, and each peer stack moves its remote secrets to it on its next update. N-1 stays
 *   valid, so whoever has not moved yet keeps working.
 * - `retire`: N-1 is deleted, once every consumer carries N: this stack's own since `switch`,
 *   and each peer stack's as it says in its `peerTokenGenerations` export.
 *
 * istiod takes a changed remote secret make-before-break (it builds the cluster's new registry
 * and closes the old one once the new has synced), but closes the old one as well when the new
 * one fails or times out (istio/istio 1.30.3 `pkg/kube/multicluster/cluster.go:193-196`), so
 * the token a remote secret moves to must already be valid: hence `issue` before `switch`.
 */

/** The key, as the parsed and the resolved config both hold it. */
type RotationConfig = Pick<ParsedMesh, "readerTokenRotation">;

export type ReaderTokenPhase = NonNullable<ParsedMesh["readerTokenRotation"]>["phase"];

export interface ReaderTokenState {
    readonly generation: number;
    readonly phase: ReaderTokenPhase;
}

/** A stack that never rotated: generation 0 alone, as if its rotation to 0 were retired. */
export const NOT_ROTATED: ReaderTokenState = { generation: 0, phase: "retire" };

const PHASES: readonly ReaderTokenPhase[] = ["issue", "switch", "retire"];

/** What one phase deploys in every cluster of the stack. */
export interface ReaderTokenPlan {
    /** The token Secrets that exist, oldest first. */
    readonly generations: readonly number[];
    /** The one every remote secret carries and peers read as `token`. */
    readonly inUse: number;
    /** Issued beside it and not used yet: exported as `nextToken`. */
    readonly next?: number;
}

export function readerTokenPlan(state: ReaderTokenState = NOT_ROTATED): ReaderTokenPlan {
    const n = state.generation;
    switch (state.phase) {
        case "issue":
            return { generations: [n - 1, n], inUse: n - 1, next: n };
        case "switch":
            return { generations: [n - 1, n], inUse: n };
        case "retire":
            return { generations: [n], inUse: n };
    }
}

/** `mesh.readerTokenRotation` on its own: generation 0 is the token a stack starts with. */
export function checkReaderTokenRotation(mesh: RotationConfig, problems: Problems): void {
    const rotation = mesh.readerTokenRotation;
    if (rotation !== undefined && rotation.generation < 1) {
        problems.push(
            `mesh.readerTokenRotation.generation: ${rotation.generation} is below 1; generation 0 is the token the stack started with, and the first rotation is generation 1`,
        );
    }
}

/** Where a state stands on the one line every rotation follows: generation 0 alone is 0. */
const position = (s: ReaderTokenState) => 3 * s.generation - 2 + PHASES.indexOf(s.phase);

function atPosition(n: number): ReaderTokenState {
    const generation = Math.ceil(n / 3);
    return { generation, phase: PHASES[n - 3 * generation + 2] };
}

/** What a deployed state holds, in the words of the messages. */
function described(s: ReaderTokenState): string {
    const n = s.generation;
    switch (s.phase) {
        case "issue":
            return `generation ${n} issued beside ${n - 1}, which every remote secret still carries`;
        case "switch":
            return `every remote secret switched to generation ${n}, ${n - 1} still valid`;
        case "retire":
            return n === 0 ? "generation 0 alone, never rotated" : `generation ${n} alone`;
    }
}

const shown = (s: ReaderTokenState | undefined) =>
    s === undefined ? "not set (generation 0)" : `generation ${s.generation}, phase "${s.phase}"`;

/** How to configure a state. */
function target(s: ReaderTokenState): string {
    return position(s) === 0
        ? "remove mesh.readerTokenRotation (generation 0)"
        : `set generation ${s.generation}, phase "${s.phase}"`;
}

/** The deployed state from the `lifecycle` output, or a problem when it cannot be read. */
function deployedTokens(deployed: DeployedState): ReaderTokenState | string {
    const recorded = deployed.lifecycle.readerTokens;
    if (recorded === undefined) {
        return NOT_ROTATED;
    }
    const phase = PHASES.find((p) => p === recorded.phase);
    if (phase === undefined || !Number.isInteger(recorded.generation) || recorded.generation < 1) {
        return `mesh.readerTokenRotation: the stack's last update recorded reader tokens ${show(recorded)}, which this program cannot read; deploy with the program version that wrote it`;
    }
    return { generation: recorded.generation, phase };
}

/**
 * One phase per `pulumi up`, forward or back (going back from `switch` to `issue` moves every
 * remote secret back to the older token, which is still valid; back from `issue` deletes the
 * token no remote secret carries yet). Each problem names the next step.
 */
export function readerTokenSteps(mesh: RotationConfig, deployed: DeployedState): string[] {
    const before = deployedTokens(deployed);
    if (typeof before === "string") {
        return [before];
    }
    const wanted = mesh.readerTokenRotation;
    const after = wanted ?? NOT_ROTATED;
    const step = position(after) - position(before);
    const key = "mesh.readerTokenRotation";
    if (wanted === undefined && step < 0 && before.phase === "retire") {
        return [
            `${key}: not set, but the stack runs reader token generation ${before.generation}; keep generation ${before.generation}, phase "retire" in the config once a rotation is done`,
        ];
    }
    if (step > 1) {
        return [
            `${key}: ${shown(wanted)} is ${step} phases ahead of what is deployed (${described(before)}); reader tokens rotate one phase per pulumi up: ${target(atPosition(position(before) + 1))}, pulumi up, and go on from there`,
        ];
    }
    if (step < -1) {
        return [
            `${key}: ${shown(wanted)} is ${-step} phases behind what is deployed (${described(before)}); a rotation goes back one phase per pulumi up: ${target(atPosition(position(before) - 1))}, pulumi up, and go on from there`,
        ];
    }
    return [];
}

/** The generations this update deletes: those deployed that the wanted phase no longer has. */
export function deletedGenerations(mesh: RotationConfig, deployed: DeployedState): number[] {
    const before = deployedTokens(deployed);
    if (typeof before === "string") {
        return [];
    }
    const kept = readerTokenPlan(mesh.readerTokenRotation ?? NOT_ROTATED).generations;
    return readerTokenPlan(before).generations.filter((n) => !kept.includes(n));
}

const list = (names: readonly string[]) => names.join(", ");
const plural = (names: readonly string[], word: string) =>
    `${word}${names.length === 1 ? "" : "s"} ${list(names)}`;

/**
 * Deleting a token Secret invalidates the token at once, so an update that deletes one (`retire`,
 * or going back from `issue`) is refused while any peer stack's remote secrets may still carry
 * it. This stack cannot read those secrets; each peer says in its `meshPeers` export, per
 * cluster, which generation of each peer cluster's token its remote secrets carry
 * (`peerTokenGenerations`). A peer that does not say (a version from before rotation) is
 * refused too: silence is not a switch.
 */
export function readerTokensStillInUse(
    mesh: RotationConfig,
    clusters: readonly string[],
    deployed: DeployedState | undefined,
    peers: readonly PeerStack[],
): string[] {
    const deleted = deployed === undefined ? [] : deletedGenerations(mesh, deployed);
    if (deleted.length === 0) {
        return [];
    }
    const inUse = readerTokenPlan(mesh.readerTokenRotation ?? NOT_ROTATED).inUse;
    const lead = `mesh.readerTokenRotation: ${shown(mesh.readerTokenRotation)} deletes reader token generation ${list(deleted.map(String))} of this stack's clusters`;
    return peers.flatMap((peer) => {
        const silent = peer.exported.filter((q) => q.peerTokenGenerations === undefined);
        if (silent.length > 0) {
            return [
                `${lead}, but ${peer.stack} does not say which generation its remote secrets carry (no peerTokenGenerations in its meshPeers: an eks-ambient-mesh from before reader-token rotation); update that stack to this version and pulumi up it first, then here again`,
            ];
        }
        const using = peer.exported.filter((q) =>
            clusters.some((c) => deleted.includes(q.peerTokenGenerations?.[c] ?? -1)),
        );
        if (using.length === 0) {
            return [];
        }
        return [
            `${lead}, but ${peer.stack} still uses it: the remote secrets of its ${plural(
                using.map((q) => q.name),
                "cluster",
            )} carry it; pulumi up ${peer.stack} first (it then reads generation ${inUse} from this stack's exports), then here again`,
        ];
    });
}
