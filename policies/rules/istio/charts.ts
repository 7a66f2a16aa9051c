import * as k8s from "@pulumi/kubernetes";
import {
    PolicyConfigSchema,
    ResourceValidationPolicy,
    StackValidationPolicy,
    validateResourceOfType,
} from "@pulumi/policy";
import {
    AS_OF_PROPERTY,
    chartBaseName,
    byCluster,
    configOf,
    HelmRelease,
    helmReleases,
    judgedDay,
    sourceOf,
} from "../util";

/** Istio's charts: where they come from, one version for all, and a minor still patched. */

export const DEFAULT_ISTIO_CHARTS = ["base", "istiod", "cni", "ztunnel", "gateway"];
/**
 * Where the Istio project publishes its charts: the Helm repository and the OCI registry it
 * moved to from Google Cloud Storage (whose host is removed in December 2026).
 */
export const DEFAULT_ISTIO_REPOSITORIES = [
    "https://blob.istio.io/istio-release/charts",
    "oci://ghcr.io/istio/release/charts",
];

/**
 * Last days of support of Istio minors (six weeks after the N+2 minor's release), as the
 * program's versions table holds them; a minor without an entry has no end announced.
 */
export const DEFAULT_ISTIO_END_OF_LIFE: Record<string, string> = {
    "1.24": "2025-06-17",
    "1.27": "2026-03-24",
    "1.28": "2026-06-29",
    "1.29": "2026-10-12",
};

const istioRepositorySchema: PolicyConfigSchema = {
    properties: {
        istioCharts: {
            type: "array",
            items: { type: "string" },
            default: DEFAULT_ISTIO_CHARTS,
            description: "Chart names that are Istio's.",
        },
        allowedRepositories: {
            type: "array",
            items: { type: "string" },
            default: DEFAULT_ISTIO_REPOSITORIES,
            description: "Repositories Istio charts may come from (add your mirror here).",
        },
    },
};

export const istioRepositoryAllowed: ResourceValidationPolicy = {
    name: "istio-chart-repository-allowed",
    description: "Istio charts come from the Istio project's repositories or an approved mirror.",
    enforcementLevel: "mandatory",
    configSchema: istioRepositorySchema,
    validateResource: validateResourceOfType(k8s.helm.v3.Release, (release, args, report) => {
        const cfg = configOf<{ istioCharts: string[]; allowedRepositories: string[] }>(
            istioRepositorySchema,
            args,
        );
        const name = chartBaseName(release.chart);
        if (!cfg.istioCharts.includes(name)) {
            return;
        }
        const source = sourceOf(release.chart, release.repositoryOpts?.repo);
        const normalized = source?.replace(/\/+$/, "");
        const allowed = cfg.allowedRepositories.map((r) => r.replace(/\/+$/, ""));
        if (
            normalized === undefined ||
            !allowed.some((r) => normalized === r || normalized.startsWith(`${r}/`))
        ) {
            const from = source === undefined ? "a local path" : `"${source}"`;
            report(`Istio chart "${name}" comes from ${from}; use ${allowed.join(" or ")}.`);
        }
    }),
};

const versionsSchema: PolicyConfigSchema = {
    properties: {
        istioCharts: {
            type: "array",
            items: { type: "string" },
            default: DEFAULT_ISTIO_CHARTS,
            description:
                "Chart names that are Istio's, whose versions follow the cluster's control planes.",
        },
    },
};

const minorOf = (version: string) => version.split(".").slice(0, 2).join(".");
const minorNumber = (version: string) => Number(version.split(".")[1]);

/**
 * The versions one cluster's Istio charts may have: its istiods (one per control-plane
 * revision, two while a minor upgrade is in progress, one minor apart), the base chart at the
 * newest of them (CRDs go first), the node agents (ztunnel, istio-cni) and gateways at one of
 * them.
 */
function clusterVersionProblems(releases: HelmRelease[]): [HelmRelease, string][] {
    const istiods = releases.filter((r) => r.chart === "istiod");
    const versions = [...new Set(istiods.map((r) => r.version as string))].sort(
        (a, b) => minorNumber(a) - minorNumber(b),
    );
    const problems: [HelmRelease, string][] = [];
    if (versions.length === 0) {
        return problems;
    }
    const newest = versions[versions.length - 1];
    const minors = [...new Set(versions.map(minorOf))];
    if (
        versions.length > minors.length ||
        minors.length > 2 ||
        (minors.length === 2 && minorNumber(newest) - minorNumber(versions[0]) !== 1)
    ) {
        for (const r of istiods.filter((x) => x.version !== newest)) {
            problems.push([
                r,
                `istiod release ${r.resource.name} is at ${r.version} beside ${newest}; a cluster runs one control-plane revision per minor, at most two, one minor apart (an upgrade in progress).`,
            ]);
        }
    }
    for (const r of releases.filter((x) => x.chart !== "istiod")) {
        const wanted = r.chart === "base" ? [newest] : versions;
        if (!wanted.includes(r.version as string)) {
            problems.push([
                r,
                `${r.chart} release ${r.resource.name} is at chart version ${r.version} while the cluster's istiod ${versions.length > 1 ? "releases are" : "release is"} at ${versions.join(" and ")}; ${r.chart === "base" ? "base goes with the newest control plane (its CRDs serve both)" : "run it at the release of one of the cluster's control planes"}.`,
            ]);
        }
    }
    const ztunnel = releases.find((x) => x.chart === "ztunnel");
    const cni = releases.find((x) => x.chart === "cni");
    if (ztunnel && cni && ztunnel.version !== cni.version) {
        problems.push([
            cni,
            `cni release ${cni.resource.name} is at ${cni.version} while ztunnel is at ${ztunnel.version}; the node agents move to a new release together (the data-plane phase of an upgrade).`,
        ]);
    }
    return problems;
}

export const istioVersionsConsistent: StackValidationPolicy = {
    name: "istio-chart-versions-consistent",
    description:
        "In each cluster, Istio's charts run at its control planes' releases: one revision per minor, at most two one minor apart, base at the newest, ztunnel and istio-cni together.",
    enforcementLevel: "mandatory",
    configSchema: versionsSchema,
    validateStack: (args, report) => {
        const { istioCharts } = configOf<{ istioCharts: string[] }>(versionsSchema, args);
        const istio = helmReleases(args.resources).filter(
            (r) => istioCharts.includes(r.chart) && r.version !== undefined,
        );
        if (istio.length === 0) {
            args.notApplicable("Policy only applies to stacks with Istio charts");
        }
        for (const cluster of byCluster(istio)) {
            for (const [r, message] of clusterVersionProblems(cluster)) {
                report(message, r.resource.urn);
            }
        }
    },
};

const endOfLifeSchema: PolicyConfigSchema = {
    properties: {
        asOf: AS_OF_PROPERTY,
        istioCharts: {
            type: "array",
            items: { type: "string" },
            default: DEFAULT_ISTIO_CHARTS,
            description: "Chart names that are Istio's.",
        },
        endOfLife: {
            type: "object",
            default: DEFAULT_ISTIO_END_OF_LIFE,
            description: "Last day of support (YYYY-MM-DD) by Istio minor.",
        },
    },
};

export const istioVersionEndOfLife: ResourceValidationPolicy = {
    name: "istio-version-end-of-life",
    description: "Istio charts are at a minor release the Istio project still patches.",
    enforcementLevel: "advisory",
    configSchema: endOfLifeSchema,
    validateResource: validateResourceOfType(k8s.helm.v3.Release, (release, args, report) => {
        const cfg = configOf<{
            asOf?: string;
            istioCharts: string[];
            endOfLife: Record<string, string>;
        }>(endOfLifeSchema, args);
        const name = chartBaseName(release.chart);
        const minor = /^v?(\d+\.\d+)\./.exec(release.version ?? "")?.[1];
        const end = minor === undefined ? undefined : cfg.endOfLife[minor];
        const day = judgedDay(cfg.asOf);
        if (cfg.istioCharts.includes(name) && end !== undefined && day > end) {
            report(
                `Istio chart "${name}" is at ${release.version}; Istio ${minor} reached end of ` +
                    `life on ${end} (judged on ${day}) and gets no more security fixes; upgrade one ` +
                    "minor at a time to a supported release.",
            );
        }
    }),
};
