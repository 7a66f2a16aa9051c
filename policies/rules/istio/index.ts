/**
 * The istio-*, istiod-* and ztunnel-* rules: the Istio ambient multi-primary, multi-network mesh,
 * from the charts it is installed from to what istiod, ztunnel and the remote secrets must agree
 * on.
 */

export * from "./ambient";
export * from "./ca";
export * from "./charts";
export * from "./eastWest";
export * from "./identity";
export * from "./remoteSecrets";
export * from "./trust";
