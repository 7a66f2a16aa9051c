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
    configOf,
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
            description: "Chart names that are Istio's and must share one version.",
        },
    },
};

export const istioVersionsConsistent: StackValidationPolicy = {
    name: "istio-chart-versions-consistent",
    description:
        "All Istio charts of the stack (base, istiod, cni, ztunnel, gateways) share one version.",
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
        const counts = new Map<string, number>();
        for (const r of istio) {
            counts.set(r.version as string, (counts.get(r.version as string) ?? 0) + 1);
        }
        const [majority] = [...counts.entries()].reduce((best, e) => (e[1] > best[1] ? e : best));
        for (const r of istio.filter((x) => x.version !== majority)) {
            report(
                `${r.chart} release ${r.resource.name} is at chart version ${r.version} while ` +
                    `most Istio releases of the stack are at ${majority}; upgrade all Istio ` +
                    "charts together.",
                r.resource.urn,
            );
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
