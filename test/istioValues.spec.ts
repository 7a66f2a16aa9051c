import * as assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { DataplaneMode, MeshConfig, validateConfig } from "../components/config";
import {
    baseValues,
    cniValues,
    eastWestGatewayValues,
    eastWestPorts,
    ingressGatewayValues,
    istiodValues,
    Values,
    ztunnelValues,
} from "../components/mesh/istioValues";
import { ISTIO_RELEASES, ISTIO_VERSIONS } from "../components/versions";

/**
 * Istio's chart defaults per release, kept beside the project (never copied into it);
 * `ISTIO_CHART_REFERENCE` points elsewhere (the PR workflow checks them out inside the tree).
 */
const REFERENCE =
    process.env.ISTIO_CHART_REFERENCE ??
    path.resolve(__dirname, "../../shared/reference/istio-charts");

/**
 * Keys whose values are free-form maps in the charts (an env map, Kubernetes labels and
 * annotations, the MeshConfig proto): we may add any key below them.
 */
const FREE_FORM = new Set(["env", "meshConfig", "labels", "annotations", "service.annotations"]);

function meshFor(version: string, mode: DataplaneMode = "ambient", extra = {}): MeshConfig {
    const release = Object.values(ISTIO_RELEASES).find((r) => r.version === version);
    assert.ok(release);
    const k8s = release.kubernetes[release.kubernetes.length - 1];
    return validateConfig(
        {
            environment: "test",
            clusters: [
                {
                    name: "a",
                    region: "us-east-1",
                    kubernetesVersion: k8s,
                    vpcCidr: "10.10.0.0/16",
                    serviceCidr: "172.20.0.0/16",
                    nodeGroup: {
                        instanceTypes: ["m6i.large"],
                        minSize: 1,
                        desiredSize: 1,
                        maxSize: 1,
                    },
                },
            ],
            mesh: { istioVersion: version, dataplaneMode: mode, ...extra },
        },
        "eks-ambient-mesh",
    ).mesh;
}

function chartDefaults(version: string, chart: string): { values: Values; text: string } {
    const text = readFileSync(path.join(REFERENCE, version, chart, "values.yaml"), "utf8");
    const doc = (parse(text) ?? {}) as Values;
    return { values: (doc._internal_defaults_do_not_set as Values) ?? doc, text };
}

/** Every leaf path we set, as dotted keys; arrays and free-form maps count as leaves. */
function leafPaths(values: Values, prefix = ""): string[] {
    return Object.entries(values).flatMap(([key, value]) => {
        const p = prefix ? `${prefix}.${key}` : key;
        const isMap = value !== null && typeof value === "object" && !Array.isArray(value);
        return isMap && !FREE_FORM.has(p) ? leafPaths(value as Values, p) : [p];
    });
}

/** Paths the chart does not declare; an empty map in the defaults takes any key below it. */
function unknownPaths(ours: Values, version: string, chart: string): string[] {
    const { values, text } = chartDefaults(version, chart);
    return leafPaths(ours).filter((p) => {
        // Every Istio chart takes `profile` (its profile files are merged under user values).
        if (p === "profile") {
            return false;
        }
        // Documented only as a commented example in the istiod chart.
        if (p === "base.validationFailurePolicy") {
            return !text.includes("# validationFailurePolicy: Fail");
        }
        let node: unknown = values;
        for (const key of p.split(".")) {
            if (node !== null && typeof node === "object" && !Array.isArray(node)) {
                const map = node as Values;
                if (Object.keys(map).length === 0) {
                    return false;
                }
                if (!(key in map)) {
                    return true;
                }
                node = map[key];
            } else {
                return true;
            }
        }
        return false;
    });
}

const id = { clusterName: "prod-use1-a", network: "prod-use1-a-network" };

describe("Istio Helm values", () => {
    it("pins exactly the releases whose chart defaults are in shared/reference", () => {
        assert.deepEqual(ISTIO_VERSIONS, ["1.24.6", "1.27.9", "1.28.10", "1.29.6", "1.30.3"]);
        for (const version of ISTIO_VERSIONS) {
            for (const chart of ["base", "istiod", "cni", "ztunnel", "gateway"]) {
                assert.ok(
                    existsSync(path.join(REFERENCE, version, chart, "values.yaml")),
                    `${version}/${chart}`,
                );
            }
        }
    });

    it("pins the Gateway API release each Istio release was built against", () => {
        for (const release of Object.values(ISTIO_RELEASES)) {
            const gomod = readFileSync(
                path.join(REFERENCE, release.version, "gateway-api-version.txt"),
                "utf8",
            );
            assert.match(
                gomod,
                new RegExp(
                    `sigs\\.k8s\\.io/gateway-api ${release.gatewayApi.replace(/\./g, "\\.")}\\b`,
                ),
            );
        }
    });

    for (const version of ISTIO_VERSIONS) {
        it(`sets only paths the ${version} charts declare`, () => {
            const modes: DataplaneMode[] =
                version === "1.24.6" ? ["sidecar"] : ["ambient", "sidecar"];
            for (const mode of modes) {
                const mesh = meshFor(version, mode, {
                    tracing: { service: "otel-collector.observability.svc.cluster.local" },
                });
                assert.deepEqual(unknownPaths(baseValues(), version, "base"), []);
                assert.deepEqual(unknownPaths(istiodValues(mesh, id), version, "istiod"), [], mode);
                assert.deepEqual(unknownPaths(cniValues(mesh), version, "cni"), []);
                assert.deepEqual(unknownPaths(ztunnelValues(mesh, id), version, "ztunnel"), []);
                assert.deepEqual(unknownPaths(eastWestGatewayValues(id), version, "gateway"), []);
                assert.deepEqual(unknownPaths(ingressGatewayValues(), version, "gateway"), []);
            }
        });
    }

    it("the path check fails on a path the chart does not have", () => {
        assert.deepEqual(unknownPaths({ global: { netwrok: "x" } }, "1.29.6", "istiod"), [
            "global.netwrok",
        ]);
        assert.deepEqual(unknownPaths({ network: "x" }, "1.24.6", "ztunnel"), ["network"]);
        assert.deepEqual(
            unknownPaths({ base: { validationFailurePolicy: "Fail" } }, "1.27.9", "istiod"),
            ["base.validationFailurePolicy"],
        );
    });

    it("configures istiod 1.29 for ambient multi-primary, multi-network", () => {
        const mesh = meshFor("1.29.6", "ambient", {
            meshId: "mesh-prod",
            trustDomain: "prod.example.com",
            tracing: { service: "otel.observability.svc.cluster.local", samplingPercent: 5 },
        });
        assert.deepEqual(istiodValues(mesh, id), {
            profile: "ambient",
            global: {
                hub: "docker.io/istio",
                tag: "1.29.6",
                meshID: "mesh-prod",
                multiCluster: { clusterName: "prod-use1-a" },
                network: "prod-use1-a-network",
            },
            meshConfig: {
                trustDomain: "prod.example.com",
                accessLogFile: "/dev/stdout",
                extensionProviders: [
                    {
                        name: "otel-tracing",
                        opentelemetry: {
                            service: "otel.observability.svc.cluster.local",
                            port: 4317,
                        },
                    },
                ],
            },
            env: {
                AMBIENT_ENABLE_MULTI_NETWORK: "true",
                AMBIENT_ENABLE_MULTI_NETWORK_INGRESS: "true",
                AMBIENT_ENABLE_BAGGAGE: "true",
            },
            base: { validationFailurePolicy: "Fail" },
        });
    });

    it("leaves out what older istiod releases do not take", () => {
        const values = istiodValues(meshFor("1.27.9", "ambient", { accessLogging: false }), id);
        assert.deepEqual(values.env, { AMBIENT_ENABLE_MULTI_NETWORK: "true" });
        assert.equal(values.base, undefined);
        assert.deepEqual(values.meshConfig, { trustDomain: "cluster.local" });
    });

    it("gives sidecar-mode istiod no ambient profile or ambient env", () => {
        const values = istiodValues(meshFor("1.29.6", "sidecar"), id);
        assert.equal(values.profile, undefined);
        assert.equal(values.env, undefined);
        assert.deepEqual((values.global as Values).multiCluster, { clusterName: "prod-use1-a" });
    });

    it("names ztunnel's cluster and network the way each release reads them", () => {
        assert.deepEqual(ztunnelValues(meshFor("1.24.6", "sidecar"), id), {
            hub: "docker.io/istio",
            tag: "1.24.6",
            multiCluster: { clusterName: "prod-use1-a" },
        });
        for (const version of ["1.27.9", "1.28.10", "1.29.6", "1.30.3"]) {
            assert.deepEqual(ztunnelValues(meshFor(version), id), {
                hub: "docker.io/istio",
                tag: version,
                multiCluster: { clusterName: "prod-use1-a" },
                network: "prod-use1-a-network",
            });
        }
    });

    it("runs the CNI agent with the ambient profile and the mesh's image hub", () => {
        const mesh = meshFor("1.30.3", "ambient", {
            hub: "123456789012.dkr.ecr.us-east-1.amazonaws.com/istio",
        });
        assert.deepEqual(cniValues(mesh), {
            profile: "ambient",
            global: { hub: "123456789012.dkr.ecr.us-east-1.amazonaws.com/istio", tag: "1.30.3" },
        });
    });

    it("puts the sidecar-mode east-west gateway on the network behind an internal NLB", () => {
        assert.deepEqual(eastWestGatewayValues(id), {
            networkGateway: "prod-use1-a-network",
            service: {
                annotations: {
                    "service.beta.kubernetes.io/aws-load-balancer-type": "nlb",
                    "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal",
                    "service.beta.kubernetes.io/aws-load-balancer-internal": "true",
                    "service.beta.kubernetes.io/aws-load-balancer-cross-zone-load-balancing-enabled":
                        "true",
                },
            },
        });
    });

    it("opens HBONE or mTLS passthrough, status and NodePorts for the east-west gateway", () => {
        assert.deepEqual(eastWestPorts("ambient"), [
            { from: 15008, to: 15008 },
            { from: 15021, to: 15021 },
            { from: 30000, to: 32767 },
        ]);
        assert.deepEqual(eastWestPorts("sidecar")[0], { from: 15443, to: 15443 });
    });

    it("matches the ambient profile's global-service selector (istio.io/global)", () => {
        for (const version of ["1.27.9", "1.28.10", "1.29.6", "1.30.3"]) {
            const profile = readFileSync(
                path.join(REFERENCE, version, "profile-ambient.yaml"),
                "utf8",
            );
            assert.match(profile, /key: istio\.io\/global/, version);
        }
    });
});
