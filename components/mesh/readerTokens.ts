import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ReaderTokenPlan } from "../config";

/** The reader service account `base` creates; remote secrets carry its token. */
export const READER_SERVICE_ACCOUNT = "istio-reader-service-account";
/** The token Secret of generation 0, named as `istioctl create-remote-secret` names it. */
export const READER_TOKEN_SECRET = "istio-reader-service-account-istio-remote-secret-token";

/**
 * A generation's Secret. Generation 0 keeps the name (and the Pulumi name) every stack started
 * with, so that adopting rotation changes nothing deployed. A later generation needs a name of
 * its own: a legacy token's claims are the namespace, the account's name and uid and the
 * Secret's name, nothing else (kubernetes/kubernetes `pkg/serviceaccount/legacy.go`,
 * `LegacyClaims`), so a Secret made again under an old name would carry the old claims.
 */
export function readerTokenSecretName(generation: number): string {
    return generation === 0 ? READER_TOKEN_SECRET : `${READER_TOKEN_SECRET}-g${generation}`;
}

export function readerTokenResourceName(cluster: string, generation: number): string {
    return generation === 0 ? `${cluster}-reader-token` : `${cluster}-reader-token-g${generation}`;
}

/** One generation's token, as remote secrets carry it. */
export interface ReaderToken {
    readonly generation: number;
    /** The bearer token: a secret. */
    readonly token: pulumi.Output<string>;
    /** Base64 CA bundle of this API server, from the token Secret. */
    readonly caData: pulumi.Output<string>;
}

/** The token Secrets of one cluster for one rotation phase: the one in use, and the next. */
export interface ReaderTokens {
    readonly inUse: ReaderToken;
    readonly next?: ReaderToken;
}

/**
 * Kubernetes >= 1.24 issues no long-lived token by itself: ask for one per generation the phase
 * keeps (`readerTokenPlan`). A generation the phase no longer lists is deleted by the update,
 * after every change (Pulumi deletes what left the program last), which invalidates its token.
 */
export function readerTokenSecrets(
    cluster: string,
    plan: ReaderTokenPlan,
    namespace: pulumi.Input<string>,
    opts: pulumi.CustomResourceOptions,
): ReaderTokens {
    const tokens = new Map(
        plan.generations.map((generation) => {
            const secret = new k8s.core.v1.Secret(
                readerTokenResourceName(cluster, generation),
                {
                    metadata: {
                        name: readerTokenSecretName(generation),
                        namespace,
                        annotations: {
                            "kubernetes.io/service-account.name": READER_SERVICE_ACCOUNT,
                        },
                    },
                    type: "kubernetes.io/service-account-token",
                },
                opts,
            );
            const token: ReaderToken = {
                generation,
                token: pulumi.secret(
                    secret.data.apply((d) => Buffer.from(d.token, "base64").toString("utf8")),
                ),
                caData: secret.data.apply((d) => d["ca.crt"]),
            };
            return [generation, token] as const;
        }),
    );
    const pick = (generation: number) => tokens.get(generation) as ReaderToken;
    return {
        inUse: pick(plan.inUse),
        ...(plan.next === undefined ? {} : { next: pick(plan.next) }),
    };
}
