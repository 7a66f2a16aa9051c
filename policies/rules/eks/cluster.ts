import type * as eks from "@pulumi/eks";
import { PolicyConfigSchema, ResourceValidationPolicy } from "@pulumi/policy";
import { configOf, isWorldCidr, validateTypeToken } from "../util";

/** EKS clusters: Kubernetes version, audit logs, Secrets encryption, API endpoints, access. */

export const EKS_CLUSTER = "eks:index:Cluster";

/** Kubernetes minors the platform creates clusters on (the program's versions table). */
export const DEFAULT_KUBERNETES_VERSIONS = [
    "1.28",
    "1.29",
    "1.30",
    "1.31",
    "1.32",
    "1.33",
    "1.34",
    "1.35",
];
export const CONTROL_PLANE_LOG_TYPES = [
    "api",
    "audit",
    "authenticator",
    "controllerManager",
    "scheduler",
];

const versionSchema: PolicyConfigSchema = {
    properties: {
        allowedVersions: {
            type: "array",
            items: { type: "string" },
            default: DEFAULT_KUBERNETES_VERSIONS,
            description: "Kubernetes minor versions clusters may run.",
        },
    },
};

export const eksKubernetesVersion: ResourceValidationPolicy = {
    name: "eks-kubernetes-version-allowed",
    description:
        "EKS clusters run a pinned Kubernetes version that the platform and Istio support.",
    enforcementLevel: "mandatory",
    configSchema: versionSchema,
    validateResource: validateTypeToken<eks.ClusterArgs>(EKS_CLUSTER, (cluster, args, report) => {
        const { allowedVersions } = configOf<{ allowedVersions: string[] }>(versionSchema, args);
        const allowed = allowedVersions.join(", ");
        if (cluster.version === undefined) {
            report(`version is not set, so EKS picks its own default; pin one of ${allowed}.`);
        } else if (!allowedVersions.includes(cluster.version)) {
            report(`version "${cluster.version}" is not allowed; use one of ${allowed}.`);
        }
    }),
};

const logsSchema: PolicyConfigSchema = {
    properties: {
        requiredLogTypes: {
            type: "array",
            items: { type: "string" },
            default: CONTROL_PLANE_LOG_TYPES,
            description: "Control-plane log types every cluster sends to CloudWatch.",
        },
    },
};

export const eksControlPlaneLogging: ResourceValidationPolicy = {
    name: "eks-control-plane-logging",
    description: "EKS clusters send every control-plane log type to CloudWatch.",
    enforcementLevel: "mandatory",
    configSchema: logsSchema,
    validateResource: validateTypeToken<eks.ClusterArgs>(EKS_CLUSTER, (cluster, args, report) => {
        const { requiredLogTypes } = configOf<{ requiredLogTypes: string[] }>(logsSchema, args);
        const enabled = cluster.enabledClusterLogTypes ?? [];
        const missing = requiredLogTypes.filter((t) => !enabled.includes(t));
        if (missing.length > 0) {
            report(
                `enabledClusterLogTypes lacks ${missing.join(", ")}; ` +
                    `enable ${requiredLogTypes.join(", ")} so control-plane activity is audited.`,
            );
        }
    }),
};

export const eksSecretsEncryption: ResourceValidationPolicy = {
    name: "eks-secrets-encryption",
    description: "EKS clusters encrypt Kubernetes Secrets with a KMS key.",
    enforcementLevel: "mandatory",
    validateResource: validateTypeToken<eks.ClusterArgs>(EKS_CLUSTER, (cluster, _args, report) => {
        if (!cluster.encryptionConfigKeyArn) {
            report(
                "encryptionConfigKeyArn is not set, so Secrets (the mesh CA key in cacerts, " +
                    "remote-cluster tokens) are stored without envelope encryption; set a KMS key ARN.",
            );
        }
    }),
};

export const eksPrivateEndpoint: ResourceValidationPolicy = {
    name: "eks-private-endpoint-enabled",
    description: "EKS clusters enable the private API endpoint that nodes and peer istiods use.",
    enforcementLevel: "mandatory",
    validateResource: validateTypeToken<eks.ClusterArgs>(EKS_CLUSTER, (cluster, _args, report) => {
        if (cluster.endpointPrivateAccess !== true) {
            report(
                "endpointPrivateAccess is not true; the other clusters' istiod reach this API " +
                    "server over the Transit Gateway, so the private endpoint must be on.",
            );
        }
    }),
};

export const eksPublicEndpointRestricted: ResourceValidationPolicy = {
    name: "eks-public-endpoint-restricted",
    description:
        "A public EKS API endpoint is restricted to known networks, not the whole internet.",
    enforcementLevel: "advisory",
    validateResource: validateTypeToken<eks.ClusterArgs>(EKS_CLUSTER, (cluster, _args, report) => {
        // pulumi-eks keeps the public endpoint on unless told otherwise, open to 0.0.0.0/0.
        if (cluster.endpointPublicAccess === false) {
            return;
        }
        const cidrs = cluster.publicAccessCidrs ?? ["0.0.0.0/0"];
        const world = cidrs.filter(isWorldCidr);
        if (world.length > 0) {
            const origin = cluster.publicAccessCidrs === undefined ? " (the default)" : "";
            report(
                `the public API endpoint is open to ${world.join(", ")}${origin}; restrict ` +
                    "publicAccessCidrs to known networks or set endpointPublicAccess to false.",
            );
        }
    }),
};

const authenticationSchema: PolicyConfigSchema = {
    properties: {
        allowedModes: {
            type: "array",
            items: { type: "string" },
            default: ["API"],
            description: "Cluster authentication modes allowed (API: access entries only).",
        },
    },
};

export const eksAuthenticationMode: ResourceValidationPolicy = {
    name: "eks-authentication-mode-api",
    description: "EKS clusters grant access through access entries, not the aws-auth ConfigMap.",
    enforcementLevel: "mandatory",
    configSchema: authenticationSchema,
    validateResource: validateTypeToken<eks.ClusterArgs>(EKS_CLUSTER, (cluster, args, report) => {
        const { allowedModes } = configOf<{ allowedModes: string[] }>(authenticationSchema, args);
        const mode = cluster.authenticationMode;
        if (mode === undefined || !allowedModes.includes(mode)) {
            const shown = mode === undefined ? "is not set" : `"${mode}" is not allowed`;
            report(`authenticationMode ${shown}; use ${allowedModes.join(" or ")}.`);
        }
    }),
};

const deletionProtectionSchema: PolicyConfigSchema = {
    properties: {
        environmentTagKey: {
            type: "string",
            default: "environment",
            description: "Tag whose value names the environment.",
        },
        protectedEnvironments: {
            type: "array",
            items: { type: "string" },
            default: ["prod", "production"],
            description: "Environments whose clusters need deletion protection.",
        },
    },
};

export const eksDeletionProtection: ResourceValidationPolicy = {
    name: "eks-deletion-protection",
    description: "Production EKS clusters have deletion protection on.",
    enforcementLevel: "advisory",
    configSchema: deletionProtectionSchema,
    validateResource: validateTypeToken<eks.ClusterArgs>(EKS_CLUSTER, (cluster, args, report) => {
        const cfg = configOf<{ environmentTagKey: string; protectedEnvironments: string[] }>(
            deletionProtectionSchema,
            args,
        );
        const environment = cluster.tags?.[cfg.environmentTagKey];
        if (
            environment !== undefined &&
            cfg.protectedEnvironments.includes(environment) &&
            cluster.deletionProtection !== true
        ) {
            report(
                `deletionProtection is not true on a cluster tagged ` +
                    `${cfg.environmentTagKey}=${environment}; turn it on.`,
            );
        }
    }),
};
