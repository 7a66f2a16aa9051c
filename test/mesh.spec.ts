import * as assert from "node:assert/strict";
import { createPrivateKey, createPublicKey, X509Certificate } from "node:crypto";
import * as x509 from "@peculiar/x509";
import { parse } from "yaml";
import { RecordedResource } from "../scripts/offline/monitor";
import { environmentResources, environmentRun, Resources } from "./fixtures/environments";

const SECRET = "kubernetes:core/v1:Secret";
const NAMESPACE = "kubernetes:core/v1:Namespace";
const RELEASE = "kubernetes:helm.sh/v3:Release";
const GATEWAY = "kubernetes:gateway.networking.k8s.io/v1:Gateway";
const LOCALLY_SIGNED = "tls:index/locallySignedCert:LocallySignedCert";
const SELF_SIGNED = "tls:index/selfSignedCert:SelfSignedCert";
const CSR = "tls:index/certRequest:CertRequest";
const KEY = "tls:index/privateKey:PrivateKey";

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/g;

function stringData(secret: RecordedResource): Record<string, string> {
    return secret.inputs.stringData as Record<string, string>;
}

describe("MeshTrust", () => {
    let pair: Resources;
    before(async () => {
        pair = await environmentResources("pair");
    });

    it("makes one RSA 4096 root CA and an intermediate CA per cluster, as Istio's tooling does", () => {
        assert.deepEqual(
            pair.ofType(KEY).map((k) => [k.name, k.inputs.algorithm, k.inputs.rsaBits]),
            [
                ["east-a-intermediate", "RSA", 4096],
                ["east-b-intermediate", "RSA", 4096],
                ["mesh-root", "RSA", 4096],
            ],
        );
        const root = pair.one(SELF_SIGNED, "mesh-root");
        assert.equal(root.inputs.isCaCertificate, true);
        assert.equal(root.inputs.validityPeriodHours, 87600);
        assert.equal(root.inputs.earlyRenewalHours, 17520);
        assert.deepEqual(root.inputs.allowedUses, [
            "cert_signing",
            "crl_signing",
            "digital_signature",
        ]);
        const csr = pair.one(CSR, "east-a-intermediate");
        assert.deepEqual(csr.inputs.dnsNames, ["istiod.istio-system.svc"]);
        const cert = pair.one(LOCALLY_SIGNED, "east-a-intermediate");
        assert.equal(cert.inputs.isCaCertificate, true);
        assert.equal(cert.inputs.maxPathLength, 0);
        assert.equal(cert.inputs.validityPeriodHours, 8760);
        assert.equal(cert.inputs.earlyRenewalHours, 720);
        assert.deepEqual(cert.inputs.allowedUses, [
            "digital_signature",
            "content_commitment",
            "key_encipherment",
            "cert_signing",
        ]);
        assert.equal(cert.rawInputs.caPrivateKeyPem?.constructor.name, "SecretValue");
    });

    it("puts a chain in every cacerts that verifies against the one shared root", () => {
        const secrets = pair.ofType(SECRET).filter((s) => s.name.endsWith("-cacerts"));
        assert.equal(secrets.length, 2);
        const roots = new Set<string>();
        for (const secret of secrets) {
            const data = stringData(secret);
            assert.deepEqual(Object.keys(data).sort(), [
                "ca-cert.pem",
                "ca-key.pem",
                "cert-chain.pem",
                "root-cert.pem",
            ]);
            const root = new X509Certificate(data["root-cert.pem"]);
            const ca = new X509Certificate(data["ca-cert.pem"]);
            roots.add(root.fingerprint256);
            assert.ok(ca.verify(root.publicKey), "intermediate signed by the root");
            assert.ok(ca.checkIssued(root));
            assert.ok(ca.ca && root.ca);
            assert.ok(ca.checkPrivateKey(createPrivateKey(data["ca-key.pem"])), "key matches cert");
            assert.deepEqual(data["cert-chain.pem"].match(PEM_CERT), [
                data["ca-cert.pem"],
                data["root-cert.pem"],
            ]);
            assert.equal(ca.subjectAltName, "DNS:istiod.istio-system.svc");
            assert.ok(new Date(ca.validTo) <= new Date(root.validTo), "inside the root's validity");
            assert.equal(
                createPublicKey(data["ca-key.pem"]).asymmetricKeyDetails?.modulusLength,
                4096,
            );

            const parsed = new x509.X509Certificate(data["ca-cert.pem"]);
            const usage = parsed.getExtension(x509.KeyUsagesExtension);
            assert.ok(usage?.critical);
            assert.equal(
                usage?.usages,
                x509.KeyUsageFlags.digitalSignature |
                    x509.KeyUsageFlags.nonRepudiation |
                    x509.KeyUsageFlags.keyEncipherment |
                    x509.KeyUsageFlags.keyCertSign,
            );
            const constraints = parsed.getExtension(x509.BasicConstraintsExtension);
            assert.equal(constraints?.ca, true);
            // The TLS provider encodes `maxPathLength: 0` as no constraint (Go's x509 needs
            // MaxPathLenZero, which the provider never sets): the real certificate has none.
            assert.equal(constraints?.pathLength, undefined);
            assert.equal(parsed.signatureAlgorithm.hash.name, "SHA-256");
            assert.equal(secret.rawInputs.stringData?.constructor.name, "SecretValue");
        }
        assert.equal(roots.size, 1, "one root for the whole mesh");
    });
});

describe("IstioMesh", () => {
    let pair: Resources;
    let trio: Resources;
    before(async () => {
        pair = await environmentResources("pair");
        trio = await environmentResources("trio");
    });

    it("labels istio-system with the cluster's network before any chart", () => {
        const ns = pair.one(NAMESPACE, "east-a-istio-system");
        assert.deepEqual(ns.inputs.metadata, {
            name: "istio-system",
            labels: { "topology.istio.io/network": "east-a-network" },
        });
        assert.ok(pair.dependencyNames(pair.one(RELEASE, "east-a-istio-base")).includes(ns.name));
    });

    it("installs base, istiod (revision 1-31), cni and ztunnel at one pinned version from the chart repository", () => {
        const releases = pair
            .ofType(RELEASE)
            .filter((r) => r.name.startsWith("east-a-") && r.inputs.namespace === "istio-system");
        assert.deepEqual(
            releases.map((r) => [
                r.inputs.name,
                r.inputs.chart,
                r.inputs.version,
                r.inputs.namespace,
            ]),
            [
                ["istio-base", "base", "1.31.1", "istio-system"],
                ["istio-cni", "cni", "1.31.1", "istio-system"],
                ["istiod-1-31", "istiod", "1.31.1", "istio-system"],
                ["ztunnel", "ztunnel", "1.31.1", "istio-system"],
            ],
        );
        for (const r of releases) {
            assert.deepEqual(r.inputs.repositoryOpts, {
                repo: "https://blob.istio.io/istio-release/charts",
            });
            assert.equal(r.inputs.createNamespace, false);
        }
        // Four Istio charts and the load balancer controller per cluster.
        assert.equal(pair.ofType(RELEASE).length, 10);
        // trio adds an ingress gateway per cluster, whose load balancer the controller makes.
        const ingress = trio.one(RELEASE, "use1-a-istio-ingress");
        assert.deepEqual(
            [ingress.inputs.chart, ingress.inputs.namespace],
            ["gateway", "istio-ingress"],
        );
        assert.ok(trio.dependencyNames(ingress).includes("use1-a-aws-load-balancer-controller"));
    });

    it("orders namespace, cacerts, base, istiod, cni, ztunnel, east-west gateway", () => {
        const deps = (type: string, name: string) => pair.dependencyNames(pair.one(type, name));
        const c = "east-a";
        assert.ok(deps(SECRET, `${c}-cacerts`).includes(`${c}-istio-system`));
        assert.deepEqual(deps(RELEASE, `${c}-istiod-1-31`), [
            `${c}-cacerts`,
            `${c}-istio-base`,
            `${c}-istio-system`,
            `${c}-nodes`,
        ]);
        assert.ok(deps(RELEASE, `${c}-istio-cni`).includes(`${c}-istiod-1-31`));
        assert.ok(deps(RELEASE, `${c}-ztunnel`).includes(`${c}-istio-cni`));
        assert.ok(deps(RELEASE, `${c}-ztunnel`).includes(`${c}-istiod-1-31`));
        const gw = deps(GATEWAY, `${c}-east-west`);
        assert.ok(
            gw.includes(`${c}-ztunnel`) &&
                gw.includes(`${c}-istiod-1-31`) &&
                gw.includes(`${c}-gateway-api`),
        );
    });

    it("gives istiod and ztunnel the cluster's id and network, and istiod the ambient multi-network flags", () => {
        const istiod = pair.one(RELEASE, "east-b-istiod-1-31").inputs.values as Record<string, any>;
        assert.equal(istiod.profile, "ambient");
        assert.deepEqual(istiod.global.multiCluster, { clusterName: "east-b" });
        assert.equal(istiod.global.network, "east-b-network");
        assert.equal(istiod.global.meshID, "mesh-pair");
        assert.equal(istiod.env.AMBIENT_ENABLE_MULTI_NETWORK, "true");
        const ztunnel = pair.one(RELEASE, "east-b-ztunnel").inputs.values as Record<string, any>;
        assert.deepEqual(ztunnel.multiCluster, { clusterName: "east-b" });
        assert.equal(ztunnel.network, "east-b-network");
        const prodIstiod = trio.one(RELEASE, "usw2-a-istiod-1-31").inputs.values as Record<
            string,
            any
        >;
        assert.deepEqual(prodIstiod.meshConfig.extensionProviders, [
            {
                name: "otel-tracing",
                opentelemetry: {
                    service: "otel-collector.observability.svc.cluster.local",
                    port: 4317,
                },
            },
        ]);
    });

    it("runs the ambient east-west gateway on HBONE 15008, its Service overlaid by a ConfigMap", () => {
        const gw = pair.one(GATEWAY, "east-a-east-west");
        assert.deepEqual(gw.inputs.metadata, {
            name: "istio-eastwest",
            namespace: "istio-system",
            labels: { "topology.istio.io/network": "east-a-network" },
            // `pulumi up` ends only once istiod has programmed the gateway (it has an address).
            annotations: { "pulumi.com/waitFor": "condition=Programmed" },
        });
        const spec = gw.inputs.spec as Record<string, any>;
        assert.equal(spec.gatewayClassName, "istio-east-west");
        assert.deepEqual(spec.listeners, [
            {
                name: "mesh",
                port: 15008,
                protocol: "HBONE",
                tls: {
                    mode: "Terminate",
                    options: { "gateway.istio.io/tls-terminate-mode": "ISTIO_MUTUAL" },
                },
            },
        ]);
        assert.deepEqual(spec.infrastructure, {
            parametersRef: { group: "", kind: "ConfigMap", name: "istio-eastwest-params" },
        });
        const params = pair.one("kubernetes:core/v1:ConfigMap", "east-a-east-west-params");
        assert.deepEqual(params.inputs.metadata, {
            name: "istio-eastwest-params",
            namespace: "istio-system",
        });
        assert.deepEqual(parse((params.inputs.data as Record<string, string>).service), {
            spec: { type: "ClusterIP", externalIPs: ["10.10.63.224", "10.10.127.224"] },
        });
        assert.ok(pair.dependencyNames(gw).includes("east-a-east-west-params"));
        const crds = pair.one("kubernetes:yaml/v2:ConfigFile", "east-a-gateway-api");
        assert.equal(
            crds.inputs.file,
            "https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.6.0/standard-install.yaml",
        );
    });

    it("enforces STRICT mTLS mesh-wide once istiod validates it, and traces in trio", () => {
        const mtls = pair.one("kubernetes:security.istio.io/v1:PeerAuthentication", "east-a-mtls");
        assert.deepEqual(mtls.inputs.spec, { mtls: { mode: "STRICT" } });
        assert.ok(pair.dependencyNames(mtls).includes("east-a-istiod-1-31"));
        const telemetry = trio.one("kubernetes:telemetry.istio.io/v1:Telemetry", "use1-a-tracing");
        assert.deepEqual(telemetry.inputs.spec, {
            tracing: [{ providers: [{ name: "otel-tracing" }], randomSamplingPercentage: 1 }],
        });
        assert.equal(pair.ofType("kubernetes:telemetry.istio.io/v1:Telemetry").length, 0);
    });

    it("asks for a long-lived reader token after base has created the account", () => {
        const token = pair.one(SECRET, "east-a-reader-token");
        assert.equal(token.inputs.type, "kubernetes.io/service-account-token");
        assert.deepEqual(token.inputs.metadata, {
            name: "istio-reader-service-account-istio-remote-secret-token",
            namespace: "istio-system",
            annotations: { "kubernetes.io/service-account.name": "istio-reader-service-account" },
        });
        assert.ok(pair.dependencyNames(token).includes("east-a-istio-base"));
    });
});

describe("RemoteSecrets", () => {
    let pair: Resources;
    let trio: Resources;
    before(async () => {
        pair = await environmentResources("pair");
        trio = await environmentResources("trio");
    });

    it("creates N x (N-1) remote secrets", () => {
        const remote = (r: Resources) =>
            r
                .ofType(SECRET)
                .filter((s) =>
                    String((s.inputs.metadata as any).name).startsWith("istio-remote-secret-"),
                );
        assert.equal(remote(pair).length, 2);
        assert.equal(remote(trio).length, 6);
    });

    it("shapes each like istioctl create-remote-secret, with a bearer-token kubeconfig for the peer", () => {
        for (const [local, peer] of [
            ["use1-a", "usw2-a"],
            ["usw2-a", "use1-b"],
        ]) {
            const secret = trio.one(SECRET, `${local}-remote-${peer}`);
            assert.deepEqual(secret.inputs.metadata, {
                name: `istio-remote-secret-${peer}`,
                namespace: "istio-system",
                labels: { "istio/multiCluster": "true" },
                annotations: { "networking.istio.io/cluster": peer },
            });
            assert.equal(secret.inputs.type, "Opaque");
            assert.equal(trio.byUrn(secret.provider!).name, `${local}-k8s`);
            const data = stringData(secret);
            assert.deepEqual(Object.keys(data), [peer]);
            const kubeconfig = parse(data[peer]);
            const peerEks = trio.one("eks:index:Cluster", `${peer}-eks`).state.eksCluster as any;
            const token = trio.one(SECRET, `${peer}-reader-token`).state.data as any;
            assert.deepEqual(kubeconfig, {
                apiVersion: "v1",
                kind: "Config",
                clusters: [
                    {
                        name: peer,
                        cluster: {
                            server: peerEks.endpoint,
                            "certificate-authority-data": token["ca.crt"],
                        },
                    },
                ],
                contexts: [{ name: peer, context: { cluster: peer, user: peer } }],
                "current-context": peer,
                preferences: {},
                users: [
                    { name: peer, user: { token: Buffer.from(token.token, "base64").toString() } },
                ],
            });
            assert.ok(!data[peer].includes("exec"), "no exec auth");
            assert.equal(secret.rawInputs.stringData?.constructor.name, "SecretValue");
            assert.ok(trio.dependencyNames(secret).includes(`${peer}-reader-token`));
        }
    });

    it("exports this stack's peer material for other stacks, token secret", async () => {
        const run = await environmentRun("pair");
        const peers = run.outputs.meshPeers as Record<string, unknown>[];
        assert.deepEqual(
            peers.map((p) => [p.name, p.network, p.vpcCidr, p.meshId, p.trustDomain]),
            [
                ["east-a", "east-a-network", "10.10.0.0/16", "mesh-pair", "cluster.local"],
                ["east-b", "east-b-network", "10.20.0.0/16", "mesh-pair", "cluster.local"],
            ],
        );
        const raw = run.rawOutputs.meshPeers as Record<string, unknown>[];
        assert.equal(raw[0].token?.constructor.name, "SecretValue");
    });
});
