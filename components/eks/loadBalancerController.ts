import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { LOAD_BALANCER_CONTROLLER, POD_IDENTITY_AGENT_ADDON } from "../versions";

export interface LoadBalancerControllerArgs {
    /** The EKS cluster's name (its `kubernetes.io/cluster/<name>` tag scopes the IAM policy). */
    readonly eksClusterName: pulumi.Input<string>;
    readonly region: string;
    readonly vpcId: pulumi.Input<string>;
    /** The cluster's nodes: the agent add-on and the controller's pods need them. */
    readonly nodes: pulumi.Resource;
    readonly tags: Record<string, string>;
    readonly awsProvider: pulumi.ProviderResource;
    readonly k8sProvider: k8s.Provider;
}

/** Trust policy of a role that EKS Pod Identity hands to pods. */
export function podIdentityTrustPolicy(): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Principal: { Service: "pods.eks.amazonaws.com" },
                Action: ["sts:AssumeRole", "sts:TagSession"],
            },
        ],
    });
}

const TAGGED_BY_CONTROLLER = "elbv2.k8s.aws/cluster";

/**
 * What the controller needs to run network load balancers only, derived from the statements of
 * `docs/install/iam_policy.json` at kubernetes-sigs/aws-load-balancer-controller v2.17.1: the
 * ALB-only integrations (Cognito, ACM, server certificates, WAF, Shield, listener rules) are
 * left out, as the chart runs with WAF and Shield off; changing the ingress rules of security
 * groups it did not create is limited to the cluster's own (`kubernetes.io/cluster/<name>`).
 */
export function loadBalancerControllerPolicy(eksClusterName: string): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            ...readStatements(),
            ...securityGroupStatements(eksClusterName),
            ...loadBalancerStatements(),
        ],
    });
}

const TAGGED = { Null: { [`aws:ResourceTag/${TAGGED_BY_CONTROLLER}`]: "false" } };
const REQUEST_TAGGED = { Null: { [`aws:RequestTag/${TAGGED_BY_CONTROLLER}`]: "false" } };

/** The service-linked role, and what the controller reads. */
function readStatements(): object[] {
    return [
        {
            Sid: "ServiceLinkedRole",
            Effect: "Allow",
            Action: "iam:CreateServiceLinkedRole",
            Resource: "*",
            Condition: {
                StringEquals: { "iam:AWSServiceName": "elasticloadbalancing.amazonaws.com" },
            },
        },
        {
            Sid: "Describe",
            Effect: "Allow",
            Action: [
                "ec2:DescribeAccountAttributes",
                "ec2:DescribeAddresses",
                "ec2:DescribeAvailabilityZones",
                "ec2:DescribeInternetGateways",
                "ec2:DescribeVpcs",
                "ec2:DescribeVpcPeeringConnections",
                "ec2:DescribeSubnets",
                "ec2:DescribeSecurityGroups",
                "ec2:DescribeInstances",
                "ec2:DescribeNetworkInterfaces",
                "ec2:DescribeTags",
                "ec2:DescribeCoipPools",
                "ec2:GetCoipPoolUsage",
                "ec2:GetSecurityGroupsForVpc",
                "ec2:DescribeIpamPools",
                "ec2:DescribeRouteTables",
                "elasticloadbalancing:DescribeLoadBalancers",
                "elasticloadbalancing:DescribeLoadBalancerAttributes",
                "elasticloadbalancing:DescribeListeners",
                "elasticloadbalancing:DescribeListenerAttributes",
                "elasticloadbalancing:DescribeTargetGroups",
                "elasticloadbalancing:DescribeTargetGroupAttributes",
                "elasticloadbalancing:DescribeTargetHealth",
                "elasticloadbalancing:DescribeTags",
                "elasticloadbalancing:DescribeCapacityReservation",
            ],
            Resource: "*",
        },
    ];
}

/** Its own security groups, and backend rules on the cluster's group only. */
function securityGroupStatements(eksClusterName: string): object[] {
    return [
        {
            // Backend rules on the targets' security group: the cluster's own.
            Sid: "ClusterSecurityGroupIngress",
            Effect: "Allow",
            Action: ["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress"],
            Resource: "arn:aws:ec2:*:*:security-group/*",
            Condition: {
                StringEquals: {
                    [`aws:ResourceTag/kubernetes.io/cluster/${eksClusterName}`]: "owned",
                },
            },
        },
        {
            Sid: "CreateSecurityGroup",
            Effect: "Allow",
            Action: "ec2:CreateSecurityGroup",
            Resource: "*",
        },
        {
            Sid: "TagNewSecurityGroup",
            Effect: "Allow",
            Action: "ec2:CreateTags",
            Resource: "arn:aws:ec2:*:*:security-group/*",
            Condition: {
                StringEquals: { "ec2:CreateAction": "CreateSecurityGroup" },
                ...REQUEST_TAGGED,
            },
        },
        {
            Sid: "OwnSecurityGroups",
            Effect: "Allow",
            Action: [
                "ec2:CreateTags",
                "ec2:DeleteTags",
                "ec2:AuthorizeSecurityGroupIngress",
                "ec2:RevokeSecurityGroupIngress",
                "ec2:DeleteSecurityGroup",
            ],
            Resource: "arn:aws:ec2:*:*:security-group/*",
            Condition: TAGGED,
        },
    ];
}

/** Network load balancers, their listeners and target groups, and the targets. */
function loadBalancerStatements(): object[] {
    return [
        {
            Sid: "CreateLoadBalancers",
            Effect: "Allow",
            Action: [
                "elasticloadbalancing:CreateLoadBalancer",
                "elasticloadbalancing:CreateTargetGroup",
            ],
            Resource: "*",
            Condition: REQUEST_TAGGED,
        },
        {
            Sid: "TagOnCreate",
            Effect: "Allow",
            Action: "elasticloadbalancing:AddTags",
            Resource: [
                "arn:aws:elasticloadbalancing:*:*:targetgroup/*/*",
                "arn:aws:elasticloadbalancing:*:*:loadbalancer/net/*/*",
            ],
            Condition: {
                StringEquals: {
                    "elasticloadbalancing:CreateAction": [
                        "CreateTargetGroup",
                        "CreateLoadBalancer",
                    ],
                },
                ...REQUEST_TAGGED,
            },
        },
        {
            Sid: "Listeners",
            Effect: "Allow",
            Action: [
                "elasticloadbalancing:CreateListener",
                "elasticloadbalancing:DeleteListener",
                "elasticloadbalancing:ModifyListener",
                "elasticloadbalancing:AddTags",
                "elasticloadbalancing:RemoveTags",
            ],
            Resource: [
                "arn:aws:elasticloadbalancing:*:*:loadbalancer/net/*/*",
                "arn:aws:elasticloadbalancing:*:*:listener/net/*/*/*",
            ],
        },
        {
            Sid: "OwnLoadBalancers",
            Effect: "Allow",
            Action: [
                "elasticloadbalancing:AddTags",
                "elasticloadbalancing:RemoveTags",
                "elasticloadbalancing:ModifyLoadBalancerAttributes",
                "elasticloadbalancing:SetIpAddressType",
                "elasticloadbalancing:SetSecurityGroups",
                "elasticloadbalancing:SetSubnets",
                "elasticloadbalancing:DeleteLoadBalancer",
                "elasticloadbalancing:ModifyTargetGroup",
                "elasticloadbalancing:ModifyTargetGroupAttributes",
                "elasticloadbalancing:DeleteTargetGroup",
                "elasticloadbalancing:ModifyListenerAttributes",
                "elasticloadbalancing:ModifyCapacityReservation",
                "elasticloadbalancing:ModifyIpPools",
            ],
            Resource: "*",
            Condition: TAGGED,
        },
        {
            Sid: "Targets",
            Effect: "Allow",
            Action: [
                "elasticloadbalancing:RegisterTargets",
                "elasticloadbalancing:DeregisterTargets",
            ],
            Resource: "arn:aws:elasticloadbalancing:*:*:targetgroup/*/*",
        },
    ];
}

/** The controller's Helm values. */
export function loadBalancerControllerValues(
    eksClusterName: string,
    region: string,
    vpcId: string,
): Record<string, unknown> {
    return {
        clusterName: eksClusterName,
        // Pods on EKS nodes cannot reach the instance metadata service (hop limit 1): say it.
        region,
        vpcId,
        // Credentials come from EKS Pod Identity: the association names this account.
        serviceAccount: { create: true, name: LOAD_BALANCER_CONTROLLER.serviceAccount },
        // The default webhook intercepts every Service creation with failurePolicy Fail, so no
        // Service could be created while the controller is down; every Service the platform
        // gives the controller names its class instead.
        enableServiceMutatorWebhook: false,
        enableShield: false,
        enableWaf: false,
        enableWafv2: false,
        createIngressClassResource: false,
    };
}

/**
 * The AWS Load Balancer Controller in one cluster, with its IAM through EKS Pod Identity: the
 * agent add-on, a role only pods of its service account get, and the Helm release. Every
 * LoadBalancer Service depends on `release`, so the controller (not the in-tree provider) makes
 * each load balancer.
 */
export class LoadBalancerController extends pulumi.ComponentResource {
    public readonly release: k8s.helm.v3.Release;
    public readonly roleArn: pulumi.Output<string>;

    constructor(
        name: string,
        args: LoadBalancerControllerArgs,
        opts?: pulumi.ComponentResourceOptions,
    ) {
        super("ambientmesh:eks:LoadBalancerController", name, {}, opts);
        const aws_ = { parent: this, provider: args.awsProvider };
        const tags = (suffix: string) => ({ ...args.tags, Name: `${name}-${suffix}` });

        const agent = new aws.eks.Addon(
            `${name}-pod-identity-agent`,
            {
                clusterName: args.eksClusterName,
                addonName: POD_IDENTITY_AGENT_ADDON,
                resolveConflictsOnCreate: "OVERWRITE",
                tags: tags("pod-identity-agent"),
            },
            // A DaemonSet add-on becomes ACTIVE only once nodes run it.
            { ...aws_, dependsOn: [args.nodes] },
        );
        const role = new aws.iam.Role(
            `${name}-lb-controller`,
            {
                description: `AWS Load Balancer Controller of ${name}`,
                assumeRolePolicy: podIdentityTrustPolicy(),
                tags: tags("lb-controller"),
            },
            aws_,
        );
        const policy = new aws.iam.Policy(
            `${name}-lb-controller`,
            {
                description: `Network load balancers for ${name}`,
                policy: pulumi.output(args.eksClusterName).apply(loadBalancerControllerPolicy),
                tags: tags("lb-controller"),
            },
            aws_,
        );
        const attachment = new aws.iam.RolePolicyAttachment(
            `${name}-lb-controller`,
            { role: role.name, policyArn: policy.arn },
            aws_,
        );
        const association = new aws.eks.PodIdentityAssociation(
            `${name}-lb-controller`,
            {
                clusterName: args.eksClusterName,
                namespace: LOAD_BALANCER_CONTROLLER.namespace,
                serviceAccount: LOAD_BALANCER_CONTROLLER.serviceAccount,
                roleArn: role.arn,
                tags: tags("lb-controller"),
            },
            aws_,
        );

        this.release = new k8s.helm.v3.Release(
            `${name}-aws-load-balancer-controller`,
            {
                name: LOAD_BALANCER_CONTROLLER.chart,
                chart: LOAD_BALANCER_CONTROLLER.chart,
                version: LOAD_BALANCER_CONTROLLER.version,
                repositoryOpts: { repo: LOAD_BALANCER_CONTROLLER.repository },
                namespace: LOAD_BALANCER_CONTROLLER.namespace,
                createNamespace: false,
                values: pulumi
                    .all([args.eksClusterName, args.vpcId])
                    .apply(([cluster, vpc]) =>
                        loadBalancerControllerValues(cluster, args.region, vpc),
                    ),
                cleanupOnFail: true,
                timeout: 600,
                maxHistory: 10,
            },
            {
                parent: this,
                provider: args.k8sProvider,
                // Pods get Pod Identity credentials only if the association exists when they
                // start, and the agent must run on their node.
                dependsOn: [association, attachment, agent, args.nodes],
            },
        );
        this.roleArn = role.arn;
        this.registerOutputs({ roleArn: this.roleArn });
    }
}
