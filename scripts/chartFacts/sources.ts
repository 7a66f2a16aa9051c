import * as fs from "node:fs";
import * as path from "node:path";
import { ChartSource, IstioChart } from "./facts";

/**
 * Where chart facts are derived from:
 * - an Istio source tree (`manifests/charts`, `manifests/helm-profiles`, `go.mod`), e.g.
 *   `git -C istio archive 1.30.5 manifests/charts manifests/helm-profiles go.mod | tar -x -C DIR`;
 * - a folder of chart defaults per release (`<version>/<chart>/values.yaml`,
 *   `<version>/profile-ambient.yaml`, `<version>/gateway-api-version.txt`): values only, so no
 *   template paths.
 */

/** Where each chart lives in Istio's source tree. */
const SOURCE_DIRS: Record<IstioChart, string> = {
    base: "manifests/charts/base",
    istiod: "manifests/charts/istio-control/istio-discovery",
    cni: "manifests/charts/istio-cni",
    ztunnel: "manifests/charts/ztunnel",
    gateway: "manifests/charts/gateway",
};

function readTree(dir: string): string[] {
    if (!fs.existsSync(dir)) {
        return [];
    }
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        const file = path.join(dir, entry.name);
        return entry.isDirectory() ? readTree(file) : [fs.readFileSync(file, "utf8")];
    });
}

/** An Istio source tree (or the part of it `git archive` extracted). */
export function istioSourceTree(root: string, derivedFrom: string): ChartSource {
    const read = (p: string) => fs.readFileSync(path.join(root, p), "utf8");
    return {
        derivedFrom,
        values: (chart) => read(`${SOURCE_DIRS[chart]}/values.yaml`),
        templates: (chart) => readTree(path.join(root, SOURCE_DIRS[chart], "templates")),
        ambientProfile: read("manifests/helm-profiles/ambient.yaml"),
        goMod: read("go.mod"),
    };
}

/** One release's folder of chart defaults (`<chart>/values.yaml`, no templates). */
export function chartDefaultsFolder(dir: string, derivedFrom: string): ChartSource {
    const read = (p: string) => fs.readFileSync(path.join(dir, p), "utf8");
    return {
        derivedFrom,
        values: (chart) => read(`${chart}/values.yaml`),
        templates: () => [],
        ambientProfile: read("profile-ambient.yaml"),
        goMod: read("gateway-api-version.txt"),
    };
}
