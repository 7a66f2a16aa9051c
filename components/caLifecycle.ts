/**
 * The mesh CA's lifecycle, shared by the config checks (which refuse what it forbids) and the
 * mesh's trust component (which issues what it prescribes): certificate lifetimes, and the
 * phases of a root CA rotation.
 *
 * The phases of a root CA rotation, in order, and what each puts into every cluster's `cacerts`.
 * No phase may be skipped (`components/config/caRotation.ts` refuses it against the deployed
 * phase), because each relies on every workload having picked up the previous one.
 *
 * | phase           | root-cert.pem | ca-cert.pem / ca-key.pem / cert-chain.pem        |
 * | --------------- | ------------- | ------------------------------------------------ |
 * | (none)          | old           | intermediate signed by old; chain ends with old  |
 * | `trust-both`    | old + new     | unchanged                                        |
 * | `sign-with-new` | old + new     | intermediate signed by new; chain ends with new  |
 * | `drop-old`      | new           | unchanged                                        |
 * | (finished)      | new           | unchanged: the new root is now `rootCaCertPem`   |
 *
 * istiod accepts each of these as a hot reload (no restart) because ISTIO_MULTIROOT_MESH is on
 * and each root-cert.pem is a superset or subset of the one before: istio/istio@1.30.3
 * pilot/pkg/bootstrap/istio_ca.go:345-367 (`pemBundleHasSubsetRelation`, :732-741); before
 * 1.30, `bytes.Contains` of one bundle in the other (istio_ca.go:352-366 at 1.29.6), which is
 * why each bundle is the byte-for-byte concatenation of the single-root files around it.
 */

/**
 * Certificate lifetimes. The root is renewed two years before it expires and an intermediate
 * lives one year, so an intermediate issued on any `pulumi up` always expires before its root.
 * Renewal happens on the first `pulumi up` after a certificate enters its early-renewal window.
 */
export const CA_LIFETIMES = {
    rootValidityHours: 10 * 365 * 24,
    rootEarlyRenewalHours: 2 * 365 * 24,
    intermediateValidityHours: 365 * 24,
    intermediateEarlyRenewalHours: 30 * 24,
} as const;

export const ROOT_ROTATION_PHASES = ["trust-both", "sign-with-new", "drop-old"] as const;
export type RootRotationPhase = (typeof ROOT_ROTATION_PHASES)[number];

/** What the lifecycle output records when no rotation is under way. */
export const NO_ROTATION = "none";
export type RotationState = RootRotationPhase | typeof NO_ROTATION;

/** Position in the sequence: none 0, trust-both 1, sign-with-new 2, drop-old 3. */
export function phaseIndex(phase: RotationState): number {
    return phase === NO_ROTATION ? 0 : ROOT_ROTATION_PHASES.indexOf(phase) + 1;
}

/** The intermediates are signed by the next root (`sign-with-new`, `drop-old`). */
export function signsWithNext(phase: RotationState): boolean {
    return phase === "sign-with-new" || phase === "drop-old";
}

/** root-cert.pem holds the current root (every state but `drop-old`). */
export function trustsCurrent(phase: RotationState): boolean {
    return phase !== "drop-old";
}

/** root-cert.pem holds the next root (every phase of a rotation). */
export function trustsNext(phase: RotationState): boolean {
    return phase !== NO_ROTATION;
}

/** root-cert.pem holds two roots (`trust-both`, `sign-with-new`). */
export function isMultiRoot(phase: RotationState): boolean {
    return trustsCurrent(phase) && trustsNext(phase);
}

/**
 * The roots of a phase: the one the intermediates are signed by, and those root-cert.pem holds,
 * the current root first. Outside a rotation, the current root alone.
 */
export function rootsOfPhase<T>(
    phase: RotationState,
    current: T,
    next?: T,
): { readonly signing: T; readonly trusted: readonly T[] } {
    if (next === undefined) {
        return { signing: current, trusted: [current] };
    }
    return {
        signing: signsWithNext(phase) ? next : current,
        trusted: [...(trustsCurrent(phase) ? [current] : []), ...(trustsNext(phase) ? [next] : [])],
    };
}

/**
 * PEM texts one after the other, each byte for byte as given (a newline added between two only
 * when the first lacks one), so that every single-root file is a substring of the bundle.
 */
export function joinPem(...pems: string[]): string {
    return pems.reduce(
        (all, pem) => (all === "" || all.endsWith("\n") ? all + pem : `${all}\n${pem}`),
        "",
    );
}
