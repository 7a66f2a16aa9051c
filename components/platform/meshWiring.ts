import * as pulumi from "@pulumi/pulumi";
import { MeshPeer, RemoteSecrets } from "../mesh/remoteSecrets";
import { PeerStack } from "../meshPeer";
import { PlatformCluster } from "./clusters";

/**
 * The mesh's wiring: in every cluster, a remote secret for every other cluster of the mesh,
 * this stack's and its peer stacks' (read and checked by `readPeerStacks`).
 */
export function wireRemoteSecrets(
    parent: pulumi.ComponentResource,
    clusters: readonly PlatformCluster[],
    peers: readonly PeerStack[],
): void {
    const local: MeshPeer[] = clusters.map(({ config: c, eks, istio }) => ({
        name: c.name,
        endpoint: eks.endpoint,
        certificateAuthorityData: istio.readerCaData,
        token: istio.readerToken,
    }));
    const remote: MeshPeer[] = peers.flatMap((p) =>
        p.clusters.map((c) => ({
            name: c.name,
            endpoint: c.endpoint,
            certificateAuthorityData: c.certificateAuthorityData,
            token: pulumi.secret(c.token),
        })),
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
