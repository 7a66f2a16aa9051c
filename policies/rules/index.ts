import { EnforcementLevel, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { eksPolicies } from "./eks";
import { helmPolicies } from "./helm";
import { istioPolicies } from "./istio";
import { networkPolicies } from "./network";
import { reachabilityPolicies } from "./reachability";
import { tagPolicies } from "./tags";
import { tlsPolicies } from "./tls";

/**
 * Every rule of the pack, importable without starting it: `new PolicyPack()` starts a gRPC
 * server, so only `policies/index.ts` constructs one; tests and the offline plan use this list.
 */

export const packName = "eks-ambient-mesh";

/** Applies only to a rule that names no level of its own: fail closed. */
export const packEnforcementLevel: EnforcementLevel = "mandatory";

export const policies: (ResourceValidationPolicy | StackValidationPolicy)[] = [
    ...eksPolicies,
    ...networkPolicies,
    ...tlsPolicies,
    ...helmPolicies,
    ...istioPolicies,
    ...reachabilityPolicies,
    ...tagPolicies,
];

export * from "./eks";
export * from "./helm";
export * from "./istio";
export * from "./network";
export * from "./reachability";
export * from "./tags";
export * from "./tls";
