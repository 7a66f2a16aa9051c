import {
    CALENDAR_SOURCES,
    DEFAULT_ISTIO_CHART_REPOSITORY,
    DEFAULT_ISTIO_VERSION,
    EKS_CALENDAR,
    EKS_PRICING,
    ISTIO_OCI_CHART_REPOSITORY,
    ISTIO_RELEASES,
    KUBERNETES_VERSIONS,
    RETIRED_ISTIO_HOSTS,
} from "../../components/versions";
import { markdownTable } from "./markdownTable";

/**
 * docs/versions.md's version and chart-source tables, generated from the versions table
 * (`components/versions.ts`) so the two cannot disagree; a test keeps the file equal to this.
 */

const range = (versions: readonly string[]) =>
    versions.length === 0 ? "none" : `${versions[0]}–${versions[versions.length - 1]}`;

function eksTable(): string {
    const rows = KUBERNETES_VERSIONS.map((v) => {
        const dates = EKS_CALENDAR[v];
        const istio = Object.values(ISTIO_RELEASES)
            .filter((r) => r.kubernetes.includes(v))
            .map((r) => r.version);
        return [
            v,
            dates.released,
            dates.endOfStandardSupport,
            dates.endOfExtendedSupport,
            istio.join(", ") || "none",
        ];
    });
    return markdownTable(
        ["Kubernetes", "on EKS since", "standard support ends", "extended support ends", "Istio"],
        rows,
    );
}

function istioTable(): string {
    const rows = Object.values(ISTIO_RELEASES).map((r) => [
        r.version === DEFAULT_ISTIO_VERSION ? `${r.version} (default)` : r.version,
        `${r.kubernetesRange[0]}–${r.kubernetesRange[1]}`,
        range(r.kubernetes),
        r.ambientMultiCluster === "unsupported" ? "no" : r.ambientMultiCluster,
        r.branchEniProbeFix === undefined ? "none (sidecar mode only)" : `${r.branchEniProbeFix}+`,
        r.endOfLife ?? "not announced",
        r.gatewayApi,
    ]);
    return markdownTable(
        [
            "Istio",
            "Kubernetes (Istio)",
            "Kubernetes (here)",
            "ambient multi-cluster",
            "branch-ENI probe fix",
            "end of life",
            "Gateway API",
        ],
        rows,
    );
}

function chartSourceTable(): string {
    const retired = RETIRED_ISTIO_HOSTS.charts;
    return markdownTable(
        ["`mesh.chartRepository`", "what"],
        [
            [`\`${DEFAULT_ISTIO_CHART_REPOSITORY}\``, "Istio's Helm repository (the default)"],
            [
                `\`${ISTIO_OCI_CHART_REPOSITORY}\``,
                "Istio's OCI registry; each release pulls `oci://…/<chart>`",
            ],
            [
                "any other `https://` or `oci://` URL",
                "a mirror (list it in the policy pack's `allowedRepositories`)",
            ],
            [
                retired.hosts.map((h) => `\`${h}\``).join(", "),
                `refused: retired, removed in ${retired.removed} (last outage test ${retired.lastOutageTest})`,
            ],
        ],
    );
}

function sources(): string {
    return [
        `Dates as of ${CALENDAR_SOURCES.checked}. EKS: AWS's [Kubernetes version lifecycle](${CALENDAR_SOURCES.eks})`,
        `(release dates are 14 months before the end of standard support); extended support costs`,
        `$${EKS_PRICING.extendedPerClusterHourUsd.toFixed(2)} instead of $${EKS_PRICING.standardPerClusterHourUsd.toFixed(2)} per cluster-hour ([pricing](${CALENDAR_SOURCES.eksPricing})).`,
        `Istio: [supported releases](${CALENDAR_SOURCES.istio}); a minor's end of life is six weeks after the`,
        "release of the minor two above it.",
    ].join("\n");
}

/** docs/versions.md's blocks, by marker key. */
export function versionBlocks(): Record<string, string> {
    return {
        "versions:eks": eksTable(),
        "versions:istio": `${istioTable()}\n\n${sources()}`,
        "versions:charts": chartSourceTable(),
    };
}
