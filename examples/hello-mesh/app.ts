import * as k8s from "@pulumi/kubernetes";
import {
    GLOBAL_SERVICE_LABELS,
    MeshPlatform,
    meshNamespaceLabels,
} from "../../components/platformReference";

export const NAMESPACE = "hello";
export const SERVICE = "helloworld";
export const PORT = 5000;

/**
 * The same `helloworld` service in every cluster of the mesh: its namespace joins the mesh's
 * dataplane and the Service is global, so a request from any cluster may be answered by a pod
 * in any cluster (the reply names the cluster that served it).
 */
export function deployHello(platform: MeshPlatform, image: string): Record<string, string> {
    const served: Record<string, string> = {};
    for (const cluster of platform.info.clusters) {
        const provider = platform.provider(cluster.name);
        const opts = { provider };
        const ns = new k8s.core.v1.Namespace(
            `${cluster.name}-${NAMESPACE}`,
            {
                metadata: {
                    name: NAMESPACE,
                    labels: meshNamespaceLabels(platform.info.dataplaneMode),
                },
            },
            opts,
        );
        const labels = { app: SERVICE };
        new k8s.apps.v1.Deployment(
            `${cluster.name}-${SERVICE}`,
            {
                metadata: { name: SERVICE, namespace: ns.metadata.name, labels },
                spec: {
                    replicas: 2,
                    selector: { matchLabels: labels },
                    template: {
                        metadata: { labels },
                        spec: {
                            containers: [
                                {
                                    name: SERVICE,
                                    image,
                                    // The sample answers "Hello version: <SERVICE_VERSION>".
                                    env: [{ name: "SERVICE_VERSION", value: cluster.name }],
                                    ports: [{ containerPort: PORT }],
                                    resources: { requests: { cpu: "50m", memory: "64Mi" } },
                                },
                            ],
                        },
                    },
                },
            },
            opts,
        );
        new k8s.core.v1.Service(
            `${cluster.name}-${SERVICE}`,
            {
                metadata: {
                    name: SERVICE,
                    namespace: ns.metadata.name,
                    labels: { ...labels, ...GLOBAL_SERVICE_LABELS },
                },
                spec: { selector: labels, ports: [{ name: "http", port: PORT }] },
            },
            opts,
        );
        served[cluster.name] = `${SERVICE}.${NAMESPACE}.svc.cluster.local:${PORT}`;
    }
    return served;
}
