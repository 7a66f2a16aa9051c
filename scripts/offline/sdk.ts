import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import * as resproto from "@pulumi/pulumi/proto/resource_pb";
import * as mocksModule from "@pulumi/pulumi/runtime/mocks";
import * as rpcModule from "@pulumi/pulumi/runtime/rpc";
import * as settingsModule from "@pulumi/pulumi/runtime/settings";
import * as stackModule from "@pulumi/pulumi/runtime/stack";
import * as stateModule from "@pulumi/pulumi/runtime/state";
import * as structproto from "google-protobuf/google/protobuf/struct_pb";

/**
 * The offline engine's one door into the Pulumi SDK's internals: the wire protocol's messages,
 * the SDK's mock monitor, the property serializer and its signatures, and the runtime state a
 * language host would set up. None of this is the SDK's public API, so an SDK upgrade may move
 * or rename any of it; everything the engine uses is re-exported here, and `test/sdk.spec.ts`
 * names whatever an upgrade moved.
 *
 * Written against @pulumi/pulumi 3.248.0 (and the google-protobuf 3.21.4 its messages use).
 */
export const SDK_VERSION_WRITTEN_AGAINST = "3.248.0";

// The resource monitor's requests and responses (`proto/resource.proto`, `proto/provider.proto`).
export type RegisterResourceRequest = resproto.RegisterResourceRequest;
export type ReadResourceRequest = resproto.ReadResourceRequest;
export type RegisterResourceOutputsRequest = resproto.RegisterResourceOutputsRequest;
export type ResourceInvokeRequest = resproto.ResourceInvokeRequest;
export const RegisterResourceResponse = resproto.RegisterResourceResponse;
export type RegisterResourceResponse = resproto.RegisterResourceResponse;
export const ReadResourceResponse = resproto.ReadResourceResponse;
export type ReadResourceResponse = resproto.ReadResourceResponse;
export const InvokeResponse = provproto.InvokeResponse;
export type InvokeResponse = provproto.InvokeResponse;

/** A property map as a protobuf `Struct`, the form every message above carries properties in. */
export function toStruct(properties: Record<string, unknown>): structproto.Struct {
    // Property maps hold only JSON values once serialized; the typings want that spelled out.
    return structproto.Struct.fromJavaScript(
        properties as Record<string, structproto.JavaScriptValue>,
    );
}

/** The SDK's in-process resource monitor (what `pulumi.runtime.setMocks` installs). */
export const MockMonitor = mocksModule.MockMonitor;
export type MockMonitor = mocksModule.MockMonitor;

// How the SDK encodes property values on the wire: serializer and special-value signatures.
export const serializeProperties = rpcModule.serializeProperties;
export const unknownValue = rpcModule.unknownValue;
export const specialSigKey = rpcModule.specialSigKey;
export const specialSecretSig = rpcModule.specialSecretSig;
export const specialResourceSig = rpcModule.specialResourceSig;
export const specialOutputValueSig = rpcModule.specialOutputValueSig;
export const specialAssetSig = rpcModule.specialAssetSig;
export const specialArchiveSig = rpcModule.specialArchiveSig;

// What a language host does to start a program: point the runtime at a monitor, run the program
// inside the root stack resource.
export const setMockOptions = settingsModule.setMockOptions;
export const hasMonitor = settingsModule.hasMonitor;
export const getMonitor = settingsModule.getMonitor;
export const runInPulumiStack = stackModule.runInPulumiStack;

/** The runtime's settings store: the fields the engine reads and sets. */
export interface RuntimeStore {
    /** The program's configuration, by namespaced key. */
    config: Record<string, string>;
    // The engine features a monitor supports; `setMocks` sets these.
    supportsSecrets: boolean;
    supportsResourceReferences: boolean;
    supportsOutputValues: boolean;
    supportsDeletedWith: boolean;
    supportsReplaceWith: boolean;
    supportsAliasSpecs: boolean;
    supportsTransforms: boolean;
    supportsParameterization: boolean;
    supportsResourceHooks: boolean;
    supportsErrorHooks: boolean;
    [flag: `supports${string}`]: boolean;
}

// Marked @internal in the SDK, so left out of its published typings.
const internalState = stateModule as unknown as { getStore(): RuntimeStore };
const internalSettings = settingsModule as unknown as { waitForRPCs(): Promise<void> };

/** The runtime's current settings store. */
export function runtimeStore(): RuntimeStore {
    return internalState.getStore();
}

/** Resolves once every RPC the runtime has started so far has finished. */
export function waitForRPCs(): Promise<void> {
    return internalSettings.waitForRPCs();
}

/**
 * The SDK and protobuf modules behind this adapter, by the path they are imported from, so that
 * a test can check each internal where the SDK keeps it rather than through a wrapper.
 */
export const SDK_MODULES: Readonly<Record<string, Record<string, unknown>>> = {
    "@pulumi/pulumi/proto/provider_pb": provproto,
    "@pulumi/pulumi/proto/resource_pb": resproto,
    "@pulumi/pulumi/runtime/mocks": mocksModule,
    "@pulumi/pulumi/runtime/rpc": rpcModule,
    "@pulumi/pulumi/runtime/settings": settingsModule,
    "@pulumi/pulumi/runtime/stack": stackModule,
    "@pulumi/pulumi/runtime/state": stateModule,
    "google-protobuf/google/protobuf/struct_pb": structproto,
};
