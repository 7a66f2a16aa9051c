import * as k8s from "@pulumi/kubernetes";
import { PolicyResource, ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { configOf, knownString, quoteList, secretMaps } from "../util";
import { istioNamespaceSchema } from "./identity";

/** Remote secrets: how each istiod finds and authenticates to the other clusters' API servers. */

export const REMOTE_SECRET_PREFIX = "istio-remote-secret-";

export const istioRemoteSecretMetadata: ResourceValidationPolicy = {
    name: "istio-remote-secret-metadata",
    description:
        "Remote secrets live in istio-system, carry istio/multiCluster=true and name their cluster in networking.istio.io/cluster.",
    enforcementLevel: "mandatory",
    configSchema: istioNamespaceSchema,
    validateResource: validateResourceOfType(k8s.core.v1.Secret, (secret, args, report) => {
        const { istioNamespace } = configOf<{ istioNamespace: string }>(istioNamespaceSchema, args);
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

export function isRemoteSecret(r: PolicyResource): boolean {
    return (
        r.isType(k8s.core.v1.Secret) &&
        (knownString(() => r.props.metadata?.name)?.startsWith(REMOTE_SECRET_PREFIX) ?? false)
    );
}
