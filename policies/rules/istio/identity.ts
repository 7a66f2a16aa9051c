import * as k8s from "@pulumi/kubernetes";
import {
    PolicyConfigSchema,
    ResourceValidationPolicy,
    StackValidationPolicy,
    validateResourceOfType,
} from "@pulumi/policy";
import {
    byChart,
    byCluster,
    configOf,
    HelmRelease,
    helmReleases,
    providerKey,
    show,
} from "../util";

/**
 * What names each cluster in the mesh and the mesh itself: the network label, the cluster name
 * and network istiod and ztunnel share, one mesh ID and trust domain for all.
 */

export const NETWORK_LABEL = "topology.istio.io/network";

/** `istioNamespace`: where the rules that look for istio-system look. */
export const istioNamespaceSchema: PolicyConfigSchema = {
    properties: {
        istioNamespace: {
            type: "string",
            default: "istio-system",
            description: "Namespace istiod runs in.",
        },
    },
};

export const istioNetworkLabel: ResourceValidationPolicy = {
    name: "istio-system-network-label",
    description:
        "The istio-system namespace carries the topology.istio.io/network label naming its cluster's network.",
    enforcementLevel: "mandatory",
    configSchema: istioNamespaceSchema,
    validateResource: validateResourceOfType(k8s.core.v1.Namespace, (ns, args, report) => {
        const { istioNamespace } = configOf<{ istioNamespace: string }>(istioNamespaceSchema, args);
        if (ns.metadata?.name !== istioNamespace) {
            return;
        }
        if (!ns.metadata.labels?.[NETWORK_LABEL]) {
            report(
                `namespace ${istioNamespace} has no ${NETWORK_LABEL} label; istiod learns each ` +
                    "cluster's network only from this label.",
            );
        }
    }),
};

export const ztunnelMatchesIstiod: StackValidationPolicy = {
    name: "ztunnel-matches-istiod",
    description: "In each cluster, ztunnel's cluster name and network equal istiod's.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const clusters = byCluster(helmReleases(args.resources));
        let checked = false;
        for (const cluster of clusters) {
            const [istiod] = byChart(cluster, "istiod");
            if (istiod === undefined) {
                continue;
            }
            for (const ztunnel of byChart(cluster, "ztunnel")) {
                checked = true;
                const zName = ztunnel.at(["multiCluster", "clusterName"]);
                const iName = istiod.at(["global", "multiCluster", "clusterName"]);
                if (zName !== iName) {
                    report(
                        `ztunnel release ${ztunnel.resource.name} has multiCluster.clusterName ` +
                            `${show(zName)} but istiod release ${istiod.resource.name} has ` +
                            `global.multiCluster.clusterName ${show(iName)}; they must be equal.`,
                        ztunnel.resource.urn,
                    );
                }
                // ztunnel charts before 1.27 do not render the network at all; unset is not wrong.
                const zNetwork = ztunnel.at(["network"]) ?? ztunnel.at(["global", "network"]);
                const iNetwork = istiod.at(["global", "network"]);
                if (zNetwork !== undefined && zNetwork !== iNetwork) {
                    report(
                        `ztunnel release ${ztunnel.resource.name} has network ${show(zNetwork)} ` +
                            `but istiod release ${istiod.resource.name} has global.network ` +
                            `${show(iNetwork)}; they must be equal.`,
                        ztunnel.resource.urn,
                    );
                }
            }
        }
        if (!checked) {
            args.notApplicable("Policy only applies to clusters running istiod and ztunnel");
        }
    },
};

export const istioMeshIdentity: StackValidationPolicy = {
    name: "istio-mesh-identity-consistent",
    description: "All istiod releases of the mesh share one mesh ID and one trust domain.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const istiods = byChart(helmReleases(args.resources), "istiod");
        if (istiods.length < 2) {
            args.notApplicable("Policy only applies to meshes of several clusters");
        }
        const settings: [string[], unknown][] = [
            [["global", "meshID"], undefined],
            [["meshConfig", "trustDomain"], "cluster.local"],
        ];
        for (const [path, fallback] of settings) {
            const values = istiods.map((i) => i.at(path) ?? fallback);
            if (new Set(values).size > 1) {
                const listed = istiods.map((i, n) => `${show(values[n])} (${i.resource.name})`);
                report(
                    `istiod releases disagree on ${path.join(".")}: ${listed.join(", ")}; the ` +
                        "clusters of one mesh need one mesh ID and one trust domain.",
                );
            }
        }
    },
};

export const istioClusterIdentity: StackValidationPolicy = {
    name: "istio-cluster-identity-unique",
    description:
        "Each cluster's istiods (one per control-plane revision) set the cluster's own name and network, which no other cluster's share.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const istiods = byChart(helmReleases(args.resources), "istiod");
        if (istiods.length < 2) {
            args.notApplicable("Policy only applies to meshes of several clusters");
        }
        const settings: [string[], string][] = [
            [
                ["global", "multiCluster", "clusterName"],
                "remote secrets and endpoints are keyed by the cluster name",
            ],
            [
                ["global", "network"],
                "ambient multi-cluster supports multi-network only, one network per cluster",
            ],
        ];
        for (const [path, why] of settings) {
            const holders = new Map<string, HelmRelease[]>();
            for (const istiod of istiods) {
                const value = istiod.at(path);
                if (typeof value !== "string" || value === "") {
                    report(
                        `istiod release ${istiod.resource.name} does not set ${path.join(".")}; ${why}.`,
                        istiod.resource.urn,
                    );
                } else {
                    holders.set(value, [...(holders.get(value) ?? []), istiod]);
                }
            }
            for (const [value, same] of holders) {
                // Two revisions of one cluster's control plane share its identity, as they must.
                if (new Set(same.map((i) => providerKey(i.resource))).size > 1) {
                    report(
                        `istiod releases ${same.map((i) => i.resource.name).join(" and ")} share ` +
                            `${path.join(".")} ${JSON.stringify(value)}; ${why}.`,
                    );
                }
            }
        }
    },
};
