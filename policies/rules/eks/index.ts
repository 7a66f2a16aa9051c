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
