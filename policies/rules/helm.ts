import * as k8s from "@pulumi/kubernetes";
import {
    PolicyConfigSchema,
    PolicyResource,
    ReportViolation,
    ResourceValidationPolicy,
    StackValidationPolicy,
    validateResourceOfType,
} from "@pulumi/policy";
import { AS_OF_PROPERTY, judgedDay } from "./eks";
import { configOf, dig, known, knownString } from "./util";

/** Helm charts: where they come from and which version, for Istio above all. */

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

const EXACT_VERSION =
    /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

/** The chart's own name: `istiod` for `istiod`, `istio/istiod`, `oci://…/istiod`, `…/istiod-1.2.3.tgz`. */
export function chartBaseName(chart: string): string {
    const last = chart.replace(/\/+$/, "").split("/").pop() ?? chart;
    return last.replace(/-v?\d+\.\d+\.\d+[^/]*\.tgz$/, "").replace(/\.tgz$/, "");
}

function isUrl(value: string): boolean {
    return /^[a-z][a-z0-9+.-]*:\/\//i.test(value);
}

function isLocalPath(chart: string): boolean {
    return /^(\.{1,2}\/|\/)/.test(chart);
}

/** Where Helm fetches the chart from: the repository, a chart URL, or nothing (a local chart). */
function sourceOf(chart: string, repo: string | undefined): string | undefined {
    return repo ?? (isUrl(chart) ? chart : undefined);
}

interface ChartInputs {
    chart: string;
    version?: string;
    repositoryOpts?: { repo?: string };
}

function checkPinned(release: ChartInputs, report: ReportViolation): void {
    // A local chart is pinned by the commit that holds it; a .tgz URL names one version.
    if (isLocalPath(release.chart) || /\.tgz$/.test(release.chart)) {
        return;
    }
    const name = chartBaseName(release.chart);
    if (!release.version) {
        report(
            `chart "${name}" has no version, so each deploy installs whatever the repository ` +
                "serves as newest; pin an exact version.",
        );
    } else if (!EXACT_VERSION.test(release.version)) {
        report(
            `chart "${name}" has version "${release.version}", a range rather than one release; ` +
                "pin an exact version (x.y.z).",
        );
    }
}

export const helmVersionPinned: ResourceValidationPolicy = {
    name: "helm-chart-version-pinned",
    description:
        "Helm charts are pinned to an exact version, so upgrades happen only through a reviewed change.",
    enforcementLevel: "mandatory",
    validateResource: [
        validateResourceOfType(k8s.helm.v3.Release, (release, _args, report) =>
            checkPinned(release, report),
        ),
        validateResourceOfType(k8s.helm.v4.Chart, (chart, _args, report) =>
            checkPinned(chart, report),
        ),
    ],
};

function checkHttps(release: ChartInputs & { plainHttp?: boolean }, report: ReportViolation): void {
    const source = sourceOf(release.chart, release.repositoryOpts?.repo);
    const name = chartBaseName(release.chart);
    if (source !== undefined && !/^(https|oci):\/\//i.test(source)) {
        report(
            `chart "${name}" comes from "${source}", which is not https; a chart fetched in the ` +
                "clear can be swapped in transit.",
        );
    } else if (release.plainHttp === true) {
        report(`chart "${name}" sets plainHttp; fetch it over TLS.`);
    }
}

export const helmRepositoryHttps: ResourceValidationPolicy = {
    name: "helm-chart-repository-https",
    description: "Helm charts are fetched over TLS (https or OCI registries).",
    enforcementLevel: "mandatory",
    validateResource: [
        validateResourceOfType(k8s.helm.v3.Release, (release, _args, report) =>
            checkHttps(release, report),
        ),
        validateResourceOfType(k8s.helm.v4.Chart, (chart, _args, report) =>
            checkHttps(chart, report),
        ),
    ],
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

/** A Helm release as the stack rules read it. */
export interface HelmRelease {
    readonly resource: PolicyResource;
    /** The chart's own name (see `chartBaseName`). */
    readonly chart: string;
    readonly version?: string;
    readonly namespace: string;
    /** A value at a path of the release's `values`; undefined if unset or not known yet. */
    readonly at: (path: readonly string[]) => unknown;
}

export function helmReleases(resources: readonly PolicyResource[]): HelmRelease[] {
    return resources
        .filter((r) => r.isType(k8s.helm.v3.Release))
        .flatMap((r) => {
            const chart = knownString(() => r.props.chart);
            if (chart === undefined) {
                return [];
            }
            return [
                {
                    resource: r,
                    chart: chartBaseName(chart),
                    version: knownString(() => r.props.version),
                    namespace: knownString(() => r.props.namespace) ?? "default",
                    at: (path: readonly string[]) => known(() => dig(r.props.values, path)),
                },
            ];
        });
}

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

export const helmPolicies: (ResourceValidationPolicy | StackValidationPolicy)[] = [
    helmVersionPinned,
    helmRepositoryHttps,
    istioRepositoryAllowed,
    istioVersionsConsistent,
    istioVersionEndOfLife,
];
