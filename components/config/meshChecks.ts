import { RETIRED_ISTIO_HOSTS } from "../versions";
import { DNS_LABEL, DNS_NAME, Problems } from "./problems";
import { ParsedMesh } from "./schema";

/** The keys of the mesh section, each on its own. */

const IMAGE_HUB = /^[a-z0-9.-]+(:\d+)?(\/[a-z0-9._-]+)+$/;
const CHART_REPOSITORY = /^(https|oci):\/\/[^\s/]+(\/\S*)?$/;

export function checkMeshKeys(mesh: ParsedMesh, problems: Problems): void {
    checkChartRepository(mesh.chartRepository, problems);
    if (!IMAGE_HUB.test(mesh.hub)) {
        problems.push(`mesh.hub: "${mesh.hub}" is not an image registry path like docker.io/istio`);
    }
    if (mesh.meshId !== undefined && (mesh.meshId.length > 63 || !DNS_LABEL.test(mesh.meshId))) {
        problems.push(`mesh.meshId: "${mesh.meshId}" is not a DNS-1123 label`);
    }
    if (!DNS_NAME.test(mesh.trustDomain)) {
        problems.push(
            `mesh.trustDomain: "${mesh.trustDomain}" is not a DNS name like cluster.local or mesh.example.com`,
        );
    }
    checkTracing(mesh.tracing, problems);
}

function checkTracing(tracing: ParsedMesh["tracing"], problems: Problems): void {
    if (!tracing) {
        return;
    }
    if (!DNS_NAME.test(tracing.service)) {
        problems.push(`mesh.tracing.service: "${tracing.service}" is not a DNS name`);
    }
    if (tracing.port < 1 || tracing.port > 65535) {
        problems.push(`mesh.tracing.port: ${tracing.port} is not a port (1-65535)`);
    }
    const rate = tracing.samplingPercent;
    if (rate < 0 || rate > 100) {
        problems.push(`mesh.tracing.samplingPercent: ${rate} is not a percentage (0-100)`);
    }
}

/**
 * Where Istio's charts come from: an https Helm repository or an OCI registry path, never the
 * retired Google Cloud Storage host.
 */
function checkChartRepository(repository: string, problems: Problems): void {
    if (!CHART_REPOSITORY.test(repository)) {
        problems.push(
            `mesh.chartRepository: "${repository}" is neither an https:// Helm repository nor an oci:// registry path`,
        );
        return;
    }
    const charts = RETIRED_ISTIO_HOSTS.charts;
    const address = repository.replace(/^[a-z]+:\/\//, "");
    if (charts.hosts.some((host) => address === host || address.startsWith(`${host}/`))) {
        problems.push(
            `mesh.chartRepository: "${repository}" is Istio's retired chart host, removed in ${charts.removed} (last outage test ${charts.lastOutageTest}); use ${charts.replacements.join(" or ")}`,
        );
    }
}
