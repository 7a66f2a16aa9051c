import * as k8s from "@pulumi/kubernetes";
import { ReportViolation, ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { chartBaseName, sourceOf } from "./util";

/** Helm charts, any chart: an exact version, fetched over TLS. */

const EXACT_VERSION =
    /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

function isLocalPath(chart: string): boolean {
    return /^(\.{1,2}\/|\/)/.test(chart);
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
