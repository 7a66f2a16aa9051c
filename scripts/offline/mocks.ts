import * as pulumi from "@pulumi/pulumi";
import { AWS_MOCKS, zonesOf } from "./aws";
import {
    ACCOUNT_ID,
    DEFAULT_REGION,
    Handler,
    Inputs,
    MockContext,
    MockOutput,
    Registered,
    zoneId,
} from "./context";
import { EKS_MOCKS } from "./eks";
import { k8sObject, KUBERNETES_MOCKS } from "./kubernetes";
import * as tls from "./tls";
import { encode, isPlainObject, isWireSecret, SecretValue, unwrapWire, wireSecret } from "./values";

/**
 * Mocks that answer like the clouds would: every resource gets the outputs its provider reports
 * (ids in each service's format, ARNs, endpoints, default values), derived deterministically
 * from the resource's type and name so that two runs produce the same plan. Values that exist
 * only after a real deployment (ids, ARNs, endpoints, IPs) are placeholders of the right shape.
 */

export { ACCOUNT_ID, DEFAULT_REGION };

/** What the recording monitor knows about a registration beyond what `Mocks` receives. */
export interface OfflineResourceArgs extends pulumi.runtime.MockResourceArgs {
    /** The URN the resource is registered under. */
    readonly urn?: string;
    /** Region of the resource's AWS provider (explicit, or the stack's `aws:region`). */
    readonly region?: string;
    /** Inputs of the provider the resource is managed by (e.g. a Kubernetes provider's kubeconfig). */
    readonly providerInputs?: Inputs;
}

export interface OfflineCallArgs extends pulumi.runtime.MockCallArgs {
    readonly region?: string;
}

export interface OfflineMocksOptions {
    /** Region used when neither a provider nor the config names one. @default "us-east-1" */
    readonly defaultRegion?: string;
    /**
     * Outputs of other stacks, by fully qualified stack name, for `StackReference`s; a
     * `SecretValue` is a secret output.
     */
    readonly stackOutputs?: Record<string, Inputs>;
}

const TLS: Record<string, (ctx: MockContext) => Promise<tls.TlsResult>> = {
    "tls:index/privateKey:PrivateKey": (ctx) => tls.privateKey(ctx.name, ctx.inputs),
    "tls:index/selfSignedCert:SelfSignedCert": (ctx) => tls.selfSignedCert(ctx.name, ctx.inputs),
    "tls:index/certRequest:CertRequest": (ctx) => tls.certRequest(ctx.name, ctx.inputs),
    "tls:index/locallySignedCert:LocallySignedCert": (ctx) =>
        tls.locallySignedCert(ctx.name, ctx.inputs),
};

const HANDLERS: Record<string, Handler> = { ...AWS_MOCKS, ...EKS_MOCKS, ...KUBERNETES_MOCKS };

function tlsHandler(type: string): Handler | undefined {
    const handler = TLS[type];
    return handler
        ? async (ctx) => {
              const { id, state } = await handler(ctx);
              return { id, outputs: state };
          }
        : undefined;
}

/** Puts back the secret wrappers of inputs that a mock copied into its state as plain values. */
function keepInputSecrets(state: Inputs, wireInputs: Inputs): Inputs {
    const out = { ...state };
    for (const [key, value] of Object.entries(wireInputs)) {
        if (containsWireSecret(value) && key in out && !containsWireSecret(out[key])) {
            out[key] = wireSecret(out[key]);
        }
    }
    return out;
}

function containsWireSecret(v: unknown): boolean {
    if (isWireSecret(v)) {
        return true;
    }
    if (Array.isArray(v)) {
        return v.some(containsWireSecret);
    }
    return isPlainObject(v) && Object.values(v).some(containsWireSecret);
}

export class OfflineMocks implements pulumi.runtime.Mocks {
    private readonly byUrn = new Map<string, Registered>();
    private readonly byId = new Map<string, Registered>();

    private readonly stackOutputs: Map<string, Inputs>;

    constructor(private readonly options: OfflineMocksOptions = {}) {
        this.stackOutputs = new Map(Object.entries(options.stackOutputs ?? {}));
    }

    get defaultRegion(): string {
        return this.options.defaultRegion ?? DEFAULT_REGION;
    }

    /**
     * Outputs a `StackReference` to `stack` (fully qualified, `org/project/stack`) sees. Wrap a
     * value in `SecretValue` to make it a secret output of that stack.
     */
    setStackOutputs(stack: string, outputs: Inputs): void {
        this.stackOutputs.set(stack, outputs);
    }

    /** A resource registered earlier in this run, by id (custom resources) or URN. */
    lookup(idOrUrn: string): Registered | undefined {
        return this.byId.get(idOrUrn) ?? this.byUrn.get(idOrUrn);
    }

    async newResource(args: OfflineResourceArgs): Promise<pulumi.runtime.MockResourceResult> {
        const wireInputs = (args.inputs ?? {}) as Inputs;
        const inputs = unwrapWire(wireInputs) as Inputs;
        // AWS provider v7 resources may name their own region, over their provider's.
        const ownRegion =
            args.type.startsWith("aws:") && typeof inputs.region === "string" ? inputs.region : "";
        const region = ownRegion || args.region || this.defaultRegion;
        const ctx = new MockContext(
            args.type,
            args.name,
            inputs,
            region,
            args.custom !== false,
            args.providerInputs ?? {},
            (idOrUrn) => this.lookup(idOrUrn),
        );
        let result: MockOutput;
        if (args.type.startsWith("pulumi:providers:")) {
            result = { id: `${args.name}-provider-id`, outputs: {} };
        } else if (args.type === "pulumi:pulumi:StackReference") {
            const stackName = String(inputs.name ?? args.id ?? args.name);
            const outputs = this.stackOutputs.get(stackName) ?? {};
            result = {
                id: stackName,
                outputs: {
                    name: stackName,
                    outputs: encode(outputs),
                    secretOutputNames: Object.keys(outputs).filter(
                        (k) => outputs[k] instanceof SecretValue,
                    ),
                },
            };
        } else {
            const kubernetesObject =
                ctx.custom && args.type.startsWith("kubernetes:") ? k8sObject : undefined;
            const handler = HANDLERS[args.type] ?? tlsHandler(args.type) ?? kubernetesObject;
            result = handler
                ? await handler(ctx)
                : { id: ctx.custom ? `${args.name}-id` : undefined, outputs: {} };
        }
        const id = ctx.custom ? args.id || result.id || `${args.name}-id` : undefined;
        const state = keepInputSecrets({ ...wireInputs, ...result.outputs }, wireInputs);
        const registered: Registered = {
            type: args.type,
            region,
            id,
            state: unwrapWire(state) as Inputs,
        };
        if (args.urn) {
            this.byUrn.set(args.urn, registered);
        }
        if (id) {
            this.byId.set(id, registered);
            const arn = registered.state.arn;
            if (typeof arn === "string") {
                this.byId.set(arn, registered);
            }
        }
        return { id, state };
    }

    call(args: OfflineCallArgs): pulumi.runtime.MockCallResult {
        const inputs = unwrapWire(args.inputs ?? {}) as Inputs;
        const region =
            (typeof inputs.region === "string" && inputs.region) ||
            args.region ||
            this.defaultRegion;
        switch (args.token) {
            case "aws:index/getAvailabilityZones:getAvailabilityZones": {
                const names = zonesOf(region);
                return {
                    ...inputs,
                    id: region,
                    region,
                    names,
                    zoneIds: names.map(zoneId),
                    groupNames: [region],
                    state: inputs.state ?? "available",
                };
            }
            case "aws:index/getCallerIdentity:getCallerIdentity":
                return {
                    id: ACCOUNT_ID,
                    accountId: ACCOUNT_ID,
                    arn: `arn:aws:sts::${ACCOUNT_ID}:assumed-role/offline-plan/offline`,
                    userId: "AROAOFFLINEPLANMOCK:offline",
                };
            case "aws:index/getRegion:getRegion":
                return {
                    id: region,
                    name: region,
                    region,
                    description: region,
                    endpoint: `ec2.${region}.amazonaws.com`,
                };
            case "aws:index/getPartition:getPartition":
                return {
                    id: "aws",
                    partition: "aws",
                    dnsSuffix: "amazonaws.com",
                    reverseDnsPrefix: "com.amazonaws",
                };
            default:
                throw new Error(`Mock not implemented: ${args.token}`);
        }
    }
}
