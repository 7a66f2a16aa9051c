import { ConfigError, loadConfig } from "./components/config";
import { checkTransitions } from "./components/config/transitionChecks";
import { Platform } from "./components/platform";
import { readDeployedState } from "./components/platform/deployedState";
import { readPeerStacks } from "./components/platform/peerStacks";
import { checkReaderTokenUse } from "./components/platform/readerTokens";

// Validation runs before any resource is registered: a bad config creates nothing. What the
// stack's last update deployed and what its peer stacks export are read and checked next, also
// before anything is created; then one Platform builds it all.
export = async () => {
    const config = loadConfig();
    const deployed = await readDeployedState();
    const steps = checkTransitions(config, deployed);
    if (steps.length > 0) {
        throw new ConfigError(steps);
    }
    const peers = await readPeerStacks(config);
    checkReaderTokenUse(config, deployed, peers);
    const platform = new Platform(config.environment, { config, peers, deployed });
    return {
        environment: config.environment,
        meshId: config.mesh.meshId,
        trustDomain: config.mesh.trustDomain,
        istioVersion: config.mesh.istioVersion,
        dataplaneMode: config.mesh.dataplaneMode,
        rootCaCertPem: platform.rootCaCertPem,
        /** What every cluster trusts: the root, or during a root rotation the roots of its phase. */
        trustBundlePem: platform.trustBundlePem,
        clusters: platform.clusterOutputs(),
        transitGateways: platform.transitGateways,
        transitGatewayPeerings: platform.transitGatewayPeerings,
        /** Where the stack stands in its step-by-step operations; read back by its next update. */
        lifecycle: platform.lifecycle,
        /** Read by peer stacks of the same mesh (`mesh.peers`); holds reader tokens, so secret. */
        meshPeers: platform.meshPeers,
    };
};
