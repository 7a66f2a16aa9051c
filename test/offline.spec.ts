import * as x509 from "@peculiar/x509";
import * as aws from "@pulumi/aws";
import * as eks from "@pulumi/eks";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import * as assert from "node:assert/strict";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { isCalendarDay } from "../scripts/cli/args";
import { main, parseArgs } from "../scripts/cli/plan";
import { clusterOf } from "../scripts/plan/clusters";
import { buildPlanJson } from "../scripts/plan/planJson";
import { summarize } from "../scripts/plan/summary";
import { isSecretConfig } from "../components/config/secretKeys";
import {
    applyConfig,
    loadStackConfig,
    OfflineConfigError,
    toConfigMap,
    toExportedConfig,
} from "../scripts/offline/config";
import { runProgram } from "../scripts/offline/run";
import { SecretValue } from "../scripts/offline/values";
import {
    byName,
    byType,
    isSecret,
    monitor,
    promiseOf,
    recorded,
    resetRecords,
    setConfig,
    setStackOutputs,
    settle,
    STACK,
} from "./mocks";

/** Tests of the offline engine itself, with small programs made of real resource classes. */

const EC2_ID = (prefix: string) => new RegExp(`^${prefix}-[0-9a-f]{17}$`);

const tmpDirs: string[] = [];
after(() => tmpDirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

function tmpFile(name: string, text: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "offline-spec-"));
    tmpDirs.push(dir);
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return file;
}

const DEV_CONFIG = [
    "config:",
    "  environment: dev",
    "  aws:region: us-west-2",
    "  clusters:",
    "    - name: a",
    "      vpcCidr: 10.1.0.0/16",
    "  replicas: 3",
    "  enabled: true",
    "",
].join("\n");

describe("offline engine: recording monitor", () => {
    beforeEach(resetRecords);

    it("records an input taken from another resource as that resource's id, and the dependency", async () => {
        const vpc = new aws.ec2.Vpc("engine-vpc", { cidrBlock: "10.0.0.0/16" });
        const subnet = new aws.ec2.Subnet("engine-subnet", {
            vpcId: vpc.id,
            cidrBlock: "10.0.1.0/24",
        });
        await promiseOf(subnet.id);
        await settle();
        const v = byName("engine-vpc");
        const s = byName("engine-subnet");
        assert.match(v.id ?? "", EC2_ID("vpc"));
        assert.match(s.id ?? "", EC2_ID("subnet"));
        assert.equal(s.inputs.vpcId, v.id);
        assert.deepEqual(s.implicitDependencies, [v.urn]);
        assert.ok(s.dependsOn.includes(v.urn));
        assert.deepEqual(s.propertyDependencies.vpcId, [v.urn]);
        assert.equal(
            s.urn,
            `urn:pulumi:${STACK}::eks-ambient-mesh::aws:ec2/subnet:Subnet::engine-subnet`,
        );
    });

    it("records explicit dependsOn, parents with the engine's URN scheme, protect and the provider", async () => {
        class Box extends pulumi.ComponentResource {
            constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
                super("test:index:Box", name, {}, opts);
                this.registerOutputs({ answer: 42 });
            }
        }
        const provider = new aws.Provider("engine-west", { region: "us-west-2" });
        const box = new Box("engine-box", { providers: { aws: provider } });
        const first = new aws.ec2.Vpc(
            "engine-first",
            { cidrBlock: "10.1.0.0/16" },
            { parent: box },
        );
        const second = new aws.ec2.Vpc(
            "engine-second",
            { cidrBlock: "10.2.0.0/16" },
            { parent: box, dependsOn: [first], protect: true },
        );
        await promiseOf(second.id);
        await settle();
        const b = byName("engine-box");
        const f = byName("engine-first");
        const s = byName("engine-second");
        const p = byName("engine-west");
        assert.equal(b.custom, false);
        assert.equal(b.id, null);
        assert.deepEqual(b.outputs, { answer: 42 });
        assert.equal(b.providers.aws, p.urn);
        assert.equal(s.parent, b.urn);
        assert.equal(
            s.urn,
            `urn:pulumi:${STACK}::eks-ambient-mesh::test:index:Box$aws:ec2/vpc:Vpc::engine-second`,
        );
        assert.equal(s.provider, p.urn, "providers given to a parent component reach its children");
        assert.equal(s.protect, true);
        assert.equal(f.protect, false);
        assert.ok(s.dependsOn.includes(f.urn));
        assert.deepEqual(s.implicitDependencies, []);
        assert.ok(
            s.state.arn &&
                String(s.state.arn).startsWith("arn:aws:ec2:us-west-2:123456789012:vpc/"),
        );
    });

    it("keeps secrets marked where the program marked them, and reveals them in `inputs`", async () => {
        const vpc = new aws.ec2.Vpc("engine-secret", {
            cidrBlock: "10.3.0.0/16",
            tags: { visible: "yes", hidden: pulumi.secret("s3cr3t") },
        });
        await promiseOf(vpc.id);
        await settle();
        const r = byName("engine-secret");
        const tags = r.rawInputs.tags as Record<string, unknown>;
        assert.equal(tags.visible, "yes");
        assert.ok(tags.hidden instanceof SecretValue);
        assert.deepEqual(r.inputs.tags, { visible: "yes", hidden: "s3cr3t" });
        assert.equal(await isSecret(vpc.tags), true, "a secret input makes the output secret");
    });

    it("marks additionalSecretOutputs secret, as the engine does", async () => {
        const key = new tls.PrivateKey("engine-ec-key", { algorithm: "ECDSA", ecdsaCurve: "P256" });
        assert.equal(await isSecret(key.privateKeyPem), true);
        assert.equal(await isSecret(key.publicKeyPem), false);
    });

    it("answers the invokes the program uses, in the provider's region, and rejects any other", async () => {
        const provider = new aws.Provider("engine-azs", { region: "eu-west-1" });
        const zones = await promiseOf(aws.getAvailabilityZonesOutput({}, { provider }));
        assert.deepEqual(zones.names.slice(0, 3), ["eu-west-1a", "eu-west-1b", "eu-west-1c"]);
        assert.deepEqual(zones.zoneIds.slice(0, 2), ["euw1-az1", "euw1-az2"]);
        const identity = await aws.getCallerIdentity();
        assert.equal(identity.accountId, "123456789012");
        await assert.rejects(
            aws.ec2.getVpc({ default: true }),
            /Mock not implemented: aws:ec2\/getVpc:getVpc/,
        );
    });

    it("reads a StackReference's outputs, secret outputs marked secret", async () => {
        setStackOutputs("org/eks-ambient-mesh/prod", {
            meshId: "mesh-1",
            readerToken: new SecretValue("t0k3n"),
        });
        const peer = new pulumi.StackReference("org/eks-ambient-mesh/prod");
        assert.equal(await promiseOf(peer.getOutput("meshId")), "mesh-1");
        assert.equal(await promiseOf(peer.getOutput("readerToken")), "t0k3n");
        assert.equal(await isSecret(peer.getOutput("readerToken")), true);
        assert.equal(await isSecret(peer.getOutput("meshId")), false);
        await settle();
        const r = byName("org/eks-ambient-mesh/prod");
        assert.equal(r.read, true);
        assert.equal(r.id, "org/eks-ambient-mesh/prod");
    });

    it("takes an AWS resource's own region over its provider's", async () => {
        const vpc = new aws.ec2.Vpc("engine-own-region", {
            cidrBlock: "10.4.0.0/16",
            region: "ap-southeast-2",
        });
        assert.match(await promiseOf(vpc.arn), /^arn:aws:ec2:ap-southeast-2:/);
    });

    it("gives a NAT gateway its Elastic IP's address and EC2-shaped ids", async () => {
        const eip = new aws.ec2.Eip("engine-eip", { domain: "vpc" });
        const nat = new aws.ec2.NatGateway("engine-nat", {
            allocationId: eip.id,
            subnetId: "subnet-00000000000000000",
        });
        assert.match(await promiseOf(eip.id), EC2_ID("eipalloc"));
        assert.equal(await promiseOf(nat.publicIp), await promiseOf(eip.publicIp));
        assert.match(await promiseOf(nat.id), EC2_ID("nat"));
    });

    it("gives a transit gateway a default route table and auto-names IAM roles", async () => {
        const tgw = new aws.ec2transitgateway.TransitGateway("engine-tgw", {});
        const role = new aws.iam.Role("engine-role", { assumeRolePolicy: "{}" });
        assert.match(await promiseOf(tgw.id), EC2_ID("tgw"));
        assert.match(await promiseOf(tgw.associationDefaultRouteTableId), EC2_ID("tgw-rtb"));
        assert.equal(
            await promiseOf(tgw.associationDefaultRouteTableId),
            await promiseOf(tgw.propagationDefaultRouteTableId),
        );
        const name = await promiseOf(role.name);
        assert.match(name, /^engine-role-[0-9a-f]{7}$/);
        assert.equal(await promiseOf(role.arn), `arn:aws:iam::123456789012:role/${name}`);
    });
});

/** `eks.Cluster.eksCluster` as a resolved value: a plain object, not an `aws.eks.Cluster`. */
interface EksClusterState {
    readonly name: string;
    readonly version: string;
    readonly endpoint: string;
    readonly certificateAuthority: { readonly data: string };
    readonly vpcConfig: { readonly clusterSecurityGroupId: string };
    readonly identities: { readonly oidcs: { readonly issuer: string }[] }[];
}

describe("offline engine: EKS and Kubernetes mocks", () => {
    beforeEach(resetRecords);

    it("mocks eks.Cluster with a real CA, an OIDC issuer and an exec kubeconfig in the provider's region", async () => {
        const provider = new aws.Provider("engine-eks-west", { region: "us-west-2" });
        const role = new aws.iam.Role("engine-eks-role", { assumeRolePolicy: "{}" }, { provider });
        const cluster = new eks.Cluster(
            "engine-eks",
            {
                version: "1.31",
                serviceRole: role,
                skipDefaultNodeGroup: true,
                createOidcProvider: true,
            },
            { providers: { aws: provider } },
        );
        const group = new eks.ManagedNodeGroup("engine-nodes", { cluster, nodeRoleArn: role.arn });
        const eksCluster = (await promiseOf(cluster.eksCluster)) as unknown as EksClusterState;
        assert.match(eksCluster.name, /^engine-eks-eksCluster-[0-9a-f]{7}$/);
        assert.equal(eksCluster.version, "1.31");
        assert.match(
            eksCluster.endpoint,
            /^https:\/\/[0-9A-F]{32}\.gr7\.us-west-2\.eks\.amazonaws\.com$/,
        );
        const ca = new crypto.X509Certificate(
            Buffer.from(eksCluster.certificateAuthority.data, "base64").toString(),
        );
        assert.equal(ca.ca, true);
        assert.equal(ca.subject, "CN=kubernetes");
        const issuer = eksCluster.identities[0].oidcs[0].issuer;
        assert.match(issuer, /^https:\/\/oidc\.eks\.us-west-2\.amazonaws\.com\/id\/[0-9A-F]{32}$/);
        assert.equal(await promiseOf(cluster.oidcProviderUrl), issuer);
        assert.equal(
            await promiseOf(cluster.oidcProviderArn),
            `arn:aws:iam::123456789012:oidc-provider/${issuer.replace("https://", "")}`,
        );
        const sg = await promiseOf(cluster.clusterSecurityGroupId);
        assert.match(sg, EC2_ID("sg"));
        assert.equal(eksCluster.vpcConfig.clusterSecurityGroupId, sg);
        assert.equal(await promiseOf(cluster.core.endpoint), eksCluster.endpoint);
        const kubeconfig = JSON.parse(await promiseOf(cluster.kubeconfigJson));
        assert.equal(kubeconfig.clusters[0].cluster.server, eksCluster.endpoint);
        assert.deepEqual(kubeconfig.users[0].user.exec.args.slice(0, 6), [
            "--region",
            "us-west-2",
            "eks",
            "get-token",
            "--cluster-name",
            eksCluster.name,
        ]);
        const nodeGroup = await promiseOf(group.nodeGroup);
        assert.equal(nodeGroup.status, "ACTIVE");
        assert.equal(nodeGroup.clusterName, eksCluster.name);
        await settle();
        const c = byName("engine-eks");
        assert.equal(c.remote, true);
        assert.equal(c.id, null);
        assert.ok(
            c.dependsOn.includes(byName("engine-eks-role").urn),
            "a resource passed by reference is a dependency",
        );
        assert.ok(byName("engine-nodes").dependsOn.includes(c.urn));
    });

    it("fills a service-account token Secret with a JWT and the cluster CA from the provider's kubeconfig", async () => {
        const cert = await selfSignedCa("engine-sa-ca");
        const caData = Buffer.from(cert).toString("base64");
        const provider = new k8s.Provider("engine-k8s", {
            kubeconfig: pulumi.secret(
                JSON.stringify({
                    clusters: [
                        {
                            name: "c",
                            cluster: { server: "https://c", "certificate-authority-data": caData },
                        },
                    ],
                }),
            ),
        });
        const token = new k8s.core.v1.Secret(
            "engine-token",
            {
                metadata: {
                    name: "reader-token",
                    namespace: "istio-system",
                    annotations: {
                        "kubernetes.io/service-account.name": "istio-reader-service-account",
                    },
                },
                type: "kubernetes.io/service-account-token",
            },
            { provider },
        );
        const data = await promiseOf(token.data);
        assert.equal(await isSecret(token.data), true);
        assert.equal(data["ca.crt"], caData);
        const jwt = Buffer.from(data.token, "base64").toString();
        const [header, payload, signature] = jwt.split(".");
        assert.equal(JSON.parse(Buffer.from(header, "base64url").toString()).alg, "RS256");
        assert.equal(
            JSON.parse(Buffer.from(payload, "base64url").toString()).sub,
            "system:serviceaccount:istio-system:istio-reader-service-account",
        );
        assert.equal(Buffer.from(signature, "base64url").length, 256);
        assert.equal(await promiseOf(token.id), "istio-system/reader-token");
    });

    it("reports a Helm release deployed at its version; names Kubernetes objects as the provider does", async () => {
        const release = new k8s.helm.v3.Release("engine-istiod", {
            name: "istiod",
            chart: "istiod",
            version: "1.28.1",
            namespace: "istio-system",
        });
        const ns = new k8s.core.v1.Namespace("engine-ns", {});
        const status = await promiseOf(release.status);
        assert.equal(status.status, "deployed");
        assert.equal(status.version, "1.28.1");
        assert.equal(status.namespace, "istio-system");
        assert.equal(await promiseOf(release.id), "istio-system/istiod");
        assert.match(await promiseOf(ns.metadata.name), /^engine-ns-[0-9a-f]{8}$/);
        const gateway = new k8s.apiextensions.CustomResource("engine-gateway", {
            apiVersion: "gateway.networking.k8s.io/v1",
            kind: "Gateway",
            metadata: { name: "istio-eastwestgateway", namespace: "istio-system" },
            spec: { gatewayClassName: "istio-east-west" },
        });
        assert.equal(await promiseOf(gateway.id), "istio-system/istio-eastwestgateway");
    });
});

async function selfSignedCa(name: string): Promise<string> {
    const key = new tls.PrivateKey(name, { algorithm: "ECDSA", ecdsaCurve: "P256" });
    const cert = new tls.SelfSignedCert(name, {
        privateKeyPem: key.privateKeyPem,
        subject: { commonName: name },
        isCaCertificate: true,
        validityPeriodHours: 24,
        allowedUses: ["cert_signing"],
    });
    return promiseOf(cert.certPem);
}

describe("offline engine: TLS mocks do real cryptography", () => {
    before(resetRecords);

    const organization = "Example Mesh";
    let rootKey: tls.PrivateKey;
    let root: tls.SelfSignedCert;
    let intermediateKey: tls.PrivateKey;
    let request: tls.CertRequest;
    let intermediate: tls.LocallySignedCert;

    before(() => {
        rootKey = new tls.PrivateKey("chain-root", { algorithm: "RSA", rsaBits: 2048 });
        root = new tls.SelfSignedCert("chain-root", {
            privateKeyPem: rootKey.privateKeyPem,
            subject: { organization, commonName: "Root CA" },
            isCaCertificate: true,
            setSubjectKeyId: true,
            validityPeriodHours: 87600,
            allowedUses: ["cert_signing", "crl_signing", "digital_signature"],
        });
        intermediateKey = new tls.PrivateKey("chain-intermediate", {
            algorithm: "RSA",
            rsaBits: 2048,
        });
        request = new tls.CertRequest("chain-intermediate", {
            privateKeyPem: intermediateKey.privateKeyPem,
            subject: { organization, commonName: "Intermediate CA", locality: "cluster-a" },
            dnsNames: ["istiod.istio-system.svc"],
        });
        intermediate = new tls.LocallySignedCert("chain-intermediate", {
            certRequestPem: request.certRequestPem,
            caCertPem: root.certPem,
            caPrivateKeyPem: rootKey.privateKeyPem,
            isCaCertificate: true,
            maxPathLength: 0,
            setSubjectKeyId: true,
            validityPeriodHours: 8760,
            earlyRenewalHours: 720,
            allowedUses: [
                "digital_signature",
                "content_commitment",
                "key_encipherment",
                "cert_signing",
            ],
        });
    });

    it("writes keys in the provider's formats", async () => {
        const pem = await promiseOf(rootKey.privateKeyPem);
        assert.match(pem, /^-----BEGIN RSA PRIVATE KEY-----\n/);
        assert.match(await promiseOf(rootKey.privateKeyPemPkcs8), /^-----BEGIN PRIVATE KEY-----\n/);
        assert.match(await promiseOf(rootKey.publicKeyOpenssh), /^ssh-rsa AAAA[A-Za-z0-9+/=]+\n$/);
        assert.match(
            await promiseOf(rootKey.publicKeyFingerprintSha256),
            /^SHA256:[A-Za-z0-9+/]{43}$/,
        );
        const spki = crypto.createPublicKey(pem).export({ type: "spki", format: "der" });
        assert.equal(
            await promiseOf(rootKey.id),
            crypto.createHash("sha1").update(spki).digest("hex"),
        );
        const ec = new tls.PrivateKey("chain-ec", { algorithm: "ECDSA", ecdsaCurve: "P384" });
        assert.match(await promiseOf(ec.privateKeyPem), /^-----BEGIN EC PRIVATE KEY-----\n/);
        assert.match(await promiseOf(ec.publicKeyOpenssh), /^ecdsa-sha2-nistp384 /);
    });

    it("makes a root that is a CA, self-issued and signed by its own key", async () => {
        const cert = new crypto.X509Certificate(await promiseOf(root.certPem));
        assert.equal(cert.ca, true);
        assert.equal(cert.subject, `O=${organization}\nCN=Root CA`);
        assert.ok(cert.checkIssued(cert));
        assert.ok(cert.verify(cert.publicKey));
        assert.ok(
            cert.checkPrivateKey(crypto.createPrivateKey(await promiseOf(rootKey.privateKeyPem))),
        );
        const parsed = new x509.X509Certificate(await promiseOf(root.certPem));
        const usage = parsed.getExtension(x509.KeyUsagesExtension);
        assert.equal(usage?.critical, true);
        assert.equal(
            usage?.usages,
            x509.KeyUsageFlags.keyCertSign |
                x509.KeyUsageFlags.cRLSign |
                x509.KeyUsageFlags.digitalSignature,
        );
        assert.equal(parsed.signatureAlgorithm.hash.name, "SHA-256");
        const start = new Date(await promiseOf(root.validityStartTime));
        const end = new Date(await promiseOf(root.validityEndTime));
        assert.equal((end.getTime() - start.getTime()) / 3600_000, 87600);
        assert.equal(await promiseOf(root.readyForRenewal), false);
    });

    it("sends a real PKCS#10 request carrying the subject and SANs", async () => {
        const csr = new x509.Pkcs10CertificateRequest(await promiseOf(request.certRequestPem));
        assert.ok(await csr.verify());
        assert.equal(csr.subject, `L=cluster-a, O=${organization}, CN=Intermediate CA`);
    });

    it("signs the intermediate with the root: chain verifies, CA flag, key usages, SAN, key ids", async () => {
        const rootCert = new crypto.X509Certificate(await promiseOf(root.certPem));
        const cert = new crypto.X509Certificate(await promiseOf(intermediate.certPem));
        assert.ok(cert.checkIssued(rootCert));
        assert.ok(cert.verify(rootCert.publicKey));
        assert.ok(!cert.verify(cert.publicKey));
        assert.ok(
            cert.checkPrivateKey(
                crypto.createPrivateKey(await promiseOf(intermediateKey.privateKeyPem)),
            ),
        );
        assert.equal(cert.ca, true);
        assert.equal(cert.subjectAltName, "DNS:istiod.istio-system.svc");
        assert.equal(cert.issuer, rootCert.subject);

        const parsed = new x509.X509Certificate(await promiseOf(intermediate.certPem));
        const usage = parsed.getExtension(x509.KeyUsagesExtension);
        assert.equal(usage?.critical, true);
        assert.equal(
            usage?.usages,
            x509.KeyUsageFlags.digitalSignature |
                x509.KeyUsageFlags.nonRepudiation |
                x509.KeyUsageFlags.keyEncipherment |
                x509.KeyUsageFlags.keyCertSign,
        );
        const constraints = parsed.getExtension(x509.BasicConstraintsExtension);
        assert.equal(constraints?.critical, true);
        assert.equal(constraints?.ca, true);
        const rootSki = new x509.X509Certificate(await promiseOf(root.certPem)).getExtension(
            x509.SubjectKeyIdentifierExtension,
        );
        assert.equal(
            parsed.getExtension(x509.AuthorityKeyIdentifierExtension)?.keyId,
            rootSki?.keyId,
        );
        assert.ok(parsed.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId);
    });

    it("encodes maxPathLength as Go does: 0 means no limit, 1 and up a pathLen constraint", async () => {
        const zero = new x509.X509Certificate(await promiseOf(intermediate.certPem));
        assert.equal(zero.getExtension(x509.BasicConstraintsExtension)?.pathLength, undefined);
        const one = new tls.LocallySignedCert("chain-pathlen-1", {
            certRequestPem: request.certRequestPem,
            caCertPem: root.certPem,
            caPrivateKeyPem: rootKey.privateKeyPem,
            isCaCertificate: true,
            maxPathLength: 1,
            validityPeriodHours: 24,
            allowedUses: ["cert_signing"],
        });
        const parsed = new x509.X509Certificate(await promiseOf(one.certPem));
        assert.equal(parsed.getExtension(x509.BasicConstraintsExtension)?.pathLength, 1);
    });

    it("keeps the CA key secret in the signed certificate's state", async () => {
        assert.equal(await isSecret(intermediate.caPrivateKeyPem), true);
        assert.equal(await isSecret(intermediate.certPem), false);
        await settle();
        const r = byName("chain-intermediate", "tls:index/locallySignedCert:LocallySignedCert");
        assert.ok(r.rawInputs.caPrivateKeyPem instanceof SecretValue);
        assert.ok(
            r.dependsOn.includes(
                byName("chain-root", "tls:index/selfSignedCert:SelfSignedCert").urn,
            ),
        );
    });
});

describe("offline engine: config", () => {
    after(() => setConfig({}));

    it("namespaces keys with the project and passes structured values as JSON, like the CLI", () => {
        assert.deepEqual(
            toConfigMap("proj", {
                clusters: [{ name: "a" }],
                "aws:region": "us-east-1",
                n: 3,
                on: true,
            }),
            {
                "proj:clusters": '[{"name":"a"}]',
                "aws:region": "us-east-1",
                "proj:n": "3",
                "proj:on": "true",
            },
        );
    });

    it("refuses secure values, naming the key", () => {
        assert.throws(
            () => toConfigMap("proj", { token: { secure: "AAABAK..." } }, "Pulumi.dev.yaml"),
            (err: Error) =>
                err instanceof OfflineConfigError &&
                err.message ===
                    "Pulumi.dev.yaml: proj:token is a secure value, which cannot be decrypted offline; export the stack's config with `pulumi config --json --show-secrets` (or make that form with npm run offline-config) and pass the file with --config",
        );
        assert.throws(
            () => toConfigMap("proj", { a: { b: [{ secure: "x" }] } }),
            /proj:a\.b\[0\] is a secure value/,
        );
    });

    it("reads a --config file in Pulumi.<stack>.yaml form, and names a missing file", () => {
        const file = tmpFile("Pulumi.custom.yaml", DEV_CONFIG);
        const config = loadStackConfig({
            projectDir: path.resolve(__dirname, ".."),
            stack: "x",
            configFile: file,
        });
        assert.equal(config.project, "eks-ambient-mesh");
        assert.equal(config.values["eks-ambient-mesh:environment"], "dev");
        assert.equal(config.values["aws:region"], "us-west-2");
        assert.deepEqual(config.raw["eks-ambient-mesh:clusters"], [
            { name: "a", vpcCidr: "10.1.0.0/16" },
        ]);
        assert.throws(
            () => loadStackConfig({ projectDir: path.resolve(__dirname, ".."), stack: "nope" }),
            /Pulumi\.nope\.yaml not found/,
        );
    });

    it("reads `pulumi config --json --show-secrets` output, keeping secrets secret", () => {
        const exported = toExportedConfig(
            "eks-ambient-mesh",
            { environment: "dev", clusters: [{ name: "a" }], "aws:region": "us-west-2", key: "k" },
            ["key"],
        );
        assert.deepEqual(exported["eks-ambient-mesh:clusters"], {
            value: '[{"name":"a"}]',
            objectValue: [{ name: "a" }],
            secret: false,
        });
        const config = loadStackConfig({
            projectDir: path.resolve(__dirname, ".."),
            stack: "x",
            configFile: tmpFile("exported.json", JSON.stringify(exported)),
        });
        assert.deepEqual(config.values, {
            "eks-ambient-mesh:environment": "dev",
            "eks-ambient-mesh:clusters": '[{"name":"a"}]',
            "aws:region": "us-west-2",
            "eks-ambient-mesh:key": "k",
        });
        assert.deepEqual(config.secretKeys, ["eks-ambient-mesh:key"]);
        applyConfig(config.values, config.secretKeys);
        assert.deepEqual(
            ["eks-ambient-mesh:key", "eks-ambient-mesh:environment"].map(isSecretConfig),
            [true, false],
        );
        const blinded = tmpFile(
            "blinded.json",
            JSON.stringify({ "eks-ambient-mesh:key": { secret: true } }),
        );
        assert.throws(
            () =>
                loadStackConfig({
                    projectDir: path.resolve(__dirname, ".."),
                    stack: "x",
                    configFile: blinded,
                }),
            /blinded\.json: eks-ambient-mesh:key has no value; export the config with `pulumi config --json --show-secrets`$/,
        );
    });

    it("sets structured config for specs through setConfig", () => {
        setConfig({ clusters: [{ name: "a" }], "aws:region": "eu-west-1" });
        const config = new pulumi.Config("eks-ambient-mesh");
        assert.deepEqual(config.requireObject("clusters"), [{ name: "a" }]);
        assert.equal(new pulumi.Config("aws").require("region"), "eu-west-1");
    });
});

describe("offline engine: runProgram and the plan", () => {
    const configFile = tmpFile("Pulumi.dev.yaml", DEV_CONFIG);

    /** A small program: what index.ts does, in miniature. */
    function program() {
        const cfg = new pulumi.Config();
        const clusters = cfg.requireObject<{ name: string; vpcCidr: string }[]>("clusters");
        const vpcs = clusters.map(
            (c) => new aws.ec2.Vpc(`${c.name}-vpc`, { cidrBlock: c.vpcCidr }),
        );
        const key = new tls.PrivateKey("mesh-root", { algorithm: "ECDSA", ecdsaCurve: "P256" });
        new aws.ec2.Subnet("shared-subnet", { vpcId: vpcs[0].id, cidrBlock: "10.1.1.0/24" });
        return {
            environment: cfg.require("environment"),
            vpcIds: vpcs.map((v) => v.id),
            rootKey: key.privateKeyPem,
            note: pulumi.secret("hidden"),
        };
    }

    it("runs the program inside the root stack and captures its outputs, secrets marked", async () => {
        const run = await runProgram({ stack: "dev", configFile, program });
        assert.equal(run.project, "eks-ambient-mesh");
        assert.equal(run.resources[0].type, "pulumi:pulumi:Stack");
        assert.equal(
            run.resources[0].urn,
            "urn:pulumi:dev::eks-ambient-mesh::pulumi:pulumi:Stack::eks-ambient-mesh-dev",
        );
        const vpc = run.resources.find((r) => r.name === "a-vpc");
        assert.equal(vpc?.parent, run.resources[0].urn);
        assert.equal(vpc?.urn, "urn:pulumi:dev::eks-ambient-mesh::aws:ec2/vpc:Vpc::a-vpc");
        assert.ok(
            String(vpc?.state.arn).includes(":us-west-2:"),
            "aws:region from the config file",
        );
        assert.equal(run.outputs.environment, "dev");
        assert.deepEqual(run.outputs.vpcIds, [vpc?.id]);
        assert.ok(run.rawOutputs.note instanceof SecretValue);
        assert.ok(run.rawOutputs.rootKey instanceof SecretValue);
    });

    it("builds the plan JSON of docs/plan.md, secrets as [secret] unless shown", async () => {
        const run = await runProgram({ stack: "dev", configFile, program });
        const plan = buildPlanJson(run);
        assert.deepEqual(Object.keys(plan), [
            "project",
            "stack",
            "offline",
            "mockValues",
            "resources",
            "outputs",
            "reachability",
            "trust",
            "policyPacks",
            "policyViolations",
        ]);
        assert.equal(plan.offline, true);
        // The project's policy pack runs on every plan (its own tests cover the rules).
        assert.deepEqual(
            plan.policyPacks.map((p) => p.name),
            ["eks-ambient-mesh"],
        );
        assert.ok(plan.policyPacks[0].policies.length >= 25);
        assert.ok(plan.policyViolations.every((v) => v.policy && v.urn && v.message));
        const subnet = plan.resources.find((r) => r.name === "shared-subnet");
        const vpc = plan.resources.find((r) => r.name === "a-vpc");
        assert.deepEqual(Object.keys(subnet ?? {}), [
            "urn",
            "id",
            "type",
            "name",
            "parent",
            "provider",
            "dependsOn",
            "protect",
            "inputs",
            "propertyDependencies",
        ]);
        assert.equal(subnet?.inputs.vpcId, vpc?.id);
        assert.deepEqual(subnet?.propertyDependencies, { vpcId: [vpc?.urn] });
        assert.ok(subnet?.dependsOn.includes(vpc?.urn ?? ""));
        assert.equal(plan.resources[0].id, null);
        assert.equal(plan.outputs.note, "[secret]");
        assert.equal(plan.outputs.rootKey, "[secret]");
        const shown = buildPlanJson(run, { showSecrets: true });
        assert.equal(shown.outputs.note, "hidden");
        assert.match(String(shown.outputs.rootKey), /BEGIN EC PRIVATE KEY/);
        const text = summarize(plan, ["a"]);
        assert.match(text, /Resources: 4 \(3 custom, 1 components\)/);
        assert.match(text, /\n\s+1 {2}a\n\s+3 {2}shared\n/);
        assert.match(
            text,
            /Cloud-assigned values \(ids, endpoints, ARNs\) are mock placeholders\./,
        );
    });

    it("produces the same plan twice in one process", async () => {
        const first = JSON.stringify(
            buildPlanJson(await runProgram({ stack: "dev", configFile, program }), {
                showSecrets: true,
            }),
        );
        const second = JSON.stringify(
            buildPlanJson(await runProgram({ stack: "dev", configFile, program }), {
                showSecrets: true,
            }),
        );
        assert.equal(first, second);
    });

    it("rejects with the program's own error, properties included, and registers nothing more", async () => {
        class ProblemError extends Error {
            constructor(readonly problems: string[]) {
                super(`Invalid configuration:\n  - ${problems.join("\n  - ")}`);
            }
        }
        await assert.rejects(
            runProgram({
                stack: "dev",
                configFile,
                program: () => {
                    throw new ProblemError(["clusters[0].name: is required"]);
                },
            }),
            (err: ProblemError) =>
                err instanceof ProblemError && err.problems[0] === "clusters[0].name: is required",
        );
    });

    it("fails a run that registers two resources under one URN, as the engine does", async () => {
        await assert.rejects(
            runProgram({
                stack: "dev",
                configFile,
                program: () => {
                    new aws.ec2.Vpc("twice", { cidrBlock: "10.0.0.0/16" });
                    new aws.ec2.Vpc("twice", { cidrBlock: "10.0.0.0/16" });
                },
            }),
            /Duplicate resource URN 'urn:pulumi:dev::eks-ambient-mesh::aws:ec2\/vpc:Vpc::twice'/,
        );
    });

    it("gives the test engine back afterwards", async () => {
        await runProgram({ stack: "dev", configFile, program });
        resetRecords();
        const vpc = new aws.ec2.Vpc("after-run", { cidrBlock: "10.9.0.0/16" });
        await promiseOf(vpc.id);
        await settle();
        assert.equal(pulumi.getStack(), STACK);
        assert.equal(recorded().length, 1);
        assert.equal(
            byType("aws:ec2/vpc:Vpc")[0].urn,
            `urn:pulumi:${STACK}::eks-ambient-mesh::aws:ec2/vpc:Vpc::after-run`,
        );
        assert.equal(monitor, pulumi.runtime.getMonitor() as unknown);
    });
});

describe("offline engine: plan CLI", () => {
    function capture() {
        const out: string[] = [];
        const err: string[] = [];
        return {
            io: { stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t) },
            out,
            err,
        };
    }

    it("parses its flags", () => {
        assert.deepEqual(parseArgs(["--stack", "dev", "--out=plan.json", "--show-secrets"]), {
            stack: "dev",
            out: "plan.json",
            config: undefined,
            policyConfig: undefined,
            asOf: undefined,
            peers: [],
            showSecrets: true,
            help: false,
        });
        assert.deepEqual(
            parseArgs(["--stack", "prod", "--policy-config", "p.json", "--as-of", "2027-04-01"]),
            {
                stack: "prod",
                out: undefined,
                config: undefined,
                policyConfig: "p.json",
                asOf: "2027-04-01",
                peers: [],
                showSecrets: false,
                help: false,
            },
        );
    });

    it("takes only a real calendar day for --as-of", () => {
        for (const day of ["2027-02-30", "2027-4-1", "tomorrow", "2027-04-01T00:00:00Z"]) {
            assert.deepEqual(parseArgs(["--stack", "dev", "--as-of", day]), {
                error: `--as-of: "${day}" is not a calendar day like 2026-11-30`,
            });
        }
        assert.equal(isCalendarDay("2028-02-29"), true);
        assert.equal(isCalendarDay("2027-02-29"), false);
    });

    it("exits 2 with the usage on a missing --stack or an unknown argument", async () => {
        for (const argv of [[], ["--stack"], ["--stack", "dev", "--frobnicate"]]) {
            const { io, err } = capture();
            assert.equal(await main(argv, io), 2);
            assert.match(err.join(""), /usage: npm run plan -- --stack <dev\|prod>/);
        }
    });

    it("exits 1 with the message when the config cannot be used", async () => {
        const { io, err } = capture();
        const file = tmpFile("Pulumi.bad.yaml", "config:\n  token:\n    secure: AAAB\n");
        assert.equal(await main(["--stack", "dev", "--config", file], io), 1);
        assert.match(err.join(""), /eks-ambient-mesh:token is a secure value/);
    });

    it("attributes resources to the longest matching cluster name", () => {
        assert.equal(clusterOf("dev-east-a-vpc", ["dev-east", "dev-east-a"]), "dev-east-a");
        assert.equal(clusterOf("dev-east-b-vpc", ["dev-east", "dev-east-a"]), "dev-east");
        assert.equal(clusterOf("mesh-root", ["dev-east-a"]), "shared");
    });
});
