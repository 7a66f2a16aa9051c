import { StackValidationPolicy } from "@pulumi/policy";
import { byChart, byCluster, helmReleases, show } from "../util";
import { isRemoteSecret } from "./remoteSecrets";

/** Ambient mode: istiod and cni on the ambient profile, and multi-network across clusters. */

export const istioAmbientProfile: StackValidationPolicy = {
    name: "istio-ambient-profile",
    description:
        "In a cluster running ztunnel, the istiod and cni releases use the ambient profile.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const clusters = byCluster(helmReleases(args.resources)).filter(
            (c) => byChart(c, "ztunnel").length > 0,
        );
        if (clusters.length === 0) {
            args.notApplicable("Policy only applies to stacks running ztunnel");
        }
        for (const release of clusters.flat()) {
            if (release.chart !== "istiod" && release.chart !== "cni") {
                continue;
            }
            const profile = release.at(["profile"]);
            if (profile !== "ambient") {
                report(
                    `${release.chart} release ${release.resource.name} runs next to ztunnel but ` +
                        `sets profile ${show(profile)}; ambient mode needs profile: ambient.`,
                    release.resource.urn,
                );
            }
        }
    },
};

export const istiodMultiNetwork: StackValidationPolicy = {
    name: "istiod-ambient-multi-network",
    description:
        "In an ambient mesh of several clusters, every istiod turns AMBIENT_ENABLE_MULTI_NETWORK on.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const releases = helmReleases(args.resources);
        const istiods = byChart(releases, "istiod");
        const multiCluster = istiods.length > 1 || args.resources.some(isRemoteSecret);
        if (byChart(releases, "ztunnel").length === 0 || !multiCluster) {
            args.notApplicable("Policy only applies to ambient meshes of several clusters");
        }
        for (const istiod of istiods) {
            // `env.X` and `pilot.env.X` are the same setting in the istiod chart.
            const flag =
                istiod.at(["env", "AMBIENT_ENABLE_MULTI_NETWORK"]) ??
                istiod.at(["pilot", "env", "AMBIENT_ENABLE_MULTI_NETWORK"]);
            if (flag !== "true" && flag !== true) {
                report(
                    `istiod release ${istiod.resource.name} sets env AMBIENT_ENABLE_MULTI_NETWORK ` +
                        `${show(flag)}; set "true", or ambient multi-cluster stays off and no ` +
                        "istio-east-west gateway class exists.",
                    istiod.resource.urn,
                );
            }
        }
    },
};
