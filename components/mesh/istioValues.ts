import { MeshConfig } from "../config";
import { IstioRelease } from "../versions";
import { ControlPlane, Revision } from "./controlPlane";

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

/**
 * The base chart's validating webhook (`istiod-default-validator`) goes to the Service of the
 * revision that holds `default` (`istiod-<revision>`; only `default` itself means the
 * unrevisioned `istiod`): manifests/charts/base/templates/defaultrevision-
 * validatingwebhookconfiguration.yaml:2-24 at 1.30.3.
 */
export function baseValues(cp: ControlPlane): Values {
    return { defaultRevision: cp.serving.name, ...webhookPolicy(cp.base.release) };
}

/**
 * Always on, so that no phase of a root rotation restarts istiod (components/caLifecycle.ts):
 * istiod watches /etc/cacerts and reloads a new intermediate, key or chain by itself, but a
 * changed root-cert.pem only with ISTIO_MULTIROOT_MESH, and then only when one bundle is a
 * superset or subset of the other (istio/istio@1.30.3 pilot/pkg/bootstrap/istio_ca.go:345-367;
 * the flag defaults to false, pilot/pkg/features/pilot.go:218-219). Besides, it builds the
 * workload trust bundle that proxies asking for PCDS get (server.go:308-312,
 * certcontroller.go:213-224); nothing of the platform asks for it.
 */
export const CA_RELOAD_ENV = { ISTIO_MULTIROOT_MESH: "true" } as const;

/**
 * One control-plane revision's istiod: `revision` suffixes its Deployment, Service
 * (`istiod-<revision>`) and webhooks; `revisionTags` are the tags it answers for (a tag's
 * webhook and its `istiod-revision-tag-<tag>` Service).
 */
export function istiodValues(mesh: MeshConfig, id: ClusterIdentity, rev: Revision): Values {
    const ambient = mesh.dataplaneMode === "ambient";
    const env: Record<string, string> = { ...rev.release.istiodEnv, ...CA_RELOAD_ENV };
    if (ambient) {
        // Off by default even with the ambient profile; multi-network needs it.
        env.AMBIENT_ENABLE_MULTI_NETWORK = "true";
        if (rev.release.ambientMultiNetworkExtras) {
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
        revision: rev.name,
        revisionTags: [...rev.tags],
        global: {
            hub: mesh.hub,
            tag: rev.version,
            meshID: mesh.meshId,
            multiCluster: { clusterName: id.clusterName },
            network: id.network,
        },
        meshConfig,
        ...(Object.keys(env).length ? { env } : {}),
        ...webhookPolicy(rev.release),
    };
}

/** istio-cni at the data plane's revision (labels only: the node agent picks no istiod). */
export function cniValues(mesh: MeshConfig, rev: Revision): Values {
    return {
        profile: "ambient",
        revision: rev.name,
        global: { hub: mesh.hub, tag: rev.version },
    };
}

/**
 * ztunnel at the data plane's revision. Its `revision` points it at that revision's istiod for
 * certificates and configuration (CA_ADDRESS and XDS_ADDRESS default to
 * `istiod-<revision>.<namespace>.svc:15012`: manifests/charts/ztunnel/templates/
 * daemonset.yaml:110-120 at 1.30.3), so moving it is what moves a node's data plane.
 */
export function ztunnelValues(mesh: MeshConfig, id: ClusterIdentity, rev: Revision): Values {
    return {
        hub: mesh.hub,
        tag: rev.version,
        revision: rev.name,
        multiCluster: { clusterName: id.clusterName },
        // 1.24 renders no network for ztunnel at all; from 1.27 the chart takes it top-level.
        ...(rev.release.ztunnelNetworkValue === "none" ? {} : { network: id.network }),
    };
}

/** Port of the gateways' readiness endpoint (`/healthz/ready`), which load balancers probe. */
export const GATEWAY_STATUS_PORT = 15021;

/**
 * The port peers reach an east-west gateway on: HBONE 15008 in ambient mode, mTLS
 * auto-passthrough 15443 in sidecar mode.
 */
export function eastWestPort(mode: "ambient" | "sidecar"): number {
    return mode === "ambient" ? 15008 : 15443;
}

const LB = "service.beta.kubernetes.io/aws-load-balancer";

/**
 * Annotations that hand a Service to the AWS Load Balancer Controller for a network load
 * balancer with IP targets (the pods themselves, so no NodePort range is ever opened). The
 * in-tree cloud provider leaves `aws-load-balancer-type: external` alone.
 */
export function lbcAnnotations(scheme: "internal" | "internet-facing"): Record<string, string> {
    return {
        [`${LB}-type`]: "external",
        [`${LB}-nlb-target-type`]: "ip",
        [`${LB}-scheme`]: scheme,
        [`${LB}-attributes`]: "load_balancing.cross_zone.enabled=true",
    };
}

/** Where a network load balancer probes Istio's gateway pods. */
export function gatewayHealthCheckAnnotations(): Record<string, string> {
    return {
        [`${LB}-healthcheck-port`]: String(GATEWAY_STATUS_PORT),
        [`${LB}-healthcheck-protocol`]: "HTTP",
        [`${LB}-healthcheck-path`]: "/healthz/ready",
    };
}

/**
 * Sidecar mode's east-west gateway: the gateway chart with `networkGateway` (network label,
 * requested-network env, ports 15021/15443/15012/15017). Its own Service stays a ClusterIP
 * whose `externalIPs` are the load balancer's fixed addresses: istiod adds a Service's
 * externalIPs to its external addresses (pilot/pkg/serviceregistry/kube/conversion.go:156-158
 * at 1.30.3), so peers learn IPs, never a load balancer hostname. The load balancer itself is a
 * separate Service (EastWestGateway).
 */
export function eastWestGatewayValues(id: ClusterIdentity, addresses: readonly string[]): Values {
    return {
        networkGateway: id.network,
        service: { type: "ClusterIP", externalIPs: [...addresses] },
    };
}

/** The internet-facing ingress gateway: a network load balancer made by the controller. */
export function ingressGatewayValues(): Values {
    return {
        service: {
            annotations: {
                ...lbcAnnotations("internet-facing"),
                ...gatewayHealthCheckAnnotations(),
            },
        },
    };
}
