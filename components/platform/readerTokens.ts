import * as pulumi from "@pulumi/pulumi";
import { ConfigError, MeshConfig, PlatformConfig } from "../config";
import { DeployedState, Lifecycle } from "../config/deployed";
import { readerTokensStillInUse } from "../config/readerTokens";
import { IstioMesh } from "../mesh/istioMesh";
import { MeshPeerOutputs, PeerStack } from "../meshPeer";

/**
 * Reader-token rotation across stacks (components/config/readerTokens.ts): what a cluster
 * exports about the tokens, what the stack records of its phase, and the check, made once the
 * peers are read, that no token this update deletes is still carried by a peer stack.
 */

/** The token fields of one cluster's `meshPeers` entry. */
export type ReaderTokenExports = Pick<
    MeshPeerOutputs,
    "token" | "tokenGeneration" | "nextToken" | "nextTokenGeneration" | "peerTokenGenerations"
>;

/**
 * `token` is the generation every remote secret carries now (peer stacks put it in theirs), with
 * its number; in phase `issue` the new token is exported beside it, unused. `peerTokenGenerations`
 * says which generation of each peer stack's cluster token this stack's remote secrets carry:
 * what it read from that peer in this update, since every cluster's remote secrets are written
 * from it.
 */
export function readerTokenExports(
    istio: IstioMesh,
    peers: readonly PeerStack[],
): ReaderTokenExports {
    const next = istio.nextReaderToken;
    return {
        token: istio.readerToken,
        tokenGeneration: istio.readerTokenGeneration,
        ...(next === undefined
            ? {}
            : { nextToken: next.token, nextTokenGeneration: next.generation }),
        peerTokenGenerations: Object.fromEntries(
            peers.flatMap((p) => p.clusters.map((c) => [c.name, c.tokenGeneration ?? 0])),
        ),
    };
}

/** The `lifecycle` output's `readerTokens`: recorded while the key is set. */
export function readerTokenLifecycle(mesh: MeshConfig): Pick<Lifecycle, "readerTokens"> {
    const rotation = mesh.readerTokenRotation;
    return rotation === undefined
        ? {}
        : { readerTokens: { phase: rotation.phase, generation: rotation.generation } };
}

/**
 * What a peer stack's rotation means here: a token issued beside the one this stack's remote
 * secrets carry, which they move to on this stack's first update after the peer's `switch`.
 */
export function peerRotationNotices(peers: readonly PeerStack[]): string[] {
    return peers.flatMap(({ stack, clusters }) => {
        const issued = clusters.filter((c) => c.nextTokenGeneration !== undefined);
        if (issued.length === 0) {
            return [];
        }
        const { tokenGeneration = 0, nextTokenGeneration } = issued[0];
        return [
            `${stack} has issued reader token generation ${String(nextTokenGeneration)} beside generation ${tokenGeneration}, which this stack's remote secrets for ${issued.map((c) => c.name).join(", ")} carry; they move to it on this stack's first pulumi up after ${stack} switches, and ${stack} retires generation ${tokenGeneration} only after that`,
        ];
    });
}

/**
 * Refuses an update that would delete a reader token a peer stack still carries, before
 * anything is created, and tells of the peers' rotations under way.
 */
export function checkReaderTokenUse(
    config: PlatformConfig,
    deployed: DeployedState | undefined,
    peers: readonly PeerStack[],
): void {
    const clusters = config.clusters.map((c) => c.name);
    const problems = readerTokensStillInUse(config.mesh, clusters, deployed, peers);
    if (problems.length > 0) {
        throw new ConfigError(problems);
    }
    peerRotationNotices(peers).forEach((n) => void pulumi.log.warn(n));
}
