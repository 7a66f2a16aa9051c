import * as assert from "node:assert/strict";
import { existsSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { DataplaneMode, MeshConfig, validateConfig } from "../components/config";
import { eastWestServiceOverlay } from "../components/mesh/eastWestGateway";
import { chartSource } from "../components/mesh/istioRelease";
import { GLOBAL_SERVICE_LABELS } from "../components/platformReference";
import {
    baseValues,
    cniValues,
    eastWestGatewayValues,
    eastWestPort,
    ingressGatewayValues,
    istiodValues,
    Values,
    ztunnelValues,
} from "../components/mesh/istioValues";
import { controlPlaneOf, revisionName } from "../components/mesh/controlPlane";
import {
    hasBranchEniProbeFix,
    ISTIO_RELEASES,
    istioReleaseOf,
    ISTIO_VERSIONS,
} from "../components/versions";
import {
    ChartFacts,
    deriveReleaseFacts,
    IstioChart,
    ISTIO_CHARTS,
    isDeclared,
    ReleaseFacts,
} from "../scripts/chartFacts/facts";
import { readFactsFile } from "../scripts/chartFacts/file";
import { chartDefaultsFolder } from "../scripts/chartFacts/sources";

/**
 * Keys whose values are free-form maps in the charts (an env map, Kubernetes labels and
 * annotations, the MeshConfig proto): we may add any key below them.
 */
const FREE_FORM = new Set(["env", "meshConfig", "labels", "annotations", "service.annotations"]);

/**
 * The mesh config of a one-cluster stack on `version`. Ambient on a release that config refuses
 * for ambient (no branch-ENI probe fix) is built as sidecar and switched, so that the values
 * shapes of every pinned release stay covered.
 */
/** The mesh's only control-plane revision (no upgrade in progress). */
const rev = (mesh: MeshConfig) => controlPlaneOf(mesh).revisions[0];

function meshFor(version: string, mode: DataplaneMode = "ambient", extra = {}): MeshConfig {
    const release = istioReleaseOf(version);
    assert.ok(release);
    const k8s = release.kubernetes[release.kubernetes.length - 1];
    const validatedMode = mode === "ambient" && !hasBranchEniProbeFix(release) ? "sidecar" : mode;
    const mesh = validateConfig(
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
            mesh: { istioVersion: version, dataplaneMode: validatedMode, ...extra },
        },
        "eks-ambient-mesh",
    ).mesh;
    return { ...mesh, dataplaneMode: mode };
}

const FACTS = readFactsFile();

function factsFor(version: string): ReleaseFacts {
    const minor = version.split(".").slice(0, 2).join(".");
    const facts = FACTS[minor];
    assert.ok(facts, `no chart facts for Istio ${minor}; run npm run chart-facts`);
    return facts;
}

/** Every leaf path we set, as dotted keys; arrays and free-form maps count as leaves. */
function leafPaths(values: Values, prefix = ""): string[] {
    return Object.entries(values).flatMap(([key, value]) => {
        const p = prefix ? `${prefix}.${key}` : key;
        const isMap = value !== null && typeof value === "object" && !Array.isArray(value);
        return isMap && !FREE_FORM.has(p) ? leafPaths(value as Values, p) : [p];
    });
}

/**
 * Paths the chart neither declares in its defaults nor reads in its templates. Every Istio chart
 * takes `profile` (its profile files are merged under user values).
 */
function unknownPaths(ours: Values, version: string, chart: IstioChart): string[] {
    const facts = factsFor(version).charts[chart];
    return leafPaths(ours).filter(
        (p) => p !== "profile" && !isDeclared(facts, p) && !facts.templateOnly.includes(p),
    );
}

const id = { clusterName: "prod-use1-a", network: "prod-use1-a-network" };

describe("Istio Helm values", () => {
    it("has chart facts, derived from Istio's own charts, for every pinned minor", () => {
        assert.deepEqual(ISTIO_VERSIONS, [
            "1.24.6",
            "1.27.9",
            "1.28.10",
            "1.29.6",
            "1.30.5",
            "1.31.1",
        ]);
        for (const release of Object.values(ISTIO_RELEASES)) {
            const facts = factsFor(release.version);
            assert.deepEqual(Object.keys(facts.charts), [...ISTIO_CHARTS]);
            assert.ok(facts.charts.istiod.leaves.includes("global.meshID"), release.version);
        }
    });

    it("pins the Gateway API release each Istio release was built against", () => {
        for (const release of Object.values(ISTIO_RELEASES)) {
            assert.equal(release.gatewayApi, factsFor(release.version).gatewayApi, release.version);
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
                assert.deepEqual(
                    unknownPaths(baseValues(controlPlaneOf(mesh)), version, "base"),
                    [],
                );
                assert.deepEqual(
                    unknownPaths(istiodValues(mesh, id, rev(mesh)), version, "istiod"),
                    [],
                    mode,
                );
                assert.deepEqual(unknownPaths(cniValues(mesh, rev(mesh)), version, "cni"), []);
                assert.deepEqual(
                    unknownPaths(ztunnelValues(mesh, id, rev(mesh)), version, "ztunnel"),
                    [],
                );
                assert.deepEqual(
                    unknownPaths(eastWestGatewayValues(id, ["10.0.63.224"]), version, "gateway"),
                    [],
                );
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
        assert.deepEqual(istiodValues(mesh, id, rev(mesh)), {
            profile: "ambient",
            revision: "1-29",
            revisionTags: ["default"],
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
                ISTIO_MULTIROOT_MESH: "true",
                AMBIENT_ENABLE_MULTI_NETWORK: "true",
                AMBIENT_ENABLE_MULTI_NETWORK_INGRESS: "true",
                AMBIENT_ENABLE_BAGGAGE: "true",
            },
            base: { validationFailurePolicy: "Fail" },
        });
    });

    it("leaves out what older istiod releases do not take", () => {
        const values = istiodValues(
            meshFor("1.27.9", "ambient", { accessLogging: false }),
            id,
            rev(meshFor("1.27.9", "ambient", { accessLogging: false })),
        );
        assert.deepEqual(values.env, {
            ISTIO_MULTIROOT_MESH: "true",
            AMBIENT_ENABLE_MULTI_NETWORK: "true",
        });
        assert.equal(values.base, undefined);
        assert.deepEqual(values.meshConfig, { trustDomain: "cluster.local" });
    });

    it("gives sidecar-mode istiod no ambient profile or ambient env", () => {
        const values = istiodValues(
            meshFor("1.29.6", "sidecar"),
            id,
            rev(meshFor("1.29.6", "sidecar")),
        );
        assert.equal(values.profile, undefined);
        // What every istiod gets, in either mode: root rotation phases reload without a restart.
        assert.deepEqual(values.env, { ISTIO_MULTIROOT_MESH: "true" });
        assert.deepEqual((values.global as Values).multiCluster, { clusterName: "prod-use1-a" });
    });

    it("names ztunnel's cluster and network the way each release reads them", () => {
        assert.deepEqual(
            ztunnelValues(meshFor("1.24.6", "sidecar"), id, rev(meshFor("1.24.6", "sidecar"))),
            {
                hub: "docker.io/istio",
                tag: "1.24.6",
                revision: "1-24",
                multiCluster: { clusterName: "prod-use1-a" },
            },
        );
        for (const version of ["1.27.9", "1.28.10", "1.29.6", "1.30.5", "1.31.1"]) {
            assert.deepEqual(ztunnelValues(meshFor(version), id, rev(meshFor(version))), {
                hub: "docker.io/istio",
                tag: version,
                revision: revisionName(version),
                multiCluster: { clusterName: "prod-use1-a" },
                network: "prod-use1-a-network",
            });
        }
    });

    it("runs the CNI agent with the ambient profile and the mesh's image hub", () => {
        const mesh = meshFor("1.31.1", "ambient", {
            hub: "123456789012.dkr.ecr.us-east-1.amazonaws.com/istio",
        });
        assert.deepEqual(cniValues(mesh, rev(mesh)), {
            profile: "ambient",
            revision: "1-31",
            global: { hub: "123456789012.dkr.ecr.us-east-1.amazonaws.com/istio", tag: "1.31.1" },
        });
    });

    it("starts the webhooks of base and istiod at failurePolicy Fail where the charts read it", () => {
        for (const version of ["1.28.10", "1.29.6", "1.30.5", "1.31.1"]) {
            const mesh = meshFor(version);
            const fail = { validationFailurePolicy: "Fail" };
            assert.deepEqual(baseValues(controlPlaneOf(mesh)), {
                defaultRevision: revisionName(version),
                base: fail,
            });
            assert.deepEqual(istiodValues(mesh, id, rev(mesh)).base, fail, version);
            // Read by templates of both charts, declared in neither chart's defaults.
            for (const chart of ["base", "istiod"] as const) {
                assert.ok(
                    factsFor(version).charts[chart].templateOnly.includes(
                        "base.validationFailurePolicy",
                    ),
                    `${version} ${chart}`,
                );
            }
        }
        assert.deepEqual(baseValues(controlPlaneOf(meshFor("1.27.9", "sidecar"))), {
            defaultRevision: "1-27",
        });
    });

    it("sets what Istio 1.31's upgrade notes ask of istiod, and nothing of it before 1.31", () => {
        const env = istiodValues(meshFor("1.31.1"), id, rev(meshFor("1.31.1"))).env as Record<
            string,
            string
        >;
        assert.equal(env.ISTIO_GPRC_MAXRECVMSGSIZE, "33554432");
        assert.equal(env.PILOT_AUTO_SEND_UNHEALTHY_ENDPOINTS, "false");
        assert.equal(env.AMBIENT_ENABLE_MULTI_NETWORK, "true");
        const sidecar = istiodValues(
            meshFor("1.31.1", "sidecar"),
            id,
            rev(meshFor("1.31.1", "sidecar")),
        ).env as Record<string, string>;
        assert.deepEqual(Object.keys(sidecar).sort(), [
            "ISTIO_GPRC_MAXRECVMSGSIZE",
            "ISTIO_MULTIROOT_MESH",
            "PILOT_AUTO_SEND_UNHEALTHY_ENDPOINTS",
        ]);
        const before = istiodValues(meshFor("1.30.5"), id, rev(meshFor("1.30.5"))).env as Record<
            string,
            string
        >;
        assert.equal(before.ISTIO_GPRC_MAXRECVMSGSIZE, undefined);
    });

    it("keeps sidecar mode's east-west gateway Service a ClusterIP on the load balancer's fixed IPs", () => {
        assert.deepEqual(eastWestGatewayValues(id, ["10.100.63.224", "10.100.127.224"]), {
            networkGateway: "prod-use1-a-network",
            service: { type: "ClusterIP", externalIPs: ["10.100.63.224", "10.100.127.224"] },
        });
    });

    it("overlays the ambient east-west gateway's Service the same way, through its ConfigMap", () => {
        assert.deepEqual(parse(eastWestServiceOverlay(["10.100.63.224", "10.100.127.224"])), {
            spec: { type: "ClusterIP", externalIPs: ["10.100.63.224", "10.100.127.224"] },
        });
    });

    it("gives the ingress gateway an internet-facing NLB with IP targets from the controller", () => {
        assert.deepEqual(ingressGatewayValues(), {
            service: {
                annotations: {
                    "service.beta.kubernetes.io/aws-load-balancer-type": "external",
                    "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip",
                    "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing",
                    "service.beta.kubernetes.io/aws-load-balancer-attributes":
                        "load_balancing.cross_zone.enabled=true",
                    "service.beta.kubernetes.io/aws-load-balancer-healthcheck-port": "15021",
                    "service.beta.kubernetes.io/aws-load-balancer-healthcheck-protocol": "HTTP",
                    "service.beta.kubernetes.io/aws-load-balancer-healthcheck-path":
                        "/healthz/ready",
                },
            },
        });
    });

    it("receives peers on HBONE 15008 in ambient mode and mTLS passthrough 15443 in sidecar mode", () => {
        assert.equal(eastWestPort("ambient"), 15008);
        assert.equal(eastWestPort("sidecar"), 15443);
    });

    it("names the chart the way helm.v3.Release takes it from a Helm repository or an OCI registry", () => {
        assert.deepEqual(chartSource("https://blob.istio.io/istio-release/charts", "istiod"), {
            chart: "istiod",
            repositoryOpts: { repo: "https://blob.istio.io/istio-release/charts" },
        });
        assert.deepEqual(chartSource("oci://ghcr.io/istio/release/charts/", "ztunnel"), {
            chart: "oci://ghcr.io/istio/release/charts/ztunnel",
        });
    });

    it("matches the ambient profile's global-service selector (istio.io/global)", () => {
        for (const version of ["1.27.9", "1.28.10", "1.29.6", "1.30.5", "1.31.1"]) {
            assert.deepEqual(
                { [factsFor(version).globalServiceLabel ?? "none"]: "true" },
                GLOBAL_SERVICE_LABELS,
                version,
            );
        }
    });
});

/**
 * Istio's chart defaults per release, when `ISTIO_CHART_REFERENCE` names a folder of them (CI
 * sets it when its checkout has one). Without it this suite skips: the committed facts are what
 * every other test reads.
 */
const REFERENCE = process.env.ISTIO_CHART_REFERENCE ?? "";

/** Reference folders that stand for a pinned minor (the reference names 1.31 by its branch). */
const REFERENCE_FOLDERS: Record<string, string> = {
    "1.24": "1.24.6",
    "1.27": "1.27.9",
    "1.28": "1.28.10",
    "1.29": "1.29.6",
    "1.30": "1.30.3",
    "1.31": "1.31",
};

describe("chart facts against the chart-defaults reference in ISTIO_CHART_REFERENCE", function () {
    before(function () {
        if (!existsSync(REFERENCE)) {
            this.skip();
        }
    });

    for (const [minor, folder] of Object.entries(REFERENCE_FOLDERS)) {
        it(`${minor}: the committed facts still match the reference's ${folder} defaults`, () => {
            const fromReference = deriveReleaseFacts(
                chartDefaultsFolder(path.join(REFERENCE, folder), folder),
            );
            const committed = FACTS[minor];
            assert.equal(committed.gatewayApi, fromReference.gatewayApi);
            assert.equal(committed.globalServiceLabel, fromReference.globalServiceLabel);
            for (const chart of ISTIO_CHARTS) {
                // The reference has no templates: compare what the defaults declare.
                const declared = ({ maps, openMaps, leaves }: ChartFacts) => ({
                    maps,
                    openMaps,
                    leaves,
                });
                assert.deepEqual(
                    declared(committed.charts[chart]),
                    declared(fromReference.charts[chart]),
                    `${minor} ${chart}`,
                );
            }
        });
    }
});
