import * as pulumi from "@pulumi/pulumi";
import { PeerStackConfig, PlatformConfig } from "../config";
import { MeshPeer, RemoteSecrets } from "../mesh/remoteSecrets";
import { checkedPeer } from "../meshPeer";
import { nameFragment } from "../names";
import { PlatformCluster } from "./clusters";

/**
 * The mesh's wiring: in every cluster, a remote secret for every other cluster of the mesh,
 * this stack's and its peer stacks'.
 */
export function wireRemoteSecrets(
    parent: pulumi.ComponentResource,
    config: PlatformConfig,
    clusters: readonly PlatformCluster[],
    rootCaCertPem: pulumi.Output<string>,
): void {
    const local: MeshPeer[] = clusters.map(({ config: c, eks, istio }) => ({
        name: c.name,
        endpoint: eks.endpoint,
        certificateAuthorityData: istio.readerCaData,
        token: istio.readerToken,
    }));
    const remote = config.mesh.peers.flatMap((peer) =>
        peerStackClusters(parent, config, peer, rootCaCertPem),
    );
    for (const { config: c, eks, istio } of clusters) {
        new RemoteSecrets(
            c.name,
            {
                peers: [...local.filter((p) => p.name !== c.name), ...remote],
                namespace: istio.namespace,
                provider: eks.provider,
            },
            { parent },
        );
    }
}

/**
 * A peer stack's clusters, read from its `meshPeers` output. A peer that does not export a
 * configured cluster, or belongs to another mesh (mesh id, trust domain or root CA differ),
 * fails the update with a message saying which.
 */
function peerStackClusters(
    parent: pulumi.ComponentResource,
    config: PlatformConfig,
    peer: PeerStackConfig,
    rootCaCertPem: pulumi.Output<string>,
): MeshPeer[] {
    const ref = new pulumi.StackReference(
        `peer-${nameFragment(peer.stack)}`,
        { name: peer.stack },
        { parent },
    );
    const exported = ref.getOutput("meshPeers");
    return peer.clusters.map((wanted) => {
        const entry = pulumi.all([exported, rootCaCertPem]).apply(([list, root]) =>
            checkedPeer(peer.stack, wanted.name, list, {
                meshId: config.mesh.meshId,
                trustDomain: config.mesh.trustDomain,
                rootCaCertPem: root,
            }),
        );
        return {
            name: wanted.name,
            endpoint: entry.endpoint,
            certificateAuthorityData: entry.certificateAuthorityData,
            token: pulumi.secret(entry.token),
        };
    });
}
