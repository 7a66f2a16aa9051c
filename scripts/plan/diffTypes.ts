/**
 * The shapes of a plan diff (scripts/plan/diff.ts) and of its impacts on the mesh
 * (scripts/plan/impacts.ts), shared by both and by their renderers.
 */

export type DiffAction = "create" | "update" | "replace" | "delete";

/** The slice of a plan resource the diff reads (any plan JSON, old or new, has it). */
export interface DiffableResource {
    readonly urn: string;
    readonly id: string | null;
    readonly type: string;
    readonly name: string;
    readonly provider: string | null;
    readonly dependsOn: readonly string[];
    readonly protect: boolean;
    readonly inputs: Record<string, unknown>;
    /** Per top-level input, the resources its value came from (absent from older plans). */
    readonly propertyDependencies?: Readonly<Record<string, readonly string[]>>;
}

export interface DiffablePlan {
    readonly project?: string;
    readonly stack?: string;
    readonly resources: readonly DiffableResource[];
    readonly outputs?: Record<string, unknown>;
}

export interface DiffEntry {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    /** The cluster the resource belongs to, or `shared`. */
    readonly cluster: string;
    readonly action: DiffAction;
    /** Changed input paths (dotted, down to where they differ); empty for creates and deletes. */
    readonly properties: string[];
    /** For a replacement: the inputs, or the provider, that force it. */
    readonly replaceBecause?: string[];
    /** Top-level inputs unknown at preview: they take an output of a resource being replaced or created. */
    readonly unknown?: string[];
    /** A change of `protect`. */
    readonly protect?: { readonly from: boolean; readonly to: boolean };
    /** What the table knows would happen that the action does not say. */
    readonly warnings?: string[];
}

export interface PlanDiff {
    /** Changed resources only, in URN order. */
    readonly diff: DiffEntry[];
    /** The mesh's blast radius, most severe first. */
    readonly impacts: Impact[];
    /** Stack outputs that change, as paths. */
    readonly outputChanges: string[];
    /** What the comparison could not see, in words. */
    readonly notes: string[];
    /** The clusters of each plan, in plan order. */
    readonly clusters: { readonly old: string[]; readonly new: string[] };
}

/** What a change does to the mesh, from most to least severe. */
export type ImpactKind =
    | "cluster-removed"
    | "cluster-replaced"
    | "vpc-replaced"
    | "kubernetes-provider-replaced"
    | "trust-anchor-replaced"
    | "intermediate-reissued"
    | "east-west-lb-replaced"
    | "node-group-replaced"
    | "reader-token-replaced"
    | "kubernetes-upgraded"
    | "istiod-rolled"
    | "cni-rolled"
    | "ztunnel-rolled"
    | "cluster-added";

export interface Impact {
    readonly kind: ImpactKind;
    /** The cluster it hits, or `shared` (the mesh's root CA). */
    readonly cluster: string;
    /** The resources behind it (changed resources of the diff), sorted. */
    readonly urns: string[];
    /** What changes, in a few words (`1.32 -> 1.33`, the inputs that force a replacement). */
    readonly detail?: string;
}
