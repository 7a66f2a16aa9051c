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
