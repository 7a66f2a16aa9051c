import { EnforcementLevel, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import {
    eksAuthenticationMode,
    eksClusterRolePolicies,
    eksControlPlaneLogging,
    eksDefaultNodeGroup,
    eksDeletionProtection,
    eksKubernetesVersion,
    eksPrivateEndpoint,
    eksPublicEndpointRestricted,
    eksSecretsEncryption,
    eksServiceCidrsDisjoint,
    eksVersionEndOfSupport,
    eksVersionExtendedSupport,
    eksVpcCniEnforcingMode,
    eksVpcCniPodEni,
    eksVpcCniTcpEarlyDemux,
    nodeGroupAmi,
    nodeGroupInstanceTypes,
    nodeGroupScaling,
} from "./eks";
import { helmRepositoryHttps, helmVersionPinned } from "./helm";
import {
    istioAmbientProfile,
    istioCacertsComplete,
    istioCacertsShareRoot,
    istioClusterIdentity,
    istiodMultiNetwork,
    istiodWaitsForCacerts,
    istioEastWestInternal,
    istioEastWestModes,
    istioMeshIdentity,
    istioNetworkLabel,
    istioRemoteSecretKubeconfig,
    istioRemoteSecretMetadata,
    istioRepositoryAllowed,
    istioTrustChainsVerify,
    istioVersionEndOfLife,
    istioVersionsConsistent,
    ztunnelMatchesIstiod,
} from "./istio";
import { kmsKeyRotation } from "./kms";
import {
    securityGroupNoWorldIngress,
    securityGroupRuleDescribed,
    transitGatewayAutoAccept,
    vpcAttachedToTransitGateway,
    vpcCidrsDoNotOverlap,
    vpcCidrSize,
    vpcDns,
} from "./network";
import { meshReachabilityPolicy } from "./reachability";
import { awsRequiredTags } from "./tags";
import {
    tlsCaCertificateSigning,
    tlsCaKeyStrength,
    tlsIntermediatePathLength,
    tlsPrivateKeyStrength,
    tlsValidityOrdering,
} from "./tls";

/**
 * Every rule of the pack, importable without starting it: `new PolicyPack()` starts a gRPC
 * server, so only `policies/index.ts` constructs one; tests and the offline plan use this list.
 */

export const packName = "eks-ambient-mesh";

/** Applies only to a rule that names no level of its own: fail closed. */
export const packEnforcementLevel: EnforcementLevel = "mandatory";

/**
 * Listed one by one rather than module by module: plans record the rules in this order
 * (`policyPacks[].policies`) and report violations in it, so moving a rule to another module
 * must not move it here. A new rule goes at the end.
 */
export const policies: (ResourceValidationPolicy | StackValidationPolicy)[] = [
    eksKubernetesVersion,
    eksVersionExtendedSupport,
    eksVersionEndOfSupport,
    eksControlPlaneLogging,
    eksSecretsEncryption,
    eksPrivateEndpoint,
    eksPublicEndpointRestricted,
    eksAuthenticationMode,
    eksVpcCniPodEni,
    eksVpcCniEnforcingMode,
    eksVpcCniTcpEarlyDemux,
    eksDefaultNodeGroup,
    eksDeletionProtection,
    nodeGroupInstanceTypes,
    nodeGroupScaling,
    nodeGroupAmi,
    vpcCidrSize,
    vpcDns,
    transitGatewayAutoAccept,
    securityGroupNoWorldIngress,
    securityGroupRuleDescribed,
    kmsKeyRotation,
    vpcCidrsDoNotOverlap,
    vpcAttachedToTransitGateway,
    eksServiceCidrsDisjoint,
    eksClusterRolePolicies,
    tlsPrivateKeyStrength,
    tlsCaKeyStrength,
    tlsCaCertificateSigning,
    tlsIntermediatePathLength,
    tlsValidityOrdering,
    helmVersionPinned,
    helmRepositoryHttps,
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
    meshReachabilityPolicy,
    awsRequiredTags,
    istioTrustChainsVerify,
];

export * from "./eks";
export * from "./helm";
export * from "./istio";
export * from "./kms";
export * from "./network";
export * from "./reachability";
export * from "./tags";
export * from "./tls";
// Helpers that rule modules used to export, kept importable from the pack's index.
export { AS_OF_PROPERTY, chartBaseName, helmReleases, judgedDay, refersTo } from "./util";
export type { HelmRelease } from "./util";
