import { loadConfig } from "./components/config";
import { Platform } from "./components/platform";

// Validation runs before any resource is registered: a bad config creates nothing.
const config = loadConfig();
const platform = new Platform(config.environment, { config });

export const environment = config.environment;
export const meshId = config.mesh.meshId;
export const trustDomain = config.mesh.trustDomain;
export const istioVersion = config.mesh.istioVersion;
export const dataplaneMode = config.mesh.dataplaneMode;
export const rootCaCertPem = platform.rootCaCertPem;
export const clusters = platform.clusterOutputs();
export const transitGateways = platform.transitGateways;
/** Read by peer stacks of the same mesh (`mesh.peers`); holds reader tokens, so secret. */
export const meshPeers = platform.meshPeers;
