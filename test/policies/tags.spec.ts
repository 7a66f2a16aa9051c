import * as assert from "node:assert/strict";
import * as rules from "../../policies/rules";
import { check, NOT_APPLICABLE } from "../fixtures/policy-harness";
import { meshStack, TAGS } from "../fixtures/policy-mesh";
import { resourceCases } from "./cases";

/** The aws-* rules (policies/rules/tags.ts). */

describe("policy: tags", () => {
    it("aws-required-tags accepts project, environment and managed-by", () => {
        assert.deepEqual(check(rules.awsRequiredTags, meshStack().a.vpc), []);
        assert.deepEqual(check(rules.awsRequiredTags, meshStack().a.cluster), []);
    });

    resourceCases(rules.awsRequiredTags, () => meshStack().a.vpc, [
        {
            title: "flags a VPC without environment and managed-by",
            change: (v) => (v.props.tags = { project: "eks-ambient-mesh" }),
            expected: [
                "tags lack environment, managed-by; tag it with project, environment, managed-by " +
                    "(directly or through the provider's defaultTags).",
            ],
        },
        {
            title: "counts the provider's defaultTags",
            change: (v) => delete v.props.tags,
            options: {
                provider: {
                    type: "pulumi:providers:aws",
                    name: "aws-us-east-1",
                    urn: "urn:pulumi:test::eks-ambient-mesh::pulumi:providers:aws::aws-us-east-1",
                    // Provider inputs reach policies as strings.
                    props: { region: "us-east-1", defaultTags: JSON.stringify({ tags: TAGS }) },
                },
            },
            expected: [],
        },
    ]);

    resourceCases(rules.awsRequiredTags, () => meshStack().a.clusterPolicy, [
        { title: "does not apply to untaggable resources", expected: NOT_APPLICABLE },
    ]);
});
