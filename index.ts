import { loadConfig } from "./components/config";
import { Platform } from "./components/platform";
import { readPeerStacks } from "./components/platform/peerStacks";

// Validation runs before any resource is registered: a bad config creates nothing. Peer stacks
// are read and checked next, also before anything is created; then one Platform builds it all.
export = async () => {
    const config = loadConfig();
    const peers = await readPeerStacks(config);
    const platform = new Platform(config.environment, { config, peers });
    return {
        environment: config.environment,
        meshId: config.mesh.meshId,
        trustDomain: config.mesh.trustDomain,
        istioVersion: config.mesh.istioVersion,
        dataplaneMode: config.mesh.dataplaneMode,
        rootCaCertPem: platform.rootCaCertPem,
        clusters: platform.clusterOutputs(),
        transitGateways: platform.transitGateways,
        transitGatewayPeerings: platform.transitGatewayPeerings,
        /** Read by peer stacks of the same mesh (`mesh.peers`); holds reader tokens, so secret. */
        meshPeers: platform.meshPeers,
    };
};
