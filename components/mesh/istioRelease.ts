import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { MeshConfig } from "../config";

/**
 * `helm.v3.Release`'s chart and repository for a chart of Istio's: an OCI registry names the
 * chart in its path (`oci://ghcr.io/istio/release/charts/istiod`), an https repository takes
 * the chart name and `repositoryOpts.repo`.
 */
export function chartSource(
    repository: string,
    chart: string,
): { chart: string; repositoryOpts?: { repo: string } } {
    return repository.startsWith("oci://")
        ? { chart: `${repository.replace(/\/+$/, "")}/${chart}` }
        : { chart, repositoryOpts: { repo: repository } };
}

export interface IstioReleaseArgs {
    /** The Helm release name, as `helm ls` and Istio's docs show it (`istiod`, `ztunnel`). */
    readonly name: string;
    /** Istio's chart: base, istiod, cni, ztunnel or gateway. */
    readonly chart: string;
    /** The chart's version: a pinned Istio release. */
    readonly version: string;
    readonly values: pulumi.Input<Record<string, unknown>>;
    readonly namespace: pulumi.Input<string>;
}

/**
 * One of Istio's charts at a pinned version, from the mesh's chart source. The resource is
 * named `<prefix>-<release name>`.
 */
export function istioRelease(
    prefix: string,
    args: IstioReleaseArgs,
    mesh: MeshConfig,
    opts: pulumi.CustomResourceOptions,
): k8s.helm.v3.Release {
    return new k8s.helm.v3.Release(
        `${prefix}-${args.name}`,
        {
            name: args.name,
            ...chartSource(mesh.chartRepository, args.chart),
            version: args.version,
            namespace: args.namespace,
            createNamespace: false,
            values: args.values,
            cleanupOnFail: true,
            timeout: 900,
            maxHistory: 10,
        },
        opts,
    );
}
