import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { cidrProblem } from "./cidr";
import { peerTrustProblems } from "./mesh/peerTrust";
import { REGIONS } from "./versions";

/**
 * What one stack tells its peers (its `meshPeers`, `transitGateways` and
 * `transitGatewayPeerings` outputs), and how a peer reads it back: parsed against these
 * schemas, never cast, and checked against what the reader's own config says of that peer.
 * Every problem names the config key and the exported field.
 */

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const label = z.string().regex(DNS_LABEL, "a DNS-1123 label");
const cidr = z.string().refine((v) => cidrProblem(v) === undefined, "an IPv4 CIDR block");
const region = z.string().refine((v) => v in REGIONS, "an AWS region this platform supports");
const base64 = z.string().regex(/^[A-Za-z0-9+/]+={0,2}$/, "base64 text");
const pem = z.string().regex(/-----BEGIN CERTIFICATE-----/, "a PEM certificate");
const https = z.string().regex(/^https:\/\/[^\s/]+/, "an https:// URL");
const generation = z.number().int("a whole number").nonnegative("a generation (0 or more)");

export const meshPeerSchema = z.object({
    name: label,
    network: label,
    region,
    vpcCidr: cidr,
    endpoint: https,
    /** Base64 CA bundle of the cluster's API server. */
    certificateAuthorityData: base64,
    /** Bearer token of the cluster's `istio-reader-service-account`: a secret. */
    token: z.string().min(1, "a token"),
    meshId: z.string().min(1, "a mesh id"),
    trustDomain: z.string().min(1, "a trust domain"),
    rootCaCertPem: pem,
    // Reader-token rotation (components/config/readerTokens.ts). Optional: a stack of a version
    // from before rotation exports none of them, and its token is generation 0.
    /** The generation of `token`. */
    tokenGeneration: generation.optional(),
    /** A token issued beside `token` and not used yet (phase `issue`): a secret. */
    nextToken: z.string().min(1, "a token").optional(),
    nextTokenGeneration: generation.optional(),
    /**
     * For each peer stack's cluster this cluster watches, the generation of that cluster's token
     * its remote secret carries: what the peer reads before deleting a token.
     */
    peerTokenGenerations: z.record(label, generation).optional(),
    /** Its root-cert.pem: two roots during a root rotation; stacks before rotations had none. */
    trustBundlePem: pem.optional(),
});

export const transitGatewaySchema = z.object({
    region,
    transitGatewayId: z.string().regex(/^tgw-[0-9a-f]+$/, "a Transit Gateway id"),
    routeTableId: z.string().regex(/^tgw-rtb-[0-9a-f]+$/, "a Transit Gateway route table id"),
    amazonSideAsn: z.number().int(),
    ownerId: z.string().regex(/^\d{12}$/, "an AWS account id"),
});

/** A Transit Gateway peering between two stacks, as one side exports it. */
export const stackPeeringSchema = z.object({
    /** The other stack, fully qualified. */
    peerStack: z.string(),
    /** Whether the exporting stack requested the peering or accepted it. */
    role: z.enum(["requester", "accepter"]),
    /** The exporting stack's region, and the other side's. */
    region,
    peerRegion: region,
    attachmentId: z.string().regex(/^tgw-attach-[0-9a-f]+$/, "a Transit Gateway attachment id"),
});

/** One cluster as a peer stack reads it. */
export type MeshPeerExport = z.output<typeof meshPeerSchema>;
export type TransitGatewayExport = z.output<typeof transitGatewaySchema>;
export type StackPeeringExport = z.output<typeof stackPeeringSchema>;

/** The same, as this stack exports it: values may still be outputs. */
export type MeshPeerOutputs = {
    readonly [K in keyof MeshPeerExport]: pulumi.Input<MeshPeerExport[K]>;
};

/** A peer stack, read and checked: what this stack builds its side of the mesh from. */
export interface PeerStack {
    readonly stack: string;
    /** The configured clusters, in config order, as the peer exports them. */
    readonly clusters: readonly MeshPeerExport[];
    readonly transitGateways: readonly TransitGatewayExport[];
    /** The peerings the peer has with other stacks (with this one among them). */
    readonly peerings: readonly StackPeeringExport[];
    /** Every cluster the peer exports, configured here or not: each holds remote secrets. */
    readonly exported: readonly MeshPeerExport[];
}

/** Where a peer's material must agree with ours: one mesh id, one trust domain, one root. */
export interface MeshIdentity {
    readonly meshId: string;
    readonly trustDomain: string;
    readonly rootCaCertPem: string;
    /** The roots this stack's clusters trust (components/mesh/peerTrust.ts). */
    readonly trustBundlePem?: string;
}

/** What this stack's config says of one peer stack (`mesh.peers[i]`). */
export interface ConfiguredPeer {
    /** `mesh.peers[0]`. */
    readonly key: string;
    readonly stack: string;
    readonly clusters: readonly { name: string; vpcCidr: string; network: string }[];
}

/** A peer stack's outputs as read: each may be missing. */
export interface PeerOutputs {
    readonly meshPeers?: unknown;
    readonly transitGateways?: unknown;
    readonly transitGatewayPeerings?: unknown;
}

const show = (value: unknown) => JSON.stringify(value) ?? "undefined";

/** What zod's expected types are called in messages. */
const NOUNS: Readonly<Record<string, string>> = {
    array: "a list",
    object: "an object",
    int: "a whole number",
};

/** What a zod issue says was expected, in the words the schemas above give. */
function expectation(issue: z.core.$ZodIssue): string {
    if (issue.code === "invalid_type") {
        return NOUNS[issue.expected] ?? `a ${issue.expected}`;
    }
    if (issue.code === "invalid_value") {
        return `one of ${issue.values.map(String).join(", ")}`;
    }
    if (issue.code === "invalid_key") {
        return "keyed by a DNS-1123 label";
    }
    return issue.message;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
    return path.reduce<unknown>(
        (node, key) =>
            node !== null && typeof node === "object"
                ? (node as Record<PropertyKey, unknown>)[key]
                : undefined,
        root,
    );
}

/** Exported fields whose values never appear in a message. */
const SECRET_FIELDS = new Set<PropertyKey>(["token", "nextToken"]);

/** zod issues as `meshPeers[0].endpoint "http://x" is not an https:// URL`. */
function issuesOf(output: string, raw: unknown, error: z.ZodError): string[] {
    return error.issues.map((issue) => {
        const path = issue.path
            .map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`))
            .join("");
        const value = valueAt(raw, issue.path);
        const secret = SECRET_FIELDS.has(issue.path[issue.path.length - 1]);
        const shown =
            value === undefined
                ? "is missing"
                : `${secret ? "[secret]" : show(value)} is not ${expectation(issue)}`;
        return `${output}${path} ${shown}`;
    });
}

/**
 * Parses a peer stack's outputs and checks them against what this stack's config says of that
 * peer and against this stack's mesh identity. Returns the peer, or the problems, each naming
 * the config key and the exported field.
 */
export function checkPeerOutputs(
    peer: ConfiguredPeer,
    outputs: PeerOutputs,
    ours: MeshIdentity,
): { peer?: PeerStack; problems: string[] } {
    const at = `${peer.key} (${peer.stack})`;
    if (outputs.meshPeers === undefined) {
        return {
            problems: [
                `${peer.key}.stack: ${peer.stack} exports no meshPeers; deploy it first (pulumi up in that stack), or remove it from mesh.peers`,
            ],
        };
    }
    const problems: string[] = [];
    const meshPeers = z.array(meshPeerSchema).safeParse(outputs.meshPeers);
    const gateways = z.array(transitGatewaySchema).safeParse(outputs.transitGateways ?? []);
    const peerings = z.array(stackPeeringSchema).safeParse(outputs.transitGatewayPeerings ?? []);
    const hint = "; is it an eks-ambient-mesh stack of this version?";
    for (const [name, result, raw] of [
        ["meshPeers", meshPeers, outputs.meshPeers],
        ["transitGateways", gateways, outputs.transitGateways],
        ["transitGatewayPeerings", peerings, outputs.transitGatewayPeerings],
    ] as const) {
        if (!result.success) {
            problems.push(...issuesOf(name, raw, result.error).map((p) => `${at}: ${p}${hint}`));
        }
    }
    if (!meshPeers.success || !gateways.success || !peerings.success) {
        return { problems };
    }
    const exported = meshPeers.data;
    const clusters = peer.clusters.flatMap((wanted, j) => {
        const key = `${peer.key}.clusters[${j}]`;
        const found = exported.find((e) => e.name === wanted.name);
        if (found === undefined) {
            const names = exported.map((e) => e.name).join(", ") || "nothing";
            problems.push(
                `${key}.name: ${peer.stack} exports no cluster "${wanted.name}" (it exports: ${names}); deploy it first, or fix mesh.peers`,
            );
            return [];
        }
        for (const field of ["vpcCidr", "network"] as const) {
            if (found[field] !== wanted[field]) {
                problems.push(
                    `${key}.${field}: "${wanted[field]}", but ${peer.stack} exports ${field} "${found[field]}" for cluster "${wanted.name}"; make the config say what the peer runs`,
                );
            }
        }
        for (const field of ["meshId", "trustDomain"] as const) {
            if (found[field] !== ours[field]) {
                problems.push(
                    `${at}: cluster "${wanted.name}" has ${field} "${found[field]}", this stack "${ours[field]}"; every cluster of a mesh shares one mesh id, trust domain and root CA`,
                );
            }
        }
        problems.push(...peerTrustProblems(at, wanted.name, found, ours));
        if (!gateways.data.some((g) => g.region === found.region)) {
            problems.push(
                `${at}: cluster "${wanted.name}" is in ${found.region}, where ${peer.stack} exports no Transit Gateway${hint}`,
            );
        }
        return [found];
    });
    if (problems.length > 0) {
        return { problems };
    }
    const { data: transitGateways } = gateways;
    return {
        peer: { stack: peer.stack, clusters, transitGateways, peerings: peerings.data, exported },
        problems,
    };
}
