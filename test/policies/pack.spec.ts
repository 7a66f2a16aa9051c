import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import {
    EvaluateOptions,
    evaluatePlan as evaluateAnyDay,
    PlanInput,
    PolicyViolationRecord,
} from "../../policies/evaluate";
import {
    configTable,
    kindOf,
    referenceBlocks,
    ruleTable,
} from "../../scripts/docs/policyReference";
import * as rules from "../../policies/rules";
import * as eksRules from "../../policies/rules/eks";
import * as helmRules from "../../policies/rules/helm";
import * as istioRules from "../../policies/rules/istio";
import * as kmsRules from "../../policies/rules/kms";
import * as networkRules from "../../policies/rules/network";
import * as reachabilityRules from "../../policies/rules/reachability";
import * as tagRules from "../../policies/rules/tags";
import * as tlsRules from "../../policies/rules/tls";
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
} from "../../components/versions";
import { STACK_URN, TEST_DAY, urnOf } from "../fixtures/policy-harness";
import { meshStack, planOf } from "../fixtures/policy-mesh";

/**
 * The policy pack as a whole: its rules' shape, its layout and reference, its pins, and the
 * offline evaluation of every rule over a plan. Each rule's own tests are in the spec of its
 * module.
 */

const POLICIES_DIR = path.join(__dirname, "..", "..", "policies");

/** The pack over a plan, judged on the specs' pinned day unless the options say otherwise. */
function evaluatePlan(plan: PlanInput, options: EvaluateOptions = {}) {
    return evaluateAnyDay(plan, { asOf: TEST_DAY, ...options });
}

/** Every TypeScript file of the pack, relative to policies/, without its dependencies. */
function packSources(dir = ""): string[] {
    return fs.readdirSync(path.join(POLICIES_DIR, dir), { withFileTypes: true }).flatMap((e) => {
        const file = path.join(dir, e.name);
        if (e.isDirectory()) {
            return e.name === "node_modules" ? [] : packSources(file);
        }
        return e.name.endsWith(".ts") ? [file] : [];
    });
}

/** A Markdown table's body rows, cell by cell. */
function tableRows(table: string): string[][] {
    return table
        .split("\n")
        .slice(2)
        .map((line) =>
            line
                .split(/(?<!\\)\|/)
                .slice(1, -1)
                .map((cell) => cell.trim()),
        );
}

/** A CrossGuard rule, resource or stack: a named object with a validate function. */
function isRule(value: unknown): value is { name: string } {
    if (typeof value !== "object" || value === null) return false;
    const rule = value as Record<string, unknown>;
    return (
        typeof rule.name === "string" &&
        (typeof rule.validateResource === "function" ||
            Array.isArray(rule.validateResource) ||
            typeof rule.validateStack === "function")
    );
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

    it("keeps every rule in the module its name's prefix says, each once", () => {
        // Each module's rules are what it exports with a rule's shape, so a rule moved or added
        // is seen without a second list to keep.
        const modules: [string, RegExp, Record<string, unknown>][] = [
            ["eks", /^eks-/, eksRules],
            ["network", /^(vpc|tgw|security-group)-/, networkRules],
            ["kms", /^kms-/, kmsRules],
            ["tls", /^tls-/, tlsRules],
            ["helm", /^helm-/, helmRules],
            ["istio", /^(istio|istiod|ztunnel)-/, istioRules],
            ["reachability", /^mesh-reachability$/, reachabilityRules],
            ["tags", /^aws-/, tagRules],
        ];
        const grouped: string[] = [];
        for (const [module, prefix, exported] of modules) {
            const names = Object.values(exported)
                .filter(isRule)
                .map((r) => r.name);
            assert.ok(names.length > 0, `rules/${module} exports rules`);
            for (const name of names) {
                assert.match(name, prefix, `${name} is in rules/${module}`);
            }
            grouped.push(...names);
        }
        assert.deepEqual(grouped.slice().sort(), rules.policies.map((p) => p.name).sort());
    });

    it("constructs the PolicyPack only in policies/index.ts, so the rules import without a server", () => {
        const sources = packSources().filter((f) => f !== "index.ts");
        assert.ok(sources.includes(path.join("rules", "eks", "cluster.ts")), "rule folders read");
        for (const file of sources) {
            const text = fs.readFileSync(path.join(POLICIES_DIR, file), "utf8");
            // Code lines only: comments may explain why the pack is not constructed here.
            assert.doesNotMatch(text, /^(?!\s*(\/\/|\*|\/\*)).*new PolicyPack\(/m, file);
        }
        const index = fs.readFileSync(path.join(POLICIES_DIR, "index.ts"), "utf8");
        assert.match(index, /new PolicyPack\(packName, \{ policies, enforcementLevel:/);
    });

    it("imports nothing from outside policies/, as it is installed and run on its own", () => {
        for (const file of packSources()) {
            const text = fs.readFileSync(path.join(POLICIES_DIR, file), "utf8");
            const specifiers = [...text.matchAll(/(?:from|import|require\()\s*["']([^"']+)["']/g)];
            for (const [, specifier] of specifiers) {
                if (specifier.startsWith(".")) {
                    const target = path.resolve(POLICIES_DIR, path.dirname(file), specifier);
                    assert.ok(
                        target.startsWith(POLICIES_DIR + path.sep),
                        `${file} imports ${specifier}`,
                    );
                }
            }
        }
    });

    it("makes its rules table from every rule, with kind, level and what it checks", () => {
        assert.deepEqual(
            tableRows(ruleTable()),
            rules.policies.map((p) => [
                `\`${p.name}\``,
                kindOf(p),
                p.enforcementLevel,
                p.description,
            ]),
        );
        const counts = rules.policies.reduce(
            (acc, p) => ({
                ...acc,
                [p.enforcementLevel as string]: (acc[p.enforcementLevel as string] ?? 0) + 1,
            }),
            {} as Record<string, number>,
        );
        assert.ok(
            referenceBlocks().rules.startsWith(
                `${rules.policies.length} rules, ${counts.mandatory} mandatory and ${counts.advisory} advisory`,
            ),
        );
    });

    it("makes its settings table from every rule's config schema, with defaults", () => {
        const rows = tableRows(configTable());
        const settings = rules.policies.flatMap((p) =>
            Object.entries(p.configSchema?.properties ?? {}).map(([key, schema]) => [
                `\`${p.name}\``,
                `\`${key}\``,
                typeof schema === "object" ? schema.description : undefined,
            ]),
        );
        assert.deepEqual(
            rows.map(([rule, setting, , description]) => [rule, setting, description]),
            settings,
        );
        const defaults = new Map(rows.map(([rule, setting, value]) => [rule + setting, value]));
        assert.equal(
            defaults.get("`eks-kubernetes-version-allowed``allowedVersions`"),
            '`["1.28", "1.29", "1.30", "1.31", "1.32", "1.33", "1.34", "1.35"]`',
        );
        assert.equal(defaults.get("`eks-version-end-of-support``asOf`"), "(not set)");
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
