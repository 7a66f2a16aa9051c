import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { bearerTokenKubeconfig } from "../kubeconfig";
import { ISTIO_NAMESPACE } from "./istioMesh";

/** How istiod in one cluster reaches another cluster's API server. */
export interface MeshPeer {
    /** The peer's Istio cluster id: the secret's data key and kubeconfig names. */
    readonly name: string;
    readonly endpoint: pulumi.Input<string>;
    /** Base64 CA bundle of the peer's API server. */
    readonly certificateAuthorityData: pulumi.Input<string>;
    /** Bearer token of the peer's `istio-reader-service-account`. */
    readonly token: pulumi.Input<string>;
}

export interface RemoteSecretsArgs {
    /** The peers this cluster's istiod watches. */
    readonly peers: readonly MeshPeer[];
    /** The cluster's `istio-system` namespace (created by IstioMesh). */
    readonly namespace: pulumi.Resource;
    readonly provider: k8s.Provider;
}

export function remoteSecretName(peer: string): string {
    return `istio-remote-secret-${peer}`;
}

/**
 * The remote secrets of one cluster, shaped as `istioctl create-remote-secret` makes them:
 * istiod finds them by label, reads the cluster id from the annotation and the data key, and
 * watches the peer's services and endpoints with the kubeconfig inside.
 */
export class RemoteSecrets extends pulumi.ComponentResource {
    public readonly secretNames: string[];

    constructor(name: string, args: RemoteSecretsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ambientmesh:mesh:RemoteSecrets", name, {}, opts);
        this.secretNames = args.peers.map((peer) => {
            const kubeconfig = pulumi
                .all([peer.endpoint, peer.certificateAuthorityData, peer.token])
                .apply(([server, certificateAuthorityData, token]) =>
                    bearerTokenKubeconfig({
                        name: peer.name,
                        server,
                        certificateAuthorityData,
                        token,
                    }),
                );
            new k8s.core.v1.Secret(
                `${name}-remote-${peer.name}`,
                {
                    metadata: {
                        name: remoteSecretName(peer.name),
                        namespace: ISTIO_NAMESPACE,
                        labels: { "istio/multiCluster": "true" },
                        annotations: { "networking.istio.io/cluster": peer.name },
                    },
                    type: "Opaque",
                    stringData: { [peer.name]: pulumi.secret(kubeconfig) },
                },
                { parent: this, provider: args.provider, dependsOn: [args.namespace] },
            );
            return remoteSecretName(peer.name);
        });
        this.registerOutputs({ secretNames: this.secretNames });
    }
}
