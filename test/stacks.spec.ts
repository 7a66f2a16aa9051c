import * as assert from "node:assert/strict";
import { eksSupportOn, ISTIO_RELEASES, KubernetesVersion } from "../components/versions";
import { buildPlanJson } from "../scripts/plan/planJson";
import { Resources, stackRun } from "./stacks";

/**
 * The two stacks as wholes: what a platform engineer gets from `Pulumi.dev.yaml` and
 * `Pulumi.prod.yaml` on the day this release ships. Everything else is tested on the
 * environments in `fixtures/environments.ts`.
 */

const SHIPPED = "2026-11-30";
const RELEASE = "kubernetes:helm.sh/v3:Release";
const ISTIO_CHARTS = ["base", "istiod", "cni", "ztunnel", "gateway"];

async function planOn(stack: "dev" | "prod", asOf: string) {
    const plan = buildPlanJson(await stackRun(stack), { showSecrets: true, asOf });
    const names = new Map(plan.resources.map((r) => [r.urn, r.name]));
    const violations = plan.policyViolations.map((v) => ({
        ...v,
        name: names.get(v.urn) ?? v.urn,
    }));
    return { plan, violations };
}

describe("the dev and prod stacks", () => {
    for (const stack of ["dev", "prod"] as const) {
        it(`${stack}: deploys on ${SHIPPED}, with no mandatory policy violation`, async () => {
            const { violations } = await planOn(stack, SHIPPED);
            assert.deepEqual(
                violations.filter((v) => v.enforcementLevel === "mandatory"),
                [],
            );
        });

        it(`${stack}: installs every Istio chart from Istio's new host at the default release`, async () => {
            const { plan } = await planOn(stack, SHIPPED);
            const istio = plan.resources.filter(
                (r) => r.type === RELEASE && ISTIO_CHARTS.includes(String(r.inputs.chart)),
            );
            assert.ok(istio.length >= 8);
            for (const r of istio) {
                assert.deepEqual(
                    [r.inputs.version, r.inputs.repositoryOpts],
                    [
                        ISTIO_RELEASES["1.31"].version,
                        { repo: "https://blob.istio.io/istio-release/charts" },
                    ],
                    r.name,
                );
            }
        });
    }

    it("proves every path between clusters open: dev 2 x 1 x 2, prod 3 x 2 x 2", async () => {
        for (const [stack, count] of [
            ["dev", 4],
            ["prod", 12],
        ] as const) {
            const { plan } = await planOn(stack, SHIPPED);
            assert.equal(plan.reachability.length, count, stack);
            assert.deepEqual(
                plan.reachability.filter((e) => !e.open),
                [],
                stack,
            );
        }
    });

    it("runs the load balancer controller in every cluster, before every load balancer", async () => {
        for (const stack of ["dev", "prod"] as const) {
            const resources = new Resources((await stackRun(stack)).resources);
            const clusters = (await stackRun(stack)).outputs.clusters as { name: string }[];
            for (const { name } of clusters) {
                const controller = resources.one(RELEASE, `${name}-aws-load-balancer-controller`);
                const balancers = resources.all.filter(
                    (r) =>
                        r.provider === controller.provider &&
                        ((r.type === "kubernetes:core/v1:Service" &&
                            (r.inputs.spec as any)?.type === "LoadBalancer") ||
                            (r.type === RELEASE && r.inputs.chart === "gateway")),
                );
                assert.ok(balancers.length >= 1, name);
                for (const lb of balancers) {
                    assert.ok(lb.dependsOn.includes(controller.urn), `${lb.name} waits for it`);
                }
            }
        }
    });

    it("runs no cluster past EKS extended support, and prod only on standard support", async () => {
        for (const stack of ["dev", "prod"] as const) {
            const clusters = (await stackRun(stack)).outputs.clusters as {
                name: string;
                kubernetesVersion: KubernetesVersion;
            }[];
            for (const c of clusters) {
                const support = eksSupportOn(c.kubernetesVersion, SHIPPED);
                assert.ok(
                    stack === "dev" ? support !== "ended" : support === "standard",
                    `${c.name}: ${c.kubernetesVersion} is in ${support} support`,
                );
            }
        }
    });

    it("dev keeps one cluster on 1.32, so it shows exactly one extended-support advisory", async () => {
        const { violations } = await planOn("dev", SHIPPED);
        assert.deepEqual(
            violations
                .filter((v) => v.policy.startsWith("eks-version-"))
                .map((v) => [v.policy, v.enforcementLevel, v.name]),
            [["eks-version-extended-support", "advisory", "dev-east-a-eks"]],
        );
        const prod = await planOn("prod", SHIPPED);
        assert.deepEqual(prod.violations, []);
    });

    it("dev's 1.32 cluster becomes a mandatory violation once its extended support ends", async () => {
        const { violations } = await planOn("dev", "2027-04-01");
        const mandatory = violations.filter((v) => v.enforcementLevel === "mandatory");
        assert.deepEqual(
            mandatory.map((v) => [v.policy, v.name]),
            [["eks-version-end-of-support", "dev-east-a-eks"]],
        );
        assert.match(mandatory[0].message, /left EKS extended support on 2027-03-23/);
    });
});
