import * as assert from "node:assert/strict";
import * as path from "node:path";
import { runProgram } from "../scripts/offline/run";
import { PROJECT_DIR } from "../scripts/offline/run";
import { Resources, stackRun } from "./stacks";

/**
 * The example application stack, run against the dev platform's real outputs as a
 * StackReference would return them.
 */
describe("examples/hello-mesh on the platform's outputs", () => {
    let app: Resources;
    let outputs: Record<string, unknown>;
    before(async () => {
        const platform = await stackRun("dev");
        const run = await runProgram({
            stack: "dev",
            projectDir: path.join(PROJECT_DIR, "examples", "hello-mesh"),
            stackOutputs: { "organization/eks-ambient-mesh/dev": platform.rawOutputs },
        });
        app = new Resources(run.resources);
        outputs = run.outputs;
    });

    it("deploys the service into every cluster through that cluster's kubeconfig", async () => {
        const platform = await stackRun("dev");
        const clusters = platform.outputs.clusters as { name: string; kubeconfig: string }[];
        for (const cluster of clusters) {
            const provider = app.one("pulumi:providers:kubernetes", `${cluster.name}-k8s`);
            assert.equal(provider.inputs.kubeconfig, cluster.kubeconfig);
            assert.equal(provider.rawInputs.kubeconfig?.constructor.name, "SecretValue");
            for (const type of [
                "kubernetes:core/v1:Namespace",
                "kubernetes:apps/v1:Deployment",
                "kubernetes:core/v1:Service",
            ]) {
                const name = type.endsWith("Namespace")
                    ? `${cluster.name}-hello`
                    : `${cluster.name}-helloworld`;
                assert.equal(app.byUrn(app.one(type, name).provider!).name, `${cluster.name}-k8s`);
            }
        }
        assert.deepEqual(outputs.services, {
            "dev-east-a": "helloworld.hello.svc.cluster.local:5000",
            "dev-east-b": "helloworld.hello.svc.cluster.local:5000",
        });
        assert.equal(outputs.meshId, "mesh-dev");
    });

    it("puts the namespace in ambient mode and shares the service across clusters", () => {
        const ns = app.one("kubernetes:core/v1:Namespace", "dev-east-a-hello");
        assert.deepEqual(ns.inputs.metadata, {
            name: "hello",
            labels: { "istio.io/dataplane-mode": "ambient" },
        });
        const svc = app.one("kubernetes:core/v1:Service", "dev-east-a-helloworld");
        assert.deepEqual((svc.inputs.metadata as Record<string, unknown>).labels, {
            app: "helloworld",
            "istio.io/global": "true",
        });
        const deployment = app.one("kubernetes:apps/v1:Deployment", "dev-east-b-helloworld");
        const container = (deployment.inputs.spec as any).template.spec.containers[0];
        assert.deepEqual(container.env, [{ name: "SERVICE_VERSION", value: "dev-east-b" }]);
    });
});
