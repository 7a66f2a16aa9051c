import { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { eksVersionEndOfSupport, eksVersionExtendedSupport } from "./calendar";
import {
    eksAuthenticationMode,
    eksControlPlaneLogging,
    eksDeletionProtection,
    eksKubernetesVersion,
    eksPrivateEndpoint,
    eksPublicEndpointRestricted,
    eksSecretsEncryption,
} from "./cluster";
import { eksClusterRolePolicies } from "./clusterRole";
import {
    eksDefaultNodeGroup,
    nodeGroupAmi,
    nodeGroupInstanceTypes,
    nodeGroupScaling,
} from "./nodeGroup";
import { eksServiceCidrsDisjoint } from "./serviceCidrs";
import { eksVpcCniEnforcingMode, eksVpcCniPodEni, eksVpcCniTcpEarlyDemux } from "./vpcCni";

/**
 * The eks-* rules: EKS clusters, their VPC CNI, nodes, service CIDRs and control-plane role.
 * Resource rules check the `@pulumi/eks` components, which a provider plugin builds: there is
 * no class to match on, so type tokens identify them and the args types describe their inputs.
 */

export * from "./calendar";
export * from "./cluster";
export * from "./clusterRole";
export * from "./nodeGroup";
export * from "./serviceCidrs";
export * from "./vpcCni";

export const eksPolicies: (ResourceValidationPolicy | StackValidationPolicy)[] = [
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
    eksServiceCidrsDisjoint,
    eksClusterRolePolicies,
];
