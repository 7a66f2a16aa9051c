import * as assert from "node:assert/strict";
import * as sdk from "../scripts/offline/sdk";

/**
 * The offline engine leans on the Pulumi SDK's internals through one adapter
 * (`scripts/offline/sdk.ts`). An SDK upgrade that moves or renames any of them fails here, naming
 * the internal, rather than somewhere deep in a plan.
 */

const RESOURCE_PB = "@pulumi/pulumi/proto/resource_pb";
const PROVIDER_PB = "@pulumi/pulumi/proto/provider_pb";
const MOCKS = "@pulumi/pulumi/runtime/mocks";
const RPC = "@pulumi/pulumi/runtime/rpc";
const SETTINGS = "@pulumi/pulumi/runtime/settings";
const STACK = "@pulumi/pulumi/runtime/stack";
const STATE = "@pulumi/pulumi/runtime/state";
const STRUCT_PB = "google-protobuf/google/protobuf/struct_pb";

type Expected =
    | { readonly kind: "function"; readonly arity: number }
    | { readonly kind: "class"; readonly methods: readonly string[] }
    | { readonly kind: "string" };

interface Internal {
    readonly module: string;
    /** The export's name in its module; a dotted path for a nested class. */
    readonly name: string;
    readonly expected: Expected;
}

const fn = (arity: number): Expected => ({ kind: "function", arity });
const cls = (...methods: string[]): Expected => ({ kind: "class", methods });
const str: Expected = { kind: "string" };

/** Every adapter export, with the internal it stands on and what the engine needs of it. */
const ADAPTER: Record<string, Internal | null> = {
    SDK_VERSION_WRITTEN_AGAINST: null,
    SDK_MODULES: null,
    // Request types are erased at run time; the messages' getters are checked below.
    RegisterResourceResponse: {
        module: RESOURCE_PB,
        name: "RegisterResourceResponse",
        expected: cls("setUrn", "setId", "setObject"),
    },
    ReadResourceResponse: {
        module: RESOURCE_PB,
        name: "ReadResourceResponse",
        expected: cls("setUrn", "setProperties"),
    },
    InvokeResponse: { module: PROVIDER_PB, name: "InvokeResponse", expected: cls("setReturn") },
    toStruct: { module: STRUCT_PB, name: "Struct", expected: cls("toJavaScript") },
    MockMonitor: {
        module: MOCKS,
        name: "MockMonitor",
        expected: cls("invoke", "registerResource", "readResource", "registerResourceOutputs"),
    },
    serializeProperties: { module: RPC, name: "serializeProperties", expected: fn(3) },
    unknownValue: { module: RPC, name: "unknownValue", expected: str },
    specialSigKey: { module: RPC, name: "specialSigKey", expected: str },
    specialSecretSig: { module: RPC, name: "specialSecretSig", expected: str },
    specialResourceSig: { module: RPC, name: "specialResourceSig", expected: str },
    specialOutputValueSig: { module: RPC, name: "specialOutputValueSig", expected: str },
    specialAssetSig: { module: RPC, name: "specialAssetSig", expected: str },
    specialArchiveSig: { module: RPC, name: "specialArchiveSig", expected: str },
    setMockOptions: { module: SETTINGS, name: "setMockOptions", expected: fn(5) },
    hasMonitor: { module: SETTINGS, name: "hasMonitor", expected: fn(0) },
    getMonitor: { module: SETTINGS, name: "getMonitor", expected: fn(0) },
    runInPulumiStack: { module: STACK, name: "runInPulumiStack", expected: fn(1) },
    runtimeStore: { module: STATE, name: "getStore", expected: fn(0) },
    waitForRPCs: { module: SETTINGS, name: "waitForRPCs", expected: fn(0) },
};

/** The requests the monitor reads, with the getters it calls. */
const REQUESTS: Internal[] = [
    {
        module: RESOURCE_PB,
        name: "RegisterResourceRequest",
        expected: cls(
            "getType",
            "getName",
            "getParent",
            "getCustom",
            "getRemote",
            "getObject",
            "getProvider",
            "getProvidersMap",
            "getDependenciesList",
            "getPropertydependenciesMap",
            "getProtect",
            "getImportid",
            "getAdditionalsecretoutputsList",
        ),
    },
    {
        module: RESOURCE_PB,
        name: "RegisterResourceRequest.PropertyDependencies",
        expected: cls("getUrnsList"),
    },
    {
        module: RESOURCE_PB,
        name: "ReadResourceRequest",
        expected: cls(
            "getType",
            "getName",
            "getParent",
            "getProperties",
            "getProvider",
            "getDependenciesList",
            "getId",
            "getAdditionalsecretoutputsList",
        ),
    },
    {
        module: RESOURCE_PB,
        name: "RegisterResourceOutputsRequest",
        expected: cls("getUrn", "getOutputs"),
    },
    { module: RESOURCE_PB, name: "ResourceInvokeRequest", expected: cls("getTok", "getArgs") },
];

// eslint-disable-next-line @typescript-eslint/no-require-imports
const INSTALLED: string = require("@pulumi/pulumi/package.json").version;

function moved(what: string, problem: string): string {
    return (
        `@pulumi/pulumi internal moved: ${what} ${problem} ` +
        `(scripts/offline/sdk.ts was written against @pulumi/pulumi ` +
        `${sdk.SDK_VERSION_WRITTEN_AGAINST}; installed: ${INSTALLED})`
    );
}

/** What is wrong with an internal where the SDK keeps it; nothing when it is as expected. */
function problemsOf({ module, name, expected }: Internal): string[] {
    const what = `${module}: ${name}`;
    const exports = sdk.SDK_MODULES[module];
    if (exports === undefined) {
        return [moved(module, "is not imported by the adapter")];
    }
    const value = name
        .split(".")
        .reduce<unknown>(
            (v, key) =>
                (typeof v === "object" || typeof v === "function") && v !== null
                    ? (v as Record<string, unknown>)[key]
                    : undefined,
            exports,
        );
    switch (expected.kind) {
        case "string":
            return typeof value === "string" && value !== ""
                ? []
                : [moved(what, `is ${typeof value}, not a string constant`)];
        case "function":
            if (typeof value !== "function") {
                return [moved(what, `is ${typeof value}, not a function`)];
            }
            return value.length === expected.arity
                ? []
                : [moved(what, `takes ${value.length} parameters, not ${expected.arity}`)];
        case "class": {
            if (typeof value !== "function") {
                return [moved(what, `is ${typeof value}, not a class`)];
            }
            const prototype = (value as { prototype: Record<string, unknown> }).prototype;
            return expected.methods
                .filter((m) => typeof prototype[m] !== "function")
                .map((m) => moved(`${what}.prototype.${m}`, "is not a method"));
        }
    }
}

/** Fails with every problem, one a line, so that an upgrade's breakage reads as a list. */
function expectNone(problems: readonly string[]): void {
    if (problems.length > 0) {
        assert.fail(problems.join("\n"));
    }
}

describe("the SDK adapter (scripts/offline/sdk.ts)", () => {
    it("checks every internal it exports", () => {
        const unchecked = Object.keys(sdk).filter((name) => !(name in ADAPTER));
        expectNone(
            unchecked.map((name) => `the adapter exports ${name}, which nothing checks here`),
        );
        const missing = Object.entries(sdk)
            .filter(([, value]) => value === undefined)
            .map(([name]) => moved(`the adapter's ${name}`, "is undefined"));
        expectNone(missing);
    });

    it("finds each internal where the SDK kept it", () => {
        const internals = [...Object.values(ADAPTER).flatMap((i) => (i ? [i] : [])), ...REQUESTS];
        expectNone(internals.flatMap(problemsOf));
    });

    it("reaches the runtime store's config and every feature flag the engine sets", () => {
        const store = sdk.runtimeStore() as unknown as Record<string, unknown>;
        const flags = [
            "supportsSecrets",
            "supportsResourceReferences",
            "supportsOutputValues",
            "supportsDeletedWith",
            "supportsReplaceWith",
            "supportsAliasSpecs",
            "supportsTransforms",
            "supportsParameterization",
            "supportsResourceHooks",
            "supportsErrorHooks",
        ];
        expectNone([
            ...(typeof store.config === "object" && store.config !== null
                ? []
                : [moved(`${STATE}: getStore().config`, "is not an object")]),
            ...flags
                .filter((flag) => typeof store[flag] !== "boolean")
                .map((flag) => moved(`${STATE}: getStore().${flag}`, "is not a boolean")),
        ]);
    });

    it("subclasses the SDK's mock monitor, which keeps registrations in `resources`", () => {
        const monitor = new sdk.MockMonitor({
            newResource: () => ({ id: undefined, state: {} }),
            call: () => ({}),
        });
        assert.ok(
            monitor.resources instanceof Map,
            moved(`${MOCKS}: MockMonitor#resources`, "is not a Map"),
        );
    });

    it("turns property maps into protobuf Structs and back", () => {
        const properties = { a: "b", n: 1, list: [true, null], nested: { k: "v" } };
        assert.deepEqual(sdk.toStruct(properties).toJavaScript(), properties);
    });
});
