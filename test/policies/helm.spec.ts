import * as assert from "node:assert/strict";
import * as rules from "../../policies/rules";
import { check } from "../fixtures/policy-harness";
import { chartV4, meshStack } from "../fixtures/policy-mesh";
import { resourceCases } from "./cases";

/** The helm-* rules (policies/rules/helm.ts): any chart, Istio's or not. */

describe("policy: Helm charts", () => {
    const istiod = () => meshStack().a.istiod;

    it("helm-chart-version-pinned accepts exact versions", () => {
        assert.deepEqual(check(rules.helmVersionPinned, istiod()), []);
        assert.deepEqual(check(rules.helmVersionPinned, chartV4()), []);
    });

    resourceCases(rules.helmVersionPinned, istiod, [
        {
            title: "rejects a release without a version",
            change: (r) => delete r.props.version,
            expected: [
                'chart "istiod" has no version, so each deploy installs whatever the repository ' +
                    "serves as newest; pin an exact version.",
            ],
        },
        {
            title: "rejects a version range",
            change: (r) => (r.props.version = "~1.29"),
            expected: [
                'chart "istiod" has version "~1.29", a range rather than one release; pin an exact ' +
                    "version (x.y.z).",
            ],
        },
    ]);

    resourceCases(rules.helmVersionPinned, chartV4, [
        {
            title: "rejects a wildcard version on a helm.v4.Chart",
            change: (c) => (c.props.version = "2.x"),
            expected: [
                'chart "kiali-server" has version "2.x", a range rather than one release; pin an ' +
                    "exact version (x.y.z).",
            ],
        },
        {
            title: "leaves a chart vendored at a local path alone",
            change: (c) => (c.props = { chart: "./charts/kiali-server" }),
            expected: [],
        },
    ]);

    it("helm-chart-repository-https accepts https and OCI repositories", () => {
        assert.deepEqual(check(rules.helmRepositoryHttps, istiod()), []);
        const chart = chartV4();
        chart.props = {
            chart: "oci://registry.example.com/charts/kiali-server",
            version: "2.15.0",
        };
        assert.deepEqual(check(rules.helmRepositoryHttps, chart), []);
    });

    resourceCases(rules.helmRepositoryHttps, istiod, [
        {
            title: "rejects a plain http repository",
            change: (r) => (r.props.repositoryOpts = { repo: "http://charts.example.com/istio" }),
            expected: [
                'chart "istiod" comes from "http://charts.example.com/istio", which is not https; a ' +
                    "chart fetched in the clear can be swapped in transit.",
            ],
        },
    ]);

    resourceCases(rules.helmRepositoryHttps, chartV4, [
        {
            title: "rejects a helm.v4.Chart pulled with plainHttp",
            change: (c) =>
                (c.props = {
                    chart: "oci://registry.example.com/charts/kiali-server",
                    plainHttp: true,
                }),
            expected: ['chart "kiali-server" sets plainHttp; fetch it over TLS.'],
        },
    ]);
});
