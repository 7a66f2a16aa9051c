import { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { istiodMultiNetwork, istioAmbientProfile } from "./ambient";
import { istioCacertsComplete, istioCacertsShareRoot, istiodWaitsForCacerts } from "./ca";
import { istioRepositoryAllowed, istioVersionEndOfLife, istioVersionsConsistent } from "./charts";
import { istioEastWestInternal, istioEastWestModes } from "./eastWest";
import {
    istioClusterIdentity,
    istioMeshIdentity,
    istioNetworkLabel,
    ztunnelMatchesIstiod,
} from "./identity";
import { istioRemoteSecretKubeconfig, istioRemoteSecretMetadata } from "./remoteSecrets";
import { istioTrustChainsVerify } from "./trust";

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

export const istioPolicies: (ResourceValidationPolicy | StackValidationPolicy)[] = [
    istioRepositoryAllowed,
    istioVersionsConsistent,
    istioVersionEndOfLife,
    istioNetworkLabel,
    istioCacertsComplete,
    istioRemoteSecretMetadata,
    istioRemoteSecretKubeconfig,
    istioEastWestInternal,
    istioAmbientProfile,
    istiodMultiNetwork,
    istiodWaitsForCacerts,
    istioCacertsShareRoot,
    ztunnelMatchesIstiod,
    istioMeshIdentity,
    istioClusterIdentity,
    istioEastWestModes,
    istioTrustChainsVerify,
];
