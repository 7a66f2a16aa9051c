import { loadConfig } from "./components/config";
import { Platform } from "./components/platform";

// Validation runs before any resource is registered: a bad config creates nothing.
const config = loadConfig();
const platform = new Platform(config.environment, { config });

export const environment = config.environment;
export const clusters = platform.clusterOutputs();
export const transitGateways = platform.transitGateways;
