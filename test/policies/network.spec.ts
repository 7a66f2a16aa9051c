import * as assert from "node:assert/strict";
import * as rules from "../../policies/rules";
import { check, stackReportsOf, UNKNOWN } from "../fixtures/policy-harness";
import { entriesOf, meshStack, securityGroup, securityGroupRule } from "../fixtures/policy-mesh";
import { resourceCases, stackCases } from "./cases";

/** The vpc-*, tgw-* and security-group-* rules (policies/rules/network.ts). */

describe("policy: VPC, Transit Gateway, security groups", () => {
    const vpc = () => meshStack().a.vpc;

    resourceCases(rules.vpcCidrSize, vpc, [
        { title: "accepts a /16 VPC", expected: [] },
        {
            title: "flags a /24 VPC as too small for pods",
            change: (v) => (v.props.cidrBlock = "10.10.0.0/24"),
            expected: [
                "cidrBlock 10.10.0.0/24 is smaller than /20; every pod takes a VPC address with " +
                    "the VPC CNI, so the cluster would run out of IPs.",
            ],
        },
    ]);

    resourceCases(rules.vpcDns, vpc, [
        { title: "accepts DNS support and hostnames on", expected: [] },
        {
            title: "rejects a VPC that leaves DNS hostnames at AWS's default (off)",
            change: (v) => delete v.props.enableDnsHostnames,
            expected: [
                "enableDnsHostnames is not true; the private EKS API endpoint's name only resolves " +
                    "inside VPCs with DNS hostnames on.",
            ],
        },
        {
            title: "rejects DNS support off",
            change: (v) => (v.props.enableDnsSupport = false),
            expected: ["enableDnsSupport is false; the private EKS API endpoint needs VPC DNS."],
        },
    ]);

    resourceCases(rules.transitGatewayAutoAccept, () => meshStack().tgw, [
        { title: "accepts auto-accept off", expected: [] },
        {
            title: "rejects auto-accept on",
            change: (t) => (t.props.autoAcceptSharedAttachments = "enable"),
            expected: [
                'autoAcceptSharedAttachments is "enable"; any account the gateway is shared with ' +
                    'could join the mesh network. Set "disable".',
            ],
        },
    ]);

    it("security-group-no-world-ingress accepts ingress from a peer VPC", () => {
        assert.deepEqual(check(rules.securityGroupNoWorldIngress, meshStack().a.apiIngress), []);
        assert.deepEqual(check(rules.securityGroupNoWorldIngress, securityGroupRule()), []);
        assert.deepEqual(check(rules.securityGroupNoWorldIngress, securityGroup()), []);
    });

    resourceCases(rules.securityGroupNoWorldIngress, () => meshStack().a.apiIngress, [
        {
            title: "rejects the API port open to 0.0.0.0/0",
            change: (r) => (r.props.cidrIpv4 = "0.0.0.0/0"),
            expected: [
                "ingress from 0.0.0.0/0 to port 443 opens the cluster to the internet; allow peer " +
                    "VPC CIDRs or known networks instead.",
            ],
        },
        {
            title: "allows ::/0 on a port listed in allowedPorts",
            change: (r) => {
                delete r.props.cidrIpv4;
                r.props.cidrIpv6 = "::/0";
            },
            options: { config: { allowedPorts: [443] } },
            expected: [],
        },
    ]);

    resourceCases(rules.securityGroupNoWorldIngress, securityGroupRule, [
        {
            title: "rejects a world-open port range in a SecurityGroupRule",
            change: (r) => {
                r.props.cidrBlocks = ["0.0.0.0/0"];
                r.props.fromPort = 30000;
                r.props.toPort = 32767;
            },
            expected: [
                "ingress from 0.0.0.0/0 to ports 30000-32767 opens the cluster to the internet; " +
                    "allow peer VPC CIDRs or known networks instead.",
            ],
        },
    ]);

    resourceCases(rules.securityGroupNoWorldIngress, securityGroup, [
        {
            title: "rejects all traffic from ::/0 inline in a SecurityGroup",
            change: (g) =>
                (g.props.ingress = [
                    { protocol: "-1", fromPort: 0, toPort: 0, ipv6CidrBlocks: ["::/0"] },
                ]),
            expected: [
                "ingress from ::/0 to all ports opens the cluster to the internet; allow peer VPC " +
                    "CIDRs or known networks instead.",
            ],
        },
    ]);

    resourceCases(rules.securityGroupRuleDescribed, () => meshStack().a.apiIngress, [
        { title: "accepts a rule that says why it exists", expected: [] },
    ]);

    resourceCases(rules.securityGroupRuleDescribed, securityGroupRule, [
        {
            title: "flags an ingress rule without a description",
            change: (r) => delete r.props.description,
            expected: ["description is empty; say who needs this ingress and why."],
        },
    ]);
});

describe("policy: network stack rules", () => {
    stackCases(rules.vpcCidrsDoNotOverlap, [
        { title: "accepts 10.10.0.0/16 and 10.20.0.0/16", expected: [] },
        {
            title: "rejects a VPC inside another's range",
            change: (s) => (s.b.vpc.props.cidrBlock = "10.10.128.0/17"),
            expected: [
                {
                    resource: "b-vpc",
                    message:
                        "VPC b-vpc (10.10.128.0/17) overlaps VPC a-vpc (10.10.0.0/16); give every " +
                        "VPC of the mesh its own range.",
                },
            ],
        },
    ]);

    stackCases(rules.vpcAttachedToTransitGateway, [
        { title: "accepts one attachment per VPC", expected: [] },
        {
            title: "rejects a VPC whose attachment went to another VPC",
            change: (s) => {
                s.b.attachment.props.vpcId = "vpc-a";
                s.b.attachment.dependsOn = ["a-vpc", "mesh-tgw"];
            },
            expected: [
                {
                    resource: "b-vpc",
                    message:
                        "VPC b-vpc has no Transit Gateway VPC attachment; its cluster cannot reach " +
                        "the other clusters of the mesh.",
                },
            ],
        },
    ]);

    it("vpc-attached-to-transit-gateway follows dependencies in a preview, where new VPCs have no id", () => {
        const stack = meshStack();
        for (const side of [stack.a, stack.b]) {
            side.vpc.id = UNKNOWN;
            side.attachment.props.vpcId = UNKNOWN;
        }
        assert.deepEqual(stackReportsOf(rules.vpcAttachedToTransitGateway, entriesOf(stack)), []);
        stack.b.attachment.dependsOn = ["mesh-tgw"];
        assert.equal(
            (stackReportsOf(rules.vpcAttachedToTransitGateway, entriesOf(stack)) as unknown[])
                .length,
            1,
        );
    });
});
