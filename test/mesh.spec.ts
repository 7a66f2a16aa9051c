import * as assert from "node:assert/strict";
import { createPrivateKey, createPublicKey, X509Certificate } from "node:crypto";
import * as x509 from "@peculiar/x509";
import { parse } from "yaml";
import { RecordedResource } from "../scripts/offline/monitor";
import { Resources, stackResources, stackRun } from "./stacks";

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
    let dev: Resources;
    before(async () => {
        dev = await stackResources("dev");
    });

    it("makes one RSA 4096 root CA and an intermediate CA per cluster, as Istio's tooling does", () => {
        assert.deepEqual(
            dev.ofType(KEY).map((k) => [k.name, k.inputs.algorithm, k.inputs.rsaBits]),
            [
                ["dev-east-a-intermediate", "RSA", 4096],
                ["dev-east-b-intermediate", "RSA", 4096],
                ["mesh-root", "RSA", 4096],
            ],
        );
        const root = dev.one(SELF_SIGNED, "mesh-root");
        assert.equal(root.inputs.isCaCertificate, true);
        assert.equal(root.inputs.validityPeriodHours, 87600);
        assert.equal(root.inputs.earlyRenewalHours, 17520);
        assert.deepEqual(root.inputs.allowedUses, [
            "cert_signing",
            "crl_signing",
            "digital_signature",
        ]);
        const csr = dev.one(CSR, "dev-east-a-intermediate");
        assert.deepEqual(csr.inputs.dnsNames, ["istiod.istio-system.svc"]);
        const cert = dev.one(LOCALLY_SIGNED, "dev-east-a-intermediate");
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
        const secrets = dev.ofType(SECRET).filter((s) => s.name.endsWith("-cacerts"));
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
    let dev: Resources;
    let prod: Resources;
    before(async () => {
        dev = await stackResources("dev");
        prod = await stackResources("prod");
    });

    it("labels istio-system with the cluster's network before any chart", () => {
        const ns = dev.one(NAMESPACE, "dev-east-a-istio-system");
        assert.deepEqual(ns.inputs.metadata, {
            name: "istio-system",
            labels: { "topology.istio.io/network": "dev-east-a-network" },
        });
        assert.ok(dev.dependencyNames(dev.one(RELEASE, "dev-east-a-istio-base")).includes(ns.name));
    });

    it("installs base, istiod, cni and ztunnel at one pinned version from the chart repository", () => {
        const releases = dev.ofType(RELEASE).filter((r) => r.name.startsWith("dev-east-a-"));
        assert.deepEqual(
            releases.map((r) => [
                r.inputs.name,
                r.inputs.chart,
                r.inputs.version,
                r.inputs.namespace,
            ]),
            [
                ["istio-base", "base", "1.29.6", "istio-system"],
                ["istio-cni", "cni", "1.29.6", "istio-system"],
                ["istiod", "istiod", "1.29.6", "istio-system"],
                ["ztunnel", "ztunnel", "1.29.6", "istio-system"],
            ],
        );
        for (const r of releases) {
            assert.deepEqual(r.inputs.repositoryOpts, {
                repo: "https://istio-release.storage.googleapis.com/charts",
            });
            assert.equal(r.inputs.createNamespace, false);
        }
        assert.equal(dev.ofType(RELEASE).length, 8);
        // prod adds an ingress gateway per cluster.
        const ingress = prod.one(RELEASE, "prod-use1-a-istio-ingress");
        assert.deepEqual(
            [ingress.inputs.chart, ingress.inputs.namespace],
            ["gateway", "istio-ingress"],
        );
    });

    it("orders namespace, cacerts, base, istiod, cni, ztunnel, east-west gateway", () => {
        const deps = (type: string, name: string) => dev.dependencyNames(dev.one(type, name));
        const c = "dev-east-a";
        assert.ok(deps(SECRET, `${c}-cacerts`).includes(`${c}-istio-system`));
        assert.deepEqual(deps(RELEASE, `${c}-istiod`), [
            `${c}-cacerts`,
            `${c}-istio-base`,
            `${c}-istio-system`,
            `${c}-nodes`,
        ]);
        assert.ok(deps(RELEASE, `${c}-istio-cni`).includes(`${c}-istiod`));
        assert.ok(deps(RELEASE, `${c}-ztunnel`).includes(`${c}-istio-cni`));
        const gw = deps(GATEWAY, `${c}-east-west`);
        assert.ok(
            gw.includes(`${c}-ztunnel`) &&
                gw.includes(`${c}-istiod`) &&
                gw.includes(`${c}-gateway-api`),
        );
    });

    it("gives istiod and ztunnel the cluster's id and network, and istiod the ambient multi-network flags", () => {
        const istiod = dev.one(RELEASE, "dev-east-b-istiod").inputs.values as Record<string, any>;
        assert.equal(istiod.profile, "ambient");
        assert.deepEqual(istiod.global.multiCluster, { clusterName: "dev-east-b" });
        assert.equal(istiod.global.network, "dev-east-b-network");
        assert.equal(istiod.global.meshID, "mesh-dev");
        assert.equal(istiod.env.AMBIENT_ENABLE_MULTI_NETWORK, "true");
        const ztunnel = dev.one(RELEASE, "dev-east-b-ztunnel").inputs.values as Record<string, any>;
        assert.deepEqual(ztunnel.multiCluster, { clusterName: "dev-east-b" });
        assert.equal(ztunnel.network, "dev-east-b-network");
        const prodIstiod = prod.one(RELEASE, "prod-usw2-a-istiod").inputs.values as Record<
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

    it("exposes the ambient east-west gateway on HBONE 15008 behind an internal NLB", () => {
        const gw = dev.one(GATEWAY, "dev-east-a-east-west");
        assert.deepEqual(gw.inputs.metadata, {
            name: "istio-eastwest",
            namespace: "istio-system",
            labels: { "topology.istio.io/network": "dev-east-a-network" },
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
        assert.equal(
            spec.infrastructure.annotations[
                "service.beta.kubernetes.io/aws-load-balancer-internal"
            ],
            "true",
        );
        const crds = dev.one("kubernetes:yaml/v2:ConfigFile", "dev-east-a-gateway-api");
        assert.equal(
            crds.inputs.file,
            "https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.4.1/standard-install.yaml",
        );
    });

    it("enforces STRICT mTLS mesh-wide once istiod validates it, and traces in prod", () => {
        const mtls = dev.one(
            "kubernetes:security.istio.io/v1:PeerAuthentication",
            "dev-east-a-mtls",
        );
        assert.deepEqual(mtls.inputs.spec, { mtls: { mode: "STRICT" } });
        assert.ok(dev.dependencyNames(mtls).includes("dev-east-a-istiod"));
        const telemetry = prod.one(
            "kubernetes:telemetry.istio.io/v1:Telemetry",
            "prod-use1-a-tracing",
        );
        assert.deepEqual(telemetry.inputs.spec, {
            tracing: [{ providers: [{ name: "otel-tracing" }], randomSamplingPercentage: 1 }],
        });
        assert.equal(dev.ofType("kubernetes:telemetry.istio.io/v1:Telemetry").length, 0);
    });

    it("asks for a long-lived reader token after base has created the account", () => {
        const token = dev.one(SECRET, "dev-east-a-reader-token");
        assert.equal(token.inputs.type, "kubernetes.io/service-account-token");
        assert.deepEqual(token.inputs.metadata, {
            name: "istio-reader-service-account-istio-remote-secret-token",
            namespace: "istio-system",
            annotations: { "kubernetes.io/service-account.name": "istio-reader-service-account" },
        });
        assert.ok(dev.dependencyNames(token).includes("dev-east-a-istio-base"));
    });
});

describe("RemoteSecrets", () => {
    let dev: Resources;
    let prod: Resources;
    before(async () => {
        dev = await stackResources("dev");
        prod = await stackResources("prod");
    });

    it("creates N x (N-1) remote secrets", () => {
        const remote = (r: Resources) =>
            r
                .ofType(SECRET)
                .filter((s) =>
                    String((s.inputs.metadata as any).name).startsWith("istio-remote-secret-"),
                );
        assert.equal(remote(dev).length, 2);
        assert.equal(remote(prod).length, 6);
    });

    it("shapes each like istioctl create-remote-secret, with a bearer-token kubeconfig for the peer", () => {
        for (const [local, peer] of [
            ["prod-use1-a", "prod-usw2-a"],
            ["prod-usw2-a", "prod-use1-b"],
        ]) {
            const secret = prod.one(SECRET, `${local}-remote-${peer}`);
            assert.deepEqual(secret.inputs.metadata, {
                name: `istio-remote-secret-${peer}`,
                namespace: "istio-system",
                labels: { "istio/multiCluster": "true" },
                annotations: { "networking.istio.io/cluster": peer },
            });
            assert.equal(secret.inputs.type, "Opaque");
            assert.equal(prod.byUrn(secret.provider!).name, `${local}-k8s`);
            const data = stringData(secret);
            assert.deepEqual(Object.keys(data), [peer]);
            const kubeconfig = parse(data[peer]);
            const peerEks = prod.one("eks:index:Cluster", `${peer}-eks`).state.eksCluster as any;
            const token = prod.one(SECRET, `${peer}-reader-token`).state.data as any;
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
            assert.ok(prod.dependencyNames(secret).includes(`${peer}-reader-token`));
        }
    });

    it("exports this stack's peer material for other stacks, token secret", async () => {
        const run = await stackRun("dev");
        const peers = run.outputs.meshPeers as Record<string, unknown>[];
        assert.deepEqual(
            peers.map((p) => [p.name, p.network, p.vpcCidr, p.meshId, p.trustDomain]),
            [
                ["dev-east-a", "dev-east-a-network", "10.10.0.0/16", "mesh-dev", "cluster.local"],
                ["dev-east-b", "dev-east-b-network", "10.20.0.0/16", "mesh-dev", "cluster.local"],
            ],
        );
        const raw = run.rawOutputs.meshPeers as Record<string, unknown>[];
        assert.equal(raw[0].token?.constructor.name, "SecretValue");
    });
});
