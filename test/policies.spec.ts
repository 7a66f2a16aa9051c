import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import {
    EvaluateOptions,
    evaluatePlan as evaluateAnyDay,
    PlanInput,
    PolicyViolationRecord,
} from "../policies/evaluate";
import * as rules from "../policies/rules";
import {
    CONTROL_PLANE_LOG_TYPES,
    DEFAULT_ISTIO_CHART_REPOSITORY,
    EKS_CALENDAR,
    EKS_PRICING,
    INSTANCE_FAMILIES_WITHOUT_TRUNK_ENI,
    ISTIO_OCI_CHART_REPOSITORY,
    ISTIO_RELEASES,
    KUBERNETES_VERSIONS,
    MANAGED_POLICIES,
    NODE_AMI_TYPES,
} from "../components/versions";
import {
    AnyEntry,
    argsOf,
    ArgsOptions,
    NOT_APPLICABLE,
    reportsOf,
    STACK_URN,
    stackReportsOf,
    TEST_DAY,
    tokenEntry,
    UNKNOWN,
    UNKNOWN_OBJECT,
    urnOf,
} from "./fixtures/policy-harness";
import {
    chartV4,
    entriesOf,
    kubeconfig,
    meshStack,
    pem,
    planOf,
    securityGroup,
    securityGroupRule,
    sidecarEastWest,
    TAGS,
} from "./fixtures/policy-mesh";

/**
 * Each rule of the policy pack against the compliant mesh fixture and against one change that
 * breaks it. Rules run with fake analyzer arguments, without starting a policy pack.
 */

const POLICIES_DIR = path.join(__dirname, "..", "policies");

/** The pack over a plan, judged on the specs' pinned day unless the options say otherwise. */
function evaluatePlan(plan: PlanInput, options: EvaluateOptions = {}) {
    return evaluateAnyDay(plan, { asOf: TEST_DAY, ...options });
}

function check(
    policy: ResourceValidationPolicy,
    e: AnyEntry,
    options: ArgsOptions = {},
): string[] | typeof NOT_APPLICABLE {
    return reportsOf(policy, argsOf(e, options));
}

function checkStack(
    policy: StackValidationPolicy,
    entries: AnyEntry[],
    config: Record<string, unknown> = {},
): ReturnType<typeof stackReportsOf> {
    return stackReportsOf(policy, entries, config);
}

describe("policy pack: structure", () => {
    it("has at least 25 rules with unique kebab-case names", () => {
        const names = rules.policies.map((p) => p.name);
        assert.ok(names.length >= 25, `only ${names.length} rules`);
        assert.equal(new Set(names).size, names.length);
        for (const name of names) {
            assert.match(name, /^[a-z0-9]+(-[a-z0-9]+)*$/);
        }
    });

    it("describes every rule in one sentence", () => {
        for (const p of rules.policies) {
            assert.match(p.description, /^[A-Z][^]*\.$/, p.name);
            assert.doesNotMatch(p.description.slice(0, -1), /[.!?]\s/, p.name);
        }
    });

    it("gives every rule its own enforcement level, mandatory or advisory", () => {
        const levels = new Set(rules.policies.map((p) => p.enforcementLevel));
        assert.deepEqual([...levels].sort(), ["advisory", "mandatory"]);
    });

    it("documents a default for every configSchema property", () => {
        for (const p of rules.policies) {
            for (const [key, schema] of Object.entries(p.configSchema?.properties ?? {})) {
                assert.notEqual(key, "enforcementLevel", p.name);
                // Without `asOf` a calendar rule judges on the day it runs: no fixed default.
                assert.ok(
                    typeof schema === "object" && (schema.default !== undefined || key === "asOf"),
                    key,
                );
                assert.ok(typeof schema === "object" && schema.description, key);
            }
        }
    });

    it("constructs the PolicyPack only in policies/index.ts, so the rules import without a server", () => {
        const sources = ["evaluate.ts", ...fs.readdirSync(path.join(POLICIES_DIR, "rules"))]
            .map((f) => (f.startsWith("evaluate") ? f : path.join("rules", f)))
            .filter((f) => f.endsWith(".ts"));
        for (const file of sources) {
            const text = fs.readFileSync(path.join(POLICIES_DIR, file), "utf8");
            // Code lines only: comments may explain why the pack is not constructed here.
            assert.doesNotMatch(text, /^(?!\s*(\/\/|\*|\/\*)).*new PolicyPack\(/m, file);
        }
        const index = fs.readFileSync(path.join(POLICIES_DIR, "index.ts"), "utf8");
        assert.match(index, /new PolicyPack\(packName, \{ policies, enforcementLevel:/);
    });

    it("lists every rule with its kind and level in the README", () => {
        // The rules table lives in the project README's Policies section.
        const readme = fs.readFileSync(path.join(POLICIES_DIR, "..", "README.md"), "utf8");
        // Prettier pads table cells, so rows compare cell by cell.
        const rows = readme
            .split("\n")
            .filter((line) => line.startsWith("| `"))
            .map((line) =>
                line
                    .split("|")
                    .slice(1, -1)
                    .map((cell) => cell.trim()),
            );
        for (const p of rules.policies) {
            const kind = "validateStack" in p ? "stack" : "resource";
            const row = [`\`${p.name}\``, kind, p.enforcementLevel, p.description];
            assert.ok(
                rows.some((r) => JSON.stringify(r) === JSON.stringify(row)),
                `README lacks ${p.name}`,
            );
        }
        const counts = rules.policies.reduce(
            (acc, p) => ({
                ...acc,
                [p.enforcementLevel as string]: (acc[p.enforcementLevel as string] ?? 0) + 1,
            }),
            {} as Record<string, number>,
        );
        assert.ok(
            readme.includes(
                `**${rules.policies.length} rules, ${counts.mandatory} mandatory and ${counts.advisory} advisory**`,
            ),
        );
    });

    it("keeps its defaults in step with the program's versions table, which it cannot import", () => {
        const defaults = (policy: { configSchema?: { properties: object } }) =>
            Object.fromEntries(
                Object.entries(policy.configSchema?.properties ?? {}).map(([k, v]) => [
                    k,
                    (v as { default: unknown }).default,
                ]),
            );
        assert.deepEqual(defaults(rules.eksKubernetesVersion).allowedVersions, KUBERNETES_VERSIONS);
        assert.deepEqual(defaults(rules.eksVersionEndOfSupport).calendar, EKS_CALENDAR);
        assert.deepEqual(defaults(rules.eksVersionExtendedSupport).calendar, EKS_CALENDAR);
        assert.deepEqual(
            [
                defaults(rules.eksVersionExtendedSupport).standardPerClusterHourUsd,
                defaults(rules.eksVersionExtendedSupport).extendedPerClusterHourUsd,
                defaults(rules.eksVersionExtendedSupport).hoursPerMonth,
            ],
            [
                EKS_PRICING.standardPerClusterHourUsd,
                EKS_PRICING.extendedPerClusterHourUsd,
                EKS_PRICING.hoursPerMonth,
            ],
        );
        assert.deepEqual(
            defaults(rules.istioVersionEndOfLife).endOfLife,
            Object.fromEntries(
                Object.entries(ISTIO_RELEASES).flatMap(([minor, r]) =>
                    r.endOfLife === undefined ? [] : [[minor, r.endOfLife]],
                ),
            ),
        );
        assert.deepEqual(defaults(rules.istioRepositoryAllowed).allowedRepositories, [
            DEFAULT_ISTIO_CHART_REPOSITORY,
            ISTIO_OCI_CHART_REPOSITORY,
        ]);
        assert.deepEqual(
            defaults(rules.eksControlPlaneLogging).requiredLogTypes,
            CONTROL_PLANE_LOG_TYPES,
        );
        assert.deepEqual(
            (defaults(rules.eksClusterRolePolicies).requiredPolicies as string[]).map(
                (name) => `arn:aws:iam::aws:policy/${name}`,
            ),
            MANAGED_POLICIES.cluster,
        );
        assert.ok(
            (defaults(rules.istioRepositoryAllowed).allowedRepositories as string[]).includes(
                DEFAULT_ISTIO_CHART_REPOSITORY,
            ),
        );
        const forbidden = new RegExp(
            defaults(rules.nodeGroupInstanceTypes).forbiddenInstanceTypePattern as string,
        );
        for (const type of ["t3.large", "t4g.medium", "m6i.large", "c7g.xlarge", "r6a.2xlarge"]) {
            const family = type.split(".")[0];
            assert.equal(
                forbidden.test(type),
                INSTANCE_FAMILIES_WITHOUT_TRUNK_ENI.test(family),
                type,
            );
        }
        const ami = new RegExp(defaults(rules.nodeGroupAmi).allowedAmiTypePattern as string);
        for (const type of Object.values(NODE_AMI_TYPES)) {
            assert.match(type, ami);
        }
    });

    it("is a standalone Node.js pack with exact pins (@pulumi/pulumi 3.248.0 for Node 20)", () => {
        const yaml = fs.readFileSync(path.join(POLICIES_DIR, "PulumiPolicy.yaml"), "utf8");
        assert.match(yaml, /^runtime: nodejs$/m);
        assert.match(yaml, /^description: \S/m);
        const pkg = JSON.parse(
            fs.readFileSync(path.join(POLICIES_DIR, "package.json"), "utf8"),
        ) as { name: string; dependencies: Record<string, string> };
        assert.equal(pkg.name, "eks-ambient-mesh-policies");
        assert.equal(pkg.dependencies["@pulumi/policy"], "1.21.0");
        assert.equal(pkg.dependencies["@pulumi/pulumi"], "3.248.0");
        for (const version of Object.values(pkg.dependencies)) {
            assert.match(version, /^\d+\.\d+\.\d+$/);
        }
    });
});

describe("policy: EKS clusters", () => {
    const cluster = () => meshStack().a.cluster;

    it("eks-kubernetes-version-allowed accepts Kubernetes 1.35", () => {
        assert.deepEqual(check(rules.eksKubernetesVersion, cluster()), []);
    });

    it("eks-kubernetes-version-allowed rejects Kubernetes 1.27", () => {
        const c = cluster();
        c.props.version = "1.27";
        assert.deepEqual(check(rules.eksKubernetesVersion, c), [
            'version "1.27" is not allowed; use one of 1.28, 1.29, 1.30, 1.31, 1.32, 1.33, 1.34, 1.35.',
        ]);
    });

    it("eks-kubernetes-version-allowed rejects a cluster without a pinned version", () => {
        const c = cluster();
        delete c.props.version;
        assert.deepEqual(check(rules.eksKubernetesVersion, c), [
            "version is not set, so EKS picks its own default; pin one of 1.28, 1.29, 1.30, 1.31, 1.32, 1.33, 1.34, 1.35.",
        ]);
    });

    it("eks-version-extended-support accepts a version in standard support", () => {
        assert.deepEqual(check(rules.eksVersionExtendedSupport, cluster()), []);
    });

    it("eks-version-extended-support names the dates and the extra cost of extended support", () => {
        const c = cluster();
        c.props.version = "1.32";
        assert.deepEqual(check(rules.eksVersionExtendedSupport, c), [
            'version "1.32" left EKS standard support on 2026-03-23 and is in extended support ' +
                "until 2027-03-23 (judged on 2026-11-30): the control plane costs $0.60 instead " +
                "of $0.10 per cluster-hour, $0.50 more per hour and about $365.00 more per month; " +
                "upgrade to a version in standard support: 1.34 (standard support until " +
                "2026-12-02), 1.35 (standard support until 2027-03-27).",
        ]);
        // The last day of standard support is still standard.
        assert.deepEqual(
            check(rules.eksVersionExtendedSupport, c, { config: { asOf: "2026-03-23" } }),
            [],
        );
        // Past extended support is the mandatory rule's, not this one's.
        assert.deepEqual(
            check(rules.eksVersionExtendedSupport, c, { config: { asOf: "2027-03-24" } }),
            [],
        );
    });

    it("eks-version-end-of-support accepts a version EKS still creates", () => {
        const c = cluster();
        c.props.version = "1.32";
        assert.deepEqual(check(rules.eksVersionEndOfSupport, c), []);
        assert.deepEqual(
            check(rules.eksVersionEndOfSupport, c, { config: { asOf: "2027-03-23" } }),
            [],
        );
    });

    it("eks-version-end-of-support rejects a version past extended support, naming the date", () => {
        const c = cluster();
        c.props.version = "1.31";
        assert.deepEqual(check(rules.eksVersionEndOfSupport, c), [
            'version "1.31" left EKS extended support on 2026-11-26 (judged on 2026-11-30): EKS ' +
                "creates no cluster on it and upgrades existing ones on its own; use 1.34 " +
                "(standard support until 2026-12-02), 1.35 (standard support until 2027-03-27).",
        ]);
        c.props.version = "1.32";
        assert.deepEqual(
            check(rules.eksVersionEndOfSupport, c, { config: { asOf: "2027-04-01" } }),
            [
                'version "1.32" left EKS extended support on 2027-03-23 (judged on 2027-04-01): ' +
                    "EKS creates no cluster on it and upgrades existing ones on its own; use 1.33 " +
                    "(extended support until 2027-07-29), 1.34 (extended support until " +
                    "2027-12-02), 1.35 (extended support until 2028-03-27).",
            ],
        );
    });

    it("eks-version-end-of-support rejects a version EKS has not released by the day judged", () => {
        const c = cluster();
        assert.deepEqual(
            check(rules.eksVersionEndOfSupport, c, { config: { asOf: "2026-01-01" } }),
            [
                'version "1.35" is not released on EKS until 2026-01-27 (judged on 2026-01-01), ' +
                    "so EKS cannot create it yet; use 1.32 (standard support until 2026-03-23), " +
                    "1.33 (standard support until 2026-07-29), 1.34 (standard support until " +
                    "2026-12-02).",
            ],
        );
    });

    it("eks-version-end-of-support takes the calendar from the pack config", () => {
        const c = cluster();
        c.props.version = "1.36";
        const calendar = {
            "1.36": {
                released: "2026-06-01",
                endOfStandardSupport: "2027-08-01",
                endOfExtendedSupport: "2028-08-01",
            },
        };
        assert.deepEqual(check(rules.eksVersionEndOfSupport, c, { config: { calendar } }), []);
        assert.deepEqual(
            check(rules.eksVersionEndOfSupport, c, {
                config: { calendar, asOf: "2028-08-02" },
            }).length,
            1,
        );
    });

    it("eks-kubernetes-version-allowed takes the allowed versions from the pack config", () => {
        assert.deepEqual(
            check(rules.eksKubernetesVersion, cluster(), {
                config: { allowedVersions: ["1.33"] },
            }),
            ['version "1.35" is not allowed; use one of 1.33.'],
        );
    });

    it("eks-control-plane-logging accepts all five log types", () => {
        assert.deepEqual(check(rules.eksControlPlaneLogging, cluster()), []);
    });

    it("eks-control-plane-logging rejects a cluster without audit and scheduler logs", () => {
        const c = cluster();
        c.props.enabledClusterLogTypes = ["api", "authenticator", "controllerManager"];
        assert.deepEqual(check(rules.eksControlPlaneLogging, c), [
            "enabledClusterLogTypes lacks audit, scheduler; enable api, audit, authenticator, " +
                "controllerManager, scheduler so control-plane activity is audited.",
        ]);
    });

    it("eks-secrets-encryption accepts a KMS key for Secrets", () => {
        assert.deepEqual(check(rules.eksSecretsEncryption, cluster()), []);
    });

    it("eks-secrets-encryption rejects a cluster without a KMS key", () => {
        const c = cluster();
        delete c.props.encryptionConfigKeyArn;
        assert.deepEqual(check(rules.eksSecretsEncryption, c), [
            "encryptionConfigKeyArn is not set, so Secrets (the mesh CA key in cacerts, " +
                "remote-cluster tokens) are stored without envelope encryption; set a KMS key ARN.",
        ]);
    });

    it("eks-private-endpoint-enabled accepts a private endpoint", () => {
        assert.deepEqual(check(rules.eksPrivateEndpoint, cluster()), []);
    });

    it("eks-private-endpoint-enabled rejects a cluster without the private endpoint", () => {
        const c = cluster();
        c.props.endpointPrivateAccess = false;
        assert.deepEqual(check(rules.eksPrivateEndpoint, c), [
            "endpointPrivateAccess is not true; the other clusters' istiod reach this API " +
                "server over the Transit Gateway, so the private endpoint must be on.",
        ]);
    });

    it("eks-public-endpoint-restricted accepts a public endpoint limited to known networks", () => {
        const c = cluster();
        c.props.endpointPublicAccess = true;
        c.props.publicAccessCidrs = ["203.0.113.0/24"];
        assert.deepEqual(check(rules.eksPublicEndpointRestricted, c), []);
    });

    it("eks-public-endpoint-restricted flags a public endpoint open to 0.0.0.0/0", () => {
        const c = cluster();
        c.props.endpointPublicAccess = true;
        c.props.publicAccessCidrs = ["0.0.0.0/0"];
        assert.deepEqual(check(rules.eksPublicEndpointRestricted, c), [
            "the public API endpoint is open to 0.0.0.0/0; restrict publicAccessCidrs to known " +
                "networks or set endpointPublicAccess to false.",
        ]);
    });

    it("eks-public-endpoint-restricted flags pulumi-eks' default: public and open", () => {
        const c = cluster();
        delete c.props.endpointPublicAccess;
        assert.deepEqual(check(rules.eksPublicEndpointRestricted, c), [
            "the public API endpoint is open to 0.0.0.0/0 (the default); restrict " +
                "publicAccessCidrs to known networks or set endpointPublicAccess to false.",
        ]);
    });

    it("eks-authentication-mode-api accepts API mode", () => {
        assert.deepEqual(check(rules.eksAuthenticationMode, cluster()), []);
    });

    it("eks-authentication-mode-api rejects API_AND_CONFIG_MAP", () => {
        const c = cluster();
        c.props.authenticationMode = "API_AND_CONFIG_MAP";
        assert.deepEqual(check(rules.eksAuthenticationMode, c), [
            'authenticationMode "API_AND_CONFIG_MAP" is not allowed; use API.',
        ]);
    });

    it("eks-authentication-mode-api rejects a cluster that leaves the mode unset", () => {
        const c = cluster();
        delete c.props.authenticationMode;
        assert.deepEqual(check(rules.eksAuthenticationMode, c), [
            "authenticationMode is not set; use API.",
        ]);
    });

    it("eks-vpc-cni-pod-eni accepts pod ENIs on", () => {
        assert.deepEqual(check(rules.eksVpcCniPodEni, cluster()), []);
    });

    it("eks-vpc-cni-pod-eni rejects pod ENIs off", () => {
        const c = cluster();
        c.props.vpcCniOptions = { ...c.props.vpcCniOptions, enablePodEni: false };
        assert.deepEqual(check(rules.eksVpcCniPodEni, c), [
            "vpcCniOptions.enablePodEni is not true; the platform isolates pods with security " +
                "groups for pods, which need pod ENIs.",
        ]);
    });

    it("eks-vpc-cni-standard-enforcing-mode accepts the standard mode", () => {
        assert.deepEqual(check(rules.eksVpcCniEnforcingMode, cluster()), []);
    });

    it("eks-vpc-cni-standard-enforcing-mode rejects the strict mode", () => {
        const c = cluster();
        c.props.vpcCniOptions = {
            ...c.props.vpcCniOptions,
            configurationValues: { env: { POD_SECURITY_GROUP_ENFORCING_MODE: "strict" } },
        };
        assert.deepEqual(check(rules.eksVpcCniEnforcingMode, c), [
            'vpcCniOptions.configurationValues.env.POD_SECURITY_GROUP_ENFORCING_MODE is "strict"; ' +
                'set "standard", or the link-local health probes that Istio rewrites are dropped.',
        ]);
    });

    it("eks-vpc-cni-standard-enforcing-mode rejects leaving the mode at the CNI's strict default", () => {
        const c = cluster();
        c.props.vpcCniOptions = { ...c.props.vpcCniOptions, configurationValues: {} };
        assert.deepEqual(check(rules.eksVpcCniEnforcingMode, c), [
            "vpcCniOptions.configurationValues.env.POD_SECURITY_GROUP_ENFORCING_MODE is not set " +
                '(strict); set "standard", or the link-local health probes that Istio rewrites ' +
                "are dropped.",
        ]);
    });

    it("eks-vpc-cni-standard-enforcing-mode reads configurationValues given as JSON text", () => {
        const c = cluster();
        const json = JSON.stringify({ env: { POD_SECURITY_GROUP_ENFORCING_MODE: "standard" } });
        c.props.vpcCniOptions = {
            ...c.props.vpcCniOptions,
            configurationValues: json as unknown as Record<string, unknown>,
        };
        assert.deepEqual(check(rules.eksVpcCniEnforcingMode, c), []);
    });

    it("eks-vpc-cni-tcp-early-demux-disabled accepts early demux off", () => {
        assert.deepEqual(check(rules.eksVpcCniTcpEarlyDemux, cluster()), []);
    });

    it("eks-vpc-cni-tcp-early-demux-disabled rejects early demux on with pod ENIs", () => {
        const c = cluster();
        c.props.vpcCniOptions = { ...c.props.vpcCniOptions, disableTcpEarlyDemux: false };
        assert.deepEqual(check(rules.eksVpcCniTcpEarlyDemux, c), [
            "vpcCniOptions.disableTcpEarlyDemux is not true; kubelet TCP probes to pods with " +
                "their own security groups (and Istio's probe fix) need TCP early demux off.",
        ]);
    });

    it("eks-vpc-cni-tcp-early-demux-disabled accepts the init container's DISABLE_TCP_EARLY_DEMUX", () => {
        const c = cluster();
        c.props.vpcCniOptions = {
            enablePodEni: true,
            configurationValues: {
                env: { POD_SECURITY_GROUP_ENFORCING_MODE: "standard" },
                init: { env: { DISABLE_TCP_EARLY_DEMUX: "true" } },
            },
        };
        assert.deepEqual(check(rules.eksVpcCniTcpEarlyDemux, c), []);
    });

    it("eks-default-node-group-instance-type accepts a cluster without the default node group", () => {
        assert.deepEqual(check(rules.eksDefaultNodeGroup, cluster()), []);
    });

    it("eks-default-node-group-instance-type rejects the default node group's t3.medium", () => {
        const c = cluster();
        c.props.skipDefaultNodeGroup = false;
        assert.deepEqual(check(rules.eksDefaultNodeGroup, c), [
            'the default node group uses instance type "t3.medium" (pulumi-eks\' default), ' +
                "which matches ^t[0-9]; set skipDefaultNodeGroup and use managed node groups, as " +
                "security groups for pods need trunk ENIs.",
        ]);
    });

    it("eks-default-node-group-instance-type accepts a default node group on m6i.large", () => {
        const c = cluster();
        c.props.skipDefaultNodeGroup = false;
        c.props.instanceType = "m6i.large";
        assert.deepEqual(check(rules.eksDefaultNodeGroup, c), []);
    });

    it("eks-deletion-protection does not ask a dev cluster for deletion protection", () => {
        assert.deepEqual(check(rules.eksDeletionProtection, cluster()), []);
    });

    it("eks-deletion-protection flags a prod cluster without deletion protection", () => {
        const c = cluster();
        c.props.tags = { ...TAGS, environment: "prod" };
        assert.deepEqual(check(rules.eksDeletionProtection, c), [
            "deletionProtection is not true on a cluster tagged environment=prod; turn it on.",
        ]);
    });

    it("eks-deletion-protection accepts a protected prod cluster", () => {
        const c = cluster();
        c.props.tags = { ...TAGS, environment: "prod" };
        c.props.deletionProtection = true;
        assert.deepEqual(check(rules.eksDeletionProtection, c), []);
    });

    it("EKS cluster rules do not apply to other resource types", () => {
        assert.equal(check(rules.eksKubernetesVersion, meshStack().a.vpc), NOT_APPLICABLE);
    });
});

describe("policy: EKS managed node groups", () => {
    const nodes = () => meshStack().a.nodes;

    it("eks-node-group-instance-types accepts m6i.large", () => {
        assert.deepEqual(check(rules.nodeGroupInstanceTypes, nodes()), []);
    });

    it("eks-node-group-instance-types rejects t-family instances", () => {
        const n = nodes();
        n.props.instanceTypes = ["m6i.large", "t3.large"];
        assert.deepEqual(check(rules.nodeGroupInstanceTypes, n), [
            'instance type "t3.large" matches ^t[0-9]; t-family instances have no trunk ENI ' +
                "for security groups for pods.",
        ]);
    });

    it("eks-node-group-instance-types rejects a node group that leaves EKS to pick t3.medium", () => {
        const n = nodes();
        delete n.props.instanceTypes;
        assert.deepEqual(check(rules.nodeGroupInstanceTypes, n), [
            "instanceTypes is not set, so EKS uses t3.medium; list instance types outside the " +
                "t-family, as security groups for pods need trunk ENIs.",
        ]);
    });

    it("eks-node-group-instance-types takes an allowed pattern from the pack config", () => {
        const n = nodes();
        n.props.instanceTypes = ["c6i.large"];
        assert.deepEqual(
            check(rules.nodeGroupInstanceTypes, n, {
                config: { allowedInstanceTypePattern: "^m6[ia]\\." },
            }),
            ['instance type "c6i.large" does not match ^m6[ia]\\..'],
        );
    });

    it("eks-node-group-scaling-consistent accepts min 2, desired 2, max 4", () => {
        assert.deepEqual(check(rules.nodeGroupScaling, nodes()), []);
    });

    it("eks-node-group-scaling-consistent rejects a desired size below the minimum", () => {
        const n = nodes();
        n.props.scalingConfig = { minSize: 3, desiredSize: 2, maxSize: 4 };
        assert.deepEqual(check(rules.nodeGroupScaling, n), [
            "scalingConfig has minSize 3, desiredSize 2, maxSize 4; it needs minSize <= " +
                "desiredSize <= maxSize and maxSize >= 1.",
        ]);
    });

    it("eks-node-group-al2023 accepts an AL2023 AMI type", () => {
        assert.deepEqual(check(rules.nodeGroupAmi, nodes()), []);
    });

    it("eks-node-group-al2023 rejects Amazon Linux 2", () => {
        const n = nodes();
        n.props.amiType = "AL2_x86_64";
        assert.deepEqual(check(rules.nodeGroupAmi, n), [
            'amiType "AL2_x86_64" does not match ^AL2023_; Amazon Linux 2 reached end of ' +
                "support and has no AMIs past Kubernetes 1.32.",
        ]);
    });

    it("eks-node-group-al2023 rejects a node group that pins neither AMI type nor OS", () => {
        const n = nodes();
        delete n.props.amiType;
        assert.deepEqual(check(rules.nodeGroupAmi, n), [
            "amiType is not set and operatingSystem is not set; pin an amiType matching ^AL2023_.",
        ]);
    });

    it("eks-node-group-al2023 accepts pulumi-eks' operatingSystem AL2023", () => {
        const n = nodes();
        delete n.props.amiType;
        n.props.operatingSystem = "AL2023";
        assert.deepEqual(check(rules.nodeGroupAmi, n), []);
    });
});

describe("policy: VPC, Transit Gateway, security groups, KMS", () => {
    it("vpc-cidr-size accepts a /16 VPC", () => {
        assert.deepEqual(check(rules.vpcCidrSize, meshStack().a.vpc), []);
    });

    it("vpc-cidr-size flags a /24 VPC as too small for pods", () => {
        const vpc = meshStack().a.vpc;
        vpc.props.cidrBlock = "10.10.0.0/24";
        assert.deepEqual(check(rules.vpcCidrSize, vpc), [
            "cidrBlock 10.10.0.0/24 is smaller than /20; every pod takes a VPC address with " +
                "the VPC CNI, so the cluster would run out of IPs.",
        ]);
    });

    it("vpc-dns-enabled accepts DNS support and hostnames on", () => {
        assert.deepEqual(check(rules.vpcDns, meshStack().a.vpc), []);
    });

    it("vpc-dns-enabled rejects a VPC that leaves DNS hostnames at AWS's default (off)", () => {
        const vpc = meshStack().a.vpc;
        delete vpc.props.enableDnsHostnames;
        assert.deepEqual(check(rules.vpcDns, vpc), [
            "enableDnsHostnames is not true; the private EKS API endpoint's name only resolves " +
                "inside VPCs with DNS hostnames on.",
        ]);
    });

    it("vpc-dns-enabled rejects DNS support off", () => {
        const vpc = meshStack().a.vpc;
        vpc.props.enableDnsSupport = false;
        assert.deepEqual(check(rules.vpcDns, vpc), [
            "enableDnsSupport is false; the private EKS API endpoint needs VPC DNS.",
        ]);
    });

    it("tgw-auto-accept-shared-attachments-disabled accepts auto-accept off", () => {
        assert.deepEqual(check(rules.transitGatewayAutoAccept, meshStack().tgw), []);
    });

    it("tgw-auto-accept-shared-attachments-disabled rejects auto-accept on", () => {
        const tgw = meshStack().tgw;
        tgw.props.autoAcceptSharedAttachments = "enable";
        assert.deepEqual(check(rules.transitGatewayAutoAccept, tgw), [
            'autoAcceptSharedAttachments is "enable"; any account the gateway is shared with ' +
                'could join the mesh network. Set "disable".',
        ]);
    });

    it("security-group-no-world-ingress accepts ingress from a peer VPC", () => {
        assert.deepEqual(check(rules.securityGroupNoWorldIngress, meshStack().a.apiIngress), []);
        assert.deepEqual(check(rules.securityGroupNoWorldIngress, securityGroupRule()), []);
        assert.deepEqual(check(rules.securityGroupNoWorldIngress, securityGroup()), []);
    });

    it("security-group-no-world-ingress rejects the API port open to 0.0.0.0/0", () => {
        const rule = meshStack().a.apiIngress;
        rule.props.cidrIpv4 = "0.0.0.0/0";
        assert.deepEqual(check(rules.securityGroupNoWorldIngress, rule), [
            "ingress from 0.0.0.0/0 to port 443 opens the cluster to the internet; allow peer " +
                "VPC CIDRs or known networks instead.",
        ]);
    });

    it("security-group-no-world-ingress allows ::/0 on a port listed in allowedPorts", () => {
        const rule = meshStack().a.apiIngress;
        delete rule.props.cidrIpv4;
        rule.props.cidrIpv6 = "::/0";
        assert.deepEqual(
            check(rules.securityGroupNoWorldIngress, rule, { config: { allowedPorts: [443] } }),
            [],
        );
    });

    it("security-group-no-world-ingress rejects a world-open port range in a SecurityGroupRule", () => {
        const rule = securityGroupRule();
        rule.props.cidrBlocks = ["0.0.0.0/0"];
        rule.props.fromPort = 30000;
        rule.props.toPort = 32767;
        assert.deepEqual(check(rules.securityGroupNoWorldIngress, rule), [
            "ingress from 0.0.0.0/0 to ports 30000-32767 opens the cluster to the internet; " +
                "allow peer VPC CIDRs or known networks instead.",
        ]);
    });

    it("security-group-no-world-ingress rejects all traffic from ::/0 inline in a SecurityGroup", () => {
        const group = securityGroup();
        group.props.ingress = [
            { protocol: "-1", fromPort: 0, toPort: 0, ipv6CidrBlocks: ["::/0"] },
        ];
        assert.deepEqual(check(rules.securityGroupNoWorldIngress, group), [
            "ingress from ::/0 to all ports opens the cluster to the internet; allow peer VPC " +
                "CIDRs or known networks instead.",
        ]);
    });

    it("security-group-rule-described accepts a rule that says why it exists", () => {
        assert.deepEqual(check(rules.securityGroupRuleDescribed, meshStack().a.apiIngress), []);
    });

    it("security-group-rule-described flags an ingress rule without a description", () => {
        const rule = securityGroupRule();
        delete rule.props.description;
        assert.deepEqual(check(rules.securityGroupRuleDescribed, rule), [
            "description is empty; say who needs this ingress and why.",
        ]);
    });

    it("kms-key-rotation-enabled accepts a rotating key", () => {
        assert.deepEqual(check(rules.kmsKeyRotation, meshStack().a.key), []);
    });

    it("kms-key-rotation-enabled rejects a symmetric key without rotation", () => {
        const key = meshStack().a.key;
        key.props.enableKeyRotation = false;
        assert.deepEqual(check(rules.kmsKeyRotation, key), [
            "enableKeyRotation is not true; turn on yearly rotation of the key material.",
        ]);
    });

    it("kms-key-rotation-enabled leaves asymmetric keys alone, as AWS cannot rotate them", () => {
        const key = meshStack().a.key;
        key.props.enableKeyRotation = false;
        key.props.customerMasterKeySpec = "RSA_4096";
        assert.deepEqual(check(rules.kmsKeyRotation, key), []);
    });
});

describe("policy: network stack rules", () => {
    it("vpc-cidrs-do-not-overlap accepts 10.10.0.0/16 and 10.20.0.0/16", () => {
        assert.deepEqual(checkStack(rules.vpcCidrsDoNotOverlap, entriesOf(meshStack())), []);
    });

    it("vpc-cidrs-do-not-overlap rejects a VPC inside another's range", () => {
        const stack = meshStack();
        stack.b.vpc.props.cidrBlock = "10.10.128.0/17";
        assert.deepEqual(checkStack(rules.vpcCidrsDoNotOverlap, entriesOf(stack)), [
            {
                resource: "b-vpc",
                message:
                    "VPC b-vpc (10.10.128.0/17) overlaps VPC a-vpc (10.10.0.0/16); give every " +
                    "VPC of the mesh its own range.",
            },
        ]);
    });

    it("vpc-attached-to-transit-gateway accepts one attachment per VPC", () => {
        assert.deepEqual(checkStack(rules.vpcAttachedToTransitGateway, entriesOf(meshStack())), []);
    });

    it("vpc-attached-to-transit-gateway rejects a VPC whose attachment went to another VPC", () => {
        const stack = meshStack();
        stack.b.attachment.props.vpcId = "vpc-a";
        stack.b.attachment.dependsOn = ["a-vpc", "mesh-tgw"];
        assert.deepEqual(checkStack(rules.vpcAttachedToTransitGateway, entriesOf(stack)), [
            {
                resource: "b-vpc",
                message:
                    "VPC b-vpc has no Transit Gateway VPC attachment; its cluster cannot reach " +
                    "the other clusters of the mesh.",
            },
        ]);
    });

    it("vpc-attached-to-transit-gateway follows dependencies in a preview, where new VPCs have no id", () => {
        const stack = meshStack();
        for (const side of [stack.a, stack.b]) {
            side.vpc.id = UNKNOWN;
            side.attachment.props.vpcId = UNKNOWN;
        }
        assert.deepEqual(checkStack(rules.vpcAttachedToTransitGateway, entriesOf(stack)), []);
        stack.b.attachment.dependsOn = ["mesh-tgw"];
        assert.equal(
            (checkStack(rules.vpcAttachedToTransitGateway, entriesOf(stack)) as unknown[]).length,
            1,
        );
    });

    it("eks-service-cidrs-disjoint accepts 172.20.0.0/16 and 172.21.0.0/16", () => {
        assert.deepEqual(checkStack(rules.eksServiceCidrsDisjoint, entriesOf(meshStack())), []);
    });

    it("eks-service-cidrs-disjoint rejects a service CIDR inside the cluster's own VPC", () => {
        const stack = meshStack();
        stack.b.cluster.props.kubernetesServiceIpAddressRange = "10.20.0.0/16";
        assert.deepEqual(checkStack(rules.eksServiceCidrsDisjoint, entriesOf(stack)), [
            {
                resource: "b-eks",
                message:
                    "service CIDR 10.20.0.0/16 of cluster b-eks overlaps VPC b-vpc (10.20.0.0/16); " +
                    "pods could not reach that part of the network.",
            },
        ]);
    });

    it("eks-service-cidrs-disjoint rejects two clusters on one service CIDR", () => {
        const stack = meshStack();
        stack.b.cluster.props.kubernetesServiceIpAddressRange = "172.20.0.0/16";
        assert.deepEqual(checkStack(rules.eksServiceCidrsDisjoint, entriesOf(stack)), [
            {
                resource: "b-eks",
                message:
                    "service CIDR 172.20.0.0/16 of cluster b-eks overlaps service CIDR " +
                    "172.20.0.0/16 of cluster a-eks; give every cluster of the mesh its own range.",
            },
        ]);
    });

    it("eks-service-cidrs-disjoint rejects a cluster left on EKS's default service CIDR", () => {
        const stack = meshStack();
        delete stack.b.cluster.props.kubernetesServiceIpAddressRange;
        assert.deepEqual(checkStack(rules.eksServiceCidrsDisjoint, entriesOf(stack)), [
            {
                resource: "b-eks",
                message:
                    "cluster b-eks does not set its service CIDR, so EKS gives it the same " +
                    "default range as the other clusters; set kubernetesServiceIpAddressRange.",
            },
        ]);
    });

    it("eks-service-cidrs-disjoint counts a component's own aws.eks.Cluster child once", () => {
        const stack = meshStack();
        stack.extra.push(
            tokenEntry(
                "aws:eks/cluster:Cluster",
                "a-eks-eksCluster",
                { kubernetesNetworkConfig: { serviceIpv4Cidr: "172.20.0.0/16" } },
                { parent: "a-eks", id: "a-eks-eksCluster-1234567" },
            ),
        );
        assert.deepEqual(checkStack(rules.eksServiceCidrsDisjoint, entriesOf(stack)), []);
    });

    it("eks-cluster-role-policies accepts roles with both EKS managed policies", () => {
        assert.deepEqual(checkStack(rules.eksClusterRolePolicies, entriesOf(meshStack())), []);
    });

    it("eks-cluster-role-policies rejects a cluster role without AmazonEKSVPCResourceController", () => {
        const stack = meshStack();
        stack.b.controllerPolicy.props.policyArn = "arn:aws:iam::aws:policy/AmazonEKSServicePolicy";
        assert.deepEqual(checkStack(rules.eksClusterRolePolicies, entriesOf(stack)), [
            {
                resource: "b-cluster",
                message:
                    "EKS cluster role b-cluster lacks AmazonEKSVPCResourceController; the " +
                    "control plane needs AmazonEKSClusterPolicy, and " +
                    "AmazonEKSVPCResourceController to give pods their own security groups.",
            },
        ]);
    });

    it("eks-cluster-role-policies follows dependencies in a preview, where role names are unknown", () => {
        const stack = meshStack();
        for (const side of [stack.a, stack.b]) {
            side.role.id = UNKNOWN;
            side.clusterPolicy.props.role = UNKNOWN;
            side.controllerPolicy.props.role = UNKNOWN;
        }
        assert.deepEqual(checkStack(rules.eksClusterRolePolicies, entriesOf(stack)), []);
    });
});

describe("policy: TLS (mesh CA chain)", () => {
    it("tls-private-key-strength accepts RSA 4096", () => {
        assert.deepEqual(check(rules.tlsPrivateKeyStrength, meshStack().rootKey), []);
    });

    it("tls-private-key-strength rejects RSA 1024", () => {
        const key = meshStack().a.intermediateKey;
        key.props.rsaBits = 1024;
        assert.deepEqual(check(rules.tlsPrivateKeyStrength, key), ["rsaBits 1024 is below 2048."]);
    });

    it("tls-private-key-strength rejects ECDSA on the provider's default curve P224", () => {
        const key = meshStack().a.intermediateKey;
        key.props = { algorithm: "ECDSA" };
        assert.deepEqual(check(rules.tlsPrivateKeyStrength, key), [
            'ecdsaCurve "P224" (the default) is not allowed; use P256 or P384.',
        ]);
    });

    it("tls-private-key-strength rejects ED25519, which Istio's CA cannot use", () => {
        const key = meshStack().a.intermediateKey;
        key.props = { algorithm: "ED25519" };
        assert.deepEqual(check(rules.tlsPrivateKeyStrength, key), [
            'algorithm "ED25519" is not allowed; use RSA or ECDSA.',
        ]);
    });

    it("tls-private-key-strength takes the RSA minimum from the pack config", () => {
        const key = meshStack().a.intermediateKey;
        key.props = { algorithm: "RSA" };
        assert.deepEqual(
            check(rules.tlsPrivateKeyStrength, key, { config: { minRsaBits: 3072 } }),
            ["rsaBits 2048 (the default) is below 3072."],
        );
    });

    it("tls-ca-key-strength accepts 4096-bit RSA behind the root and the intermediates", () => {
        assert.deepEqual(checkStack(rules.tlsCaKeyStrength, entriesOf(meshStack())), []);
    });

    it("tls-ca-key-strength rejects a 2048-bit root key", () => {
        const stack = meshStack();
        stack.rootKey.props.rsaBits = 2048;
        assert.deepEqual(checkStack(rules.tlsCaKeyStrength, entriesOf(stack)), [
            {
                resource: "root-key",
                message:
                    "private key root-key of CA certificate root-ca is 2048-bit RSA; CA keys " +
                    "need at least 4096 bits.",
            },
        ]);
    });

    it("tls-ca-key-strength rejects an intermediate key on P-256, not its issuer's key", () => {
        const stack = meshStack();
        stack.a.intermediateKey.props = { algorithm: "ECDSA", ecdsaCurve: "P256" };
        assert.deepEqual(checkStack(rules.tlsCaKeyStrength, entriesOf(stack)), [
            {
                resource: "a-intermediate-key",
                message:
                    "private key a-intermediate-key of CA certificate a-intermediate uses curve " +
                    "P256; CA keys need P384.",
            },
        ]);
    });

    it("tls-ca-certificate-signing accepts CAs that may sign certificates", () => {
        const stack = meshStack();
        assert.deepEqual(check(rules.tlsCaCertificateSigning, stack.root), []);
        assert.deepEqual(check(rules.tlsCaCertificateSigning, stack.a.intermediate), []);
    });

    it("tls-ca-certificate-signing rejects a root CA without cert_signing", () => {
        const root = meshStack().root;
        root.props.allowedUses = ["crl_signing", "digital_signature"];
        assert.deepEqual(check(rules.tlsCaCertificateSigning, root), [
            'isCaCertificate is true but allowedUses ("crl_signing" and "digital_signature") ' +
                'lacks "cert_signing"; the CA could not sign the certificates istiod issues.',
        ]);
    });

    it("tls-ca-certificate-signing rejects an intermediate CA without cert_signing", () => {
        const intermediate = meshStack().a.intermediate;
        intermediate.props.allowedUses = ["digital_signature", "key_encipherment"];
        assert.deepEqual(check(rules.tlsCaCertificateSigning, intermediate), [
            'isCaCertificate is true but allowedUses ("digital_signature" and ' +
                '"key_encipherment") lacks "cert_signing"; the CA could not sign the ' +
                "certificates istiod issues.",
        ]);
    });

    it("tls-intermediate-path-length accepts path length 0", () => {
        assert.deepEqual(check(rules.tlsIntermediatePathLength, meshStack().a.intermediate), []);
    });

    it("tls-intermediate-path-length flags an intermediate without a path length", () => {
        const intermediate = meshStack().a.intermediate;
        delete intermediate.props.maxPathLength;
        assert.deepEqual(check(rules.tlsIntermediatePathLength, intermediate), [
            "maxPathLength is not set; set 0 so a leaked intermediate cannot mint further CAs.",
        ]);
    });

    it("tls-validity-shorter-than-issuer accepts one-year intermediates under a ten-year root", () => {
        assert.deepEqual(checkStack(rules.tlsValidityOrdering, entriesOf(meshStack())), []);
    });

    it("tls-validity-shorter-than-issuer rejects an intermediate as long-lived as its root", () => {
        const stack = meshStack();
        stack.a.intermediate.props.validityPeriodHours = 87600;
        assert.deepEqual(checkStack(rules.tlsValidityOrdering, entriesOf(stack)), [
            {
                resource: "a-intermediate",
                message:
                    "certificate a-intermediate is valid for 87600 hours, not less than its " +
                    "issuer root-ca (87600 hours); it must expire first.",
            },
        ]);
    });
});

describe("policy: Helm charts", () => {
    it("helm-chart-version-pinned accepts exact versions", () => {
        assert.deepEqual(check(rules.helmVersionPinned, meshStack().a.istiod), []);
        assert.deepEqual(check(rules.helmVersionPinned, chartV4()), []);
    });

    it("helm-chart-version-pinned rejects a release without a version", () => {
        const istiod = meshStack().a.istiod;
        delete istiod.props.version;
        assert.deepEqual(check(rules.helmVersionPinned, istiod), [
            'chart "istiod" has no version, so each deploy installs whatever the repository ' +
                "serves as newest; pin an exact version.",
        ]);
    });

    it("helm-chart-version-pinned rejects a version range", () => {
        const istiod = meshStack().a.istiod;
        istiod.props.version = "~1.29";
        assert.deepEqual(check(rules.helmVersionPinned, istiod), [
            'chart "istiod" has version "~1.29", a range rather than one release; pin an exact ' +
                "version (x.y.z).",
        ]);
    });

    it("helm-chart-version-pinned rejects a wildcard version on a helm.v4.Chart", () => {
        const chart = chartV4();
        chart.props.version = "2.x";
        assert.deepEqual(check(rules.helmVersionPinned, chart), [
            'chart "kiali-server" has version "2.x", a range rather than one release; pin an ' +
                "exact version (x.y.z).",
        ]);
    });

    it("helm-chart-version-pinned leaves a chart vendored at a local path alone", () => {
        const chart = chartV4();
        chart.props = { chart: "./charts/kiali-server" };
        assert.deepEqual(check(rules.helmVersionPinned, chart), []);
    });

    it("helm-chart-repository-https accepts https and OCI repositories", () => {
        assert.deepEqual(check(rules.helmRepositoryHttps, meshStack().a.istiod), []);
        const chart = chartV4();
        chart.props = {
            chart: "oci://registry.example.com/charts/kiali-server",
            version: "2.15.0",
        };
        assert.deepEqual(check(rules.helmRepositoryHttps, chart), []);
    });

    it("helm-chart-repository-https rejects a plain http repository", () => {
        const istiod = meshStack().a.istiod;
        istiod.props.repositoryOpts = { repo: "http://charts.example.com/istio" };
        assert.deepEqual(check(rules.helmRepositoryHttps, istiod), [
            'chart "istiod" comes from "http://charts.example.com/istio", which is not https; a ' +
                "chart fetched in the clear can be swapped in transit.",
        ]);
    });

    it("helm-chart-repository-https rejects a helm.v4.Chart pulled with plainHttp", () => {
        const chart = chartV4();
        chart.props = { chart: "oci://registry.example.com/charts/kiali-server", plainHttp: true };
        assert.deepEqual(check(rules.helmRepositoryHttps, chart), [
            'chart "kiali-server" sets plainHttp; fetch it over TLS.',
        ]);
    });

    it("istio-chart-repository-allowed accepts the Istio project's repository", () => {
        assert.deepEqual(check(rules.istioRepositoryAllowed, meshStack().a.ztunnel), []);
    });

    it("istio-chart-repository-allowed rejects Istio charts from an unknown repository", () => {
        const ztunnel = meshStack().a.ztunnel;
        ztunnel.props.repositoryOpts = { repo: "https://charts.example.com/istio" };
        assert.deepEqual(check(rules.istioRepositoryAllowed, ztunnel), [
            'Istio chart "ztunnel" comes from "https://charts.example.com/istio"; use ' +
                "https://blob.istio.io/istio-release/charts or oci://ghcr.io/istio/release/charts.",
        ]);
    });

    it("istio-chart-repository-allowed rejects the retired Google Cloud Storage host", () => {
        const ztunnel = meshStack().a.ztunnel;
        ztunnel.props.repositoryOpts = {
            repo: "https://istio-release.storage.googleapis.com/charts",
        };
        assert.deepEqual(check(rules.istioRepositoryAllowed, ztunnel), [
            'Istio chart "ztunnel" comes from "https://istio-release.storage.googleapis.com/charts"; use ' +
                "https://blob.istio.io/istio-release/charts or oci://ghcr.io/istio/release/charts.",
        ]);
    });

    it("istio-chart-repository-allowed accepts Istio's OCI registry", () => {
        const ztunnel = meshStack().a.ztunnel;
        ztunnel.props.chart = "oci://ghcr.io/istio/release/charts/ztunnel";
        delete ztunnel.props.repositoryOpts;
        assert.deepEqual(check(rules.istioRepositoryAllowed, ztunnel), []);
    });

    it("istio-version-end-of-life accepts a supported minor", () => {
        assert.deepEqual(check(rules.istioVersionEndOfLife, meshStack().a.istiod), []);
    });

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

    it("istio-chart-repository-allowed accepts a mirror listed in the pack config", () => {
        const ztunnel = meshStack().a.ztunnel;
        ztunnel.props.repositoryOpts = { repo: "https://mirror.example.com/istio/" };
        assert.deepEqual(
            check(rules.istioRepositoryAllowed, ztunnel, {
                config: { allowedRepositories: ["https://mirror.example.com/istio"] },
            }),
            [],
        );
    });

    it("istio-chart-versions-consistent accepts every Istio chart at 1.31.1", () => {
        assert.deepEqual(checkStack(rules.istioVersionsConsistent, entriesOf(meshStack())), []);
    });

    it("istio-chart-versions-consistent rejects one ztunnel left at 1.31.0", () => {
        const stack = meshStack();
        stack.b.ztunnel.props.version = "1.31.0";
        assert.deepEqual(checkStack(rules.istioVersionsConsistent, entriesOf(stack)), [
            {
                resource: "b-ztunnel",
                message:
                    "ztunnel release b-ztunnel is at chart version 1.31.0 while most Istio " +
                    "releases of the stack are at 1.31.1; upgrade all Istio charts together.",
            },
        ]);
    });
});

describe("policy: Istio resources", () => {
    it("istio-system-network-label accepts istio-system labelled with its network", () => {
        assert.deepEqual(check(rules.istioNetworkLabel, meshStack().a.namespace), []);
    });

    it("istio-system-network-label rejects istio-system without the network label", () => {
        const ns = meshStack().a.namespace;
        ns.props.metadata = { name: "istio-system" };
        assert.deepEqual(check(rules.istioNetworkLabel, ns), [
            "namespace istio-system has no topology.istio.io/network label; istiod learns each " +
                "cluster's network only from this label.",
        ]);
    });

    it("istio-system-network-label leaves other namespaces alone", () => {
        const ns = meshStack().a.namespace;
        ns.props.metadata = { name: "istio-ingress" };
        assert.deepEqual(check(rules.istioNetworkLabel, ns), []);
    });

    it("istio-cacerts-complete accepts all four plug-in CA files", () => {
        assert.deepEqual(check(rules.istioCacertsComplete, meshStack().a.cacerts), []);
    });

    it("istio-cacerts-complete rejects a cacerts without the CA key and the chain", () => {
        const cacerts = meshStack().a.cacerts;
        cacerts.props.stringData = { "ca-cert.pem": pem("CERTIFICATE", "a"), "root-cert.pem": "r" };
        assert.deepEqual(check(rules.istioCacertsComplete, cacerts), [
            "cacerts lacks ca-key.pem, cert-chain.pem; istiod needs ca-cert.pem, ca-key.pem, " +
                "root-cert.pem, cert-chain.pem (from Istio 1.27 a partial set stops it).",
        ]);
    });

    it("istio-cacerts-complete counts base64 data keys too", () => {
        const cacerts = meshStack().a.cacerts;
        const stringData = cacerts.props.stringData as Record<string, string>;
        cacerts.props.stringData = { "ca-cert.pem": stringData["ca-cert.pem"] };
        cacerts.props.data = {
            "ca-key.pem": "a2V5",
            "root-cert.pem": "cm9vdA==",
            "cert-chain.pem": "Y2hhaW4=",
        };
        assert.deepEqual(check(rules.istioCacertsComplete, cacerts), []);
    });

    it("istio-cacerts-complete waits for a cacerts map built from outputs (unknown in a first preview)", () => {
        const cacerts = meshStack().a.cacerts;
        cacerts.props.stringData = UNKNOWN_OBJECT as unknown as Record<string, string>;
        assert.deepEqual(check(rules.istioCacertsComplete, cacerts), []);
    });

    it("istio-remote-secret-metadata accepts istioctl's shape", () => {
        assert.deepEqual(check(rules.istioRemoteSecretMetadata, meshStack().a.remoteSecret), []);
    });

    it("istio-remote-secret-metadata rejects a remote secret without istio/multiCluster", () => {
        const secret = meshStack().a.remoteSecret;
        secret.props.metadata = {
            name: "istio-remote-secret-b",
            namespace: "istio-system",
            annotations: { "networking.istio.io/cluster": "b" },
        };
        assert.deepEqual(check(rules.istioRemoteSecretMetadata, secret), [
            "remote secret istio-remote-secret-b lacks label istio/multiCluster; istiod only " +
                'watches secrets labelled istio/multiCluster: "true".',
        ]);
    });

    it("istio-remote-secret-metadata rejects an annotation naming another cluster", () => {
        const secret = meshStack().a.remoteSecret;
        secret.props.metadata = {
            name: "istio-remote-secret-b",
            namespace: "istio-system",
            labels: { "istio/multiCluster": "true" },
            annotations: { "networking.istio.io/cluster": "c" },
        };
        assert.deepEqual(check(rules.istioRemoteSecretMetadata, secret), [
            'remote secret istio-remote-secret-b has annotation networking.istio.io/cluster: "c"; ' +
                'it must name the remote cluster, "b".',
        ]);
    });

    it("istio-remote-secret-metadata rejects a remote secret outside istio-system", () => {
        const secret = meshStack().a.remoteSecret;
        secret.props.metadata = {
            name: "istio-remote-secret-b",
            labels: { "istio/multiCluster": "true" },
            annotations: { "networking.istio.io/cluster": "b" },
        };
        assert.deepEqual(check(rules.istioRemoteSecretMetadata, secret), [
            'remote secret istio-remote-secret-b is in namespace "default"; istiod reads remote ' +
                "secrets from istio-system only.",
        ]);
    });

    it("istio-remote-secret-metadata leaves other secrets alone", () => {
        assert.deepEqual(check(rules.istioRemoteSecretMetadata, meshStack().a.cacerts), []);
    });

    it("istio-remote-secret-kubeconfig accepts one token kubeconfig keyed by the cluster", () => {
        assert.deepEqual(check(rules.istioRemoteSecretKubeconfig, meshStack().a.remoteSecret), []);
    });

    it("istio-remote-secret-kubeconfig rejects keys that are not the remote cluster's ID", () => {
        const secret = meshStack().a.remoteSecret;
        secret.props.stringData = { b: kubeconfig("b"), kubeconfig: kubeconfig("b") };
        assert.deepEqual(check(rules.istioRemoteSecretKubeconfig, secret), [
            'remote secret istio-remote-secret-b holds keys "b" and "kubeconfig"; it must hold ' +
                'exactly one key, "b", the remote cluster\'s ID.',
        ]);
    });

    it("istio-remote-secret-kubeconfig rejects an aws eks get-token (exec) kubeconfig", () => {
        const secret = meshStack().a.remoteSecret;
        secret.props.stringData = {
            b: kubeconfig("b", "      exec:\n        command: aws\n        args: [eks, get-token]"),
        };
        assert.deepEqual(check(rules.istioRemoteSecretKubeconfig, secret), [
            'the kubeconfig under "b" authenticates with exec; istiod accepts only a bearer ' +
                "token (user.token) in remote secrets.",
        ]);
    });

    it("istio-remote-secret-kubeconfig rejects a kubeconfig without a token", () => {
        const secret = meshStack().a.remoteSecret;
        secret.props.stringData = { b: kubeconfig("b", "      username: admin") };
        assert.deepEqual(check(rules.istioRemoteSecretKubeconfig, secret), [
            'the kubeconfig under "b" has no user.token; give it the bearer token of the remote ' +
                "cluster's istio-reader-service-account.",
        ]);
    });

    it("istio-remote-secret-kubeconfig checks the key of a kubeconfig not known yet in a preview", () => {
        const secret = meshStack().a.remoteSecret;
        secret.props.stringData = { a: UNKNOWN };
        assert.deepEqual(check(rules.istioRemoteSecretKubeconfig, secret), [
            'remote secret istio-remote-secret-b holds key "a"; it must hold exactly one key, ' +
                '"b", the remote cluster\'s ID.',
        ]);
    });

    it("istio-remote-secret-kubeconfig reads a kubeconfig given as base64 data", () => {
        const secret = meshStack().a.remoteSecret;
        delete secret.props.stringData;
        secret.props.data = { b: Buffer.from(kubeconfig("b")).toString("base64") };
        assert.deepEqual(check(rules.istioRemoteSecretKubeconfig, secret), []);
    });

    it("istio-east-west-gateway-internal accepts an internal east-west load balancer", () => {
        assert.deepEqual(check(rules.istioEastWestInternal, meshStack().a.eastWest), []);
        assert.deepEqual(check(rules.istioEastWestInternal, sidecarEastWest("a")), []);
    });

    it("istio-east-west-gateway-internal rejects an internet-facing ambient east-west gateway", () => {
        const gateway = meshStack().a.eastWest;
        gateway.props.spec = {
            gatewayClassName: "istio-east-west",
            infrastructure: {
                annotations: {
                    "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing",
                },
            },
        };
        assert.deepEqual(check(rules.istioEastWestInternal, gateway), [
            "east-west gateway a-east-west gets an internet-facing load balancer; set " +
                "spec.infrastructure.annotations service.beta.kubernetes.io/aws-load-balancer-" +
                "scheme: internal so cross-cluster traffic stays on the Transit Gateway.",
        ]);
    });

    it("istio-east-west-gateway-internal rejects a sidecar-mode east-west gateway without annotations", () => {
        const gateway = sidecarEastWest("a");
        gateway.props.values = { networkGateway: "a-network" };
        assert.deepEqual(check(rules.istioEastWestInternal, gateway), [
            "east-west gateway a-eastwestgateway gets an internet-facing load balancer; set " +
                "values.service.annotations service.beta.kubernetes.io/aws-load-balancer-scheme: " +
                "internal so cross-cluster traffic stays on the Transit Gateway.",
        ]);
    });
});

describe("policy: Istio stack rules", () => {
    it("istio-ambient-profile accepts istiod and cni on the ambient profile", () => {
        assert.deepEqual(checkStack(rules.istioAmbientProfile, entriesOf(meshStack())), []);
    });

    it("istio-ambient-profile rejects istiod without the ambient profile next to ztunnel", () => {
        const stack = meshStack();
        const values = stack.a.istiod.props.values as Record<string, unknown>;
        delete values.profile;
        assert.deepEqual(checkStack(rules.istioAmbientProfile, entriesOf(stack)), [
            {
                resource: "a-istiod",
                message:
                    "istiod release a-istiod runs next to ztunnel but sets profile (not set); " +
                    "ambient mode needs profile: ambient.",
            },
        ]);
    });

    it("istio-ambient-profile rejects cni on the default profile", () => {
        const stack = meshStack();
        stack.b.cni.props.values = { profile: "default" };
        assert.deepEqual(checkStack(rules.istioAmbientProfile, entriesOf(stack)), [
            {
                resource: "b-istio-cni",
                message:
                    'cni release b-istio-cni runs next to ztunnel but sets profile "default"; ' +
                    "ambient mode needs profile: ambient.",
            },
        ]);
    });

    it("istiod-ambient-multi-network accepts AMBIENT_ENABLE_MULTI_NETWORK on every istiod", () => {
        assert.deepEqual(checkStack(rules.istiodMultiNetwork, entriesOf(meshStack())), []);
    });

    it("istiod-ambient-multi-network rejects an istiod of a two-cluster mesh without the flag", () => {
        const stack = meshStack();
        const values = stack.b.istiod.props.values as Record<string, unknown>;
        delete values.env;
        assert.deepEqual(checkStack(rules.istiodMultiNetwork, entriesOf(stack)), [
            {
                resource: "b-istiod",
                message:
                    "istiod release b-istiod sets env AMBIENT_ENABLE_MULTI_NETWORK (not set); " +
                    'set "true", or ambient multi-cluster stays off and no istio-east-west ' +
                    "gateway class exists.",
            },
        ]);
    });

    it("istiod-ambient-multi-network accepts the flag under pilot.env", () => {
        const stack = meshStack();
        const values = stack.b.istiod.props.values as Record<string, unknown>;
        delete values.env;
        values.pilot = { env: { AMBIENT_ENABLE_MULTI_NETWORK: "true" } };
        assert.deepEqual(checkStack(rules.istiodMultiNetwork, entriesOf(stack)), []);
    });

    it("istiod-ambient-multi-network does not apply to one cluster without peers", () => {
        const stack = meshStack();
        const single = entriesOf(stack).filter(
            (e) => !e.name.startsWith("b-") && e !== stack.a.remoteSecret,
        );
        assert.equal(checkStack(rules.istiodMultiNetwork, single), NOT_APPLICABLE);
    });

    it("istiod-depends-on-cacerts accepts istiod created after cacerts", () => {
        assert.deepEqual(checkStack(rules.istiodWaitsForCacerts, entriesOf(meshStack())), []);
    });

    it("istiod-depends-on-cacerts rejects istiod that may start before cacerts exists", () => {
        const stack = meshStack();
        stack.a.istiod.dependsOn = ["a-istio-system", "a-istio-base"];
        assert.deepEqual(checkStack(rules.istiodWaitsForCacerts, entriesOf(stack)), [
            {
                resource: "a-istiod",
                message:
                    "istiod release a-istiod does not depend on a cacerts Secret in istio-system; " +
                    "started first, istiod makes its own CA and never picks up the mesh's " +
                    "intermediate.",
            },
        ]);
    });

    it("istiod-depends-on-cacerts accepts a dependency through istio-base", () => {
        const stack = meshStack();
        stack.a.istiod.dependsOn = ["a-istio-system", "a-istio-base"];
        stack.a.base.dependsOn = ["a-istio-system", "a-cacerts"];
        assert.deepEqual(checkStack(rules.istiodWaitsForCacerts, entriesOf(stack)), []);
    });

    it("istiod-depends-on-cacerts does not count the other cluster's cacerts", () => {
        const stack = meshStack();
        stack.a.istiod.dependsOn = ["a-istio-system", "b-cacerts", "a-istio-base"];
        assert.equal((checkStack(rules.istiodWaitsForCacerts, entriesOf(stack)) as []).length, 1);
    });

    it("istio-cacerts-share-root accepts one root in every cacerts", () => {
        assert.deepEqual(checkStack(rules.istioCacertsShareRoot, entriesOf(meshStack())), []);
    });

    it("istio-cacerts-share-root rejects a cluster with its own root", () => {
        const stack = meshStack();
        const stringData = stack.b.cacerts.props.stringData as Record<string, string>;
        stringData["root-cert.pem"] = pem("CERTIFICATE", "another root");
        assert.deepEqual(checkStack(rules.istioCacertsShareRoot, entriesOf(stack)), [
            {
                resource: "b-cacerts",
                message:
                    "cacerts b-cacerts has a different root-cert.pem than a-cacerts; all " +
                    "clusters of a mesh must share one root CA.",
            },
        ]);
    });

    it("ztunnel-matches-istiod accepts equal cluster names and networks", () => {
        assert.deepEqual(checkStack(rules.ztunnelMatchesIstiod, entriesOf(meshStack())), []);
    });

    it("ztunnel-matches-istiod rejects a ztunnel with another cluster name", () => {
        const stack = meshStack();
        stack.b.ztunnel.props.values = { multiCluster: { clusterName: "a" }, network: "b-network" };
        assert.deepEqual(checkStack(rules.ztunnelMatchesIstiod, entriesOf(stack)), [
            {
                resource: "b-ztunnel",
                message:
                    'ztunnel release b-ztunnel has multiCluster.clusterName "a" but istiod ' +
                    'release b-istiod has global.multiCluster.clusterName "b"; they must be equal.',
            },
        ]);
    });

    it("ztunnel-matches-istiod rejects a ztunnel on another network", () => {
        const stack = meshStack();
        stack.b.ztunnel.props.values = { multiCluster: { clusterName: "b" }, network: "a-network" };
        assert.deepEqual(checkStack(rules.ztunnelMatchesIstiod, entriesOf(stack)), [
            {
                resource: "b-ztunnel",
                message:
                    'ztunnel release b-ztunnel has network "a-network" but istiod release ' +
                    'b-istiod has global.network "b-network"; they must be equal.',
            },
        ]);
    });

    it("istio-mesh-identity-consistent accepts one mesh ID and trust domain", () => {
        assert.deepEqual(checkStack(rules.istioMeshIdentity, entriesOf(meshStack())), []);
    });

    it("istio-mesh-identity-consistent rejects clusters with different trust domains", () => {
        const stack = meshStack();
        const values = stack.b.istiod.props.values as Record<string, unknown>;
        values.meshConfig = { trustDomain: "b.example.com" };
        assert.deepEqual(checkStack(rules.istioMeshIdentity, entriesOf(stack)), [
            {
                resource: "(stack)",
                message:
                    'istiod releases disagree on meshConfig.trustDomain: "cluster.local" ' +
                    '(a-istiod), "b.example.com" (b-istiod); the clusters of one mesh need one ' +
                    "mesh ID and one trust domain.",
            },
        ]);
    });

    it("istio-cluster-identity-unique accepts distinct cluster names and networks", () => {
        assert.deepEqual(checkStack(rules.istioClusterIdentity, entriesOf(meshStack())), []);
    });

    it("istio-cluster-identity-unique rejects two istiods with one cluster name", () => {
        const stack = meshStack();
        const values = stack.b.istiod.props.values as { global: Record<string, unknown> };
        values.global.multiCluster = { clusterName: "a" };
        assert.deepEqual(checkStack(rules.istioClusterIdentity, entriesOf(stack)), [
            {
                resource: "(stack)",
                message:
                    'istiod releases a-istiod and b-istiod share global.multiCluster.clusterName "a"; ' +
                    "remote secrets and endpoints are keyed by the cluster name.",
            },
        ]);
    });

    it("istio-cluster-identity-unique rejects an istiod without a network", () => {
        const stack = meshStack();
        const values = stack.b.istiod.props.values as { global: Record<string, unknown> };
        delete values.global.network;
        assert.deepEqual(checkStack(rules.istioClusterIdentity, entriesOf(stack)), [
            {
                resource: "b-istiod",
                message:
                    "istiod release b-istiod does not set global.network; ambient multi-cluster " +
                    "supports multi-network only, one network per cluster.",
            },
        ]);
    });

    it("istio-east-west-gateway-modes-not-mixed has nothing to check with ambient gateways only", () => {
        assert.equal(checkStack(rules.istioEastWestModes, entriesOf(meshStack())), NOT_APPLICABLE);
    });

    it("istio-east-west-gateway-modes-not-mixed rejects a sidecar-mode gateway in an ambient mesh", () => {
        const stack = meshStack();
        stack.extra.push(sidecarEastWest("b"));
        assert.deepEqual(checkStack(rules.istioEastWestModes, entriesOf(stack)), [
            {
                resource: "(stack)",
                message:
                    "the stack has ambient east-west gateways (a-east-west, b-east-west) and " +
                    "sidecar-mode ones (b-eastwestgateway); use one kind per mesh (mixing them " +
                    "broke ingress in Istio 1.29.1).",
            },
        ]);
    });
});

describe("policy: tags", () => {
    it("aws-required-tags accepts project, environment and managed-by", () => {
        assert.deepEqual(check(rules.awsRequiredTags, meshStack().a.vpc), []);
        assert.deepEqual(check(rules.awsRequiredTags, meshStack().a.cluster), []);
    });

    it("aws-required-tags flags a VPC without environment and managed-by", () => {
        const vpc = meshStack().a.vpc;
        vpc.props.tags = { project: "eks-ambient-mesh" };
        assert.deepEqual(check(rules.awsRequiredTags, vpc), [
            "tags lack environment, managed-by; tag it with project, environment, managed-by " +
                "(directly or through the provider's defaultTags).",
        ]);
    });

    it("aws-required-tags counts the provider's defaultTags", () => {
        const vpc = meshStack().a.vpc;
        delete vpc.props.tags;
        const provider = {
            type: "pulumi:providers:aws",
            name: "aws-us-east-1",
            urn: "urn:pulumi:test::eks-ambient-mesh::pulumi:providers:aws::aws-us-east-1",
            // Provider inputs reach policies as strings.
            props: { region: "us-east-1", defaultTags: JSON.stringify({ tags: TAGS }) },
        };
        assert.deepEqual(check(rules.awsRequiredTags, vpc, { provider }), []);
    });

    it("aws-required-tags does not apply to untaggable resources", () => {
        assert.equal(check(rules.awsRequiredTags, meshStack().a.clusterPolicy), NOT_APPLICABLE);
    });
});

describe("policy pack: evaluatePlan (offline plan)", () => {
    const ALL = rules.policies.map((p) => p.name);

    /** `[policy, level, resource name, message]`: violations in a form that reads in a diff. */
    function brief(plan: PlanInput, violations: PolicyViolationRecord[]): string[][] {
        const names = new Map(plan.resources.map((r) => [r.urn, r.name]));
        return violations.map((v) => [
            v.policy,
            v.enforcementLevel,
            v.urn === STACK_URN ? "(stack)" : (names.get(v.urn) ?? v.urn),
            v.message,
        ]);
    }

    it("evaluates every rule over a compliant plan and finds nothing", () => {
        const results = evaluatePlan(planOf(meshStack()));
        assert.deepEqual(results, {
            policyPacks: [{ name: "eks-ambient-mesh", policies: ALL }],
            policyViolations: [],
        });
    });

    it("reports each fault of a deliberately bad environment, rule by rule", () => {
        const stack = meshStack();
        stack.a.cluster.props.version = "1.27";
        stack.a.nodes.props.instanceTypes = ["t3.large"];
        stack.b.apiIngress.props.cidrIpv4 = "0.0.0.0/0";
        stack.tgw.props.autoAcceptSharedAttachments = "enable";
        stack.b.vpc.props.cidrBlock = "10.10.0.0/16";
        stack.rootKey.props.rsaBits = 2048;
        stack.a.istiod.dependsOn = ["a-istio-system", "a-istio-base"];
        stack.b.remoteSecret.props.metadata = {
            name: "istio-remote-secret-a",
            namespace: "istio-system",
            annotations: { "networking.istio.io/cluster": "a" },
        };
        stack.a.vpc.props.tags = { project: "eks-ambient-mesh" };
        const plan = planOf(stack);
        const results = evaluatePlan(plan);
        assert.deepEqual(brief(plan, results.policyViolations), [
            [
                "eks-kubernetes-version-allowed",
                "mandatory",
                "a-eks",
                'version "1.27" is not allowed; use one of 1.28, 1.29, 1.30, 1.31, 1.32, 1.33, 1.34, 1.35.',
            ],
            [
                "eks-node-group-instance-types",
                "mandatory",
                "a-nodes",
                'instance type "t3.large" matches ^t[0-9]; t-family instances have no trunk ENI ' +
                    "for security groups for pods.",
            ],
            [
                "tgw-auto-accept-shared-attachments-disabled",
                "mandatory",
                "mesh-tgw",
                'autoAcceptSharedAttachments is "enable"; any account the gateway is shared with ' +
                    'could join the mesh network. Set "disable".',
            ],
            [
                "security-group-no-world-ingress",
                "mandatory",
                "b-api-from-a",
                "ingress from 0.0.0.0/0 to port 443 opens the cluster to the internet; allow " +
                    "peer VPC CIDRs or known networks instead.",
            ],
            [
                "vpc-cidrs-do-not-overlap",
                "mandatory",
                "b-vpc",
                "VPC b-vpc (10.10.0.0/16) overlaps VPC a-vpc (10.10.0.0/16); give every VPC of " +
                    "the mesh its own range.",
            ],
            [
                "tls-ca-key-strength",
                "mandatory",
                "root-key",
                "private key root-key of CA certificate root-ca is 2048-bit RSA; CA keys need " +
                    "at least 4096 bits.",
            ],
            [
                "istio-remote-secret-metadata",
                "mandatory",
                "b-remote-a",
                "remote secret istio-remote-secret-a lacks label istio/multiCluster; istiod " +
                    'only watches secrets labelled istio/multiCluster: "true".',
            ],
            [
                "istiod-depends-on-cacerts",
                "mandatory",
                "a-istiod",
                "istiod release a-istiod does not depend on a cacerts Secret in istio-system; " +
                    "started first, istiod makes its own CA and never picks up the mesh's " +
                    "intermediate.",
            ],
            [
                "aws-required-tags",
                "advisory",
                "a-vpc",
                "tags lack environment, managed-by; tag it with project, environment, managed-by " +
                    "(directly or through the provider's defaultTags).",
            ],
        ]);
    });

    it("reports findings about the stack as a whole against the root stack", () => {
        const stack = meshStack();
        const values = stack.b.istiod.props.values as { global: Record<string, unknown> };
        values.global.meshID = "mesh-other";
        const plan = planOf(stack);
        assert.deepEqual(brief(plan, evaluatePlan(plan).policyViolations), [
            [
                "istio-mesh-identity-consistent",
                "mandatory",
                "(stack)",
                'istiod releases disagree on global.meshID: "mesh-test" (a-istiod), "mesh-other" ' +
                    "(b-istiod); the clusters of one mesh need one mesh ID and one trust domain.",
            ],
        ]);
    });

    it("takes enforcement levels, disabled rules and rule settings from the pack config", () => {
        const stack = meshStack();
        stack.a.vpc.props.tags = { project: "eks-ambient-mesh" };
        stack.a.cluster.props.version = "1.27";
        const plan = planOf(stack);
        const results = evaluatePlan(plan, {
            config: {
                "aws-required-tags": "mandatory",
                "eks-kubernetes-version-allowed": { allowedVersions: ["1.27", "1.35"] },
                "vpc-cidr-size": "disabled",
            },
        });
        assert.deepEqual(
            results.policyPacks[0].policies,
            ALL.filter((n) => n !== "vpc-cidr-size"),
        );
        assert.deepEqual(
            brief(plan, results.policyViolations).map(([policy, level, name]) => [
                policy,
                level,
                name,
            ]),
            [["aws-required-tags", "mandatory", "a-vpc"]],
        );
    });

    it('lets "all" in the pack config set every level, below a rule\'s own entry', () => {
        const stack = meshStack();
        stack.a.cluster.props.version = "1.27";
        stack.a.vpc.props.cidrBlock = "10.10.0.0/24";
        const plan = planOf(stack);
        const results = evaluatePlan(plan, {
            config: { all: "advisory", "vpc-cidr-size": { enforcementLevel: "mandatory" } },
        });
        assert.deepEqual(
            brief(plan, results.policyViolations).map(([policy, level]) => [policy, level]),
            [
                ["eks-kubernetes-version-allowed", "advisory"],
                ["vpc-cidr-size", "mandatory"],
            ],
        );
    });

    it("skips secret values that a plan without --show-secrets prints as [secret]", () => {
        const plan = planOf(meshStack());
        for (const r of plan.resources) {
            if (r.type === "kubernetes:core/v1:Secret") {
                r.inputs.stringData = "[secret]";
            }
        }
        assert.deepEqual(evaluatePlan(plan).policyViolations, []);
    });

    it("gives stack rules resolved dependencies and resource rules their provider", () => {
        const plan = planOf(meshStack());
        const provider = plan.resources.find((r) => r.name === "a-k8s");
        assert.equal(provider?.urn, urnOf({ type: "pulumi:providers:kubernetes", name: "a-k8s" }));
        // istiod-depends-on-cacerts matches the cacerts Secret by provider: the plan's provider
        // URNs must reach the rule for the compliant plan to pass.
        const strict = evaluatePlan(plan, { policies: [rules.istiodWaitsForCacerts] });
        assert.deepEqual(strict.policyViolations, []);
    });
});
