import * as k8s from "@pulumi/kubernetes";
import {
    PolicyResource,
    ResourceValidationPolicy,
    StackValidationPolicy,
    validateResourceOfType,
} from "@pulumi/policy";
import {
    byChart,
    dependencyClosure,
    helmReleases,
    knownString,
    providerKey,
    secretMaps,
} from "../util";

/** The plug-in CA: each cluster's cacerts Secret, complete, under the same roots, before istiod. */

export const CACERTS_KEYS = ["ca-cert.pem", "ca-key.pem", "root-cert.pem", "cert-chain.pem"];

export const istioCacertsComplete: ResourceValidationPolicy = {
    name: "istio-cacerts-complete",
    description: "The cacerts Secret holds all four plug-in CA files istiod reads.",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(k8s.core.v1.Secret, (secret, _args, report) => {
        const maps = secretMaps(secret);
        if (secret.metadata?.name !== "cacerts" || maps === undefined) {
            return;
        }
        const keys = [...Object.keys(maps.stringData), ...Object.keys(maps.data)];
        const missing = CACERTS_KEYS.filter((k) => !keys.includes(k));
        if (missing.length > 0) {
            report(
                `cacerts lacks ${missing.join(", ")}; istiod needs ${CACERTS_KEYS.join(", ")} ` +
                    "(from Istio 1.27 a partial set stops it).",
            );
        }
    }),
};

export const istiodWaitsForCacerts: StackValidationPolicy = {
    name: "istiod-depends-on-cacerts",
    description:
        "Every istiod release depends on the cacerts Secret in its namespace, so it starts with the mesh's CA.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const istiods = byChart(helmReleases(args.resources), "istiod");
        if (istiods.length === 0) {
            args.notApplicable("Policy only applies to stacks with istiod");
        }
        for (const istiod of istiods) {
            const waits = [...dependencyClosure(istiod.resource)].some(
                (d) =>
                    d.isType(k8s.core.v1.Secret) &&
                    knownString(() => d.props.metadata?.name) === "cacerts" &&
                    (knownString(() => d.props.metadata?.namespace) ?? "default") ===
                        istiod.namespace &&
                    providerKey(d) === providerKey(istiod.resource),
            );
            if (!waits) {
                report(
                    `istiod release ${istiod.resource.name} does not depend on a cacerts Secret ` +
                        `in ${istiod.namespace}; started first, istiod makes its own CA and never ` +
                        "picks up the mesh's intermediate.",
                    istiod.resource.urn,
                );
            }
        }
    },
};

function rootCertOf(secret: PolicyResource): string | undefined {
    const plain = knownString(() => secret.props.stringData?.["root-cert.pem"]);
    const encoded = knownString(() => secret.props.data?.["root-cert.pem"]);
    return plain ?? (encoded === undefined ? undefined : Buffer.from(encoded, "base64").toString());
}

/**
 * The roots a root-cert.pem holds, as a set: each PEM block with its whitespace removed, sorted,
 * so that the same roots compare equal however the file is laid out.
 */
function rootSet(pem: string): string {
    const blocks = pem.match(/-----BEGIN [^-]+-----[^-]*-----END [^-]+-----/g) ?? [pem];
    return [...new Set(blocks.map((b) => b.replace(/\s+/g, "")))].sort().join("\n");
}

export const istioCacertsShareRoot: StackValidationPolicy = {
    name: "istio-cacerts-share-root",
    description:
        "The cacerts Secrets of all clusters carry the same roots: one root CA, or during a root rotation the same bundle of two.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const roots = args.resources
            .filter(
                (r) =>
                    r.isType(k8s.core.v1.Secret) &&
                    knownString(() => r.props.metadata?.name) === "cacerts",
            )
            .flatMap((secret) => {
                const root = rootCertOf(secret);
                return root === undefined ? [] : [{ secret, root: rootSet(root) }];
            });
        if (roots.length < 2) {
            args.notApplicable("Policy only applies to stacks with several known cacerts");
        }
        for (const other of roots.slice(1).filter((r) => r.root !== roots[0].root)) {
            report(
                `cacerts ${other.secret.name} has a different root-cert.pem than ` +
                    `${roots[0].secret.name}; all clusters of a mesh must trust the same roots: ` +
                    "one root CA, or during a root rotation the same two, in every cluster at once.",
                other.secret.urn,
            );
        }
    },
};
