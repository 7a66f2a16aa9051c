import * as pulumi from "@pulumi/pulumi";
import { ConfigError, PlatformConfig } from "../config";
import { joinPem, NO_ROTATION, rootsOfPhase } from "../caLifecycle";
import { checkPeerOutputs, PeerOutputs, PeerStack } from "../meshPeer";
import { nameFragment } from "../names";

/**
 * The peer stacks of `mesh.peers`, read through StackReferences and checked before anything of
 * this stack is created: a peer that is not deployed, exports something unusable, or disagrees
 * with this stack's config or mesh identity stops the update with every problem listed, as
 * invalid configuration does. Reading them up front (rather than inside `apply`) keeps the
 * messages plain and lets the program decide, with plain values, which peerings to make.
 */
export async function readPeerStacks(config: PlatformConfig): Promise<PeerStack[]> {
    const { mesh } = config;
    if (mesh.peers.length === 0) {
        return [];
    }
    if (mesh.rootCa === undefined) {
        // The config checks refuse peers without a shared root; this keeps the types honest.
        throw new ConfigError(["mesh.peers: a shared root CA (rootCaCertPem) is required"]);
    }
    const roots = rootsOfPhase(
        mesh.rootRotation?.phase ?? NO_ROTATION,
        mesh.rootCa.certPem,
        mesh.rootRotation?.nextRoot.certPem,
    );
    const ours = {
        meshId: mesh.meshId,
        trustDomain: mesh.trustDomain,
        rootCaCertPem: roots.signing,
        trustBundlePem: joinPem(...roots.trusted),
    };
    const results = await Promise.all(
        mesh.peers.map(async (p, i) => {
            const ref = new pulumi.StackReference(`peer-${nameFragment(p.stack)}`, {
                name: p.stack,
            });
            const read = async (name: keyof PeerOutputs) => {
                const details = await ref.getOutputDetails(name);
                return details.value ?? details.secretValue;
            };
            const outputs: PeerOutputs = {
                meshPeers: await read("meshPeers"),
                transitGateways: await read("transitGateways"),
                transitGatewayPeerings: await read("transitGatewayPeerings"),
            };
            return checkPeerOutputs({ key: `mesh.peers[${i}]`, ...p }, outputs, ours);
        }),
    );
    const problems = results.flatMap((r) => r.problems);
    if (problems.length > 0) {
        throw new ConfigError(problems);
    }
    return results.map((r) => r.peer as PeerStack);
}
