import * as pulumi from "@pulumi/pulumi";
import { DEFAULT_REGION, OfflineMocks, OfflineMocksOptions } from "./mocks";
import {
    InvokeResponse,
    MockMonitor,
    ReadResourceRequest,
    ReadResourceResponse,
    RegisterResourceOutputsRequest,
    RegisterResourceRequest,
    RegisterResourceResponse,
    ResourceInvokeRequest,
    runtimeStore,
    serializeProperties,
    setMockOptions,
    toStruct,
    waitForRPCs,
} from "./sdk";
import {
    decodeProperties,
    encode,
    isWireSecret,
    PropertyMap,
    reveal,
    unwrapWire,
    wireSecret,
} from "./values";

/**
 * A resource monitor that behaves like the engine for one run of a program: it registers
 * resources against the offline mocks and records every registration (custom resources,
 * components, remote components and reads), with the graph (parent, provider, dependencies) and
 * the inputs exactly as they were sent, secrets included and marked.
 */

export const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";

export interface RecordedResource {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    /** Custom resources have an id and a provider; components do not. */
    readonly custom: boolean;
    /** A component built by a provider plugin (e.g. `eks:index:Cluster`): its children are invisible. */
    readonly remote: boolean;
    /** Registered with `get`/`StackReference` rather than created. */
    readonly read: boolean;
    readonly parent: string | null;
    /** URN of the provider resource managing this one, or null for the default provider. */
    readonly provider: string | null;
    /** Providers handed to a component, by package, as URNs. */
    readonly providers: Record<string, string>;
    /** Every direct dependency the SDK sent (`dependsOn`, expanded, plus property dependencies). */
    readonly dependencies: string[];
    /** Per input property, the resources its value came from. */
    readonly propertyDependencies: Record<string, string[]>;
    /** Union of `propertyDependencies`: the dependencies that come from using outputs as inputs. */
    readonly implicitDependencies: string[];
    /** Resources passed as inputs by reference (e.g. a role to `eks.Cluster`). */
    readonly references: string[];
    /** `dependencies` ∪ `implicitDependencies` ∪ `references`, sorted. */
    readonly dependsOn: string[];
    readonly protect: boolean;
    /** Inputs as plain values (secrets revealed), for assertions. */
    readonly inputs: PropertyMap;
    /** Inputs with every secret a `SecretValue`, at the place it was marked. */
    readonly rawInputs: PropertyMap;
    /** The mock id; null for components. */
    id: string | null;
    /** State returned by the mocks, secrets revealed. */
    state: PropertyMap;
    rawState: PropertyMap;
    /** What a component passed to `registerOutputs`, secrets revealed. */
    outputs: PropertyMap;
    rawOutputs: PropertyMap;
}

export interface RecordingMonitorOptions {
    /**
     * Fail a registration whose URN is already taken, as the engine does. Off in unit tests,
     * which build the same stack many times in one process.
     * @default false
     */
    readonly strictUrns?: boolean;
}

type Callback<T> = (err: Error | null, response?: T) => void;

function providerUrn(ref: string): string | null {
    const cut = ref.lastIndexOf("::");
    return ref === "" ? null : cut > 0 ? ref.slice(0, cut) : ref;
}

function propertyDependencies(req: RegisterResourceRequest): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    req.getPropertydependenciesMap().forEach((deps, key) => {
        out[key] = deps.getUrnsList();
    });
    return out;
}

function sortedUnique(values: Iterable<string>): string[] {
    return [...new Set(values)].sort();
}

export class RecordingMonitor extends MockMonitor {
    private readonly records = new Map<string, RecordedResource>();
    /** URNs taken, including registrations still waiting for their mock. */
    private readonly urns = new Set<string>();
    private readonly errors: Error[] = [];
    /**
     * Inputs of every provider, by URN. Kept across `reset()`: a spec may create a provider once
     * and reset the records before each case that uses it.
     */
    private readonly providerInputsByUrn = new Map<string, PropertyMap>();
    private stackUrn: string | undefined;

    constructor(
        readonly offlineMocks: OfflineMocks,
        private readonly options: RecordingMonitorOptions = {},
    ) {
        super(offlineMocks);
    }

    /** Every registration so far, in the order registrations completed. */
    recorded(): RecordedResource[] {
        return [...this.records.values()];
    }

    /** Errors raised while registering (mock failures, duplicate URNs), in order. */
    failures(): readonly Error[] {
        return this.errors;
    }

    reset(): void {
        this.records.clear();
        this.urns.clear();
        this.resources.clear();
        this.errors.length = 0;
        this.stackUrn = undefined;
    }

    /** Outputs of the root stack resource, if the program ran inside `runInPulumiStack`. */
    stackOutputs(): { outputs: PropertyMap; rawOutputs: PropertyMap } | undefined {
        const stack = this.stackUrn ? this.records.get(this.stackUrn) : undefined;
        return stack ? { outputs: stack.outputs, rawOutputs: stack.rawOutputs } : undefined;
    }

    /**
     * The engine's URN: the parent's type chain, then the type. Children of the root stack do not
     * carry the stack's type (the SDK's MockMonitor adds it; the engine does not).
     */
    urnOf(parent: string, type: string, name: string): string {
        let qualified = type;
        if (parent) {
            const parentType = parent.split("::")[2].split("$").pop() ?? "";
            if (parentType !== ROOT_STACK_TYPE) {
                qualified = `${parent.split("::")[2]}$${type}`;
            }
        }
        return `urn:pulumi:${pulumi.getStack()}::${pulumi.getProject()}::${qualified}::${name}`;
    }

    /** The region of an AWS provider reference, or the stack's `aws:region`. */
    private regionOf(ref: string | undefined): string {
        const region = this.providerInputs(ref).region;
        if (typeof region === "string" && region !== "") {
            return region;
        }
        return (
            pulumi.runtime.getConfig("aws:region") ??
            this.offlineMocks.defaultRegion ??
            DEFAULT_REGION
        );
    }

    private providerInputs(ref: string | undefined): PropertyMap {
        const urn = ref ? providerUrn(ref) : null;
        return (urn ? this.providerInputsByUrn.get(urn) : undefined) ?? {};
    }

    async registerResource(
        req: RegisterResourceRequest,
        callback: Callback<RegisterResourceResponse>,
    ): Promise<void> {
        try {
            const providers: Record<string, string> = {};
            req.getProvidersMap().forEach((ref, pkg) => {
                providers[pkg] = ref;
            });
            const { urn, id, serializedState } = await this.register({
                type: req.getType(),
                name: req.getName(),
                parent: req.getParent(),
                custom: req.getCustom(),
                remote: req.getRemote(),
                read: false,
                object: req.getObject()?.toJavaScript() ?? {},
                providerRef: req.getProvider(),
                providers,
                dependencies: req.getDependenciesList(),
                propertyDependencies: propertyDependencies(req),
                protect: req.getProtect() ?? false,
                importId: req.getImportid(),
                additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
            });
            const response = new RegisterResourceResponse();
            response.setUrn(urn);
            response.setId(id ?? "");
            response.setObject(toStruct(serializedState));
            callback(null, response);
        } catch (err) {
            this.errors.push(err as Error);
            callback(err as Error);
        }
    }

    async readResource(
        req: ReadResourceRequest,
        callback: Callback<ReadResourceResponse>,
    ): Promise<void> {
        try {
            const { urn, serializedState } = await this.register({
                type: req.getType(),
                name: req.getName(),
                parent: req.getParent(),
                custom: true,
                remote: false,
                read: true,
                object: req.getProperties()?.toJavaScript() ?? {},
                providerRef: req.getProvider(),
                providers: {},
                dependencies: req.getDependenciesList(),
                propertyDependencies: {},
                protect: false,
                importId: req.getId(),
                additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
            });
            const response = new ReadResourceResponse();
            response.setUrn(urn);
            response.setProperties(toStruct(serializedState));
            callback(null, response);
        } catch (err) {
            this.errors.push(err as Error);
            callback(err as Error);
        }
    }

    private async register(r: {
        type: string;
        name: string;
        parent: string;
        custom: boolean;
        remote: boolean;
        read: boolean;
        object: Record<string, unknown>;
        providerRef: string;
        providers: Record<string, string>;
        dependencies: string[];
        propertyDependencies: Record<string, string[]>;
        protect: boolean;
        importId: string;
        additionalSecretOutputs: string[];
    }): Promise<{ urn: string; id: string | undefined; serializedState: Record<string, unknown> }> {
        const urn = this.urnOf(r.parent, r.type, r.name);
        if (this.options.strictUrns && this.urns.has(urn)) {
            throw new Error(`Duplicate resource URN '${urn}'; try giving it a unique name`);
        }
        this.urns.add(urn);
        const decoded = decodeProperties(r.object);
        const awsRef = r.providerRef || r.providers.aws;
        const result = await this.offlineMocks.newResource({
            type: r.type,
            name: r.name,
            inputs: encode(decoded.value),
            provider: r.providerRef || undefined,
            custom: r.custom,
            id: r.importId || undefined,
            urn,
            region: this.regionOf(awsRef),
            providerInputs: this.providerInputs(r.providerRef || undefined),
        });
        // The engine marks these outputs secret whatever the provider returns.
        const state: Record<string, unknown> = { ...result.state };
        for (const key of r.additionalSecretOutputs) {
            if (state[key] !== undefined && !isWireSecret(state[key])) {
                state[key] = wireSecret(unwrapWire(state[key]));
            }
        }
        const serializedState = await serializeProperties(`${r.type}::${r.name}`, state);
        const id = r.custom ? (result.id ?? null) : null;
        this.resources.set(urn, { urn, id, state: serializedState });

        const decodedState = decodeProperties(serializedState);
        const implicit = sortedUnique(Object.values(r.propertyDependencies).flat());
        const references = sortedUnique(decoded.references);
        const record: RecordedResource = {
            urn,
            type: r.type,
            name: r.name,
            custom: r.custom,
            remote: r.remote,
            read: r.read,
            parent: r.parent || null,
            provider: providerUrn(r.providerRef),
            providers: Object.fromEntries(
                Object.entries(r.providers).map(([pkg, ref]) => [pkg, providerUrn(ref) ?? ref]),
            ),
            dependencies: sortedUnique(r.dependencies),
            propertyDependencies: r.propertyDependencies,
            implicitDependencies: implicit,
            references,
            // Remote components get resource references without a property dependency (the SDK
            // leaves them out so the component provider does not see outputs); they are still
            // what the component is built from.
            dependsOn: sortedUnique([...r.dependencies, ...implicit, ...references]).filter(
                (u) => u !== urn,
            ),
            protect: r.protect,
            inputs: reveal(decoded.value) as PropertyMap,
            rawInputs: decoded.value,
            id,
            state: reveal(decodedState.value) as PropertyMap,
            rawState: decodedState.value,
            outputs: {},
            rawOutputs: {},
        };
        this.records.set(urn, record);
        if (r.type.startsWith("pulumi:providers:")) {
            this.providerInputsByUrn.set(urn, record.inputs);
        }
        if (r.type === ROOT_STACK_TYPE && !r.parent) {
            this.stackUrn = urn;
        }
        return { urn, id: id ?? undefined, serializedState };
    }

    registerResourceOutputs(
        req: RegisterResourceOutputsRequest,
        callback: Callback<Record<string, never>>,
    ): void {
        const record = this.records.get(req.getUrn());
        if (record) {
            const decoded = decodeProperties(req.getOutputs()?.toJavaScript());
            record.rawOutputs = decoded.value;
            record.outputs = reveal(decoded.value) as PropertyMap;
        }
        const registered = this.resources.get(req.getUrn());
        if (registered) {
            registered.state = req.getOutputs();
        }
        // Outputs of a resource registered before a `reset()` are dropped, not an error: tests
        // reset between cases while a previous case's components may still be finishing.
        callback(null, {});
    }

    async invoke(req: ResourceInvokeRequest, callback: Callback<InvokeResponse>): Promise<void> {
        if (req.getTok() === "pulumi:pulumi:getResource") {
            return super.invoke(req, callback);
        }
        try {
            const args = decodeProperties(req.getArgs()?.toJavaScript());
            const result = await this.offlineMocks.call({
                token: req.getTok(),
                inputs: encode(args.value),
                provider: req.getProvider() || undefined,
                region: this.regionOf(req.getProvider() || undefined),
            });
            const response = new InvokeResponse();
            response.setReturn(toStruct(await serializeProperties("", result)));
            callback(null, response);
        } catch (err) {
            // The SDK reports an invoke failure with the gRPC error's `details`.
            callback(Object.assign(err as Error, { details: (err as Error).message }));
        }
    }
}

export interface OfflineEngineOptions extends RecordingMonitorOptions, OfflineMocksOptions {
    readonly project: string;
    readonly stack: string;
    /**
     * The organization the stack belongs to, as `pulumi.getOrganization()` reports it.
     * @default "organization", what the CLI reports for stacks in a DIY backend
     */
    readonly organization?: string;
}

export interface OfflineEngine {
    readonly monitor: RecordingMonitor;
    readonly mocks: OfflineMocks;
}

/**
 * Points the Pulumi runtime at a new recording monitor, as `pulumi.runtime.setMocks` does (same
 * feature flags: secrets and resource references on, output values off) but with our monitor.
 */
export function installOfflineEngine(options: OfflineEngineOptions): OfflineEngine {
    const mocks = new OfflineMocks(options);
    const monitor = new RecordingMonitor(mocks, options);
    setMockOptions(
        monitor,
        options.project,
        options.stack,
        false,
        options.organization ?? "organization",
    );
    const store = runtimeStore();
    store.supportsSecrets = true;
    store.supportsResourceReferences = true;
    store.supportsOutputValues = false;
    store.supportsDeletedWith = true;
    store.supportsReplaceWith = true;
    store.supportsAliasSpecs = true;
    store.supportsTransforms = false;
    store.supportsParameterization = true;
    store.supportsResourceHooks = true;
    store.supportsErrorHooks = true;
    return { monitor, mocks };
}

/** Resolves once every registration, invoke and output registration started so far has finished. */
export function waitForRegistrations(): Promise<void> {
    return waitForRPCs();
}
