import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { MeshConfig, readerTokenPlan } from "../config";
import { EastWestGateway, EastWestGatewayArgs } from "./eastWestGateway";
import { mustGet } from "../names";
import { ControlPlane, controlPlaneOf, DEFAULT_TAG } from "./controlPlane";
import { istioRelease } from "./istioRelease";
import {
    baseValues,
    ClusterIdentity,
    cniValues,
    ingressGatewayValues,
    istiodValues,
    NETWORK_LABEL,
    TRACING_PROVIDER,
    Values,
    ztunnelValues,
} from "./istioValues";
import { CaCerts } from "./meshTrust";
import { ReaderToken, readerTokenSecrets } from "./readerTokens";

export const ISTIO_NAMESPACE = "istio-system";
export const INGRESS_NAMESPACE = "istio-ingress";

export { READER_SERVICE_ACCOUNT, READER_TOKEN_SECRET } from "./readerTokens";

/** Gateway API standard CRDs of a release (the `standard-install.yaml` release asset). */
export function gatewayApiCrdsUrl(version: string): string {
    return `https://github.com/kubernetes-sigs/gateway-api/releases/download/${version}/standard-install.yaml`;
}

/** Makes one of Istio's Helm releases in the cluster (see `istioRelease`). */
type ReleaseFn = (
    chart: string,
    version: string,
    values: Values,
    dependsOn: pulumi.Resource[],
    releaseName?: string,
    namespace?: pulumi.Input<string>,
) => k8s.helm.v3.Release;

/** Istio's releases of one cluster: named `<cluster>-<release>`, in `istio-system` by default. */
function releaseIn(
    prefix: string,
    ns: pulumi.Input<string>,
    mesh: MeshConfig,
    k: pulumi.CustomResourceOptions,
): ReleaseFn {
    return (chart, version, values, dependsOn, releaseName = chart, namespace = ns) =>
        istioRelease(prefix, { name: releaseName, chart, version, values, namespace }, mesh, {
            ...k,
            dependsOn,
        });
}

/** What the east-west gateway needs from the cluster's network and AWS. */
export type EastWestNetworkArgs = Pick<
    EastWestGatewayArgs,
    | "addresses"
    | "subnetIds"
    | "vpcId"
    | "vpcCidr"
    | "allowedCidrs"
    | "tags"
    | "awsProvider"
    | "dependsOn"
>;

export interface IstioMeshArgs extends ClusterIdentity {
    readonly mesh: MeshConfig;
    /** The cluster's plug-in CA: must exist before istiod first starts. */
    readonly cacerts: CaCerts;
    /** Provider for the cluster's API server. */
    readonly provider: k8s.Provider;
    /** Istio's pods need nodes: releases wait for them to be Ready. */
    readonly nodes: pulumi.Resource;
    /** The AWS Load Balancer Controller's release: every LoadBalancer Service waits for it. */
    readonly loadBalancerController: pulumi.Resource;
    /** The east-west gateway's network: fixed addresses, subnets, who may reach it. */
    readonly eastWest: EastWestNetworkArgs;
    /**
     * The `default` tag moves back to the older revision in this update (an upgrade's
     * promotion rolled back), so that revision's istiod waits for the newer one.
     * @default false
     */
    readonly tagMovesBack?: boolean;
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
    /** The istiod that holds the `default` tag. */
    public readonly istiod: k8s.helm.v3.Release;
    /** Every control-plane revision's istiod, by revision name (`1-31`). */
    public readonly istiods: Map<string, k8s.helm.v3.Release>;
    public readonly eastWest: EastWestGateway;
    /** The long-lived token of the reader account: what peers' remote secrets carry. */
    public readonly readerToken: pulumi.Output<string>;
    /** Base64 CA bundle of this API server, from the token Secret. */
    public readonly readerCaData: pulumi.Output<string>;
    /** The generation of `readerToken` (`mesh.readerTokenRotation`). */
    public readonly readerTokenGeneration: number;
    /** A token issued beside it and not used yet (rotation phase `issue`). */
    public readonly nextReaderToken?: ReaderToken;

    constructor(name: string, args: IstioMeshArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ambientmesh:mesh:IstioMesh", name, {}, opts);
        const { mesh } = args;
        const k = { parent: this, provider: args.provider };

        this.namespace = new k8s.core.v1.Namespace(
            `${name}-istio-system`,
            { metadata: { name: ISTIO_NAMESPACE, labels: { [NETWORK_LABEL]: args.network } } },
            k,
        );
        const ns = this.namespace.metadata.name;
        const cacerts = new k8s.core.v1.Secret(
            `${name}-cacerts`,
            {
                metadata: { name: "cacerts", namespace: ns },
                type: "Opaque",
                stringData: pulumi.secret(pulumi.output(args.cacerts)),
            },
            k,
        );
        const cp = controlPlaneOf(mesh);
        // The Gateway API CRDs go with the base chart: the newest control plane's, first.
        const gatewayApi = new k8s.yaml.v2.ConfigFile(
            `${name}-gateway-api`,
            { file: gatewayApiCrdsUrl(cp.base.release.gatewayApi) },
            k,
        );
        const release = releaseIn(name, ns, mesh, k);

        this.base = release(
            "base",
            cp.base.version,
            baseValues(cp),
            [this.namespace],
            "istio-base",
        );
        this.istiods = this.controlPlanes(cp, args, [cacerts, this.base, args.nodes], release);
        this.istiod = mustGet(this.istiods, cp.serving.name, "istiod of revision");
        const dataplane: pulumi.Resource[] = [...this.istiods.values()];
        if (mesh.dataplaneMode === "ambient") {
            const rev = cp.dataplane;
            const cni = release("cni", rev.version, cniValues(mesh, rev), dataplane, "istio-cni");
            dataplane.push(
                release("ztunnel", rev.version, ztunnelValues(mesh, args, rev), [
                    cni,
                    mustGet(this.istiods, rev.name, "istiod of revision"),
                ]),
            );
        }
        this.eastWest = new EastWestGateway(
            name,
            {
                ...args.eastWest,
                clusterName: args.clusterName,
                network: args.network,
                mesh,
                gatewayVersion: cp.serving.version,
                namespace: ns,
                dependsOn: [...dataplane, gatewayApi, ...args.eastWest.dependsOn],
                loadBalancerController: args.loadBalancerController,
                k8sProvider: args.provider,
            },
            { parent: this },
        );
        if (mesh.ingressGateway) {
            this.ingressGateway(name, cp, [...dataplane, args.loadBalancerController], release, k);
        }
        this.meshPolicies(name, mesh, ns, k);
        const plan = readerTokenPlan(mesh.readerTokenRotation);
        const tokens = readerTokenSecrets(name, plan, ns, { ...k, dependsOn: [this.base] });
        this.readerToken = tokens.inUse.token;
        this.readerCaData = tokens.inUse.caData;
        this.readerTokenGeneration = tokens.inUse.generation;
        this.nextReaderToken = tokens.next;
        this.registerOutputs({ readerCaData: this.readerCaData });
    }

    /** The internet-facing ingress gateway in its own namespace, at the serving revision. */
    private ingressGateway(
        name: string,
        cp: ControlPlane,
        after: pulumi.Resource[],
        release: ReleaseFn,
        k: pulumi.CustomResourceOptions,
    ): void {
        const ingress = new k8s.core.v1.Namespace(
            `${name}-istio-ingress`,
            { metadata: { name: INGRESS_NAMESPACE } },
            k,
        );
        release(
            "gateway",
            cp.serving.version,
            ingressGatewayValues(),
            [...after, ingress],
            "istio-ingress",
            ingress.metadata.name,
        );
    }

    /**
     * One istiod per control-plane revision (`istiod-<revision>`, as Istio's Helm guide names
     * them). A tag moves between revisions in one update when an upgrade is promoted (or rolled
     * back): Helm refuses to create the tag's webhook while another release still owns it, so
     * the release that gains `default` waits for the one that gives it up.
     */
    private controlPlanes(
        cp: ControlPlane,
        args: IstioMeshArgs,
        after: pulumi.Resource[],
        release: ReleaseFn,
    ): Map<string, k8s.helm.v3.Release> {
        const istiods = new Map<string, k8s.helm.v3.Release>();
        const order = args.tagMovesBack ? [...cp.revisions].reverse() : cp.revisions;
        let previous: k8s.helm.v3.Release | undefined;
        for (const rev of order) {
            const values = istiodValues(args.mesh, args, rev);
            const waits = previous && rev.tags.includes(DEFAULT_TAG) ? [previous] : [];
            previous = release(
                "istiod",
                rev.version,
                values,
                [...after, ...waits],
                `istiod-${rev.name}`,
            );
            istiods.set(rev.name, previous);
        }
        return istiods;
    }

    /** Mesh-wide mTLS and tracing, validated by istiod's webhook, so after istiod. */
    private meshPolicies(
        name: string,
        mesh: MeshConfig,
        ns: pulumi.Input<string>,
        k: pulumi.CustomResourceOptions,
    ): void {
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
    }
}
