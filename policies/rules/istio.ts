import * as k8s from "@pulumi/kubernetes";
import {
    PolicyConfigSchema,
    PolicyResource,
    ResourceValidation,
    ResourceValidationPolicy,
    StackValidationPolicy,
    validateResourceOfType,
} from "@pulumi/policy";
import { HelmRelease, helmReleases } from "./helm";
import {
    configOf,
    dependencyClosure,
    dig,
    known,
    knownString,
    NOT_KNOWN,
    orNotKnown,
    providerKey,
    quoteList,
    REDACTED,
} from "./util";

/**
 * The Istio ambient multi-primary, multi-network mesh: what istiod, ztunnel and the remote
 * secrets must agree on (FACTS.md, "Istio ambient, multi-primary, multi-network").
 */

export const NETWORK_LABEL = "topology.istio.io/network";
export const REMOTE_SECRET_PREFIX = "istio-remote-secret-";
export const CACERTS_KEYS = ["ca-cert.pem", "ca-key.pem", "root-cert.pem", "cert-chain.pem"];
const EAST_WEST_CLASS = "istio-east-west";
const GATEWAY_TYPES = [
    "kubernetes:gateway.networking.k8s.io/v1:Gateway",
    "kubernetes:gateway.networking.k8s.io/v1beta1:Gateway",
];
const LB_SCHEME = "service.beta.kubernetes.io/aws-load-balancer-scheme";
const LB_INTERNAL = "service.beta.kubernetes.io/aws-load-balancer-internal";

const namespaceSchema: PolicyConfigSchema = {
    properties: {
        istioNamespace: {
            type: "string",
            default: "istio-system",
            description: "Namespace istiod runs in.",
        },
    },
};

function show(value: unknown): string {
    return value === undefined ? "(not set)" : JSON.stringify(value);
}

export const istioNetworkLabel: ResourceValidationPolicy = {
    name: "istio-system-network-label",
    description:
        "The istio-system namespace carries the topology.istio.io/network label naming its cluster's network.",
    enforcementLevel: "mandatory",
    configSchema: namespaceSchema,
    validateResource: validateResourceOfType(k8s.core.v1.Namespace, (ns, args, report) => {
        const { istioNamespace } = configOf<{ istioNamespace: string }>(namespaceSchema, args);
        if (ns.metadata?.name !== istioNamespace) {
            return;
        }
        if (!ns.metadata.labels?.[NETWORK_LABEL]) {
            report(
                `namespace ${istioNamespace} has no ${NETWORK_LABEL} label; istiod learns each ` +
                    "cluster's network only from this label.",
            );
        }
    }),
};

/**
 * A Secret's `stringData` and `data`, or undefined when their keys cannot be seen: a map built
 * from outputs is unknown during a first preview (the offline plan checks it), and a plan
 * written without `--show-secrets` hides a whole secret map behind one string.
 */
function secretMaps(secret: {
    stringData?: Record<string, string>;
    data?: Record<string, string>;
}): { stringData: Record<string, string>; data: Record<string, string> } | undefined {
    const stringData = orNotKnown(() => secret.stringData);
    const data = orNotKnown(() => secret.data);
    if (stringData === NOT_KNOWN || data === NOT_KNOWN) {
        return undefined;
    }
    if ((stringData as unknown) === REDACTED || (data as unknown) === REDACTED) {
        return undefined;
    }
    return { stringData: stringData ?? {}, data: data ?? {} };
}

export const istioCacertsComplete: ResourceValidationPolicy = {
    name: "istio-cacerts-complete",
    description: "The cacerts Secret holds all four plug-in CA files istiod reads.",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(k8s.core.v1.Secret, (secret, _args, report) => {
        const maps = secretMaps(secret);
        if (secret.metadata?.name !== "cacerts" || maps === undefined) {
            return;
        }
        const keys = [...Object.keys(maps.stringData), ...Object.keys(maps.data)];
        const missing = CACERTS_KEYS.filter((k) => !keys.includes(k));
        if (missing.length > 0) {
            report(
                `cacerts lacks ${missing.join(", ")}; istiod needs ${CACERTS_KEYS.join(", ")} ` +
                    "(from Istio 1.27 a partial set stops it).",
            );
        }
    }),
};

export const istioRemoteSecretMetadata: ResourceValidationPolicy = {
    name: "istio-remote-secret-metadata",
    description:
        "Remote secrets live in istio-system, carry istio/multiCluster=true and name their cluster in networking.istio.io/cluster.",
    enforcementLevel: "mandatory",
    configSchema: namespaceSchema,
    validateResource: validateResourceOfType(k8s.core.v1.Secret, (secret, args, report) => {
        const { istioNamespace } = configOf<{ istioNamespace: string }>(namespaceSchema, args);
        const name = secret.metadata?.name;
        if (!name?.startsWith(REMOTE_SECRET_PREFIX)) {
            return;
        }
        const cluster = name.slice(REMOTE_SECRET_PREFIX.length);
        const namespace = secret.metadata?.namespace ?? "default";
        if (namespace !== istioNamespace) {
            report(
                `remote secret ${name} is in namespace "${namespace}"; istiod reads remote ` +
                    `secrets from ${istioNamespace} only.`,
            );
        }
        const label = secret.metadata?.labels?.["istio/multiCluster"];
        if (label !== "true") {
            const shown =
                label === undefined
                    ? "lacks label istio/multiCluster"
                    : `has label istio/multiCluster: ${JSON.stringify(label)}`;
            report(
                `remote secret ${name} ${shown}; istiod only watches secrets labelled ` +
                    'istio/multiCluster: "true".',
            );
        }
        const annotation = secret.metadata?.annotations?.["networking.istio.io/cluster"];
        if (annotation !== cluster) {
            const shown =
                annotation === undefined
                    ? "lacks annotation networking.istio.io/cluster"
                    : `has annotation networking.istio.io/cluster: ${JSON.stringify(annotation)}`;
            report(
                `remote secret ${name} ${shown}; it must name the remote cluster, "${cluster}".`,
            );
        }
    }),
};

/** kubeconfig fields istiod refuses in remote secrets (it allows only bearer tokens by default). */
const REFUSED_AUTH =
    /^\s*["']?(exec|tokenFile|client-certificate|client-certificate-data|client-key|client-key-data|auth-provider)["']?\s*:/m;

export const istioRemoteSecretKubeconfig: ResourceValidationPolicy = {
    name: "istio-remote-secret-kubeconfig",
    description:
        "Remote secrets hold exactly one kubeconfig, keyed by the remote cluster's ID, that authenticates with a bearer token.",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(k8s.core.v1.Secret, (secret, _args, report) => {
        const name = secret.metadata?.name;
        const maps = secretMaps(secret);
        if (!name?.startsWith(REMOTE_SECRET_PREFIX) || maps === undefined) {
            return;
        }
        const cluster = name.slice(REMOTE_SECRET_PREFIX.length);
        const { stringData, data } = maps;
        const keys = [...new Set([...Object.keys(stringData), ...Object.keys(data)])];
        if (keys.length !== 1 || keys[0] !== cluster) {
            const held =
                keys.length === 0
                    ? "no keys"
                    : `${keys.length === 1 ? "key" : "keys"} ${quoteList(keys)}`;
            report(
                `remote secret ${name} holds ${held}; it must hold exactly one key, ` +
                    `"${cluster}", the remote cluster's ID.`,
            );
        }
        for (const key of keys) {
            // The policy SDK hands rules secret values in the clear (secretness is not visible),
            // so the rule checks the content; values unknown in a preview are skipped.
            const encoded = knownString(() => data[key]);
            const text =
                knownString(() => stringData[key]) ??
                (encoded === undefined ? undefined : Buffer.from(encoded, "base64").toString());
            if (text === undefined) {
                continue;
            }
            const refused = REFUSED_AUTH.exec(text);
            if (refused) {
                report(
                    `the kubeconfig under "${key}" authenticates with ${refused[1]}; istiod ` +
                        "accepts only a bearer token (user.token) in remote secrets.",
                );
            } else if (!/^\s*["']?token["']?\s*:/m.test(text)) {
                report(
                    `the kubeconfig under "${key}" has no user.token; give it the bearer token ` +
                        "of the remote cluster's istio-reader-service-account.",
                );
            }
        }
    }),
};

function isInternal(annotations: unknown): boolean {
    return (
        dig(annotations, [LB_SCHEME]) === "internal" || dig(annotations, [LB_INTERNAL]) === "true"
    );
}

/** Ports peers send mesh traffic to: HBONE, and sidecar mode's mTLS auto-passthrough. */
export const MESH_PORTS = [15008, 15443];

const gatewayApiEastWest: ResourceValidation = (args, report) => {
    if (!GATEWAY_TYPES.includes(args.type)) {
        args.notApplicable("Policy only applies to Gateway API gateways and Helm releases");
    }
    if (known(() => args.props.spec?.gatewayClassName) !== EAST_WEST_CLASS) {
        return;
    }
    // With parameters, the Service Istio deploys is what the ConfigMap makes of it (a ClusterIP
    // on fixed addresses, checked by mesh-reachability); without, it is a load balancer.
    if (known(() => args.props.spec?.infrastructure?.parametersRef) !== undefined) {
        return;
    }
    if (!isInternal(known(() => args.props.spec?.infrastructure?.annotations))) {
        report(
            `east-west gateway ${args.name} gets an internet-facing load balancer; set ` +
                `spec.infrastructure.annotations ${LB_SCHEME}: internal so cross-cluster ` +
                "traffic stays on the Transit Gateway.",
        );
    }
};

export const istioEastWestInternal: ResourceValidationPolicy = {
    name: "istio-east-west-gateway-internal",
    description:
        "East-west gateways get internal load balancers, so cross-cluster traffic stays on the Transit Gateway.",
    enforcementLevel: "mandatory",
    validateResource: [
        gatewayApiEastWest,
        validateResourceOfType(k8s.helm.v3.Release, (release, args, report) => {
            // Sidecar mode: the gateway chart becomes an east-west gateway through networkGateway.
            if (!release.values?.networkGateway) {
                return;
            }
            const type = dig(release.values, ["service", "type"]);
            if (type === "ClusterIP" || type === "NodePort") {
                return;
            }
            if (!isInternal(dig(release.values, ["service", "annotations"]))) {
                report(
                    `east-west gateway ${args.name} gets an internet-facing load balancer; set ` +
                        `values.service.annotations ${LB_SCHEME}: internal so cross-cluster ` +
                        "traffic stays on the Transit Gateway.",
                );
            }
        }),
        validateResourceOfType(k8s.core.v1.Service, (service, args, report) => {
            if (service.spec?.type !== "LoadBalancer") {
                return;
            }
            const ports = (service.spec.ports ?? []).map((p) => Number(p.port));
            const mesh = ports.find((p) => MESH_PORTS.includes(p));
            if (mesh !== undefined && !isInternal(service.metadata?.annotations)) {
                report(
                    `load balancer Service ${args.name} exposes mesh port ${mesh} to the ` +
                        `internet; set metadata.annotations ${LB_SCHEME}: internal so ` +
                        "cross-cluster traffic stays on the Transit Gateway.",
                );
            }
        }),
    ],
};

function byChart(releases: HelmRelease[], chart: string): HelmRelease[] {
    return releases.filter((r) => r.chart === chart);
}

/** Releases grouped by Kubernetes provider, i.e. by cluster. */
function byCluster(releases: HelmRelease[]): HelmRelease[][] {
    const groups = new Map<string, HelmRelease[]>();
    for (const r of releases) {
        const key = providerKey(r.resource);
        groups.set(key, [...(groups.get(key) ?? []), r]);
    }
    return [...groups.values()];
}

export const istioAmbientProfile: StackValidationPolicy = {
    name: "istio-ambient-profile",
    description:
        "In a cluster running ztunnel, the istiod and cni releases use the ambient profile.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const clusters = byCluster(helmReleases(args.resources)).filter(
            (c) => byChart(c, "ztunnel").length > 0,
        );
        if (clusters.length === 0) {
            args.notApplicable("Policy only applies to stacks running ztunnel");
        }
        for (const release of clusters.flat()) {
            if (release.chart !== "istiod" && release.chart !== "cni") {
                continue;
            }
            const profile = release.at(["profile"]);
            if (profile !== "ambient") {
                report(
                    `${release.chart} release ${release.resource.name} runs next to ztunnel but ` +
                        `sets profile ${show(profile)}; ambient mode needs profile: ambient.`,
                    release.resource.urn,
                );
            }
        }
    },
};

function isRemoteSecret(r: PolicyResource): boolean {
    return (
        r.isType(k8s.core.v1.Secret) &&
        (knownString(() => r.props.metadata?.name)?.startsWith(REMOTE_SECRET_PREFIX) ?? false)
    );
}

export const istiodMultiNetwork: StackValidationPolicy = {
    name: "istiod-ambient-multi-network",
    description:
        "In an ambient mesh of several clusters, every istiod turns AMBIENT_ENABLE_MULTI_NETWORK on.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const releases = helmReleases(args.resources);
        const istiods = byChart(releases, "istiod");
        const multiCluster = istiods.length > 1 || args.resources.some(isRemoteSecret);
        if (byChart(releases, "ztunnel").length === 0 || !multiCluster) {
            args.notApplicable("Policy only applies to ambient meshes of several clusters");
        }
        for (const istiod of istiods) {
            // `env.X` and `pilot.env.X` are the same setting in the istiod chart.
            const flag =
                istiod.at(["env", "AMBIENT_ENABLE_MULTI_NETWORK"]) ??
                istiod.at(["pilot", "env", "AMBIENT_ENABLE_MULTI_NETWORK"]);
            if (flag !== "true" && flag !== true) {
                report(
                    `istiod release ${istiod.resource.name} sets env AMBIENT_ENABLE_MULTI_NETWORK ` +
                        `${show(flag)}; set "true", or ambient multi-cluster stays off and no ` +
                        "istio-east-west gateway class exists.",
                    istiod.resource.urn,
                );
            }
        }
    },
};

export const istiodWaitsForCacerts: StackValidationPolicy = {
    name: "istiod-depends-on-cacerts",
    description:
        "Every istiod release depends on the cacerts Secret in its namespace, so it starts with the mesh's CA.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const istiods = byChart(helmReleases(args.resources), "istiod");
        if (istiods.length === 0) {
            args.notApplicable("Policy only applies to stacks with istiod");
        }
        for (const istiod of istiods) {
            const waits = [...dependencyClosure(istiod.resource)].some(
                (d) =>
                    d.isType(k8s.core.v1.Secret) &&
                    knownString(() => d.props.metadata?.name) === "cacerts" &&
                    (knownString(() => d.props.metadata?.namespace) ?? "default") ===
                        istiod.namespace &&
                    providerKey(d) === providerKey(istiod.resource),
            );
            if (!waits) {
                report(
                    `istiod release ${istiod.resource.name} does not depend on a cacerts Secret ` +
                        `in ${istiod.namespace}; started first, istiod makes its own CA and never ` +
                        "picks up the mesh's intermediate.",
                    istiod.resource.urn,
                );
            }
        }
    },
};

function rootCertOf(secret: PolicyResource): string | undefined {
    const plain = knownString(() => secret.props.stringData?.["root-cert.pem"]);
    const encoded = knownString(() => secret.props.data?.["root-cert.pem"]);
    const pem =
        plain ?? (encoded === undefined ? undefined : Buffer.from(encoded, "base64").toString());
    return pem?.trim();
}

export const istioCacertsShareRoot: StackValidationPolicy = {
    name: "istio-cacerts-share-root",
    description: "The cacerts Secrets of all clusters carry the same root certificate.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const roots = args.resources
            .filter(
                (r) =>
                    r.isType(k8s.core.v1.Secret) &&
                    knownString(() => r.props.metadata?.name) === "cacerts",
            )
            .flatMap((secret) => {
                const root = rootCertOf(secret);
                return root === undefined ? [] : [{ secret, root }];
            });
        if (roots.length < 2) {
            args.notApplicable("Policy only applies to stacks with several known cacerts");
        }
        for (const other of roots.slice(1).filter((r) => r.root !== roots[0].root)) {
            report(
                `cacerts ${other.secret.name} has a different root-cert.pem than ` +
                    `${roots[0].secret.name}; all clusters of a mesh must share one root CA.`,
                other.secret.urn,
            );
        }
    },
};

export const ztunnelMatchesIstiod: StackValidationPolicy = {
    name: "ztunnel-matches-istiod",
    description: "In each cluster, ztunnel's cluster name and network equal istiod's.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const clusters = byCluster(helmReleases(args.resources));
        let checked = false;
        for (const cluster of clusters) {
            const [istiod] = byChart(cluster, "istiod");
            if (istiod === undefined) {
                continue;
            }
            for (const ztunnel of byChart(cluster, "ztunnel")) {
                checked = true;
                const zName = ztunnel.at(["multiCluster", "clusterName"]);
                const iName = istiod.at(["global", "multiCluster", "clusterName"]);
                if (zName !== iName) {
                    report(
                        `ztunnel release ${ztunnel.resource.name} has multiCluster.clusterName ` +
                            `${show(zName)} but istiod release ${istiod.resource.name} has ` +
                            `global.multiCluster.clusterName ${show(iName)}; they must be equal.`,
                        ztunnel.resource.urn,
                    );
                }
                // ztunnel charts before 1.27 do not render the network at all; unset is not wrong.
                const zNetwork = ztunnel.at(["network"]) ?? ztunnel.at(["global", "network"]);
                const iNetwork = istiod.at(["global", "network"]);
                if (zNetwork !== undefined && zNetwork !== iNetwork) {
                    report(
                        `ztunnel release ${ztunnel.resource.name} has network ${show(zNetwork)} ` +
                            `but istiod release ${istiod.resource.name} has global.network ` +
                            `${show(iNetwork)}; they must be equal.`,
                        ztunnel.resource.urn,
                    );
                }
            }
        }
        if (!checked) {
            args.notApplicable("Policy only applies to clusters running istiod and ztunnel");
        }
    },
};

export const istioMeshIdentity: StackValidationPolicy = {
    name: "istio-mesh-identity-consistent",
    description: "All istiod releases of the mesh share one mesh ID and one trust domain.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const istiods = byChart(helmReleases(args.resources), "istiod");
        if (istiods.length < 2) {
            args.notApplicable("Policy only applies to meshes of several clusters");
        }
        const settings: [string[], unknown][] = [
            [["global", "meshID"], undefined],
            [["meshConfig", "trustDomain"], "cluster.local"],
        ];
        for (const [path, fallback] of settings) {
            const values = istiods.map((i) => i.at(path) ?? fallback);
            if (new Set(values).size > 1) {
                const listed = istiods.map((i, n) => `${show(values[n])} (${i.resource.name})`);
                report(
                    `istiod releases disagree on ${path.join(".")}: ${listed.join(", ")}; the ` +
                        "clusters of one mesh need one mesh ID and one trust domain.",
                );
            }
        }
    },
};

export const istioClusterIdentity: StackValidationPolicy = {
    name: "istio-cluster-identity-unique",
    description:
        "Each istiod of a multi-cluster mesh sets its own cluster name and its own network.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const istiods = byChart(helmReleases(args.resources), "istiod");
        if (istiods.length < 2) {
            args.notApplicable("Policy only applies to meshes of several clusters");
        }
        const settings: [string[], string][] = [
            [
                ["global", "multiCluster", "clusterName"],
                "remote secrets and endpoints are keyed by the cluster name",
            ],
            [
                ["global", "network"],
                "ambient multi-cluster supports multi-network only, one network per cluster",
            ],
        ];
        for (const [path, why] of settings) {
            const holders = new Map<string, HelmRelease[]>();
            for (const istiod of istiods) {
                const value = istiod.at(path);
                if (typeof value !== "string" || value === "") {
                    report(
                        `istiod release ${istiod.resource.name} does not set ${path.join(".")}; ${why}.`,
                        istiod.resource.urn,
                    );
                } else {
                    holders.set(value, [...(holders.get(value) ?? []), istiod]);
                }
            }
            for (const [value, same] of holders) {
                if (same.length > 1) {
                    report(
                        `istiod releases ${same.map((i) => i.resource.name).join(" and ")} share ` +
                            `${path.join(".")} ${JSON.stringify(value)}; ${why}.`,
                    );
                }
            }
        }
    },
};

function isAmbientEastWest(r: PolicyResource): boolean {
    return (
        GATEWAY_TYPES.includes(r.type) &&
        known(() => r.props.spec?.gatewayClassName) === EAST_WEST_CLASS
    );
}

export const istioEastWestModes: StackValidationPolicy = {
    name: "istio-east-west-gateway-modes-not-mixed",
    description:
        "A mesh uses either ambient (istio-east-west) or sidecar-mode east-west gateways, not both.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const ambient = args.resources.filter(isAmbientEastWest);
        const sidecar = byChart(helmReleases(args.resources), "gateway").filter(
            (r) => !!r.at(["networkGateway"]),
        );
        if (ambient.length === 0 || sidecar.length === 0) {
            args.notApplicable(
                "Policy only applies to stacks with both kinds of east-west gateway",
            );
        }
        report(
            `the stack has ambient east-west gateways (${ambient.map((r) => r.name).join(", ")}) ` +
                `and sidecar-mode ones (${sidecar.map((r) => r.resource.name).join(", ")}); ` +
                "use one kind per mesh (mixing them broke ingress in Istio 1.29.1).",
        );
    },
};

export const istioPolicies: (ResourceValidationPolicy | StackValidationPolicy)[] = [
    istioNetworkLabel,
    istioCacertsComplete,
    istioRemoteSecretMetadata,
    istioRemoteSecretKubeconfig,
    istioEastWestInternal,
    istioAmbientProfile,
    istiodMultiNetwork,
    istiodWaitsForCacerts,
    istioCacertsShareRoot,
    ztunnelMatchesIstiod,
    istioMeshIdentity,
    istioClusterIdentity,
    istioEastWestModes,
];
