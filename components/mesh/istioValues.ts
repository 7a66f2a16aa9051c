import { MeshConfig } from "../config";
import { IstioRelease } from "../versions";

/**
 * Helm values for Istio's charts, as pure functions of the mesh config and the pinned release:
 * the shapes differ between releases (see IstioRelease), and tests check every path set here
 * against the chart defaults of each pinned release.
 */

/** What one cluster contributes to its charts' values. */
export interface ClusterIdentity {
    /** Istio cluster id (`global.multiCluster.clusterName`); also the remote-secret key. */
    readonly clusterName: string;
    /** Istio network (`global.network`), matching the namespace label. */
    readonly network: string;
}

export type Values = Record<string, unknown>;

/** Label istiod reads each cluster's network from, on the `istio-system` namespace. */
export const NETWORK_LABEL = "topology.istio.io/network";

/** Name of the extension provider the tracing Telemetry refers to. */
export const TRACING_PROVIDER = "otel-tracing";

/**
 * `base.validationFailurePolicy: Fail`, where the release's charts read it: istiod flips its
 * webhooks' failure policy from Ignore to Fail once it is ready, which shows as drift on every
 * later update; starting at Fail avoids the flip. Both the base chart (`istiod-default-validator`)
 * and the istiod chart (`istio-validator-*`) read it.
 */
function webhookPolicy(release: IstioRelease): Values {
    return release.validationFailurePolicy ? { base: { validationFailurePolicy: "Fail" } } : {};
}

export function baseValues(mesh: MeshConfig): Values {
    return { defaultRevision: "default", ...webhookPolicy(mesh.release) };
}

export function istiodValues(mesh: MeshConfig, id: ClusterIdentity): Values {
    const ambient = mesh.dataplaneMode === "ambient";
    const env: Record<string, string> = { ...mesh.release.istiodEnv };
    if (ambient) {
        // Off by default even with the ambient profile; multi-network needs it.
        env.AMBIENT_ENABLE_MULTI_NETWORK = "true";
        if (mesh.release.ambientMultiNetworkExtras) {
            env.AMBIENT_ENABLE_MULTI_NETWORK_INGRESS = "true";
            env.AMBIENT_ENABLE_BAGGAGE = "true";
        }
    }
    const meshConfig: Values = { trustDomain: mesh.trustDomain };
    if (mesh.accessLogging) {
        meshConfig.accessLogFile = "/dev/stdout";
    }
    if (mesh.tracing) {
        meshConfig.extensionProviders = [
            {
                name: TRACING_PROVIDER,
                opentelemetry: { service: mesh.tracing.service, port: mesh.tracing.port },
            },
        ];
    }
    return {
        ...(ambient ? { profile: "ambient" } : {}),
        global: {
            hub: mesh.hub,
            tag: mesh.istioVersion,
            meshID: mesh.meshId,
            multiCluster: { clusterName: id.clusterName },
            network: id.network,
        },
        meshConfig,
        ...(Object.keys(env).length ? { env } : {}),
        ...webhookPolicy(mesh.release),
    };
}

export function cniValues(mesh: MeshConfig): Values {
    return {
        profile: "ambient",
        global: { hub: mesh.hub, tag: mesh.istioVersion },
    };
}

export function ztunnelValues(mesh: MeshConfig, id: ClusterIdentity): Values {
    return {
        hub: mesh.hub,
        tag: mesh.istioVersion,
        multiCluster: { clusterName: id.clusterName },
        // 1.24 renders no network for ztunnel at all; from 1.27 the chart takes it top-level.
        ...(mesh.release.ztunnelNetworkValue === "none" ? {} : { network: id.network }),
    };
}

/** Service annotations for an AWS Network Load Balancer, internal or internet-facing. */
export function nlbAnnotations(scheme: "internal" | "internet-facing"): Record<string, string> {
    return {
        "service.beta.kubernetes.io/aws-load-balancer-type": "nlb",
        "service.beta.kubernetes.io/aws-load-balancer-scheme": scheme,
        ...(scheme === "internal"
            ? { "service.beta.kubernetes.io/aws-load-balancer-internal": "true" }
            : {}),
        "service.beta.kubernetes.io/aws-load-balancer-cross-zone-load-balancing-enabled": "true",
    };
}

/** Sidecar mode's east-west gateway: the gateway chart with `networkGateway`. */
export function eastWestGatewayValues(id: ClusterIdentity): Values {
    return {
        // Adds the network label, the requested-network env and ports 15021/15443/15012/15017.
        networkGateway: id.network,
        service: { annotations: nlbAnnotations("internal") },
    };
}

export function ingressGatewayValues(): Values {
    return { service: { annotations: nlbAnnotations("internet-facing") } };
}

export interface PortRange {
    readonly from: number;
    readonly to: number;
}

/**
 * Ports peers need open on a cluster's security group for its east-west gateway: HBONE 15008
 * (ambient) or mTLS passthrough 15443 (sidecar), the status port 15021, and the NodePort range,
 * since the in-tree NLB forwards to instance NodePorts and preserves the peer's source address.
 */
export function eastWestPorts(mode: "ambient" | "sidecar"): PortRange[] {
    const data = mode === "ambient" ? 15008 : 15443;
    return [
        { from: data, to: data },
        { from: 15021, to: 15021 },
        { from: 30000, to: 32767 },
    ];
}
