import * as assert from "node:assert/strict";
import * as rules from "../../policies/rules";
import {
    check,
    NOT_APPLICABLE,
    stackReportsOf,
    UNKNOWN,
    UNKNOWN_OBJECT,
} from "../fixtures/policy-harness";
import {
    canaryIstiod,
    entriesOf,
    kubeconfig,
    meshStack,
    pem,
    sidecarEastWest,
} from "../fixtures/policy-mesh";
import { resourceCases, stackCases } from "./cases";

/** The istio-*, istiod-* and ztunnel-* rules (policies/rules/istio/). */

describe("policy: Istio charts", () => {
    const ztunnel = () => meshStack().a.ztunnel;

    resourceCases(rules.istioRepositoryAllowed, ztunnel, [
        { title: "accepts the Istio project's repository", expected: [] },
        {
            title: "rejects Istio charts from an unknown repository",
            change: (z) => (z.props.repositoryOpts = { repo: "https://charts.example.com/istio" }),
            expected: [
                'Istio chart "ztunnel" comes from "https://charts.example.com/istio"; use ' +
                    "https://blob.istio.io/istio-release/charts or oci://ghcr.io/istio/release/charts.",
            ],
        },
        {
            title: "rejects the retired Google Cloud Storage host",
            change: (z) =>
                (z.props.repositoryOpts = {
                    repo: "https://istio-release.storage.googleapis.com/charts",
                }),
            expected: [
                'Istio chart "ztunnel" comes from "https://istio-release.storage.googleapis.com/charts"; use ' +
                    "https://blob.istio.io/istio-release/charts or oci://ghcr.io/istio/release/charts.",
            ],
        },
        {
            title: "accepts Istio's OCI registry",
            change: (z) => {
                z.props.chart = "oci://ghcr.io/istio/release/charts/ztunnel";
                delete z.props.repositoryOpts;
            },
            expected: [],
        },
        {
            title: "accepts a mirror listed in the pack config",
            change: (z) => (z.props.repositoryOpts = { repo: "https://mirror.example.com/istio/" }),
            options: { config: { allowedRepositories: ["https://mirror.example.com/istio"] } },
            expected: [],
        },
    ]);

    resourceCases(rules.istioVersionEndOfLife, () => meshStack().a.istiod, [
        { title: "accepts a supported minor", expected: [] },
    ]);

    it("istio-version-end-of-life warns on a minor past its end of life, with the date", () => {
        const istiod = meshStack().a.istiod;
        istiod.props.version = "1.29.6";
        assert.deepEqual(check(rules.istioVersionEndOfLife, istiod), [
            'Istio chart "istiod" is at 1.29.6; Istio 1.29 reached end of life on 2026-10-12 ' +
                "(judged on 2026-11-30) and gets no more security fixes; upgrade one minor at a " +
                "time to a supported release.",
        ]);
        assert.deepEqual(
            check(rules.istioVersionEndOfLife, istiod, { config: { asOf: "2026-10-12" } }),
            [],
        );
    });

    stackCases(rules.istioVersionsConsistent, [
        { title: "accepts every Istio chart at 1.31.1", expected: [] },
        {
            title: "accepts an upgrade in progress: a second revision one minor up, base with it",
            change: (s) => {
                s.extra.push(canaryIstiod("b", "1.32.0"));
                s.b.base.props.version = "1.32.0";
            },
            expected: [],
        },
        {
            title: "rejects one ztunnel left at 1.31.0",
            change: (s) => (s.b.ztunnel.props.version = "1.31.0"),
            expected: [
                {
                    resource: "b-ztunnel",
                    message:
                        "ztunnel release b-ztunnel is at chart version 1.31.0 while the cluster's " +
                        "istiod release is at 1.31.1; run it at the release of one of the " +
                        "cluster's control planes.",
                },
                {
                    resource: "b-istio-cni",
                    message:
                        "cni release b-istio-cni is at 1.31.1 while ztunnel is at 1.31.0; the node " +
                        "agents move to a new release together (the data-plane phase of an upgrade).",
                },
            ],
        },
        {
            title: "rejects revisions two minors apart",
            change: (s) => {
                s.extra.push(canaryIstiod("b", "1.33.0"));
                s.b.base.props.version = "1.33.0";
            },
            expected: [
                {
                    resource: "b-istiod",
                    message:
                        "istiod release b-istiod is at 1.31.1 beside 1.33.0; a cluster runs one " +
                        "control-plane revision per minor, at most two, one minor apart (an " +
                        "upgrade in progress).",
                },
            ],
        },
        {
            title: "rejects base left behind the newer control plane",
            change: (s) => s.extra.push(canaryIstiod("b", "1.32.0")),
            expected: [
                {
                    resource: "b-istio-base",
                    message:
                        "base release b-istio-base is at chart version 1.31.1 while the cluster's " +
                        "istiod releases are at 1.31.1 and 1.32.0; base goes with the newest " +
                        "control plane (its CRDs serve both).",
                },
            ],
        },
    ]);
});

describe("policy: Istio identity (network, cluster and mesh names)", () => {
    resourceCases(rules.istioNetworkLabel, () => meshStack().a.namespace, [
        { title: "accepts istio-system labelled with its network", expected: [] },
        {
            title: "rejects istio-system without the network label",
            change: (ns) => (ns.props.metadata = { name: "istio-system" }),
            expected: [
                "namespace istio-system has no topology.istio.io/network label; istiod learns each " +
                    "cluster's network only from this label.",
            ],
        },
        {
            title: "leaves other namespaces alone",
            change: (ns) => (ns.props.metadata = { name: "istio-ingress" }),
            expected: [],
        },
    ]);

    stackCases(rules.ztunnelMatchesIstiod, [
        { title: "accepts equal cluster names and networks", expected: [] },
        {
            title: "rejects a ztunnel with another cluster name",
            change: (s) =>
                (s.b.ztunnel.props.values = {
                    multiCluster: { clusterName: "a" },
                    network: "b-network",
                }),
            expected: [
                {
                    resource: "b-ztunnel",
                    message:
                        'ztunnel release b-ztunnel has multiCluster.clusterName "a" but istiod ' +
                        'release b-istiod has global.multiCluster.clusterName "b"; they must be equal.',
                },
            ],
        },
        {
            title: "rejects a ztunnel on another network",
            change: (s) =>
                (s.b.ztunnel.props.values = {
                    multiCluster: { clusterName: "b" },
                    network: "a-network",
                }),
            expected: [
                {
                    resource: "b-ztunnel",
                    message:
                        'ztunnel release b-ztunnel has network "a-network" but istiod release ' +
                        'b-istiod has global.network "b-network"; they must be equal.',
                },
            ],
        },
    ]);

    stackCases(rules.istioMeshIdentity, [
        { title: "accepts one mesh ID and trust domain", expected: [] },
        {
            title: "rejects clusters with different trust domains",
            change: (s) => {
                const values = s.b.istiod.props.values as Record<string, unknown>;
                values.meshConfig = { trustDomain: "b.example.com" };
            },
            expected: [
                {
                    resource: "(stack)",
                    message:
                        'istiod releases disagree on meshConfig.trustDomain: "cluster.local" ' +
                        '(a-istiod), "b.example.com" (b-istiod); the clusters of one mesh need one ' +
                        "mesh ID and one trust domain.",
                },
            ],
        },
    ]);

    stackCases(rules.istioClusterIdentity, [
        { title: "accepts distinct cluster names and networks", expected: [] },
        {
            title: "accepts two control-plane revisions of one cluster sharing its identity",
            change: (s) => s.extra.push(canaryIstiod("a", "1.32.0")),
            expected: [],
        },
        {
            title: "rejects two istiods with one cluster name",
            change: (s) => {
                const values = s.b.istiod.props.values as { global: Record<string, unknown> };
                values.global.multiCluster = { clusterName: "a" };
            },
            expected: [
                {
                    resource: "(stack)",
                    message:
                        'istiod releases a-istiod and b-istiod share global.multiCluster.clusterName "a"; ' +
                        "remote secrets and endpoints are keyed by the cluster name.",
                },
            ],
        },
        {
            title: "rejects an istiod without a network",
            change: (s) => {
                const values = s.b.istiod.props.values as { global: Record<string, unknown> };
                delete values.global.network;
            },
            expected: [
                {
                    resource: "b-istiod",
                    message:
                        "istiod release b-istiod does not set global.network; ambient multi-cluster " +
                        "supports multi-network only, one network per cluster.",
                },
            ],
        },
    ]);
});

describe("policy: Istio plug-in CA", () => {
    const cacerts = () => meshStack().a.cacerts;

    resourceCases(rules.istioCacertsComplete, cacerts, [
        { title: "accepts all four plug-in CA files", expected: [] },
        {
            title: "rejects a cacerts without the CA key and the chain",
            change: (c) =>
                (c.props.stringData = {
                    "ca-cert.pem": pem("CERTIFICATE", "a"),
                    "root-cert.pem": "r",
                }),
            expected: [
                "cacerts lacks ca-key.pem, cert-chain.pem; istiod needs ca-cert.pem, ca-key.pem, " +
                    "root-cert.pem, cert-chain.pem (from Istio 1.27 a partial set stops it).",
            ],
        },
        {
            title: "counts base64 data keys too",
            change: (c) => {
                const stringData = c.props.stringData as Record<string, string>;
                c.props.stringData = { "ca-cert.pem": stringData["ca-cert.pem"] };
                c.props.data = {
                    "ca-key.pem": "a2V5",
                    "root-cert.pem": "cm9vdA==",
                    "cert-chain.pem": "Y2hhaW4=",
                };
            },
            expected: [],
        },
        {
            title: "waits for a cacerts map built from outputs (unknown in a first preview)",
            change: (c) =>
                (c.props.stringData = UNKNOWN_OBJECT as unknown as Record<string, string>),
            expected: [],
        },
    ]);

    stackCases(rules.istiodWaitsForCacerts, [
        { title: "accepts istiod created after cacerts", expected: [] },
        {
            title: "rejects istiod that may start before cacerts exists",
            change: (s) => (s.a.istiod.dependsOn = ["a-istio-system", "a-istio-base"]),
            expected: [
                {
                    resource: "a-istiod",
                    message:
                        "istiod release a-istiod does not depend on a cacerts Secret in istio-system; " +
                        "started first, istiod makes its own CA and never picks up the mesh's " +
                        "intermediate.",
                },
            ],
        },
        {
            title: "accepts a dependency through istio-base",
            change: (s) => {
                s.a.istiod.dependsOn = ["a-istio-system", "a-istio-base"];
                s.a.base.dependsOn = ["a-istio-system", "a-cacerts"];
            },
            expected: [],
        },
    ]);

    it("istiod-depends-on-cacerts does not count the other cluster's cacerts", () => {
        const stack = meshStack();
        stack.a.istiod.dependsOn = ["a-istio-system", "b-cacerts", "a-istio-base"];
        assert.equal(
            (stackReportsOf(rules.istiodWaitsForCacerts, entriesOf(stack)) as []).length,
            1,
        );
    });

    stackCases(rules.istioCacertsShareRoot, [
        { title: "accepts one root in every cacerts", expected: [] },
        {
            title: "rejects a cluster with its own root",
            change: (s) => {
                const stringData = s.b.cacerts.props.stringData as Record<string, string>;
                stringData["root-cert.pem"] = pem("CERTIFICATE", "another root");
            },
            expected: [
                {
                    resource: "b-cacerts",
                    message:
                        "cacerts b-cacerts has a different root-cert.pem than a-cacerts; all " +
                        "clusters of a mesh must trust the same roots: one root CA, or during a " +
                        "root rotation the same two, in every cluster at once.",
                },
            ],
        },
    ]);
});

describe("policy: Istio remote secrets", () => {
    const secret = () => meshStack().a.remoteSecret;

    resourceCases(rules.istioRemoteSecretMetadata, secret, [
        { title: "accepts istioctl's shape", expected: [] },
        {
            title: "rejects a remote secret without istio/multiCluster",
            change: (s) =>
                (s.props.metadata = {
                    name: "istio-remote-secret-b",
                    namespace: "istio-system",
                    annotations: { "networking.istio.io/cluster": "b" },
                }),
            expected: [
                "remote secret istio-remote-secret-b lacks label istio/multiCluster; istiod only " +
                    'watches secrets labelled istio/multiCluster: "true".',
            ],
        },
        {
            title: "rejects an annotation naming another cluster",
            change: (s) =>
                (s.props.metadata = {
                    name: "istio-remote-secret-b",
                    namespace: "istio-system",
                    labels: { "istio/multiCluster": "true" },
                    annotations: { "networking.istio.io/cluster": "c" },
                }),
            expected: [
                'remote secret istio-remote-secret-b has annotation networking.istio.io/cluster: "c"; ' +
                    'it must name the remote cluster, "b".',
            ],
        },
        {
            title: "rejects a remote secret outside istio-system",
            change: (s) =>
                (s.props.metadata = {
                    name: "istio-remote-secret-b",
                    labels: { "istio/multiCluster": "true" },
                    annotations: { "networking.istio.io/cluster": "b" },
                }),
            expected: [
                'remote secret istio-remote-secret-b is in namespace "default"; istiod reads remote ' +
                    "secrets from istio-system only.",
            ],
        },
    ]);

    resourceCases(rules.istioRemoteSecretMetadata, () => meshStack().a.cacerts, [
        { title: "leaves other secrets alone", expected: [] },
    ]);

    resourceCases(rules.istioRemoteSecretKubeconfig, secret, [
        { title: "accepts one token kubeconfig keyed by the cluster", expected: [] },
        {
            title: "rejects keys that are not the remote cluster's ID",
            change: (s) =>
                (s.props.stringData = { b: kubeconfig("b"), kubeconfig: kubeconfig("b") }),
            expected: [
                'remote secret istio-remote-secret-b holds keys "b" and "kubeconfig"; it must hold ' +
                    'exactly one key, "b", the remote cluster\'s ID.',
            ],
        },
        {
            title: "rejects an aws eks get-token (exec) kubeconfig",
            change: (s) =>
                (s.props.stringData = {
                    b: kubeconfig(
                        "b",
                        "      exec:\n        command: aws\n        args: [eks, get-token]",
                    ),
                }),
            expected: [
                'the kubeconfig under "b" authenticates with exec; istiod accepts only a bearer ' +
                    "token (user.token) in remote secrets.",
            ],
        },
        {
            title: "rejects a kubeconfig without a token",
            change: (s) => (s.props.stringData = { b: kubeconfig("b", "      username: admin") }),
            expected: [
                'the kubeconfig under "b" has no user.token; give it the bearer token of the remote ' +
                    "cluster's istio-reader-service-account.",
            ],
        },
        {
            title: "checks the key of a kubeconfig not known yet in a preview",
            change: (s) => (s.props.stringData = { a: UNKNOWN }),
            expected: [
                'remote secret istio-remote-secret-b holds key "a"; it must hold exactly one key, ' +
                    '"b", the remote cluster\'s ID.',
            ],
        },
        {
            title: "reads a kubeconfig given as base64 data",
            change: (s) => {
                delete s.props.stringData;
                s.props.data = { b: Buffer.from(kubeconfig("b")).toString("base64") };
            },
            expected: [],
        },
    ]);
});

describe("policy: Istio east-west gateways", () => {
    it("istio-east-west-gateway-internal accepts an internal east-west load balancer", () => {
        assert.deepEqual(check(rules.istioEastWestInternal, meshStack().a.eastWest), []);
        assert.deepEqual(check(rules.istioEastWestInternal, sidecarEastWest("a")), []);
    });

    resourceCases(rules.istioEastWestInternal, () => meshStack().a.eastWest, [
        {
            title: "rejects an internet-facing ambient east-west gateway",
            change: (g) =>
                (g.props.spec = {
                    gatewayClassName: "istio-east-west",
                    infrastructure: {
                        annotations: {
                            "service.beta.kubernetes.io/aws-load-balancer-scheme":
                                "internet-facing",
                        },
                    },
                }),
            expected: [
                "east-west gateway a-east-west gets an internet-facing load balancer; set " +
                    "spec.infrastructure.annotations service.beta.kubernetes.io/aws-load-balancer-" +
                    "scheme: internal so cross-cluster traffic stays on the Transit Gateway.",
            ],
        },
    ]);

    resourceCases(rules.istioEastWestInternal, () => sidecarEastWest("a"), [
        {
            title: "rejects a sidecar-mode east-west gateway without annotations",
            change: (g) => (g.props.values = { networkGateway: "a-network" }),
            expected: [
                "east-west gateway a-eastwestgateway gets an internet-facing load balancer; set " +
                    "values.service.annotations service.beta.kubernetes.io/aws-load-balancer-scheme: " +
                    "internal so cross-cluster traffic stays on the Transit Gateway.",
            ],
        },
    ]);

    stackCases(rules.istioEastWestModes, [
        {
            title: "has nothing to check with ambient gateways only",
            expected: NOT_APPLICABLE,
        },
        {
            title: "rejects a sidecar-mode gateway in an ambient mesh",
            change: (s) => s.extra.push(sidecarEastWest("b")),
            expected: [
                {
                    resource: "(stack)",
                    message:
                        "the stack has ambient east-west gateways (a-east-west, b-east-west) and " +
                        "sidecar-mode ones (b-eastwestgateway); use one kind per mesh (mixing them " +
                        "broke ingress in Istio 1.29.1).",
                },
            ],
        },
    ]);
});

describe("policy: Istio ambient mode", () => {
    stackCases(rules.istioAmbientProfile, [
        { title: "accepts istiod and cni on the ambient profile", expected: [] },
        {
            title: "rejects istiod without the ambient profile next to ztunnel",
            change: (s) => delete (s.a.istiod.props.values as Record<string, unknown>).profile,
            expected: [
                {
                    resource: "a-istiod",
                    message:
                        "istiod release a-istiod runs next to ztunnel but sets profile (not set); " +
                        "ambient mode needs profile: ambient.",
                },
            ],
        },
        {
            title: "rejects cni on the default profile",
            change: (s) => (s.b.cni.props.values = { profile: "default" }),
            expected: [
                {
                    resource: "b-istio-cni",
                    message:
                        'cni release b-istio-cni runs next to ztunnel but sets profile "default"; ' +
                        "ambient mode needs profile: ambient.",
                },
            ],
        },
    ]);

    stackCases(rules.istiodMultiNetwork, [
        { title: "accepts AMBIENT_ENABLE_MULTI_NETWORK on every istiod", expected: [] },
        {
            title: "rejects an istiod of a two-cluster mesh without the flag",
            change: (s) => delete (s.b.istiod.props.values as Record<string, unknown>).env,
            expected: [
                {
                    resource: "b-istiod",
                    message:
                        "istiod release b-istiod sets env AMBIENT_ENABLE_MULTI_NETWORK (not set); " +
                        'set "true", or ambient multi-cluster stays off and no istio-east-west ' +
                        "gateway class exists.",
                },
            ],
        },
        {
            title: "accepts the flag under pilot.env",
            change: (s) => {
                const values = s.b.istiod.props.values as Record<string, unknown>;
                delete values.env;
                values.pilot = { env: { AMBIENT_ENABLE_MULTI_NETWORK: "true" } };
            },
            expected: [],
        },
    ]);

    it("istiod-ambient-multi-network does not apply to one cluster without peers", () => {
        const stack = meshStack();
        const single = entriesOf(stack).filter(
            (e) => !e.name.startsWith("b-") && e !== stack.a.remoteSecret,
        );
        assert.equal(stackReportsOf(rules.istiodMultiNetwork, single), NOT_APPLICABLE);
    });
});
