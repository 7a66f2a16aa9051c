import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { MeshConfig } from "../config";
import {
    baseValues,
    ClusterIdentity,
    cniValues,
    eastWestGatewayValues,
    ingressGatewayValues,
    istiodValues,
    NETWORK_LABEL,
    nlbAnnotations,
    TRACING_PROVIDER,
    ztunnelValues,
} from "./istioValues";
import { CaCerts } from "./meshTrust";

export const ISTIO_NAMESPACE = "istio-system";
export const INGRESS_NAMESPACE = "istio-ingress";

/** The reader service account `base` creates; remote secrets carry its token. */
export const READER_SERVICE_ACCOUNT = "istio-reader-service-account";
export const READER_TOKEN_SECRET = "istio-reader-service-account-istio-remote-secret-token";

/**
 * The Kubernetes provider's annotation for custom readiness (pulumi-kubernetes 4.18+): the
 * create or update waits until the condition holds.
 */
export const WAIT_FOR = "pulumi.com/waitFor";

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

/** Gateway API standard CRDs of a release (the `standard-install.yaml` release asset). */
export function gatewayApiCrdsUrl(version: string): string {
    return `https://github.com/kubernetes-sigs/gateway-api/releases/download/${version}/standard-install.yaml`;
}

export interface IstioMeshArgs extends ClusterIdentity {
    readonly mesh: MeshConfig;
    /** The cluster's plug-in CA: must exist before istiod first starts. */
    readonly cacerts: CaCerts;
    /** Provider for the cluster's API server. */
    readonly provider: k8s.Provider;
    /** Istio's pods need nodes: releases wait for them to be Ready. */
    readonly nodes: pulumi.Resource;
}

/**
 * Istio in one cluster of a multi-primary, multi-network mesh, installed with Helm in the
 * order Istio requires: the labelled namespace and `cacerts` first (istiod only reads its CA
 * and network at start), then base (CRDs, reader account), istiod, the CNI node agent and
 * ztunnel (ambient), then the east-west gateway that carries cross-network traffic.
 */
export class IstioMesh extends pulumi.ComponentResource {
    public readonly namespace: k8s.core.v1.Namespace;
    public readonly base: k8s.helm.v3.Release;
    public readonly istiod: k8s.helm.v3.Release;
    /** The long-lived token of the reader account: what peers' remote secrets carry. */
    public readonly readerToken: pulumi.Output<string>;
    /** Base64 CA bundle of this API server, from the token Secret. */
    public readonly readerCaData: pulumi.Output<string>;

    constructor(name: string, args: IstioMeshArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ambientmesh:mesh:IstioMesh", name, {}, opts);
        const { mesh } = args;
        const k = { parent: this, provider: args.provider };
        const ambient = mesh.dataplaneMode === "ambient";

        const namespace = new k8s.core.v1.Namespace(
            `${name}-istio-system`,
            { metadata: { name: ISTIO_NAMESPACE, labels: { [NETWORK_LABEL]: args.network } } },
            k,
        );
        const ns = namespace.metadata.name;
        const cacerts = new k8s.core.v1.Secret(
            `${name}-cacerts`,
            {
                metadata: { name: "cacerts", namespace: ns },
                type: "Opaque",
                stringData: pulumi.secret(pulumi.output(args.cacerts)),
            },
            k,
        );
        const gatewayApi = new k8s.yaml.v2.ConfigFile(
            `${name}-gateway-api`,
            { file: gatewayApiCrdsUrl(mesh.release.gatewayApi) },
            k,
        );

        const release = (
            releaseName: string,
            chart: string,
            values: Record<string, unknown>,
            dependsOn: pulumi.Resource[],
            namespaceName: pulumi.Input<string> = ns,
        ) =>
            new k8s.helm.v3.Release(
                `${name}-${releaseName}`,
                {
                    name: releaseName,
                    ...chartSource(mesh.chartRepository, chart),
                    version: mesh.istioVersion,
                    namespace: namespaceName,
                    createNamespace: false,
                    values,
                    cleanupOnFail: true,
                    timeout: 900,
                    maxHistory: 10,
                },
                { ...k, dependsOn },
            );

        this.namespace = namespace;
        this.base = release("istio-base", "base", baseValues(mesh), [namespace]);
        this.istiod = release("istiod", "istiod", istiodValues(mesh, args), [
            cacerts,
            this.base,
            args.nodes,
        ]);
        const dataplane: pulumi.Resource[] = [this.istiod];
        if (ambient) {
            const cni = release("istio-cni", "cni", cniValues(mesh), [this.istiod]);
            dataplane.push(release("ztunnel", "ztunnel", ztunnelValues(mesh, args), [cni]));
        }

        if (ambient) {
            new k8s.apiextensions.CustomResource(
                `${name}-east-west`,
                {
                    apiVersion: "gateway.networking.k8s.io/v1",
                    kind: "Gateway",
                    metadata: {
                        name: "istio-eastwest",
                        namespace: ns,
                        labels: { [NETWORK_LABEL]: args.network },
                        // The Kubernetes provider knows no readiness for a Gateway: without this
                        // `pulumi up` would end before istiod has given it a load balancer.
                        annotations: { [WAIT_FOR]: "condition=Programmed" },
                    },
                    spec: {
                        gatewayClassName: "istio-east-west",
                        listeners: [
                            {
                                name: "mesh",
                                port: 15008,
                                protocol: "HBONE",
                                tls: {
                                    mode: "Terminate",
                                    options: {
                                        "gateway.istio.io/tls-terminate-mode": "ISTIO_MUTUAL",
                                    },
                                },
                            },
                        ],
                        // Internal NLB: peers reach it over the Transit Gateway, never the internet.
                        infrastructure: { annotations: nlbAnnotations("internal") },
                    },
                },
                { ...k, dependsOn: [...dataplane, gatewayApi] },
            );
        } else {
            const eastWest = release(
                "istio-eastwestgateway",
                "gateway",
                eastWestGatewayValues(args),
                dataplane,
            );
            new k8s.apiextensions.CustomResource(
                `${name}-cross-network-gateway`,
                {
                    apiVersion: "networking.istio.io/v1",
                    kind: "Gateway",
                    metadata: { name: "cross-network-gateway", namespace: ns },
                    spec: {
                        selector: { istio: "eastwestgateway" },
                        servers: [
                            {
                                port: { number: 15443, name: "tls", protocol: "TLS" },
                                tls: { mode: "AUTO_PASSTHROUGH" },
                                hosts: ["*.local"],
                            },
                        ],
                    },
                },
                { ...k, dependsOn: [eastWest] },
            );
        }

        if (mesh.ingressGateway) {
            const ingressNs = new k8s.core.v1.Namespace(
                `${name}-istio-ingress`,
                { metadata: { name: INGRESS_NAMESPACE } },
                k,
            );
            release(
                "istio-ingress",
                "gateway",
                ingressGatewayValues(),
                [...dataplane, ingressNs],
                ingressNs.metadata.name,
            );
        }

        // Mesh-wide policy is validated by istiod's webhook, so it waits for istiod.
        new k8s.apiextensions.CustomResource(
            `${name}-mtls`,
            {
                apiVersion: "security.istio.io/v1",
                kind: "PeerAuthentication",
                metadata: { name: "default", namespace: ns },
                spec: { mtls: { mode: mesh.mtlsMode } },
            },
            { ...k, dependsOn: [this.istiod] },
        );
        if (mesh.tracing) {
            new k8s.apiextensions.CustomResource(
                `${name}-tracing`,
                {
                    apiVersion: "telemetry.istio.io/v1",
                    kind: "Telemetry",
                    metadata: { name: "mesh-default", namespace: ns },
                    spec: {
                        tracing: [
                            {
                                providers: [{ name: TRACING_PROVIDER }],
                                randomSamplingPercentage: mesh.tracing.samplingPercent,
                            },
                        ],
                    },
                },
                { ...k, dependsOn: [this.istiod] },
            );
        }

        // Kubernetes >= 1.24 issues no long-lived token by itself: ask for one for the reader.
        const token = new k8s.core.v1.Secret(
            `${name}-reader-token`,
            {
                metadata: {
                    name: READER_TOKEN_SECRET,
                    namespace: ns,
                    annotations: { "kubernetes.io/service-account.name": READER_SERVICE_ACCOUNT },
                },
                type: "kubernetes.io/service-account-token",
            },
            { ...k, dependsOn: [this.base] },
        );
        this.readerToken = pulumi.secret(
            token.data.apply((d) => Buffer.from(d.token, "base64").toString("utf8")),
        );
        this.readerCaData = token.data.apply((d) => d["ca.crt"]);
        this.registerOutputs({ readerCaData: this.readerCaData });
    }
}
