import { IstioRelease, KubernetesVersion } from "../versions";
import { RootRotationPhase } from "../caLifecycle";
import { ParsedCluster, ParsedMesh, UPGRADE_PHASES } from "./schema";

/**
 * The validated configuration's types: what `validateConfig` returns, with every default
 * resolved. The checks import these from here, and `index.ts` re-exports them.
 */

export type NatGateways = ParsedCluster["natGateways"];
export type NodeGroupConfig = Readonly<ParsedCluster["nodeGroup"]>;
export type EndpointConfig = Readonly<ParsedCluster["endpoint"]>;
export type DataplaneMode = ParsedMesh["dataplaneMode"];
export type TracingConfig = Readonly<NonNullable<ParsedMesh["tracing"]>>;
/** A peer stack of `mesh.peers`, its clusters' networks resolved. */
export interface PeerStackConfig {
    readonly stack: string;
    readonly clusters: readonly { name: string; vpcCidr: string; network: string }[];
}

/** A cluster with every default resolved. */
export interface ClusterConfig extends Readonly<
    Omit<ParsedCluster, "kubernetesVersion" | "network">
> {
    readonly kubernetesVersion: KubernetesVersion;
    /** Istio network (`topology.istio.io/network`); one per cluster. */
    readonly network: string;
}

/** A minor upgrade by revision in progress: the release beside `istioVersion`, and the phase. */
export interface UpgradeConfig {
    readonly to: string;
    readonly release: IstioRelease;
    readonly phase: (typeof UPGRADE_PHASES)[number];
}

/** The mesh with every default resolved, and what the keys imply. */
export interface MeshConfig extends Readonly<
    Omit<ParsedMesh, "meshId" | "caOrganization" | "peers" | "upgrade">
> {
    readonly upgrade?: UpgradeConfig;
    readonly meshId: string;
    readonly peers: readonly PeerStackConfig[];
    readonly caOrganization: string;
    /** The versions table's entry for `istioVersion`. */
    readonly release: IstioRelease;
    /** An existing root CA (from `rootCaCertPem` and the secret `rootCaKeyPem`). */
    readonly rootCa?: RootCa;
    /** A root rotation under way (`rootRotation`, `nextRootCaCertPem`, `nextRootCaKeyPem`). */
    readonly rootRotation?: { readonly phase: RootRotationPhase; readonly nextRoot: RootCa };
}

/** A root CA as config supplies it. */
export interface RootCa {
    readonly certPem: string;
    readonly privateKeyPem: string;
}

export interface PlatformConfig {
    readonly project: string;
    readonly environment: string;
    /** Tags on every taggable AWS resource, after `project`, `environment` and `managed-by`. */
    readonly tags: Readonly<Record<string, string>>;
    readonly clusterAdmins: readonly string[];
    readonly clusters: readonly ClusterConfig[];
    readonly mesh: MeshConfig;
    /** Things that are allowed but worth a warning (e.g. alpha features); logged, not fatal. */
    readonly warnings: readonly string[];
}
