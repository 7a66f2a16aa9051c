import * as assert from "node:assert/strict";
import { parse } from "yaml";
import { evaluatePlan, stackResourcesOf } from "../policies/evaluate";
import { meshReachability, meshReachabilityPolicy } from "../policies/rules/reachability";
import { loadBalancerControllerPolicy } from "../components/eks/loadBalancerController";
import { buildPlanJson, PlanJson } from "../scripts/plan/planJson";
import { reachabilityMatrix } from "../scripts/plan/reachabilityMatrix";
import { environmentResources, environmentRun, Resources } from "./fixtures/environments";

/**
 * Cross-cluster traffic on AWS: the AWS Load Balancer Controller, the east-west load balancer on
 * fixed private IPs, and the reachability proof every plan carries (docs/east-west.md).
 */

const RELEASE = "kubernetes:helm.sh/v3:Release";
const SERVICE = "kubernetes:core/v1:Service";
const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule";
const LB = "service.beta.kubernetes.io/aws-load-balancer";

describe("AWS Load Balancer Controller", () => {
    let pair: Resources;
    before(async () => {
        pair = await environmentResources("pair");
    });

    it("installs the pinned chart from eks-charts with Pod Identity and no Service webhook", () => {
        const release = pair.one(RELEASE, "east-a-aws-load-balancer-controller");
        const eks = pair.one("eks:index:Cluster", "east-a-eks").state.eksCluster as any;
        const vpc = pair.one("aws:ec2/vpc:Vpc", "east-a-vpc");
        assert.deepEqual(
            [
                release.inputs.name,
                release.inputs.chart,
                release.inputs.version,
                release.inputs.namespace,
            ],
            [
                "aws-load-balancer-controller",
                "aws-load-balancer-controller",
                "1.17.1",
                "kube-system",
            ],
        );
        assert.deepEqual(release.inputs.repositoryOpts, {
            repo: "https://aws.github.io/eks-charts",
        });
        assert.deepEqual(release.inputs.values, {
            clusterName: eks.name,
            region: "us-east-1",
            vpcId: vpc.id,
            serviceAccount: { create: true, name: "aws-load-balancer-controller" },
            enableServiceMutatorWebhook: false,
            enableShield: false,
            enableWaf: false,
            enableWafv2: false,
            createIngressClassResource: false,
        });
        assert.deepEqual(pair.dependencyNames(release), [
            "east-a-eks",
            "east-a-lb-controller",
            "east-a-lb-controller",
            "east-a-nodes",
            "east-a-pod-identity-agent",
            "east-a-vpc",
        ]);
    });

    it("gives the controller a role only its service account gets, through EKS Pod Identity", () => {
        const role = pair.one("aws:iam/role:Role", "east-a-lb-controller");
        assert.deepEqual(JSON.parse(role.inputs.assumeRolePolicy as string), {
            Version: "2012-10-17",
            Statement: [
                {
                    Effect: "Allow",
                    Principal: { Service: "pods.eks.amazonaws.com" },
                    Action: ["sts:AssumeRole", "sts:TagSession"],
                },
            ],
        });
        const association = pair.one(
            "aws:eks/podIdentityAssociation:PodIdentityAssociation",
            "east-a-lb-controller",
        );
        const eks = pair.one("eks:index:Cluster", "east-a-eks").state.eksCluster as any;
        assert.deepEqual(
            [
                association.inputs.clusterName,
                association.inputs.namespace,
                association.inputs.serviceAccount,
                association.inputs.roleArn,
            ],
            [eks.name, "kube-system", "aws-load-balancer-controller", role.state.arn],
        );
        const agent = pair.one("aws:eks/addon:Addon", "east-a-pod-identity-agent");
        assert.equal(agent.inputs.addonName, "eks-pod-identity-agent");
        assert.ok(pair.dependencyNames(agent).includes("east-a-nodes"));
        const policy = pair.one("aws:iam/policy:Policy", "east-a-lb-controller");
        assert.equal(policy.inputs.policy, loadBalancerControllerPolicy(eks.name));
        const attachment = pair.one(
            "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
            "east-a-lb-controller",
        );
        assert.deepEqual(
            [attachment.inputs.role, attachment.inputs.policyArn],
            [role.state.name, policy.state.arn],
        );
    });

    it("allows network load balancers only, and changes only its own cluster's security groups", () => {
        const doc = JSON.parse(loadBalancerControllerPolicy("east-a-eksCluster-1234567"));
        const actions = doc.Statement.flatMap((s: any) => [s.Action].flat());
        for (const alb of [
            "cognito-idp:DescribeUserPoolClient",
            "acm:ListCertificates",
            "wafv2:AssociateWebACL",
            "shield:CreateProtection",
            "elasticloadbalancing:CreateRule",
            "elasticloadbalancing:SetWebAcl",
            "elasticloadbalancing:AddListenerCertificates",
        ]) {
            assert.ok(!actions.includes(alb), alb);
        }
        const ingress = doc.Statement.find((s: any) => s.Sid === "ClusterSecurityGroupIngress");
        assert.deepEqual(ingress.Condition, {
            StringEquals: {
                "aws:ResourceTag/kubernetes.io/cluster/east-a-eksCluster-1234567": "owned",
            },
        });
        const wildcards = doc.Statement.filter(
            (s: any) => s.Resource === "*" && s.Condition === undefined,
        ).map((s: any) => s.Sid);
        assert.deepEqual(wildcards, ["Describe", "CreateSecurityGroup"]);
        assert.ok(
            doc.Statement.filter((s: any) => s.Sid === "Listeners")[0].Resource.every((r: string) =>
                r.includes("/net/"),
            ),
        );
    });
});

describe("EastWestGateway", () => {
    let pair: Resources;
    let trio: Resources;
    before(async () => {
        [pair, trio] = await Promise.all([
            environmentResources("pair"),
            environmentResources("trio"),
        ]);
    });

    it("puts an internal NLB with IP targets on one fixed, reserved address per private subnet", () => {
        const nlb = pair.one(SERVICE, "east-a-east-west-nlb");
        const annotations = (nlb.inputs.metadata as any).annotations as Record<string, string>;
        const sg = pair.one("aws:ec2/securityGroup:SecurityGroup", "east-a-east-west-sg");
        const subnets = ["east-a-private-1", "east-a-private-2"].map(
            (n) => pair.one("aws:ec2/subnet:Subnet", n).id,
        );
        assert.deepEqual(annotations, {
            [`${LB}-type`]: "external",
            [`${LB}-nlb-target-type`]: "ip",
            [`${LB}-scheme`]: "internal",
            [`${LB}-attributes`]: "load_balancing.cross_zone.enabled=true",
            [`${LB}-healthcheck-port`]: "15021",
            [`${LB}-healthcheck-protocol`]: "HTTP",
            [`${LB}-healthcheck-path`]: "/healthz/ready",
            [`${LB}-subnets`]: subnets.join(","),
            [`${LB}-private-ipv4-addresses`]: "10.10.63.224,10.10.127.224",
            [`${LB}-security-groups`]: sg.id,
            [`${LB}-manage-backend-security-group-rules`]: "true",
        });
        assert.deepEqual(nlb.inputs.spec, {
            type: "LoadBalancer",
            loadBalancerClass: "service.k8s.aws/nlb",
            selector: { "gateway.networking.k8s.io/gateway-name": "istio-eastwest" },
            ports: [{ name: "tcp-hbone", port: 15008, targetPort: 15008, protocol: "TCP" }],
        });
        // No network label: istiod must never take the load balancer for a network gateway.
        assert.equal((nlb.inputs.metadata as any).labels, undefined);
        const deps = pair.dependencyNames(nlb);
        for (const name of ["east-a-aws-load-balancer-controller", "east-a-east-west"]) {
            assert.ok(deps.includes(name), name);
        }
        // The mock answers like AWS: a load balancer gets a name, never an address.
        const ingress = (nlb.state.status as any).loadBalancer.ingress;
        assert.match(ingress[0].hostname, /\.elb\.us-east-1\.amazonaws\.com$/);
    });

    it("admits each peer (or the address space) on the data port only, and reaches only its pods", () => {
        const sg = pair.one("aws:ec2/securityGroup:SecurityGroup", "east-a-east-west-sg");
        const rules = (type: string, env: Resources, group: string) =>
            env
                .ofType(type)
                .filter((r) => r.inputs.securityGroupId === group)
                .map((r) => [r.name, r.inputs.cidrIpv4, r.inputs.fromPort, r.inputs.toPort]);
        assert.deepEqual(rules(INGRESS, pair, sg.id as string), [
            ["east-a-east-west-from-east-b", "10.20.0.0/16", 15008, 15008],
        ]);
        assert.deepEqual(rules(EGRESS, pair, sg.id as string), [
            ["east-a-east-west-health-checks", "10.10.0.0/16", 15021, 15021],
            ["east-a-east-west-to-targets", "10.10.0.0/16", 15008, 15008],
        ]);
        const trioSg = trio.one("aws:ec2/securityGroup:SecurityGroup", "usw2-a-east-west-sg");
        assert.deepEqual(rules(INGRESS, trio, trioSg.id as string), [
            ["usw2-a-east-west-from-mesh-10-96-0-0-11", "10.96.0.0/11", 15008, 15008],
        ]);
    });

    it("advertises only the fixed IPs: the Gateway's Service becomes a ClusterIP on them", () => {
        const params = trio.one("kubernetes:core/v1:ConfigMap", "usw2-a-east-west-params");
        const overlay = parse((params.inputs.data as Record<string, string>).service);
        const nlb = trio.one(SERVICE, "usw2-a-east-west-nlb");
        const held = (nlb.inputs.metadata as any).annotations[`${LB}-private-ipv4-addresses`];
        assert.deepEqual(overlay.spec.externalIPs, held.split(","));
        assert.deepEqual(overlay.spec.externalIPs, [
            "10.110.63.224",
            "10.110.127.224",
            "10.110.191.224",
        ]);
    });

    it("keeps the Gateway's URN across the move into its own component, through an alias", () => {
        const gw = pair.one("kubernetes:gateway.networking.k8s.io/v1:Gateway", "east-a-east-west");
        assert.equal(pair.byUrn(gw.parent!).type, "ambientmesh:mesh:EastWestGateway");
        assert.equal(pair.byUrn(pair.byUrn(gw.parent!).parent!).type, "ambientmesh:mesh:IstioMesh");
    });
});

/** A plan of the environment with secrets revealed, to break and evaluate again. */
async function planOf(name: "pair" | "trio"): Promise<PlanJson> {
    return structuredClone(buildPlanJson(await environmentRun(name), { showSecrets: true }));
}

function without(plan: PlanJson, names: string[]): PlanJson {
    return { ...plan, resources: plan.resources.filter((r) => !names.includes(r.name)) };
}

function input(plan: PlanJson, name: string, type?: string): Record<string, any> {
    const found = plan.resources.filter((r) => r.name === name && (!type || r.type === type));
    assert.equal(found.length, 1, name);
    return found[0].inputs;
}

/** The entry for one path, and what the policy says of the plan. */
function verdict(plan: PlanJson, from: string, to: string, path: "api" | "hbone") {
    const entries = meshReachability(stackResourcesOf(plan));
    const e = entries.find((x) => x.from === from && x.to === to && x.path === path);
    assert.ok(e);
    const results = evaluatePlan(plan, { policies: [meshReachabilityPolicy] });
    return { entry: e, entries, violations: results.policyViolations };
}

describe("reachability", () => {
    it("proves every ordered pair open on both paths in pair (4 paths) and trio (12)", async () => {
        const pair = await planOf("pair");
        assert.deepEqual(
            pair.reachability.map((e) => [e.from, e.to, e.path, e.port, e.open]),
            [
                ["east-a", "east-b", "api", 443, true],
                ["east-a", "east-b", "hbone", 15008, true],
                ["east-b", "east-a", "api", 443, true],
                ["east-b", "east-a", "hbone", 15008, true],
            ],
        );
        const trio = await planOf("trio");
        assert.equal(trio.reachability.length, 12);
        assert.ok(trio.reachability.every((e) => e.open));
        const cross = trio.reachability.find(
            (e) => e.from === "use1-a" && e.to === "usw2-a" && e.path === "hbone",
        );
        assert.deepEqual(
            cross?.hops.map((h) => h.hop),
            [
                "gateway-address",
                "source-route",
                "tgw-attachment",
                "tgw-route",
                "peering",
                "return-route",
                "security-group",
            ],
        );
        assert.equal(
            cross?.hops[0].detail,
            "10.110.63.224, 10.110.127.224, 10.110.191.224 on internal load balancer usw2-a-east-west-nlb",
        );
        assert.deepEqual(
            evaluatePlan(trio, { policies: [meshReachabilityPolicy] }).policyViolations,
            [],
        );
    });

    it("prints the matrix and names each closed path's blocking hop", async () => {
        const plan = without(await planOf("pair"), ["east-b-east-west-from-east-a"]);
        const text = reachabilityMatrix(meshReachability(stackResourcesOf(plan)));
        assert.equal(
            text,
            [
                "Reachability (api 443, hbone 15008): 3 of 4 paths open",
                "  from \\ to  east-a         east-b",
                "  east-a     -              api ✓ hbone ✗",
                "  east-b     api ✓ hbone ✓  -",
                "  ✗ east-a -> east-b hbone: blocked at security-group: east-b's east-west load balancer admits 10.10.0.0/16 on no rule for 15008",
            ].join("\n"),
        );
    });

    it("closes the path at a missing VPC route, and the policy names it", async () => {
        const plan = without(await planOf("pair"), ["east-a-private-2-to-east-b"]);
        const { entry, violations } = verdict(plan, "east-a", "east-b", "hbone");
        assert.equal(entry.blockedAt, "source-route");
        assert.ok(violations.length >= 2);
        assert.equal(
            violations[0].message,
            "east-a cannot reach east-b on the api path (port 443): blocked at source-route: " +
                "east-a-private-2 has no route to 10.20.0.0 (east-b) through a Transit Gateway (it " +
                "goes to nat via 0.0.0.0/0).",
        );
        assert.equal(violations[0].enforcementLevel, "mandatory");
        assert.match(violations[0].urn, /RouteTable::east-a-private-2$/);
    });

    it("closes the path where a VPC is not attached to its Transit Gateway", async () => {
        const plan = without(await planOf("pair"), ["east-a-tgw"]);
        const { entry } = verdict(plan, "east-a", "east-b", "api");
        assert.equal(entry.blockedAt, "tgw-attachment");
    });

    it("closes a cross-region path at a missing Transit Gateway peering route", async () => {
        const plan = without(await planOf("trio"), [
            "trio-us-east-1-us-west-2-us-east-1-to-usw2-a",
        ]);
        const { entry, violations } = verdict(plan, "use1-b", "usw2-a", "hbone");
        assert.equal(entry.blockedAt, "tgw-route");
        assert.match(
            entry.hops.at(-1)!.detail,
            /trio-us-east-1-tgw's route table has no route to 10\.110\.63\.224 \(usw2-a\)/,
        );
        // The other direction fails on the way back.
        const back = meshReachability(stackResourcesOf(plan)).find(
            (e) => e.from === "usw2-a" && e.to === "use1-a" && e.path === "api",
        );
        assert.equal(back?.blockedAt, "return-route");
        assert.ok(violations.some((v) => v.message.includes("blocked at tgw-route")));
    });

    it("closes a cross-region path whose peering is never accepted", async () => {
        const plan = without(await planOf("trio"), ["trio-us-east-1-us-west-2-accepter"]);
        assert.equal(verdict(plan, "use1-a", "usw2-a", "api").entry.blockedAt, "peering");
    });

    it("closes the path at a security group that does not admit the peer", async () => {
        const plan = await planOf("trio");
        input(plan, "usw2-a-api-from-mesh-10-96-0-0-11").cidrIpv4 = "10.110.0.0/16";
        const { entry } = verdict(plan, "use1-a", "usw2-a", "api");
        assert.equal(entry.blockedAt, "security-group");
        assert.equal(
            entry.hops.at(-1)?.detail,
            "usw2-a's cluster security group admits 10.100.0.0/16 on no rule for 443",
        );
    });

    it("closes the API path to a private-only endpoint turned off, and to a public one that omits the NATs", async () => {
        const plan = await planOf("pair");
        const eks = input(plan, "east-b-eks", "eks:index:Cluster");
        eks.endpointPrivateAccess = false;
        eks.publicAccessCidrs = ["203.0.113.0/24"];
        const { entry } = verdict(plan, "east-a", "east-b", "api");
        assert.equal(entry.blockedAt, "endpoint");
        assert.match(
            entry.hops[0].detail,
            /east-b's public endpoint admits only 203\.0\.113\.0\/24, not east-a's NAT address east-a-nat-1, and it has no private endpoint/,
        );
        eks.endpointPublicAccess = false;
        assert.equal(
            verdict(plan, "east-a", "east-b", "api").entry.hops[0].detail,
            "east-b's API server has no endpoint at all",
        );
    });

    it("closes the HBONE path at a gateway that advertises its load balancer's hostname", async () => {
        const plan = await planOf("pair");
        delete input(plan, "east-b-east-west", "kubernetes:gateway.networking.k8s.io/v1:Gateway")
            .spec.infrastructure;
        const { entry, violations } = verdict(plan, "east-a", "east-b", "hbone");
        assert.equal(entry.blockedAt, "gateway-address");
        assert.match(entry.hops[0].detail, /advertises the load balancer's DNS name, not an IP/);
        assert.match(entry.hops[0].detail, /UnknownNetworkGateway/);
        assert.match(violations[0].urn, /Gateway::east-b-east-west$/);
    });

    it("closes the HBONE path at an address no CIDR reservation holds", async () => {
        const plan = without(await planOf("pair"), ["east-b-private-2-reserved"]);
        const { entry } = verdict(plan, "east-a", "east-b", "hbone");
        assert.equal(entry.blockedAt, "gateway-address");
        assert.equal(
            entry.hops[0].detail,
            "10.20.127.224 in east-b-private-2 is held by no explicit subnet CIDR reservation, so the VPC CNI may give it to a pod",
        );
    });

    it("closes the HBONE path when the load balancer holds other addresses than the gateway advertises", async () => {
        const plan = await planOf("pair");
        input(plan, "east-b-east-west-nlb", SERVICE).metadata.annotations[
            `${LB}-private-ipv4-addresses`
        ] = "10.20.63.230,10.20.127.224";
        assert.equal(verdict(plan, "east-a", "east-b", "hbone").entry.blockedAt, "gateway-address");
    });

    it("closes the reply's way back at a missing route in the destination", async () => {
        const plan = without(await planOf("pair"), [
            "east-b-private-1-to-east-a",
            "east-b-private-2-to-east-a",
        ]);
        const { entry } = verdict(plan, "east-a", "east-b", "hbone");
        assert.equal(entry.blockedAt, "return-route");
    });
});
