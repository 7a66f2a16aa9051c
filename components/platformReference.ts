import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { providerIdentity } from "./kubeconfig";

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
     * (`providerIdentity` in components/eks/eksCluster.ts: mutable Secrets, identified by the
     * EKS cluster's name).
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
