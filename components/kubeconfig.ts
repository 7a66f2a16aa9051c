import type * as pulumi from "@pulumi/pulumi";
import { stringify } from "yaml";

/**
 * Kubeconfig documents, built as data and serialised with a YAML library so that no value can
 * break the document's structure. The cluster, context and user share one name, as
 * `istioctl create-remote-secret` writes them.
 */

export interface KubeconfigCluster {
    /** Name of the cluster, context and user entries. */
    readonly name: string;
    /** API server URL. */
    readonly server: string;
    /** Base64 of the API server's CA bundle, as EKS reports it. */
    readonly certificateAuthorityData: string;
}

function document(cluster: KubeconfigCluster, user: Record<string, unknown>): string {
    return stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [
            {
                name: cluster.name,
                cluster: {
                    server: cluster.server,
                    "certificate-authority-data": cluster.certificateAuthorityData,
                },
            },
        ],
        contexts: [{ name: cluster.name, context: { cluster: cluster.name, user: cluster.name } }],
        "current-context": cluster.name,
        preferences: {},
        users: [{ name: cluster.name, user }],
    });
}

/**
 * A kubeconfig that authenticates with the caller's AWS identity through `aws eks get-token`:
 * what the Kubernetes provider and human operators use.
 */
export function awsExecKubeconfig(
    cluster: KubeconfigCluster & { readonly eksClusterName: string; readonly region: string },
): string {
    return document(cluster, {
        exec: {
            apiVersion: "client.authentication.k8s.io/v1beta1",
            command: "aws",
            args: [
                "eks",
                "get-token",
                "--cluster-name",
                cluster.eksClusterName,
                "--region",
                cluster.region,
                "--output",
                "json",
            ],
            interactiveMode: "Never",
        },
    });
}

/**
 * A kubeconfig that authenticates with a bearer token: the only kind istiod accepts in a
 * remote secret (it rejects exec, token files and client certificates by default).
 */
export function bearerTokenKubeconfig(
    cluster: KubeconfigCluster & { readonly token: string },
): string {
    return document(cluster, { token: cluster.token });
}

/**
 * Settings of every Kubernetes provider of the platform's clusters (components/eks/eksCluster.ts
 * and components/platformReference.ts), from pulumi/pulumi-kubernetes@v4.32.0:
 * - `enableSecretMutable`: a Secret's `data`/`stringData` is otherwise force-new
 *   (provider/pkg/provider/diff.go:28-29; the flag defaults to false, provider.go:712-726), so
 *   a change to `cacerts` would delete and recreate it; with it, the change is an in-place
 *   update that kubelet syncs into istiod's mounted volume, which istiod reloads by itself.
 * - `clusterIdentifier`: with it set and unchanged, a changed or not-yet-known kubeconfig
 *   updates the provider instead of replacing it, and with it every Kubernetes object of the
 *   cluster (provider.go:486-500; adding it where it was unset replaces nothing by itself). The EKS
 *   cluster's name changes only when the cluster itself is replaced, when everything in it must
 *   be created again anyway.
 */
export function providerIdentity(eksClusterName: pulumi.Input<string>) {
    return {
        enableServerSideApply: true,
        enableSecretMutable: true,
        clusterIdentifier: eksClusterName,
    } as const;
}
