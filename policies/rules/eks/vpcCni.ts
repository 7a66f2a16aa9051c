import type * as eks from "@pulumi/eks";
import { ResourceValidationPolicy } from "@pulumi/policy";
import { validateTypeToken } from "../util";
import { EKS_CLUSTER } from "./cluster";

/** The VPC CNI settings that security groups for pods, and Istio's probes with them, need. */

/** The VPC CNI's `env` as pulumi-eks merges it: an object, or JSON text of one. */
function cniConfiguration(cluster: { vpcCniOptions?: { configurationValues?: unknown } }): {
    env?: Record<string, unknown>;
    init?: { env?: Record<string, unknown> };
} {
    const raw = cluster.vpcCniOptions?.configurationValues;
    if (typeof raw === "string") {
        try {
            return JSON.parse(raw) as ReturnType<typeof cniConfiguration>;
        } catch {
            return {};
        }
    }
    return (raw ?? {}) as ReturnType<typeof cniConfiguration>;
}

export const eksVpcCniPodEni: ResourceValidationPolicy = {
    name: "eks-vpc-cni-pod-eni",
    description: "The VPC CNI has pod ENIs on, which security groups for pods need.",
    enforcementLevel: "mandatory",
    validateResource: validateTypeToken<eks.ClusterArgs>(EKS_CLUSTER, (cluster, _args, report) => {
        if (cluster.vpcCniOptions?.enablePodEni !== true) {
            report(
                "vpcCniOptions.enablePodEni is not true; the platform isolates pods with " +
                    "security groups for pods, which need pod ENIs.",
            );
        }
    }),
};

export const eksVpcCniEnforcingMode: ResourceValidationPolicy = {
    name: "eks-vpc-cni-standard-enforcing-mode",
    description:
        "With security groups for pods, the VPC CNI uses the standard enforcing mode that Istio's probes need.",
    enforcementLevel: "mandatory",
    validateResource: validateTypeToken<eks.ClusterArgs>(EKS_CLUSTER, (cluster, _args, report) => {
        if (cluster.vpcCniOptions?.enablePodEni !== true) {
            return;
        }
        const mode = cniConfiguration(cluster).env?.POD_SECURITY_GROUP_ENFORCING_MODE;
        if (mode !== "standard") {
            const shown = mode === undefined ? "is not set (strict)" : `is ${JSON.stringify(mode)}`;
            report(
                `vpcCniOptions.configurationValues.env.POD_SECURITY_GROUP_ENFORCING_MODE ${shown}; ` +
                    'set "standard", or the link-local health probes that Istio rewrites are dropped.',
            );
        }
    }),
};

export const eksVpcCniTcpEarlyDemux: ResourceValidationPolicy = {
    name: "eks-vpc-cni-tcp-early-demux-disabled",
    description:
        "With security groups for pods, the VPC CNI turns TCP early demux off so probes reach pods.",
    enforcementLevel: "mandatory",
    validateResource: validateTypeToken<eks.ClusterArgs>(EKS_CLUSTER, (cluster, _args, report) => {
        const options = cluster.vpcCniOptions;
        if (options?.enablePodEni !== true) {
            return;
        }
        const initEnv = cniConfiguration(cluster).init?.env?.DISABLE_TCP_EARLY_DEMUX;
        if (options.disableTcpEarlyDemux !== true && initEnv !== "true") {
            report(
                "vpcCniOptions.disableTcpEarlyDemux is not true; kubelet TCP probes to pods with " +
                    "their own security groups (and Istio's probe fix) need TCP early demux off.",
            );
        }
    }),
};
