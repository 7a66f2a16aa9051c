import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import * as assert from "node:assert/strict";
import * as crypto from "node:crypto";
import { EAST_WEST } from "../components/mesh/eastWestGateway";
import { READER_SERVICE_ACCOUNT } from "../components/mesh/istioMesh";
import { changedPaths, formatPath } from "../scripts/plan/compare";
import { DiffablePlan, DiffableResource, diffPlans, planClusters } from "../scripts/plan/diff";
import { chartName, MESH_NAMES } from "../scripts/plan/impacts";
import {
    CONDITIONS,
    NOT_EVALUATED,
    REPLACE_ON_CHANGE,
    ruleFor,
} from "../scripts/plan/replaceOnChange";

/**
 * The diff on plans made by hand: each rule of `pulumi preview` it follows (secrets, key
 * material, providers, the replace-on-change table and its conditions) and each impact it
 * names, on the smallest plan that shows it.
 */

x509.cryptoProvider.set(crypto.webcrypto);

const urn = (type: string, name: string) => `urn:pulumi:s::p::${type}::${name}`;

function res(
    type: string,
    name: string,
    inputs: Record<string, unknown>,
    more: Partial<DiffableResource> = {},
): DiffableResource {
    return {
        urn: urn(type, name),
        id: `${name}-id`,
        type,
        name,
        provider: null,
        dependsOn: [],
        protect: false,
        inputs,
        propertyDependencies: {},
        ...more,
    };
}

const plan = (...resources: DiffableResource[]): DiffablePlan => ({
    project: "p",
    stack: "s",
    resources,
    outputs: {},
});

const rows = (old: DiffablePlan, next: DiffablePlan) =>
    diffPlans(old, next).diff.map((e) => [
        e.action,
        e.name,
        e.properties.join(" "),
        ...(e.replaceBecause ? [e.replaceBecause.join(" ")] : []),
    ]);

const SECRET = "kubernetes:core/v1:Secret";
const K8S = "pulumi:providers:kubernetes";
const ROOT = "tls:index/selfSignedCert:SelfSignedCert";
const INTERMEDIATE = "tls:index/locallySignedCert:LocallySignedCert";

/** A self-signed CA certificate with a fresh key, as each run of the TLS mocks makes one. */
async function certificate(serial: string, commonName: string): Promise<string> {
    const alg = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" };
    const keys = (await crypto.webcrypto.subtle.generateKey(alg, true, [
        "sign",
        "verify",
    ])) as crypto.webcrypto.CryptoKeyPair;
    const cert = await x509.X509CertificateGenerator.createSelfSigned({
        serialNumber: serial,
        name: `CN=${commonName}`,
        notBefore: new Date(),
        notAfter: new Date(Date.now() + 3600_000),
        keys,
        signingAlgorithm: alg,
    });
    return cert.toString("pem");
}

const decimal = (hex: string) => BigInt(`0x${hex}`).toString(10);

describe("plan diff: compared values", () => {
    it("finds the paths where values differ, arrays of another length as a whole", () => {
        const a = { spec: { ports: [{ port: 1 }, { port: 2 }] }, list: [1], gone: "x" };
        const b = { spec: { ports: [{ port: 1 }, { port: 3 }] }, list: [1, 2], added: "y" };
        assert.deepEqual(changedPaths(a, b).paths.map(formatPath), [
            "added",
            "gone",
            "list",
            "spec.ports[1].port",
        ]);
    });

    it('takes "[secret]" in both plans as equal, and on one side only as not comparable', () => {
        assert.deepEqual(changedPaths({ s: "[secret]" }, { s: "[secret]" }), {
            paths: [],
            mixedRedaction: false,
        });
        assert.deepEqual(changedPaths({ s: "[secret]" }, { s: "shown" }), {
            paths: [],
            mixedRedaction: true,
        });
        // A secret that appears is a change, whatever it holds.
        assert.deepEqual(changedPaths({}, { s: "[secret]" }).paths, [["s"]]);
    });
});

describe("plan diff: secrets", () => {
    const secret = (stringData: unknown, more: Partial<DiffableResource> = {}) =>
        res(
            SECRET,
            "a-cacerts",
            { metadata: { name: "cacerts" }, type: "Opaque", stringData },
            more,
        );

    it("says that secrets hidden in both plans cannot be compared, and finds no change in them", () => {
        const d = diffPlans(plan(secret("[secret]")), plan(secret("[secret]")));
        assert.deepEqual(d.diff, []);
        assert.deepEqual(d.notes, [
            'Both plans were written without --show-secrets: a secret input ("[secret]" in both) counts as unchanged unless it takes an output of a resource being replaced or created, or of other resources than before; whether its value changed otherwise cannot be seen.',
        ]);
    });

    it("takes a hidden secret that now comes from other resources than before as changed", () => {
        const token = (g: number) => res(SECRET, `a-reader-token-g${g}`, { type: "x" });
        const remote = (g: number) =>
            res(
                SECRET,
                "b-remote-a",
                { metadata: { name: "istio-remote-secret-a" }, stringData: "[secret]" },
                { propertyDependencies: { stringData: [urn(SECRET, `a-reader-token-g${g}`)] } },
            );
        assert.deepEqual(
            rows(plan(token(0), token(1), remote(0)), plan(token(0), token(1), remote(1))),
            [["replace", "b-remote-a", "stringData", "stringData"]],
        );
    });

    it("says so when only one plan hides its secrets", () => {
        const d = diffPlans(plan(secret("[secret]")), plan(secret({ "ca-cert.pem": "x" })));
        assert.deepEqual(d.diff, []);
        assert.deepEqual(d.notes, [
            "Only the old plan hides its secrets: a secret input is not compared with a shown one. Write both plans with or without --show-secrets.",
        ]);
    });

    it("replaces a Secret whose data changes, unless its provider sets enableSecretMutable", () => {
        const provider = (mutable: boolean) =>
            res(K8S, "a-k8s", mutable ? { enableSecretMutable: "true" } : {});
        const on = (p: DiffableResource, data: string) =>
            secret({ "ca-cert.pem": data }, { provider: p.urn });
        const immutable = provider(false);
        assert.deepEqual(
            rows(plan(immutable, on(immutable, "1")), plan(immutable, on(immutable, "2"))),
            [["replace", "a-cacerts", "stringData.ca-cert.pem", "stringData"]],
        );
        const mutable = provider(true);
        assert.deepEqual(rows(plan(mutable, on(mutable, "1")), plan(mutable, on(mutable, "2"))), [
            ["update", "a-cacerts", "stringData.ca-cert.pem"],
        ]);
    });
});

describe("plan diff: key material", () => {
    it("compares certificates by the resource that made them, not by their bytes", async () => {
        const serial = "5f3a";
        const rootOf = () =>
            res(ROOT, "mesh-root", { subject: { commonName: "Root CA" } }, { id: decimal(serial) });
        const intermediate = (pem: string) =>
            res(
                INTERMEDIATE,
                "a-intermediate",
                { caCertPem: pem, isCaCertificate: true },
                {
                    dependsOn: [urn(ROOT, "mesh-root")],
                    propertyDependencies: { caCertPem: [urn(ROOT, "mesh-root")] },
                },
            );
        // Two processes sign the same root with their own keys, at their own time.
        const first = await certificate(serial, "Root CA");
        const second = await certificate(serial, "Root CA");
        assert.notEqual(first, second);
        assert.deepEqual(
            diffPlans(plan(rootOf(), intermediate(first)), plan(rootOf(), intermediate(second)))
                .diff,
            [],
        );
        // A certificate no resource made (a supplied root) is known by issuer and serial.
        const supplied = await certificate("77", "Supplied");
        assert.deepEqual(rows(plan(intermediate(first)), plan(intermediate(supplied))), [
            ["replace", "a-intermediate", "caCertPem", "caCertPem"],
        ]);
    });

    it("names a certificate's fingerprint, where a value records one, as the certificate", async () => {
        const serial = "6b";
        const root = res(ROOT, "mesh-root", {}, { id: decimal(serial) });
        const withRoot = (pem: string): DiffablePlan => ({
            ...plan(root),
            outputs: {
                rootCaCertPem: pem,
                lifecycle: { root: new crypto.X509Certificate(pem).fingerprint256 },
            },
        });
        const first = withRoot(await certificate(serial, "Root CA"));
        const second = withRoot(await certificate(serial, "Root CA"));
        assert.deepEqual(diffPlans(first, second).outputChanges, []);
        const other = withRoot(await certificate("6c", "Root CA"));
        assert.deepEqual(diffPlans(first, other).outputChanges, [
            "lifecycle.root",
            "rootCaCertPem",
        ]);
    });

    it("compares private keys by the PrivateKey resource whose id is their public key's SHA-1", () => {
        const keyPlan = () => {
            const { privateKey, publicKey } = crypto.generateKeyPairSync("ec", {
                namedCurve: "P-256",
            });
            const id = crypto
                .createHash("sha1")
                .update(publicKey.export({ type: "spki", format: "der" }))
                .digest("hex");
            const key = res("tls:index/privateKey:PrivateKey", "k", { algorithm: "ECDSA" }, { id });
            const pem = privateKey.export({ type: "pkcs8", format: "pem" }) as string;
            const csr = res(
                "tls:index/certRequest:CertRequest",
                "r",
                { privateKeyPem: pem },
                { dependsOn: [key.urn], propertyDependencies: { privateKeyPem: [key.urn] } },
            );
            return plan(key, csr);
        };
        assert.deepEqual(diffPlans(keyPlan(), keyPlan()).diff, []);
    });
});

describe("plan diff: replacements reach their dependents", () => {
    const ca = (commonName: string) =>
        res(ROOT, "mesh-root", { subject: { commonName }, isCaCertificate: true });
    const intermediate = res(
        INTERMEDIATE,
        "a-intermediate",
        { caCertPem: "<root pem>", isCaCertificate: true, validityPeriodHours: 8760 },
        {
            dependsOn: [urn(ROOT, "mesh-root")],
            propertyDependencies: { caCertPem: [urn(ROOT, "mesh-root")] },
        },
    );
    const provider = res(K8S, "a-k8s", { kubeconfig: "[secret]" });
    const cacerts = res(
        SECRET,
        "a-cacerts",
        { metadata: { name: "cacerts", namespace: "istio-system" }, stringData: "[secret]" },
        {
            provider: provider.urn,
            dependsOn: [intermediate.urn, urn(ROOT, "mesh-root")],
            propertyDependencies: { stringData: [intermediate.urn, urn(ROOT, "mesh-root")] },
        },
    );

    it("a new root re-issues every intermediate and replaces cacerts: the trust anchor changes", () => {
        const old = plan(ca("Root CA"), intermediate, provider, cacerts);
        const next = plan(ca("Root CA 2"), intermediate, provider, cacerts);
        const d = diffPlans(old, next);
        assert.deepEqual(rows(old, next), [
            ["replace", "a-cacerts", "stringData", "stringData"],
            ["replace", "a-intermediate", "caCertPem", "caCertPem"],
            ["replace", "mesh-root", "subject.commonName", "subject.commonName"],
        ]);
        assert.deepEqual(
            d.impacts.map((i) => [i.kind, i.cluster, i.urns]),
            [
                ["trust-anchor-replaced", "shared", [urn(ROOT, "mesh-root")]],
                ["intermediate-reissued", "shared", [intermediate.urn]],
            ],
        );
    });

    it("a change only the offline plan sees (a deeper dependency's id) is no change", () => {
        const role = res("aws:iam/role:Role", "a-role", { path: "/" });
        const policy = (roleId: string) =>
            res(
                "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
                "a-attach",
                { role: roleId, policyArn: "arn:x" },
                { dependsOn: [role.urn], propertyDependencies: { role: [role.urn] } },
            );
        // The role is updated in place: its id stays, nothing it feeds changes.
        const updated = res("aws:iam/role:Role", "a-role", { path: "/", description: "d" });
        assert.deepEqual(
            rows(plan(role, policy("a-role-id")), plan(updated, policy("a-role-id"))),
            [["update", "a-role", "description"]],
        );
        // Replaced: its id is unknown at preview, and the attachment follows.
        const renamed = res("aws:iam/role:Role", "a-role", { path: "/x/" });
        assert.deepEqual(
            rows(plan(role, policy("a-role-id")), plan(renamed, policy("a-role-id"))),
            [
                ["replace", "a-role", "path", "path"],
                ["replace", "a-attach", "role", "role"],
            ],
        );
    });
});

describe("plan diff: providers", () => {
    const kubeconfig = (server: string, token = "t") =>
        [
            "apiVersion: v1",
            "kind: Config",
            "clusters:",
            "  - name: a",
            `    cluster: { server: "${server}", certificate-authority-data: Y2E= }`,
            "contexts:",
            "  - name: a",
            "    context: { cluster: a, user: a }",
            "current-context: a",
            "users:",
            "  - name: a",
            `    user: { token: ${token} }`,
        ].join("\n");
    const provider = (inputs: Record<string, unknown>) => res(K8S, "a-k8s", inputs);
    const namespace = (p: DiffableResource) =>
        res(
            "kubernetes:core/v1:Namespace",
            "a-ns",
            { metadata: { name: "istio-system" } },
            { provider: p.urn },
        );
    const both = (inputs: Record<string, unknown>) => {
        const p = provider(inputs);
        return plan(p, namespace(p));
    };

    it("replaces a Kubernetes provider whose active cluster changes, and everything it manages", () => {
        assert.deepEqual(
            rows(
                both({ kubeconfig: kubeconfig("https://a") }),
                both({ kubeconfig: kubeconfig("https://b") }),
            ),
            [
                ["replace", "a-ns", "", "provider replaced"],
                ["replace", "a-k8s", "kubeconfig", "kubeconfig"],
            ],
        );
        const d = diffPlans(
            both({ kubeconfig: kubeconfig("https://a") }),
            both({ kubeconfig: kubeconfig("https://b") }),
        );
        assert.deepEqual(
            d.impacts.map((i) => i.kind),
            ["kubernetes-provider-replaced"],
        );
    });

    it("updates it in place when only the credentials change, or when clusterIdentifier holds", () => {
        assert.deepEqual(
            rows(
                both({ kubeconfig: kubeconfig("https://a", "t1") }),
                both({ kubeconfig: kubeconfig("https://a", "t2") }),
            ),
            [["update", "a-k8s", "kubeconfig"]],
        );
        assert.deepEqual(
            rows(
                both({ kubeconfig: kubeconfig("https://a"), clusterIdentifier: "arn:a" }),
                both({ kubeconfig: kubeconfig("https://b"), clusterIdentifier: "arn:a" }),
            ),
            [["update", "a-k8s", "kubeconfig"]],
        );
        // Adding one is not a replacement either; changing it is.
        assert.deepEqual(
            rows(
                both({ kubeconfig: "[secret]" }),
                both({ kubeconfig: "[secret]", clusterIdentifier: "arn:a" }),
            ),
            [["update", "a-k8s", "clusterIdentifier"]],
        );
        assert.deepEqual(
            rows(
                both({ kubeconfig: "[secret]", clusterIdentifier: "arn:a" }),
                both({ kubeconfig: "[secret]", clusterIdentifier: "arn:b" }),
            ),
            [
                ["replace", "a-ns", "", "provider replaced"],
                ["replace", "a-k8s", "clusterIdentifier", "clusterIdentifier"],
            ],
        );
    });

    it("replaces a resource that moves to another provider, and every resource of a provider whose region changes", () => {
        const other = provider({ kubeconfig: "[secret]" });
        const moved = { ...other, urn: urn(K8S, "b-k8s"), name: "b-k8s" };
        assert.deepEqual(
            rows(plan(other, moved, namespace(other)), plan(other, moved, namespace(moved))),
            [["replace", "a-ns", "", "provider changed"]],
        );
        const aws = (region: string) => res("pulumi:providers:aws", "aws", { region });
        const vpc = (p: DiffableResource) =>
            res("aws:ec2/vpc:Vpc", "a-vpc", { cidrBlock: "10.0.0.0/16" }, { provider: p.urn });
        const d = diffPlans(
            plan(aws("us-east-1"), vpc(aws("us-east-1"))),
            plan(aws("us-west-2"), vpc(aws("us-west-2"))),
        );
        assert.deepEqual(
            d.diff.map((e) => [e.action, e.name, e.replaceBecause]),
            [
                ["replace", "a-vpc", ["provider replaced"]],
                ["replace", "aws", ["region"]],
            ],
        );
        assert.deepEqual(
            d.impacts.map((i) => i.kind),
            ["vpc-replaced"],
        );
    });
});

describe("plan diff: what Pulumi does not show, and the table's conditions", () => {
    it("shows a change of protect as an update, and a change of dependsOn alone as nothing", () => {
        const a = res("aws:ec2/vpc:Vpc", "a-vpc", { cidrBlock: "10.0.0.0/16" });
        const d = diffPlans(plan(a), plan({ ...a, protect: true }));
        assert.deepEqual(
            d.diff.map((e) => [e.action, e.properties, e.protect]),
            [["update", [], { from: false, to: true }]],
        );
        assert.deepEqual(diffPlans(plan(a), plan({ ...a, dependsOn: [urn("x", "y")] })).diff, []);
    });

    it("shows no StackReference: Pulumi reads one on every update, it never creates or deletes it", () => {
        const self = res("pulumi:pulumi:StackReference", "deployed", { name: "o/p/s" });
        assert.deepEqual(diffPlans(plan(), plan(self)).diff, []);
        assert.deepEqual(
            diffPlans(plan(self), plan({ ...self, inputs: { name: "o/p/t" } })).diff,
            [],
        );
    });

    it("replaces a security group rule whose source changes kind, and updates one whose CIDR changes", () => {
        const rule = (source: Record<string, unknown>) =>
            res("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", "r", {
                securityGroupId: "sg-1",
                ipProtocol: "tcp",
                ...source,
            });
        assert.deepEqual(
            rows(plan(rule({ cidrIpv4: "10.0.0.0/8" })), plan(rule({ cidrIpv4: "10.1.0.0/16" }))),
            [["update", "r", "cidrIpv4"]],
        );
        assert.deepEqual(
            rows(
                plan(rule({ cidrIpv4: "10.0.0.0/8" })),
                plan(rule({ referencedSecurityGroupId: "sg-2" })),
            ),
            [
                [
                    "replace",
                    "r",
                    "cidrIpv4 referencedSecurityGroupId",
                    "cidrIpv4 referencedSecurityGroupId",
                ],
            ],
        );
    });

    it("replaces a ConfigMap whose data changes, unless the provider sets enableConfigMapMutable", () => {
        const cm = (p: DiffableResource, v: string) =>
            res(
                "kubernetes:core/v1:ConfigMap",
                "cm",
                { metadata: { name: "c" }, data: { k: v } },
                { provider: p.urn },
            );
        for (const [flag, action] of [
            [{}, "replace"],
            [{ enableConfigMapMutable: "true" }, "update"],
        ] as const) {
            const p = res(K8S, "k", flag);
            assert.equal(
                diffPlans(plan(p, cm(p, "1")), plan(p, cm(p, "2"))).diff[0].action,
                action,
            );
        }
    });

    it("replaces an EKS cluster whose secrets key is removed or changed, and warns of a move to another VPC", () => {
        const eks = (inputs: Record<string, unknown>) =>
            res("eks:index:Cluster", "a-eks", { version: "1.33", ...inputs });
        assert.deepEqual(rows(plan(eks({})), plan(eks({ encryptionConfigKeyArn: "arn:k" }))), [
            ["update", "a-eks", "encryptionConfigKeyArn"],
        ]);
        assert.deepEqual(rows(plan(eks({ encryptionConfigKeyArn: "arn:k" })), plan(eks({}))), [
            ["replace", "a-eks", "encryptionConfigKeyArn", "encryptionConfigKeyArn"],
        ]);
        const moved = diffPlans(plan(eks({ vpcId: "vpc-1" })), plan(eks({ vpcId: "vpc-2" })))
            .diff[0];
        assert.deepEqual(
            [moved.action, moved.warnings],
            [
                "update",
                [
                    "vpcId changes: EKS cannot move a cluster to another VPC, so this update fails when applied; a new VPC needs a new cluster",
                ],
            ],
        );
    });

    it("shows a change of a type the table does not know as an update, and says so", () => {
        const thing = (v: number) => res("aws:new/thing:Thing", "t", { size: v });
        const d = diffPlans(plan(thing(1)), plan(thing(2)));
        assert.deepEqual(
            d.diff.map((e) => e.action),
            ["update"],
        );
        assert.deepEqual(d.notes, [
            "No replace-on-change rule for aws:new/thing:Thing: any change of these is shown as an update.",
        ]);
    });

    it("looks up a type's own rule, then a package pattern", () => {
        assert.deepEqual(ruleFor("aws:ec2/vpc:Vpc")?.replaceOn, [
            "cidrBlock",
            "ipv4IpamPoolId",
            "ipv4NetmaskLength",
        ]);
        assert.equal(ruleFor("ambientmesh:mesh:Anything")?.kind, "component");
        assert.equal(ruleFor("aws:ec2/other:Other"), undefined);
    });

    it("gives every rule a source, and every condition it states a function or a reason it is not evaluated", () => {
        for (const [type, rule] of Object.entries(REPLACE_ON_CHANGE)) {
            assert.ok(rule.source.length > 20, type);
            assert.ok(Array.isArray(rule.replaceOn), type);
            const stated = Object.keys(rule.conditional ?? {}).sort();
            const handled = [
                ...Object.keys(CONDITIONS[type] ?? {}),
                ...Object.keys(NOT_EVALUATED[type] ?? {}),
            ].sort();
            assert.deepEqual(handled, stated, type);
        }
        for (const type of [...Object.keys(CONDITIONS), ...Object.keys(NOT_EVALUATED)]) {
            assert.ok(REPLACE_ON_CHANGE[type], type);
        }
    });
});

describe("plan diff: impacts", () => {
    const tagged = (
        type: string,
        name: string,
        cluster: string,
        inputs: Record<string, unknown> = {},
    ) => res(type, name, { ...inputs, tags: { cluster } });

    it("finds the clusters of a plan by their cluster tag", () => {
        assert.deepEqual(
            planClusters(
                plan(
                    tagged("aws:ec2/vpc:Vpc", "b-vpc", "b"),
                    tagged("aws:ec2/vpc:Vpc", "a-vpc", "a"),
                    res("eks:index:Cluster", "c-eks", {}),
                ),
            ),
            ["b", "a", "c"],
        );
    });

    it("follows a replaced reader token to the remote secrets the other clusters hold for it", () => {
        const token = (type: string) =>
            res(SECRET, "a-reader-token", {
                type,
                metadata: {
                    name: "istio-reader-service-account-istio-remote-secret-token",
                    annotations: { "kubernetes.io/service-account.name": READER_SERVICE_ACCOUNT },
                },
            });
        const remote = res(
            SECRET,
            "b-remote-a",
            {
                metadata: {
                    labels: { "istio/multiCluster": "true" },
                    annotations: { "networking.istio.io/cluster": "a" },
                },
                stringData: "[secret]",
            },
            {
                dependsOn: [urn(SECRET, "a-reader-token")],
                propertyDependencies: { stringData: [urn(SECRET, "a-reader-token")] },
            },
        );
        const vpcs = [
            tagged("aws:ec2/vpc:Vpc", "a-vpc", "a"),
            tagged("aws:ec2/vpc:Vpc", "b-vpc", "b"),
        ];
        const d = diffPlans(
            plan(...vpcs, token("kubernetes.io/service-account-token"), remote),
            plan(...vpcs, token("Opaque"), remote),
        );
        assert.deepEqual(
            d.diff.map((e) => [e.cluster, e.action, e.name]),
            [
                ["a", "replace", "a-reader-token"],
                ["b", "replace", "b-remote-a"],
            ],
        );
        assert.deepEqual(d.impacts, [
            {
                kind: "reader-token-replaced",
                cluster: "a",
                urns: [urn(SECRET, "a-reader-token"), urn(SECRET, "b-remote-a")],
                detail: "type; b-remote-a changes",
            },
        ]);
    });

    it("counts a replaced security group of the east-west load balancer as the load balancer's", () => {
        const sg = (description: string) =>
            res(
                "aws:ec2/securityGroup:SecurityGroup",
                "a-east-west-sg",
                { description, tags: { cluster: "a" } },
                { id: "sg-1" },
            );
        const nlb = res("kubernetes:core/v1:Service", "a-east-west-nlb", {
            metadata: {
                name: "istio-eastwest-nlb",
                annotations: {
                    "service.beta.kubernetes.io/aws-load-balancer-security-groups": "sg-1",
                },
            },
        });
        const d = diffPlans(plan(sg("one"), nlb), plan(sg("two"), nlb));
        assert.deepEqual(
            d.impacts.map((i) => [i.kind, i.cluster, i.detail]),
            [["east-west-lb-replaced", "a", "a-east-west-sg: description"]],
        );
    });

    it("reads a supplied root's change from the stack outputs: the bundle of roots where there is one", () => {
        const cacerts = res(SECRET, "a-cacerts", {
            metadata: { name: "cacerts" },
            stringData: "[secret]",
        });
        const withOutputs = (outputs: Record<string, unknown>): DiffablePlan => ({
            ...plan(cacerts),
            outputs,
        });
        const kinds = (a: Record<string, unknown>, b: Record<string, unknown>) =>
            diffPlans(withOutputs(a), withOutputs(b)).impacts.map((i) => [
                i.kind,
                i.cluster,
                i.detail,
            ]);
        assert.deepEqual(kinds({ rootCaCertPem: "a" }, { rootCaCertPem: "b" }), [
            ["trust-anchor-replaced", "shared", "stack output rootCaCertPem"],
        ]);
        // During a root rotation the signing root moves (sign-with-new) while the bundle stays.
        assert.deepEqual(
            kinds(
                { rootCaCertPem: "a", trustBundlePem: "a+b" },
                { rootCaCertPem: "b", trustBundlePem: "a+b" },
            ),
            [],
        );
        assert.deepEqual(
            kinds(
                { rootCaCertPem: "a", trustBundlePem: "a" },
                { rootCaCertPem: "a", trustBundlePem: "a+b" },
            ),
            [["trust-anchor-replaced", "shared", "stack output trustBundlePem"]],
        );
    });

    it("reads a chart's name from a repository name or an OCI reference", () => {
        assert.equal(chartName("istiod"), "istiod");
        assert.equal(chartName("oci://ghcr.io/istio/release/charts/ztunnel"), "ztunnel");
        assert.equal(chartName(undefined), undefined);
    });

    it("knows the mesh objects by the names the components give them", () => {
        assert.equal(MESH_NAMES.readerServiceAccount, READER_SERVICE_ACCOUNT);
        assert.equal(MESH_NAMES.eastWestLoadBalancer, EAST_WEST.loadBalancer);
    });
});
