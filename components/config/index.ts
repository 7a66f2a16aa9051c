import * as pulumi from "@pulumi/pulumi";
import { KubernetesVersion } from "../versions";
import { checkCluster, checkTopLevel } from "./clusterChecks";
import { checkRootRotation } from "./caRotation";
import { checkAcrossClusters, checkAddressSpace, checkRelease } from "./crossChecks";
import { checkEndpoints } from "./endpointChecks";
import { checkMeshKeys } from "./meshChecks";
import type { PeerStackConfig, PlatformConfig } from "./model";
import { checkPeers } from "./peerChecks";
import { checkReaderTokenRotation } from "./readerTokens";
import { defaultNetwork } from "./problems";
import { keyType } from "./reference";
import { checkRootCa } from "./rootCa";
import { ParsedMesh, platformSchema } from "./schema";
import { checkUpgrade } from "./upgradeChecks";
import { isSecretConfig } from "./secretKeys";
import { shapeProblems, valueAt } from "./shapeProblems";

/**
 * The stack's configuration: one typed model, read in one place and validated before any
 * resource is registered. Every problem is collected and reported at once, each naming the
 * key, the value and what is allowed. Keys are declared once, in `schema.ts`.
 */

export { defaultNetwork, LIMITS } from "./problems";
export { readerTokenPlan } from "./readerTokens";
export type { ReaderTokenPlan } from "./readerTokens";
export type { RawPlatformConfig } from "./schema";

export type {
    ClusterConfig,
    DataplaneMode,
    EndpointConfig,
    MeshConfig,
    NatGateways,
    NodeGroupConfig,
    PeerStackConfig,
    PlatformConfig,
    RootCa,
    TracingConfig,
    UpgradeConfig,
} from "./model";

/** Thrown when the configuration is invalid; `problems` holds one line per problem. */
export class ConfigError extends Error {
    constructor(public readonly problems: string[]) {
        super(
            `Invalid configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
                problems.map((p) => `  - ${p}`).join("\n"),
        );
        this.name = "ConfigError";
    }
}

export interface ValidateOptions {
    /** Top-level keys the stack holds as secrets (`pulumi config set --secret`). */
    readonly secretKeys?: ReadonlySet<string>;
    /** This stack's fully qualified name, `org/project/stack`, which no peer may be. */
    readonly stack?: string;
}

/** `mesh.peers` with each peer cluster's network resolved. */
function resolvedPeers(peers: ParsedMesh["peers"]): PeerStackConfig[] {
    return peers.map((p) => ({
        stack: p.stack,
        clusters: p.clusters.map((c) => ({
            name: c.name,
            vpcCidr: c.vpcCidr,
            network: c.network ?? defaultNetwork(c.name),
        })),
    }));
}

/** Validates raw config (as read from the stack) and returns the typed model with defaults. */
export function validateConfig(
    raw: unknown,
    project: string,
    options: ValidateOptions = {},
): PlatformConfig {
    const parsed = platformSchema.safeParse(raw);
    if (!parsed.success) {
        throw new ConfigError(shapeProblems(raw, parsed.error.issues));
    }
    const cfg = parsed.data;
    const problems: string[] = [];
    const warnings: string[] = [];
    checkTopLevel(cfg, valueAt(raw, ["tags"]), problems);
    cfg.clusters.forEach((c, i) => checkCluster(c, `clusters[${i}]`, problems));
    checkEndpoints(cfg.clusters, valueAt(raw, ["clusters"]), problems);
    checkAcrossClusters(cfg.clusters, cfg.mesh.peers, problems);
    checkAddressSpace(cfg.clusters, cfg.mesh, problems);
    const release = checkRelease(
        cfg.mesh.istioVersion,
        "mesh.istioVersion",
        cfg.mesh,
        cfg.clusters,
        problems,
        warnings,
    );
    const upgrade = checkUpgrade(cfg.mesh, release, cfg.clusters, problems, warnings);
    checkMeshKeys(cfg.mesh, problems);
    checkReaderTokenRotation(cfg.mesh, problems);
    checkPeers(cfg, options.stack, problems);
    checkRootCa(
        {
            cert: cfg.rootCaCertPem,
            key: cfg.rootCaKeyPem,
            keyIsSecret: options.secretKeys?.has("rootCaKeyPem") ?? false,
        },
        problems,
    );
    checkRootRotation(cfg, release, options.secretKeys, problems);
    if (problems.length > 0 || !release) {
        throw new ConfigError(problems);
    }
    const { rootCaCertPem, rootCaKeyPem, rootRotation, nextRootCaCertPem, nextRootCaKeyPem } = cfg;
    return {
        project,
        environment: cfg.environment,
        tags: cfg.tags,
        clusterAdmins: cfg.clusterAdmins,
        clusters: cfg.clusters.map((c) => ({
            ...c,
            kubernetesVersion: c.kubernetesVersion as KubernetesVersion,
            network: c.network ?? defaultNetwork(c.name),
        })),
        mesh: {
            ...cfg.mesh,
            release,
            upgrade,
            meshId: cfg.mesh.meshId ?? `mesh-${cfg.environment}`,
            caOrganization: cfg.mesh.caOrganization ?? project,
            peers: resolvedPeers(cfg.mesh.peers),
            rootCa:
                rootCaCertPem && rootCaKeyPem
                    ? { certPem: rootCaCertPem, privateKeyPem: rootCaKeyPem }
                    : undefined,
            rootRotation:
                rootRotation && nextRootCaCertPem && nextRootCaKeyPem
                    ? {
                          phase: rootRotation,
                          nextRoot: { certPem: nextRootCaCertPem, privateKeyPem: nextRootCaKeyPem },
                      }
                    : undefined,
        },
        warnings,
    };
}

/**
 * Reads every key of the project's namespace from the stack configuration (structured values
 * arrive JSON-encoded) and validates them; throws ConfigError on any problem. Reading the whole
 * namespace, rather than known keys one by one, lets a misspelt top-level key be reported.
 */
export function loadConfig(): PlatformConfig {
    const project = pulumi.getProject();
    const raw: Record<string, unknown> = {};
    const secretKeys = new Set<string>();
    for (const [fullKey, value] of Object.entries(pulumi.runtime.allConfig())) {
        const colon = fullKey.indexOf(":");
        if (colon < 0 || fullKey.slice(0, colon) !== project) {
            continue;
        }
        const key = fullKey.slice(colon + 1);
        raw[key] = parseConfigValue(value, STRING_KEYS.has(key));
        if (isSecretConfig(fullKey)) {
            secretKeys.add(key);
        }
    }
    const stack = `${pulumi.getOrganization()}/${project}/${pulumi.getStack()}`;
    const config = validateConfig(raw, project, { secretKeys, stack });
    config.warnings.forEach((w) => pulumi.log.warn(w));
    return config;
}

/** Top-level keys whose values are text: `environment: "123"` is the string "123". */
const STRING_KEYS = new Set(
    Object.entries(platformSchema.shape)
        .filter(([, schema]) => keyType(schema) === "string")
        .map(([key]) => key),
);

/**
 * A value as the program receives it: Pulumi hands every top-level value over as text, lists and
 * objects as JSON. JSON text is parsed, except that a key whose values are text keeps a scalar as
 * written (`"123"`, `"true"`), since a quoted scalar and an unquoted one arrive alike.
 */
function parseConfigValue(value: string, isText: boolean): unknown {
    let parsed: unknown;
    try {
        parsed = JSON.parse(value);
    } catch {
        return value;
    }
    return isText && (typeof parsed !== "object" || parsed === null) ? value : parsed;
}
