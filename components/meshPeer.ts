import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";

/**
 * What one stack tells its peers about each of its clusters (its `meshPeers` output), and how a
 * peer reads it back: parsed against the same schema, never cast.
 */

export const meshPeerSchema = z.object({
    name: z.string(),
    network: z.string(),
    region: z.string(),
    vpcCidr: z.string(),
    endpoint: z.string(),
    /** Base64 CA bundle of the cluster's API server. */
    certificateAuthorityData: z.string(),
    /** Bearer token of the cluster's `istio-reader-service-account`: a secret. */
    token: z.string(),
    meshId: z.string(),
    trustDomain: z.string(),
    rootCaCertPem: z.string(),
});

/** One cluster as a peer stack reads it. */
export type MeshPeerExport = z.output<typeof meshPeerSchema>;

/** The same, as this stack exports it: values may still be outputs. */
export type MeshPeerOutputs = {
    readonly [K in keyof MeshPeerExport]: pulumi.Input<MeshPeerExport[K]>;
};

/** Where a peer's material must agree with ours: one mesh id, one trust domain, one root. */
export interface MeshIdentity {
    readonly meshId: string;
    readonly trustDomain: string;
    readonly rootCaCertPem: string;
}

/**
 * The named cluster from a peer stack's `meshPeers`, parsed and checked to belong to our mesh.
 * Anything else fails the update with a message saying what.
 */
export function checkedPeer(
    stack: string,
    name: string,
    exported: unknown,
    ours: MeshIdentity,
): MeshPeerExport {
    const list = Array.isArray(exported) ? exported : [];
    const names = list
        .map((p) => (p as { name?: unknown })?.name)
        .filter((n) => typeof n === "string");
    const found = list.find((p) => (p as { name?: unknown })?.name === name);
    if (found === undefined) {
        throw new Error(
            `peer stack ${stack} exports no mesh peer "${name}" (it exports: ${names.join(", ") || "nothing"}); deploy it first, or fix mesh.peers`,
        );
    }
    const parsed = meshPeerSchema.safeParse(found);
    if (!parsed.success) {
        const fields = [...new Set(parsed.error.issues.map((i) => i.path.join(".")))];
        throw new Error(
            `peer stack ${stack} cluster "${name}" exports no usable ${fields.join(", ")}; is it an eks-ambient-mesh stack of this version?`,
        );
    }
    const entry = parsed.data;
    for (const field of ["meshId", "trustDomain", "rootCaCertPem"] as const) {
        if (entry[field].trim() !== ours[field].trim()) {
            throw new Error(
                `peer stack ${stack} cluster "${name}" has a different ${field}; every cluster of a mesh shares one mesh id, trust domain and root CA`,
            );
        }
    }
    return entry;
}
