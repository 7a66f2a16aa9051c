import * as assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { ConfigError } from "../components/config";
import { SecretValue } from "../scripts/offline/values";
import { toExportedConfig } from "../scripts/offline/config";
import { runProgram, RunResult } from "../scripts/offline/run";
import { main } from "../scripts/cli/plan";
import { buildPlanJson } from "../scripts/plan/planJson";
import { pairConfig, Resources } from "./fixtures/environments";
import { euCluster, euOutputs } from "./fixtures/euPeer";
import { makeRootCa } from "./fixtures/rootCa";

/**
 * The program under configurations other than dev and prod: each test writes a config in
 * `Pulumi.<stack>.yaml` form and runs the real `index.ts` with it.
 */

const KEY = "eks-ambient-mesh";
/** The `pair` environment, keyed as a stack file keys it. */
const BASE = Object.fromEntries(Object.entries(pairConfig()).map(([k, v]) => [`${KEY}:${k}`, v]));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "eks-ambient-mesh-variants-"));

/** The stack's config as `pulumi config --json --show-secrets` exports it, the CA key secret. */
function writeConfig(name: string, change: (config: Record<string, any>) => void): string {
    const config = structuredClone(BASE);
    change(config);
    const file = path.join(dir, `${name}.json`);
    const exported = toExportedConfig("eks-ambient-mesh", config, [`${KEY}:rootCaKeyPem`]);
    fs.writeFileSync(file, JSON.stringify(exported));
    return file;
}

async function run(
    name: string,
    change: (config: Record<string, any>) => void,
    stackOutputs?: Record<string, Record<string, unknown>>,
): Promise<{ run: RunResult; resources: Resources }> {
    const result = await runProgram({
        stack: name,
        configFile: writeConfig(name, change),
        stackOutputs,
    });
    return { run: result, resources: new Resources(result.resources) };
}

/**
 * A root CA made here, standing for one a platform team already has: ECDSA on P-384, one of the
 * two kinds of CA key the mandatory policy tls-ca-key-strength allows, so the intermediates are
 * signed by an ECDSA key while the program's own root is RSA.
 */
async function makeRoot(commonName: string): Promise<{ certPem: string; keyPem: string }> {
    const { certPem, keyPem } = await makeRootCa({ subject: `CN=${commonName}`, key: "P-384" });
    return { certPem, keyPem };
}

const SECRET = "kubernetes:core/v1:Secret";
const RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const PEER_STACK = "acme/eks-ambient-mesh/eu";

describe("variants of the environment", () => {
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    let root: { certPem: string; keyPem: string };
    before(async () => {
        root = await makeRoot("Shared Root CA");
    });

    function withPeer(config: Record<string, any>) {
        config[`${KEY}:rootCaCertPem`] = root.certPem;
        config[`${KEY}:rootCaKeyPem`] = root.keyPem;
        config[`${KEY}:mesh`].peers = [
            { stack: PEER_STACK, clusters: [{ name: "eu-a", vpcCidr: "10.30.0.0/16" }] },
        ];
    }

    function peerOutputs(overrides: Record<string, unknown> = {}) {
        return {
            [PEER_STACK]: euOutputs(new SecretValue([euCluster(root.certPem, overrides)])),
        };
    }

    it("peers with another stack's clusters: remote secrets, security groups, one shared root", async () => {
        const { resources } = await run("peered", withPeer, peerOutputs());
        for (const local of ["east-a", "east-b"]) {
            const secret = resources.one(SECRET, `${local}-remote-eu-a`);
            const kubeconfig = parse((secret.inputs.stringData as Record<string, string>)["eu-a"]);
            assert.equal(
                kubeconfig.clusters[0].cluster.server,
                "https://EU.gr7.eu-west-1.eks.amazonaws.com",
            );
            assert.equal(kubeconfig.clusters[0].cluster["certificate-authority-data"], "RVUtQ0E=");
            assert.deepEqual(kubeconfig.users, [
                { name: "eu-a", user: { token: "eu-reader-token" } },
            ]);
            assert.equal(secret.rawInputs.stringData?.constructor.name, "SecretValue");
            const api = resources.one(RULE, `${local}-api-from-eu-a`);
            assert.deepEqual([api.inputs.cidrIpv4, api.inputs.fromPort], ["10.30.0.0/16", 443]);
            const hbone = resources.one(RULE, `${local}-east-west-from-eu-a`);
            assert.deepEqual(
                [hbone.inputs.cidrIpv4, hbone.inputs.fromPort],
                ["10.30.0.0/16", 15008],
            );
        }
        // The given root signs the intermediates; no root is generated.
        assert.equal(resources.ofType("tls:index/selfSignedCert:SelfSignedCert").length, 0);
        const cacerts = resources.one(SECRET, "east-a-cacerts").inputs.stringData as Record<
            string,
            string
        >;
        assert.equal(cacerts["root-cert.pem"], root.certPem);
        const ca = new X509Certificate(cacerts["ca-cert.pem"]);
        assert.ok(ca.verify(new X509Certificate(root.certPem).publicKey));
        const signer = resources.one(
            "tls:index/locallySignedCert:LocallySignedCert",
            "east-a-intermediate",
        );
        assert.equal(signer.rawInputs.caPrivateKeyPem?.constructor.name, "SecretValue");
    });

    it("refuses a peer stack from another mesh, saying which field differs", async () => {
        await assert.rejects(
            run("foreign", withPeer, peerOutputs({ meshId: "mesh-other" })),
            /mesh\.peers\[0\] \(acme\/eks-ambient-mesh\/eu\): cluster "eu-a" has meshId "mesh-other", this stack "mesh-pair"; every cluster of a mesh shares one mesh id, trust domain and root CA/,
        );
    });

    it("refuses a peer stack that does not export a configured cluster", async () => {
        await assert.rejects(
            run("missing", withPeer, peerOutputs({ name: "eu-b" })),
            /mesh\.peers\[0\]\.clusters\[0\]\.name: acme\/eks-ambient-mesh\/eu exports no cluster "eu-a" \(it exports: eu-b\); deploy it first, or fix mesh\.peers/,
        );
    });

    it("runs sidecar mode with the classic east-west gateway on 15443 and no ambient dataplane", async () => {
        const { run: result, resources } = await run("sidecar", (c) => {
            c[`${KEY}:mesh`].dataplaneMode = "sidecar";
        });
        const releases = resources
            .ofType("kubernetes:helm.sh/v3:Release")
            .filter((r) => r.name.startsWith("east-a-"))
            .map((r) => r.inputs.name)
            .sort();
        assert.deepEqual(releases, [
            "aws-load-balancer-controller",
            "istio-base",
            "istio-eastwestgateway",
            "istiod-1-31",
        ]);
        const gateway = resources.one(
            "kubernetes:helm.sh/v3:Release",
            "east-a-istio-eastwestgateway",
        );
        assert.deepEqual(gateway.inputs.values, {
            networkGateway: "east-a-network",
            service: { type: "ClusterIP", externalIPs: ["10.10.63.224", "10.10.127.224"] },
        });
        const gw = resources.one(
            "kubernetes:networking.istio.io/v1:Gateway",
            "east-a-cross-network-gateway",
        );
        assert.deepEqual(gw.inputs.spec, {
            selector: { istio: "eastwestgateway" },
            servers: [
                {
                    port: { number: 15443, name: "tls", protocol: "TLS" },
                    tls: { mode: "AUTO_PASSTHROUGH" },
                    hosts: ["*.local"],
                },
            ],
        });
        const nlb = resources.one("kubernetes:core/v1:Service", "east-a-east-west-nlb");
        assert.deepEqual((nlb.inputs.spec as any).selector, { istio: "eastwestgateway" });
        assert.deepEqual((nlb.inputs.spec as any).ports, [
            { name: "tls", port: 15443, targetPort: 15443, protocol: "TCP" },
        ]);
        const rule = resources.one(RULE, "east-a-east-west-from-east-b");
        assert.deepEqual([rule.inputs.fromPort, rule.inputs.toPort], [15443, 15443]);
        assert.equal(resources.ofType("kubernetes:gateway.networking.k8s.io/v1:Gateway").length, 0);
        // Both paths stay open in sidecar mode: peers learn the fixed IPs on 15443.
        const plan = buildPlanJson(result, { asOf: "2026-11-30" });
        assert.deepEqual(
            plan.reachability.map((e) => [e.from, e.to, e.path, e.port, e.open]),
            [
                ["east-a", "east-b", "api", 443, true],
                ["east-a", "east-b", "hbone", 15443, true],
                ["east-b", "east-a", "api", 443, true],
                ["east-b", "east-a", "hbone", 15443, true],
            ],
        );
    });

    it("adds the peers' NAT addresses to a restricted public endpoint", async () => {
        const { resources } = await run("restricted", (c) => {
            for (const cluster of c[`${KEY}:clusters`]) {
                cluster.endpoint = { publicAccessCidrs: ["203.0.113.0/24"] };
            }
        });
        const eip = resources.one("aws:ec2/eip:Eip", "east-b-nat-1");
        const cluster = resources.one("eks:index:Cluster", "east-a-eks");
        assert.deepEqual(cluster.inputs.publicAccessCidrs, [
            "203.0.113.0/24",
            `${eip.state.publicIp}/32`,
        ]);
        assert.ok(resources.dependencyNames(cluster).includes("east-b-nat-1"));
    });

    it("stops before any resource and reports every problem when the config is invalid", async () => {
        const file = writeConfig("invalid", (c) => {
            c[`${KEY}:clusters`][0].kubernetesVersion = "1.27";
            c[`${KEY}:clusters`][1].name = "east-a";
        });
        await assert.rejects(runProgram({ stack: "invalid", configFile: file }), (err: unknown) => {
            // The program's modules are loaded afresh per run, so compare by name, not class.
            assert.equal((err as Error).name, "ConfigError");
            assert.deepEqual((err as ConfigError).problems, [
                'clusters[0].kubernetesVersion: "1.27" is not supported; use one of 1.28, 1.29, 1.30, 1.31, 1.32, 1.33, 1.34, 1.35',
                'clusters[1].name: "east-a" is already used by clusters[0]; each cluster needs its own name',
                'clusters[1].network: "east-a-network" is already used by clusters[0]; each cluster needs its own network',
            ]);
            return true;
        });
        const out: string[] = [];
        const err: string[] = [];
        const code = await main(["--stack", "dev", "--config", file], {
            stdout: (t) => out.push(t),
            stderr: (t) => err.push(t),
        });
        assert.equal(code, 1);
        assert.deepEqual(out, []);
        assert.match(
            err.join(""),
            /^Invalid configuration \(3 problems\):\n {2}- clusters\[0\]\.kubernetesVersion: "1\.27"/,
        );
    });

    it("exits 3 when a policy config makes a violation mandatory, and still writes the plan", async () => {
        const policyConfig = path.join(dir, "policy-config.json");
        fs.writeFileSync(
            policyConfig,
            JSON.stringify({ "eks-public-endpoint-restricted": "mandatory" }),
        );
        const out = path.join(dir, "plan-pair.json");
        const printed: string[] = [];
        const file = writeConfig("policy", () => undefined);
        const argv = ["--stack", "pair", "--config", file, "--as-of", "2026-11-30"];
        const code = await main([...argv, "--policy-config", policyConfig, "--out", out], {
            stdout: (t) => printed.push(t),
            stderr: (t) => printed.push(t),
        });
        assert.equal(code, 3);
        const plan = JSON.parse(fs.readFileSync(out, "utf8"));
        assert.deepEqual(
            plan.policyViolations.map((v: { policy: string; enforcementLevel: string }) => [
                v.policy,
                v.enforcementLevel,
            ]),
            [
                ["eks-version-extended-support", "advisory"],
                ["eks-public-endpoint-restricted", "mandatory"],
                ["eks-public-endpoint-restricted", "mandatory"],
            ],
        );
        assert.match(
            printed.join(""),
            /Policies: eks-ambient-mesh \(52 evaluated\): 2 mandatory, 1 advisory/,
        );
    });

    it("reports an unknown top-level key", async () => {
        const file = writeConfig("typo", (c) => {
            c[`${KEY}:cluster`] = [];
        });
        await assert.rejects(
            runProgram({ stack: "typo", configFile: file }),
            /unknown key "cluster"; check the spelling against the README's configuration reference/,
        );
    });
});
