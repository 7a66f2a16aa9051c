import * as tls from "./tls";
import { base64, CREATED, Handler, Inputs, MockContext, MockOutput } from "./context";
import { isPlainObject, wireSecret } from "./values";

/** Kubernetes objects as the API server returns them, and the Kubernetes provider's components. */

const CLUSTER_SCOPED_KINDS = new Set([
    "Namespace",
    "Node",
    "PersistentVolume",
    "ClusterRole",
    "ClusterRoleBinding",
    "CustomResourceDefinition",
    "StorageClass",
    "PriorityClass",
    "ValidatingWebhookConfiguration",
    "MutatingWebhookConfiguration",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
    "APIService",
    "GatewayClass",
    "IngressClass",
    "CSIDriver",
    "RuntimeClass",
]);

function kindOf(type: string): string {
    return type.split(":").pop() ?? "";
}

/** Metadata as the API server returns it, with the Kubernetes provider's auto-naming. */
function k8sMetadata(ctx: MockContext, clusterScoped: boolean): Inputs {
    const metadata = isPlainObject(ctx.inputs.metadata) ? ctx.inputs.metadata : {};
    const defaultNamespace =
        typeof ctx.providerInputs.namespace === "string" && ctx.providerInputs.namespace !== ""
            ? ctx.providerInputs.namespace
            : "default";
    return {
        ...metadata,
        name:
            typeof metadata.name === "string"
                ? metadata.name
                : `${ctx.name}-${ctx.hex(8, "k8s-name")}`,
        ...(clusterScoped
            ? {}
            : {
                  namespace:
                      typeof metadata.namespace === "string"
                          ? metadata.namespace
                          : defaultNamespace,
              }),
        uid: ctx.uuid("uid"),
        resourceVersion: "1",
        generation: 1,
        creationTimestamp: CREATED,
    };
}

/** Any Kubernetes object (custom resources included): inputs plus server-side metadata. */
export function k8sObject(ctx: MockContext, extra: Inputs = {}): MockOutput {
    const clusterScoped = CLUSTER_SCOPED_KINDS.has(kindOf(ctx.type));
    const metadata = k8sMetadata(ctx, clusterScoped);
    return {
        id: clusterScoped
            ? String(metadata.name)
            : `${String(metadata.namespace)}/${String(metadata.name)}`,
        outputs: { ...ctx.inputs, metadata, ...extra },
    };
}

/** The CA a Kubernetes provider's kubeconfig trusts: what the API server hands out as `ca.crt`. */
async function providerCaData(ctx: MockContext): Promise<string> {
    const raw = ctx.providerInputs.kubeconfig;
    const parsed = typeof raw === "string" ? await parseKubeconfig(raw) : raw;
    const clusters = isPlainObject(parsed) && Array.isArray(parsed.clusters) ? parsed.clusters : [];
    const first = clusters.find((c: unknown) => isPlainObject(c) && isPlainObject(c.cluster));
    const data = first ? (first.cluster as Inputs)["certificate-authority-data"] : undefined;
    return typeof data === "string" && data !== ""
        ? data
        : base64(await tls.clusterCa(`kubernetes-${ctx.name}`));
}

async function parseKubeconfig(text: string): Promise<unknown> {
    const { parse } = await import("yaml");
    try {
        return parse(text);
    } catch {
        return undefined;
    }
}

/** A bound service-account token's shape: RS256 JWT with the claims of a legacy token Secret. */
function serviceAccountToken(
    ctx: MockContext,
    namespace: string,
    secretName: string,
    account: string,
): string {
    const b64url = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
    const header = { alg: "RS256", kid: ctx.hex(43, "kid") };
    const payload = {
        iss: "kubernetes/serviceaccount",
        "kubernetes.io/serviceaccount/namespace": namespace,
        "kubernetes.io/serviceaccount/secret.name": secretName,
        "kubernetes.io/serviceaccount/service-account.name": account,
        "kubernetes.io/serviceaccount/service-account.uid": ctx.uuid("service-account"),
        sub: `system:serviceaccount:${namespace}:${account}`,
    };
    const signature = Buffer.from(ctx.hex(512, "signature"), "hex").toString("base64url");
    return `${b64url(header)}.${b64url(payload)}.${signature}`;
}

/** The AWS region of the cluster a Kubernetes provider talks to, from its API server's name. */
async function providerRegion(ctx: MockContext): Promise<string> {
    const raw = ctx.providerInputs.kubeconfig;
    const parsed = typeof raw === "string" ? await parseKubeconfig(raw) : raw;
    const clusters = isPlainObject(parsed) && Array.isArray(parsed.clusters) ? parsed.clusters : [];
    const server = clusters
        .map((c: unknown) => (isPlainObject(c) && isPlainObject(c.cluster) ? c.cluster.server : ""))
        .find((s: unknown) => typeof s === "string" && s !== "");
    return (
        /\.([a-z]{2}(?:-[a-z]+)+-\d)\.eks\.amazonaws\.com/.exec(String(server))?.[1] ?? ctx.region
    );
}

export const KUBERNETES_MOCKS: Record<string, Handler> = {
    "kubernetes:core/v1:Namespace": (ctx) => k8sObject(ctx, { status: { phase: "Active" } }),
    // A load balancer Service gets what AWS hands back: a DNS name, never an address.
    "kubernetes:core/v1:Service": async (ctx) => {
        const spec = isPlainObject(ctx.inputs.spec) ? ctx.inputs.spec : {};
        if (spec.type !== "LoadBalancer") {
            return k8sObject(ctx, { status: { loadBalancer: {} } });
        }
        const object = k8sObject(ctx);
        const metadata = object.outputs.metadata as Inputs;
        const name = `k8s-${String(metadata.namespace).replace(/-/g, "").slice(0, 8)}-${String(metadata.name).replace(/-/g, "").slice(0, 8)}-${ctx.hex(10, "nlb")}`;
        const hostname = `${name}-${ctx.hex(16, "nlb-dns")}.elb.${await providerRegion(ctx)}.amazonaws.com`;
        return {
            id: object.id,
            outputs: { ...object.outputs, status: { loadBalancer: { ingress: [{ hostname }] } } },
        };
    },
    "kubernetes:core/v1:Secret": async (ctx) => {
        const object = k8sObject(ctx);
        const metadata = object.outputs.metadata as Inputs;
        const type = ctx.str("type") ?? "Opaque";
        const data: Inputs = { ...(isPlainObject(ctx.inputs.data) ? ctx.inputs.data : {}) };
        // The API server folds stringData into data.
        for (const [k, v] of Object.entries(
            isPlainObject(ctx.inputs.stringData) ? ctx.inputs.stringData : {},
        )) {
            data[k] = base64(String(v));
        }
        if (type === "kubernetes.io/service-account-token") {
            const annotations = isPlainObject(metadata.annotations) ? metadata.annotations : {};
            const account = String(annotations["kubernetes.io/service-account.name"] ?? "default");
            const namespace = String(metadata.namespace);
            // The token controller fills these in; pulumi-kubernetes waits until it has.
            data.token = base64(
                serviceAccountToken(ctx, namespace, String(metadata.name), account),
            );
            data["ca.crt"] = await providerCaData(ctx);
            data.namespace = base64(namespace);
        }
        // The provider reports a Secret's data as secret whether or not the program marked it.
        const outputs: Inputs = { ...object.outputs, type, data: wireSecret(data) };
        if (ctx.inputs.stringData !== undefined) {
            outputs.stringData = wireSecret(ctx.inputs.stringData);
        }
        return { id: object.id, outputs };
    },
    "kubernetes:helm.sh/v3:Release": (ctx) => {
        const name = ctx.str("name") ?? `${ctx.name}-${ctx.hex(8, "release-name")}`;
        const namespace = ctx.str("namespace") ?? "default";
        return {
            id: `${namespace}/${name}`,
            outputs: {
                ...ctx.inputs,
                name,
                namespace,
                status: {
                    name,
                    namespace,
                    chart: ctx.inputs.chart,
                    version: ctx.inputs.version,
                    appVersion: ctx.inputs.version,
                    revision: 1,
                    status: "deployed",
                },
            },
        };
    },
    // Components built by the Kubernetes provider: their children are invisible under mocks.
    "kubernetes:yaml/v2:ConfigFile": () => ({ outputs: { resources: [] } }),
    "kubernetes:yaml/v2:ConfigGroup": () => ({ outputs: { resources: [] } }),
    "kubernetes:helm.sh/v4:Chart": () => ({ outputs: { resources: [] } }),
};
