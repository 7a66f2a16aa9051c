import * as assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import * as rules from "../../policies/rules";
import { fixtureIntermediate, fixtureRoot } from "../fixtures/meshCa";
import { NOT_APPLICABLE, stackReportsOf, stackResources } from "../fixtures/policy-harness";
import { entriesOf, meshStack, MeshStack } from "../fixtures/policy-mesh";
import { stackCases } from "./cases";

/**
 * istio-trust-chains-verify (policies/rules/istio/trust.ts) over the mesh fixture, whose cacerts
 * hold real certificates (test/fixtures/meshCa.ts), and istio-cacerts-share-root in the phases
 * of a root rotation.
 */

const OLD = fixtureRoot();
const NEXT = fixtureRoot("Next Root CA");
const print = (pem: string) => new X509Certificate(pem).fingerprint256;
const OLD_NAME = `O=eks-ambient-mesh, CN=Root CA (SHA-256 ${print(OLD.certPem)})`;
const NEXT_NAME = `O=eks-ambient-mesh, CN=Next Root CA (SHA-256 ${print(NEXT.certPem)})`;

type Files = Record<string, string>;
const files = (s: MeshStack, cluster: "a" | "b") => s[cluster].cacerts.props.stringData as Files;

/** A cluster as a phase leaves it: its roots, and the root its intermediate is signed by. */
function phase(s: MeshStack, cluster: "a" | "b", roots: string[], signer: "old" | "next"): void {
    const ca = fixtureIntermediate(cluster, signer === "old" ? "Root CA" : "Next Root CA");
    const root = signer === "old" ? OLD : NEXT;
    Object.assign(files(s, cluster), {
        "ca-cert.pem": ca.certPem,
        "ca-key.pem": ca.keyPem,
        "cert-chain.pem": ca.certPem + root.certPem,
        "root-cert.pem": roots.join(""),
    });
}

const both = [OLD.certPem, NEXT.certPem];

describe("policy: trust chains between the clusters", () => {
    stackCases(rules.istioTrustChainsVerify, [
        { title: "accepts one root and an intermediate under it in every cluster", expected: [] },
        {
            title: "accepts trust-both: both roots trusted, intermediates under the old",
            change: (s) => ["a", "b"].forEach((c) => phase(s, c as "a", both, "old")),
            expected: [],
        },
        {
            title: "accepts sign-with-new: both roots trusted, intermediates under the next",
            change: (s) => ["a", "b"].forEach((c) => phase(s, c as "a", both, "next")),
            expected: [],
        },
        {
            title: "accepts one cluster signing with the next root while both trust both",
            change: (s) => {
                phase(s, "a", both, "old");
                phase(s, "b", both, "next");
            },
            expected: [],
        },
        {
            title: "accepts drop-old: the next root alone, intermediates under it",
            change: (s) => ["a", "b"].forEach((c) => phase(s, c as "a", [NEXT.certPem], "next")),
            expected: [],
        },
        {
            title: "rejects sign-with-new in one cluster while the other trusts the old root alone",
            change: (s) => phase(s, "b", both, "next"),
            expected: [
                {
                    resource: "b-cacerts",
                    message: `b's CA chain does not verify against a's root-cert.pem, so a's workloads refuse b's: b's ca-cert.pem (O=eks-ambient-mesh, CN=Intermediate CA b) chains to ${NEXT_NAME}, which a's root-cert.pem does not hold (it holds ${OLD_NAME}).`,
                },
            ],
        },
        {
            title: "rejects drop-old in one cluster while the other still signs with the old root",
            change: (s) => phase(s, "b", [NEXT.certPem], "next"),
            expected: [
                {
                    resource: "a-cacerts",
                    message: `a's CA chain does not verify against b's root-cert.pem, so b's workloads refuse a's: a's ca-cert.pem (O=eks-ambient-mesh, CN=Intermediate CA a) chains to ${OLD_NAME}, which b's root-cert.pem does not hold (it holds ${NEXT_NAME}).`,
                },
                {
                    resource: "b-cacerts",
                    message: `b's CA chain does not verify against a's root-cert.pem, so a's workloads refuse b's: b's ca-cert.pem (O=eks-ambient-mesh, CN=Intermediate CA b) chains to ${NEXT_NAME}, which a's root-cert.pem does not hold (it holds ${OLD_NAME}).`,
                },
            ],
        },
        {
            title: "rejects a cert-chain.pem without the cluster's own intermediate",
            change: (s) => (files(s, "a")["cert-chain.pem"] = OLD.certPem),
            expected: ["a", "b"].map((to) => ({
                resource: "a-cacerts",
                message: `a's CA chain does not verify against ${to === "a" ? "its own root-cert.pem" : "b's root-cert.pem, so b's workloads refuse a's"}: a's cert-chain.pem does not hold its ca-cert.pem (O=eks-ambient-mesh, CN=Intermediate CA a), so peers cannot link the workload certificates it signs to any root.`,
            })),
        },
        {
            title: "rejects a ca-key.pem that is not the intermediate's key",
            change: (s) => (files(s, "a")["ca-key.pem"] = files(s, "b")["ca-key.pem"]),
            expected: [
                {
                    resource: "a-cacerts",
                    message:
                        "a's CA chain does not verify against its own root-cert.pem: a's ca-key.pem does not match its ca-cert.pem, so istiod refuses to load the bundle.",
                },
            ],
        },
        {
            title: "leaves out what a plan without --show-secrets redacts",
            change: (s) => {
                s.a.cacerts.props.stringData = "[secret]" as never;
                s.b.cacerts.props.stringData = "[secret]" as never;
            },
            expected: NOT_APPLICABLE,
        },
    ]);

    it("lists every ordered pair, each cluster with itself first, with the root reached", () => {
        const entries = rules.meshTrustChains(stackResources(entriesOf(meshStack())));
        assert.deepEqual(
            entries.map((e) => [e.from, e.to, e.verifies]),
            [
                ["a", "a", true],
                ["a", "b", true],
                ["b", "b", true],
                ["b", "a", true],
            ],
        );
        assert.equal(
            entries[1].detail,
            `a's ca-cert.pem (O=eks-ambient-mesh, CN=Intermediate CA a) chains to ${OLD_NAME} of b's root-cert.pem`,
        );
    });
});

describe("policy: one set of roots in every phase", () => {
    stackCases(rules.istioCacertsShareRoot, [
        {
            title: "accepts the same two roots in every cluster, however the files are laid out",
            change: (s) => {
                phase(s, "a", both, "old");
                phase(s, "b", [NEXT.certPem, `\n${OLD.certPem}`], "next");
            },
            expected: [],
        },
    ]);

    it("rejects one cluster trusting both roots while the other trusts the old alone", () => {
        const stack = meshStack();
        phase(stack, "b", both, "old");
        assert.deepEqual(stackReportsOf(rules.istioCacertsShareRoot, entriesOf(stack)), [
            {
                resource: "b-cacerts",
                message:
                    "cacerts b-cacerts has a different root-cert.pem than a-cacerts; all clusters of a mesh must trust the same roots: one root CA, or during a root rotation the same two, in every cluster at once.",
            },
        ]);
    });
});
