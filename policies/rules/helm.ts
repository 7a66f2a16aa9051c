import * as k8s from "@pulumi/kubernetes";
import {
    PolicyConfigSchema,
    PolicyResource,
    ReportViolation,
    ResourceValidationPolicy,
    StackValidationPolicy,
    validateResourceOfType,
} from "@pulumi/policy";
import { configOf, dig, known, knownString } from "./util";

/** Helm charts: where they come from and which version, for Istio above all. */

export const DEFAULT_ISTIO_CHARTS = ["base", "istiod", "cni", "ztunnel", "gateway"];
/** The old repository (last minor 1.30) and the one the Istio project moved to (DESIGN.md). */
export const DEFAULT_ISTIO_REPOSITORIES = [
    "https://istio-release.storage.googleapis.com/charts",
    "https://blob.istio.io/istio-release/charts",
];

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

export const helmPolicies: (ResourceValidationPolicy | StackValidationPolicy)[] = [
    helmVersionPinned,
    helmRepositoryHttps,
    istioRepositoryAllowed,
    istioVersionsConsistent,
];
