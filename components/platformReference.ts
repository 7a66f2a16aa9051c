import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

/**
 * The typed view an application stack gets of a platform stack, read through a
 * StackReference. Everything but the kubeconfigs is plain data; kubeconfigs stay secrets.
 */

/** One cluster as the platform exports it (`clusters[]`), kubeconfig aside. */
export interface PlatformClusterInfo {
    readonly name: string;
    readonly eksClusterName: string;
    readonly region: string;
    readonly kubernetesVersion: string;
    readonly endpoint: string;
    readonly certificateAuthorityData: string;
    readonly oidcProviderArn: string;
    readonly vpcId: string;
    readonly vpcCidr: string;
    readonly privateSubnetIds: string[];
    /** Istio network of the cluster. */
    readonly network: string;
}

export interface PlatformInfo {
    readonly environment: string;
    readonly meshId: string;
    readonly trustDomain: string;
    readonly istioVersion: string;
    readonly dataplaneMode: "ambient" | "sidecar";
    readonly rootCaCertPem: string;
    readonly clusters: PlatformClusterInfo[];
}

interface ExportedCluster extends PlatformClusterInfo {
    readonly kubeconfig: string;
}

/**
 * Settings of every Kubernetes provider of the platform's clusters: components/eks/eksCluster.ts
 * and `MeshPlatform.provider` below (kept here, so that this file needs nothing but the SDKs).
 * From pulumi/pulumi-kubernetes@v4.32.0:
 * - `enableSecretMutable`: a Secret's `data`/`stringData` is otherwise force-new
 *   (provider/pkg/provider/diff.go:28-29; the flag defaults to false, provider.go:712-726), so
 *   a change to `cacerts` would delete and recreate it; with it, the change is an in-place
 *   update that kubelet syncs into istiod's mounted volume, which istiod reloads by itself.
 * - `clusterIdentifier`: with it set and unchanged, a changed or not-yet-known kubeconfig
 *   updates the provider instead of replacing it, and with it every Kubernetes object of the
 *   cluster (provider.go:486-500; adding it where it was unset replaces nothing by itself).
 *   The EKS cluster's name changes only when the cluster itself is replaced, when everything
 *   in it must be created again anyway.
 */
export function providerIdentity(eksClusterName: pulumi.Input<string>) {
    return {
        enableServerSideApply: true,
        enableSecretMutable: true,
        clusterIdentifier: eksClusterName,
    } as const;
}

/** Labels that put a namespace's workloads in the mesh, per dataplane mode. */
export function meshNamespaceLabels(mode: PlatformInfo["dataplaneMode"]): Record<string, string> {
    return mode === "ambient"
        ? { "istio.io/dataplane-mode": "ambient" }
        : { "istio-injection": "enabled" };
}

/** Label that shares a Service across every cluster of the mesh. */
export const GLOBAL_SERVICE_LABELS = { "istio.io/global": "true" } as const;

/**
 * A platform stack, loaded once: `await MeshPlatform.load("acme/eks-ambient-mesh/prod")`.
 * Loading resolves the outputs, so an application can create resources per cluster with plain
 * loops (never inside `apply`).
 */
export class MeshPlatform {
    private constructor(
        public readonly info: PlatformInfo,
        private readonly kubeconfigs: Map<string, string>,
    ) {}

    public static async load(
        stackName: string,
        opts?: pulumi.CustomResourceOptions,
    ): Promise<MeshPlatform> {
        const ref = new pulumi.StackReference(stackName, { name: stackName }, opts);
        const read = async <T>(key: string): Promise<T> => {
            const details = await ref.getOutputDetails(key);
            const value = details.value ?? details.secretValue;
            if (value === undefined) {
                throw new Error(
                    `stack ${stackName} has no output "${key}"; is it an eks-ambient-mesh stack?`,
                );
            }
            return value as T;
        };
        const scalars = [
            "environment",
            "meshId",
            "trustDomain",
            "istioVersion",
            "dataplaneMode",
            "rootCaCertPem",
        ] as const;
        const [values, clusters] = await Promise.all([
            Promise.all(scalars.map((key) => read<string>(key))),
            read<ExportedCluster[]>("clusters"),
        ]);
        const info = Object.fromEntries(scalars.map((key, i) => [key, values[i]])) as Omit<
            PlatformInfo,
            "clusters"
        >;
        const kubeconfigs = new Map(clusters.map((c) => [c.name, c.kubeconfig]));
        return new MeshPlatform(
            {
                ...info,
                clusters: clusters.map(({ kubeconfig: _kubeconfig, ...cluster }) => cluster),
            },
            kubeconfigs,
        );
    }

    /** The cluster's kubeconfig (exec auth through `aws eks get-token`), as a secret. */
    public kubeconfig(cluster: string): pulumi.Output<string> {
        const value = this.kubeconfigs.get(cluster);
        if (value === undefined) {
            throw new Error(
                `the platform has no cluster "${cluster}"; it has ${[...this.kubeconfigs.keys()].join(", ")}`,
            );
        }
        return pulumi.secret(value);
    }

    /**
     * A Kubernetes provider for one of the platform's clusters, set up as the platform's own
     * (`providerIdentity`: mutable Secrets, identified by the EKS cluster's name).
     */
    public provider(cluster: string, opts?: pulumi.CustomResourceOptions): k8s.Provider {
        const info = this.info.clusters.find((c) => c.name === cluster);
        return new k8s.Provider(
            `${cluster}-k8s`,
            {
                kubeconfig: this.kubeconfig(cluster),
                ...providerIdentity(info?.eksClusterName ?? cluster),
            },
            opts,
        );
    }
}
