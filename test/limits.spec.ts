import * as aws from "@pulumi/aws";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
    cidrProblem,
    hasLeadingZeros,
    NON_PUBLIC_RANGES,
    nonPublicRange,
} from "../components/cidr";
import {
    ConfigError,
    LIMITS,
    loadConfig,
    PlatformConfig,
    validateConfig,
} from "../components/config";
import { PROGRAM_TAGS, PROGRAM_TAGS_PER_RESOURCE } from "../components/config/tagChecks";
import { accessEntryName } from "../components/names";
import { Network } from "../components/network/network";
import { REGIONS } from "../components/versions";
import { fileProblem, outProblem, stackNameProblem, stacksIn } from "../scripts/cli/args";
import { main as graph } from "../scripts/cli/graph";
import { main as plan, USAGE } from "../scripts/cli/plan";
import { Io } from "../scripts/cli/runner";
import { main as timeline } from "../scripts/cli/timeline";
import { AVAILABILITY_ZONES, zonesOf } from "../scripts/offline/aws";
import { OfflineConfigError, toConfigMap } from "../scripts/offline/config";
import { RecordingMonitor } from "../scripts/offline/monitor";
import { PROJECT_DIR, runProgram } from "../scripts/offline/run";
import { getMonitor } from "../scripts/offline/sdk";
import { Config, pairConfig, trioConfig } from "./fixtures/environments";

/**
 * What AWS and EKS would refuse minutes into `pulumi up`, refused at validation with the key, the
 * value and what is allowed; the zones a region offers, checked at run time; the messages that
 * named the wrong reason; and the plan CLI's stack names and files.
 */

function problemsOf(raw: unknown): string[] {
    try {
        validateConfig(raw, "eks-ambient-mesh");
    } catch (err) {
        assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
        return err.problems;
    }
    assert.fail("configuration was accepted");
}

/** The `pair` environment with `change` applied. */
function pair(change: (c: Config) => void): Config {
    const config = pairConfig();
    change(config);
    return config;
}

/** `n` valid clusters in us-east-1 with their own VPC and service blocks. */
function clusters(n: number): Config[] {
    return Array.from({ length: n }, (_, i) => ({
        name: `c${i}`,
        region: "us-east-1",
        kubernetesVersion: "1.35",
        vpcCidr: `10.${i}.0.0/16`,
        serviceCidr: `172.${16 + (i % 16)}.${Math.floor(i / 16) * 16}.0/20`,
        availabilityZoneCount: 2,
        nodeGroup: { instanceTypes: ["m6i.large"], minSize: 1, desiredSize: 1, maxSize: 1 },
    }));
}

const TAG_CHARACTERS = "letters, digits, spaces and _ . : / = + - @";

describe("limits: tags", () => {
    const tags = (t: Record<string, string>) => pair((c) => (c.tags = t));

    it("fits the user's tags beside the program's six on a subnet: 44 pass, 45 do not", () => {
        const many = (n: number) =>
            Object.fromEntries(Array.from({ length: n }, (_, i) => [`t${i}`, "x"]));
        assert.equal(validateConfig(tags(many(44)), "p").tags.t43, "x");
        assert.deepEqual(problemsOf(tags(many(45))), [
            "tags: 45 tags, with the 6 the program sets on each subnet (project, environment, managed-by, cluster, Name and its kubernetes.io/role), make 51 on one resource; AWS takes 50, so list at most 44",
        ]);
    });

    it("refuses every key the program sets itself, saying what it puts there", () => {
        for (const [key, what] of Object.entries(PROGRAM_TAGS)) {
            assert.deepEqual(problemsOf(tags({ [key]: "x" })), [
                `tags.${key}: the program sets this tag itself (${what}) and would override yours; remove it`,
            ]);
        }
    });

    it("refuses a key that IAM would read as the program's, or as another of the user's", () => {
        assert.deepEqual(problemsOf(tags({ NAME: "x", Owner: "a", owner: "b" })), [
            `tags.NAME: IAM ignores the case of tag keys on roles, so on the program's IAM roles this would be the program's own "Name" tag (each resource's own name); rename it`,
            `tags.owner: "owner" and "Owner" differ only in case; IAM ignores the case of tag keys on roles, so the program's IAM roles would keep one of them; keep one`,
        ]);
    });

    it("takes IAM's characters, Unicode letters included, and names the others", () => {
        const ok = { "Kostenstelle/Außendienst": "Équipe plateforme: 7 @ +=._-" };
        assert.deepEqual(validateConfig(tags(ok), "p").tags, ok);
        assert.deepEqual(problemsOf(tags({ "a#b": "x", c: "tab\there", d: "🚀" })), [
            `tags.a#b: the key holds "#", which AWS does not take in tags; use ${TAG_CHARACTERS}`,
            `tags.c: the value "tab\\there" holds "\\t", which AWS does not take in tags; use ${TAG_CHARACTERS}`,
            `tags.d: the value "🚀" holds "🚀", which AWS does not take in tags; use ${TAG_CHARACTERS}`,
        ]);
    });

    it("counts lengths in characters, as AWS does, not in UTF-16 units", () => {
        assert.equal(
            Object.keys(validateConfig(tags({ ["é".repeat(128)]: "ü".repeat(256) }), "p").tags)
                .length,
            1,
        );
        assert.deepEqual(problemsOf(tags({ ["k".repeat(129)]: "", v: "v".repeat(257), "": "x" })), [
            `tags.${"k".repeat(129)}: the key is 129 characters; AWS takes 1 to 128`,
            "tags.v: the value is 257 characters; AWS takes at most 256",
            'tags[""]: a tag key is empty; AWS takes keys of 1 to 128 characters',
        ]);
    });

    it("refuses AWS's prefix in any case, and the prefixes controllers read", () => {
        assert.deepEqual(problemsOf(tags({ "Aws:x": "1", "elbv2.k8s.aws/cluster": "a" })), [
            'tags.Aws:x: keys starting with "aws:" are reserved for AWS',
            "tags.elbv2.k8s.aws/cluster: the load balancer controller's IAM policy lets it change and delete whatever carries elbv2.k8s.aws/cluster; on every resource it would hand the controller the program's security groups; rename it",
        ]);
    });

    it("names a key a JavaScript object drops without a word", () => {
        const raw = pair((c) => (c.tags = JSON.parse('{"__proto__": "x", "owner": "me"}')));
        assert.deepEqual(problemsOf(raw), [
            "tags.__proto__: a JavaScript object cannot hold this key (the tag would be dropped without a word); rename it",
        ]);
    });

    it("knows every tag key the program sets, and the most it sets on one resource", async () => {
        const keys = new Set<string>();
        let most = 0;
        for (const config of [pairConfig(), trioConfig()]) {
            const run = await runProgram({ stack: "tags", config });
            const user = new Set(Object.keys(config.tags as Record<string, string>));
            for (const r of run.resources) {
                const own = Object.keys((r.inputs.tags ?? {}) as object).filter(
                    (k) => !user.has(k),
                );
                own.forEach((k) => keys.add(k));
                most = Math.max(most, own.length);
            }
        }
        assert.deepEqual([...keys].sort(), Object.keys(PROGRAM_TAGS).sort());
        assert.equal(most, PROGRAM_TAGS_PER_RESOURCE);
        assert.equal(LIMITS.tags.perResource - PROGRAM_TAGS_PER_RESOURCE, 44);
    });
});

describe("limits: cluster admins", () => {
    const admins = (a: string[]) => pair((c) => (c.clusterAdmins = a));

    it("takes IAM roles and users, with paths", () => {
        const ok = [
            "arn:aws:iam::123456789012:role/platform-admin",
            "arn:aws:iam::123456789012:role/teams/platform/deployer",
            "arn:aws:iam::210987654321:user/ops@example.com",
        ];
        assert.deepEqual(validateConfig(admins(ok), "p").clusterAdmins, ok);
    });

    it("refuses an STS session, naming the role ARN to use instead", () => {
        assert.deepEqual(
            problemsOf(admins(["arn:aws:sts::123456789012:assumed-role/Ops/jane@example.com"])),
            [
                "clusterAdmins[0]: \"arn:aws:sts::123456789012:assumed-role/Ops/jane@example.com\" is an STS session, which an EKS access entry cannot name; use the IAM role's ARN, arn:aws:iam::123456789012:role/Ops (with the role's path, if it has one)",
            ],
        );
    });

    it("refuses other partitions, the root, groups and malformed ARNs", () => {
        const like =
            "is not an IAM role or user ARN like arn:aws:iam::123456789012:role/platform-admin";
        assert.deepEqual(
            problemsOf(
                admins([
                    "arn:aws-cn:iam::123456789012:role/a",
                    "arn:aws:iam::123456789012:root",
                    "arn:aws:iam::123456789012:group/admins",
                    "arn:aws:iam::12345:role/a",
                    "arn:aws:iam::123456789012:role//a",
                    `arn:aws:iam::123456789012:role/${"r".repeat(65)}`,
                ]),
            ),
            [
                'clusterAdmins[0]: "arn:aws-cn:iam::123456789012:role/a" is in the aws-cn partition; every region the clusters may use is in AWS\'s commercial partition, whose ARNs start arn:aws:',
                `clusterAdmins[1]: "arn:aws:iam::123456789012:root" ${like}`,
                `clusterAdmins[2]: "arn:aws:iam::123456789012:group/admins" ${like}`,
                `clusterAdmins[3]: "arn:aws:iam::12345:role/a" ${like}`,
                `clusterAdmins[4]: "arn:aws:iam::123456789012:role//a" ${like}`,
                `clusterAdmins[5]: "arn:aws:iam::123456789012:role/${"r".repeat(65)}" ${like}`,
            ],
        );
        assert.ok(
            Object.keys(REGIONS).every((r) => !r.startsWith("cn-") && !r.startsWith("us-gov-")),
        );
    });

    it("refuses duplicates and two ARNs that would make one access entry", () => {
        const a = "arn:aws:iam::123456789012:role/admin";
        assert.deepEqual(problemsOf(admins([a, a, "arn:aws:iam::123456789012:user/x/ADMIN"])), [
            `clusterAdmins[1]: "${a}" is listed twice (also clusterAdmins[0]); list each principal once`,
            `clusterAdmins[2]: "arn:aws:iam::123456789012:user/x/ADMIN" and clusterAdmins[0] "${a}" would both be access entry "admin-admin", as the program names an entry by the ARN's last segment, so one would replace the other; grant one of them through a principal of another name`,
        ]);
    });

    it("checks the access entry names the cluster really uses", async () => {
        const arns = [
            "arn:aws:iam::123456789012:role/teams/platform.admin",
            "arn:aws:iam::123456789012:user/ci",
        ];
        const run = await runProgram({ stack: "admins", config: admins(arns) });
        const cluster = run.resources.find((r) => r.type === "eks:index:Cluster");
        assert.deepEqual(
            Object.keys(cluster?.inputs.accessEntries as object).sort(),
            arns.map(accessEntryName).sort(),
        );
        assert.deepEqual(arns.map(accessEntryName), ["admin-platform-admin", "admin-ci"]);
    });
});

describe("limits: the public endpoint", () => {
    const endpoint = (i: number, e: Record<string, unknown>) =>
        pair((c) => (c.clusters[i].endpoint = e));

    it("refuses every non-public range EKS refuses, and takes public and documentation blocks", () => {
        for (const range of NON_PUBLIC_RANGES) {
            assert.deepEqual(problemsOf(endpoint(0, { publicAccessCidrs: [range.cidr] })), [
                `clusters[0].endpoint.publicAccessCidrs[0]: "${range.cidr}" lies in ${range.cidr}, ${range.what}: no request from there reaches a public endpoint, and EKS refuses such blocks; give networks that reach the VPC endpoint.privateAccessCidrs instead`,
            ]);
        }
        const ok = ["0.0.0.0/0", "8.8.8.8/32", "203.0.113.0/24", "198.51.100.7/32", "192.0.2.0/24"];
        assert.deepEqual(
            validateConfig(endpoint(0, { publicAccessCidrs: ok }), "p").clusters[0].endpoint
                .publicAccessCidrs,
            ok,
        );
        assert.equal(nonPublicRange("192.168.4.0/24")?.cidr, "192.168.0.0/16");
        assert.equal(nonPublicRange("0.0.0.0/0"), undefined);
    });

    it("refuses a public endpoint that admits no one, saying what EKS would do", () => {
        const fix =
            'list the networks that deploy and operate the cluster (e.g. "198.51.100.7/32"), keep the default ["0.0.0.0/0"], or set publicAccess: false';
        assert.deepEqual(problemsOf(endpoint(1, { publicAccessCidrs: [] })), [
            `clusters[1].endpoint.publicAccessCidrs: [] is empty while publicAccess is true: the public endpoint would admit only the other clusters' NAT addresses, locking out every machine outside the VPC, the one running pulumi up among them; ${fix}`,
        ]);
        const alone = pair((c) => {
            c.clusters = [c.clusters[0]];
            c.clusters[0].endpoint = { publicAccessCidrs: [] };
        });
        assert.deepEqual(problemsOf(alone), [
            `clusters[0].endpoint.publicAccessCidrs: [] is empty while publicAccess is true: EKS reads an empty list as 0.0.0.0/0, admitting every address; ${fix}`,
        ]);
        assert.equal(
            validateConfig(endpoint(0, { publicAccess: false, publicAccessCidrs: [] }), "p")
                .clusters.length,
            2,
        );
    });

    it("counts the other clusters' NAT addresses the program adds against EKS's 40", () => {
        const blocks = (n: number) => Array.from({ length: n }, (_, i) => `198.51.100.${i}/32`);
        const perAz = (config: Config) => {
            config.clusters[1].natGateways = "perAz";
            config.clusters[1].availabilityZoneCount = 3;
            return config;
        };
        assert.equal(
            validateConfig(perAz(endpoint(0, { publicAccessCidrs: blocks(37) })), "p").clusters
                .length,
            2,
        );
        assert.deepEqual(problemsOf(perAz(endpoint(0, { publicAccessCidrs: blocks(38) }))), [
            "clusters[0].endpoint.publicAccessCidrs: 38 blocks, with the 3 NAT addresses of the stack's other clusters that the program adds (their istiod watches this API server), make 41; EKS takes at most 40 per cluster; list fewer, larger blocks, or open the endpoint to 0.0.0.0/0, to which the program adds nothing",
        ]);
        const open = ["0.0.0.0/0", ...blocks(40)];
        assert.deepEqual(problemsOf(endpoint(0, { publicAccessCidrs: open })), [
            "clusters[0].endpoint.publicAccessCidrs: 41 blocks; EKS takes at most 40 per cluster; list fewer, larger blocks",
        ]);
    });
});

describe("limits: clusters per stack", () => {
    it("takes 32 clusters and refuses 33, saying why", () => {
        const stack = (n: number) => ({
            ...pairConfig(),
            clusters: clusters(n),
            mesh: { addressSpace: ["10.0.0.0/8"] },
        });
        assert.equal(validateConfig(stack(32), "p").clusters.length, LIMITS.clustersPerStack);
        assert.deepEqual(problemsOf(stack(33)), [
            "clusters: 33 clusters; a stack takes at most 32 (each istiod watches every other cluster's API server); split the mesh into stacks that name each other in mesh.peers",
        ]);
    });
});

describe("limits: availability zones, at run time", () => {
    it("lists the zones a typical account sees, us-west-1's two among them", () => {
        assert.deepEqual(zonesOf("us-west-1"), ["us-west-1a", "us-west-1c"]);
        assert.deepEqual(zonesOf("ap-northeast-1"), [
            "ap-northeast-1a",
            "ap-northeast-1c",
            "ap-northeast-1d",
        ]);
        assert.deepEqual(Object.keys(AVAILABILITY_ZONES).sort(), Object.keys(REGIONS).sort());
        assert.ok(
            Object.keys(REGIONS).every((r) => zonesOf(r).length >= LIMITS.availabilityZones.min),
        );
        assert.throws(
            () => zonesOf("mars-north-1"),
            /no availability zones known offline for region mars-north-1/,
        );
    });

    it("fails before any subnet when the region offers fewer zones, naming key, region and zones", async () => {
        let monitor: RecordingMonitor | undefined;
        await assert.rejects(
            runProgram({
                stack: "zones",
                config: {},
                program: () => {
                    monitor = getMonitor() as unknown as RecordingMonitor;
                    const provider = new aws.Provider("usw1", { region: "us-west-1" });
                    new Network(
                        "west",
                        {
                            cidr: "10.30.0.0/16",
                            availabilityZoneCount: 3,
                            natGateways: "perAz",
                            tags: {},
                            region: "us-west-1",
                            availabilityZoneKey: "clusters[2].availabilityZoneCount",
                        },
                        { provider },
                    );
                },
            }),
            (err: Error) => {
                assert.equal(
                    err.message,
                    "clusters[2].availabilityZoneCount: 3 is more than the 2 availability zones us-west-1 offers this account (us-west-1a, us-west-1c); use 2, or another region",
                );
                return true;
            },
        );
        const types = new Set(monitor?.recorded().map((r) => r.type));
        assert.ok(types.has("aws:ec2/vpc:Vpc"), "the VPC does not wait for the zones");
        assert.equal(types.has("aws:ec2/subnet:Subnet"), false, "no subnet is created");
    });

    it("takes the region's zones in order when it offers enough", async () => {
        const config = pair((c) => {
            c.clusters[1].region = "us-west-1";
            c.clusters[1].availabilityZoneCount = 2;
        });
        const run = await runProgram({ stack: "zones", config });
        const zones = run.resources
            .filter((r) => r.type === "aws:ec2/subnet:Subnet" && r.name.startsWith("east-b-"))
            .map((r) => r.inputs.availabilityZone);
        assert.deepEqual([...new Set(zones)].sort(), ["us-west-1a", "us-west-1c"]);
    });
});

describe("limits: messages that named the wrong reason", () => {
    it("keeps a quoted scalar for a key whose values are text, as Pulumi hands it over", async () => {
        const load = async (config: Config): Promise<PlatformConfig | string[]> => {
            let result: PlatformConfig | string[] = [];
            await runProgram({
                stack: "text",
                config,
                program: () => {
                    try {
                        result = loadConfig();
                    } catch (err) {
                        result = (err as ConfigError).problems;
                    }
                },
            });
            return result;
        };
        const loaded = (await load({ ...pairConfig(), environment: "123" })) as PlatformConfig;
        assert.equal(loaded.environment, "123");
        assert.equal(loaded.mesh.meshId, "mesh-pair");
        // Read as JSON, "true" would be a boolean: "rootCaCertPem: true is not a string".
        assert.deepEqual(await load({ ...pairConfig(), rootCaCertPem: "true" }), [
            "rootCaKeyPem: is required when rootCaCertPem is set; set both or neither",
        ]);
        // A list is JSON whatever the key: still not an environment.
        assert.deepEqual(await load({ ...pairConfig(), environment: ["dev"] }), [
            'environment: ["dev"] is not a string',
        ]);
    });

    it("gives an unquoted Istio version the quoting hint a Kubernetes version gets", () => {
        const raw = pair((c) => (c.mesh.istioVersion = 1.3));
        assert.deepEqual(problemsOf(raw), [
            'mesh.istioVersion: 1.3 is a number; quote it (YAML reads 1.30 as 1.3), e.g. "1.31.1"',
        ]);
    });

    it("reports leading zeros as a malformed block, not as host bits", () => {
        assert.equal(cidrProblem("010.010.0.0/16"), "malformed");
        assert.equal(cidrProblem("10.10.0.0/08"), "malformed");
        assert.equal(cidrProblem("0.0.0.0/0"), undefined);
        assert.equal(hasLeadingZeros("10.010.0.0/16"), true);
        assert.equal(hasLeadingZeros("10.10.0.0/16"), false);
        assert.deepEqual(problemsOf(pair((c) => (c.clusters[0].vpcCidr = "010.010.0.0/16"))), [
            'clusters[0].vpcCidr: "010.010.0.0/16" is not an IPv4 CIDR block like 10.0.0.0/16 (AWS reads no leading zeros)',
        ]);
    });

    it("names each type as the configuration reference does, with its article", () => {
        const raw = pair((c) => {
            c.tags = ["a"];
            c.clusterAdmins = "arn";
            c.clusters[0].nodeGroup = [];
            c.clusters[0].deletionProtection = "no";
            c.clusters[0].availabilityZoneCount = 2.5;
            c.clusters[0].kubernetesVersion = null;
            c.clusters[1].nodeGroup.minSize = "1";
            c.clusters[1].nodeGroup.maxSize = 2 ** 60;
            c.clusters[1].name = false;
        });
        assert.deepEqual(problemsOf(raw), [
            'tags: ["a"] is not a map',
            'clusterAdmins: "arn" is not a list',
            "clusters[0].kubernetesVersion: null is not a string; YAML reads a key with nothing after the colon as null",
            "clusters[0].availabilityZoneCount: 2.5 is not a whole number",
            "clusters[0].nodeGroup: [] is not an object",
            'clusters[0].deletionProtection: "no" is not a boolean',
            "clusters[1].name: false is not a string; quote it",
            'clusters[1].nodeGroup.minSize: "1" is not a number',
            "clusters[1].nodeGroup.maxSize: 1152921504606847000 is above 9007199254740991, beyond the whole numbers a configuration value holds exactly",
        ]);
    });

    it("looks names up as the table's own, not as what every object answers to", () => {
        const raw = pair((c) => {
            c.clusters[1].region = "toString";
            c.tags = { constructor: "platform" };
        });
        assert.deepEqual(
            problemsOf(raw).map((p) => p.split(";")[0]),
            ['clusters[1].region: "toString" is not a supported AWS region'],
        );
        assert.deepEqual(
            validateConfig(
                pair((c) => (c.tags = { constructor: "x" })),
                "p",
            ).tags,
            {
                constructor: "x",
            },
        );
    });

    it("refuses YAML's infinities and NaN, which JSON cannot carry, naming the key", () => {
        for (const [value, written] of [
            [Infinity, ".inf"],
            [-Infinity, "-.inf"],
            [NaN, ".nan"],
        ] as const) {
            assert.throws(
                () => toConfigMap("p", { clusters: [{ nodeGroup: { maxSize: value } }] }, "f.yaml"),
                (err: Error) =>
                    err instanceof OfflineConfigError &&
                    err.message ===
                        `f.yaml: p:clusters[0].nodeGroup.maxSize is ${written}, which is no number a configuration value can hold (Pulumi hands configuration to the program as JSON, which has no infinities and no NaN); write a number`,
            );
        }
    });
});

describe("limits: the plan CLI's stack names and files", () => {
    function capture(): { io: Io; err: string[] } {
        const err: string[] = [];
        return { io: { stdout: () => undefined, stderr: (t) => err.push(t) }, err };
    }

    it("takes Pulumi's stack names only, and names the file a qualified one means", () => {
        assert.equal(stackNameProblem("dev"), undefined);
        assert.equal(stackNameProblem("prod-eu_2.a"), undefined);
        assert.equal(
            stackNameProblem("../../etc/passwd"),
            '--stack: "../../etc/passwd" is not a stack name; Pulumi\'s are letters, digits, -, _ and . (at most 100), and with a / it would name a file outside the project',
        );
        assert.equal(
            stackNameProblem("x".repeat(101)),
            `--stack: "${"x".repeat(101)}" is not a stack name; Pulumi's are letters, digits, -, _ and . (at most 100)`,
        );
        assert.equal(
            stackNameProblem("acme/dev"),
            '--stack: "acme/dev" is a fully qualified stack name; give the stack\'s own name, the <stack> of Pulumi.<stack>.yaml ("dev")',
        );
    });

    it("exits 2 on an unknown stack, naming the stacks there are", async () => {
        assert.deepEqual(stacksIn(PROJECT_DIR), ["dev", "prod"]);
        const { io, err } = capture();
        assert.equal(await plan(["--stack", "staging"], io), 2);
        assert.equal(
            err.join(""),
            `--stack: there is no stack "staging" (no Pulumi.staging.yaml in ${PROJECT_DIR}); the stacks are dev, prod, or pass --config FILE\n${USAGE}`,
        );
    });

    it("exits 2 on a missing or unreadable file, with its path", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "eks-ambient-mesh-files-"));
        try {
            const missing = path.join(dir, "missing.yaml");
            for (const [argv, message] of [
                [["--stack", "dev", "--config", missing], `--config: ${missing} does not exist`],
                [
                    ["--stack", "dev", "--config", dir],
                    `--config: ${dir} is a directory, not a file`,
                ],
                [
                    ["--stack", "dev", "--policy-config", missing],
                    `--policy-config: ${missing} does not exist`,
                ],
                [
                    ["--stack", "dev", "--out", path.join(dir, "no", "plan.json")],
                    `--out: ${path.join(dir, "no", "plan.json")} cannot be written; there is no folder ${path.join(dir, "no")}`,
                ],
            ] as const) {
                const { io, err } = capture();
                assert.equal(await plan(argv, io), 2, message);
                assert.equal(err.join(""), `${message}\n${USAGE}`);
            }
            assert.equal(fileProblem("--config", missing), `--config: ${missing} does not exist`);
            assert.equal(outProblem("--out", path.join(dir, "plan.json")), undefined);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("graph and timeline take the same stack names, before writing anything", async () => {
        for (const main of [graph, timeline]) {
            const { io, err } = capture();
            assert.equal(await main(["--stack", "../x"], io), 2);
            assert.match(err.join(""), /^--stack: "\.\.\/x" is not a stack name/);
        }
    });
});
