import * as aws from "@pulumi/aws";
import { PolicyConfigSchema, StackValidationPolicy } from "@pulumi/policy";
import { configOf, dig, known, knownString, refersTo } from "../util";

/** The IAM role the EKS control plane assumes, and the AWS managed policies it carries. */

const clusterRoleSchema: PolicyConfigSchema = {
    properties: {
        requiredPolicies: {
            type: "array",
            items: { type: "string" },
            default: ["AmazonEKSClusterPolicy", "AmazonEKSVPCResourceController"],
            description: "AWS managed policies (by name) every EKS cluster role carries.",
        },
    },
};

/** Whether an IAM trust policy (JSON text or a policy document) lets EKS assume the role. */
function trustsEks(assumeRolePolicy: unknown): boolean {
    let doc = assumeRolePolicy;
    if (typeof doc === "string") {
        try {
            doc = JSON.parse(doc);
        } catch {
            return false;
        }
    }
    const statement = dig(doc, ["Statement"]);
    const statements = Array.isArray(statement) ? statement : [statement];
    return statements.some((s) => {
        const service = dig(s, ["Principal", "Service"]);
        return (Array.isArray(service) ? service : [service]).includes("eks.amazonaws.com");
    });
}

export const eksClusterRolePolicies: StackValidationPolicy = {
    name: "eks-cluster-role-policies",
    description:
        "EKS cluster roles carry AmazonEKSClusterPolicy and AmazonEKSVPCResourceController, which security groups for pods need.",
    enforcementLevel: "mandatory",
    configSchema: clusterRoleSchema,
    validateStack: (args, report) => {
        const { requiredPolicies } = configOf<{ requiredPolicies: string[] }>(
            clusterRoleSchema,
            args,
        );
        const roles = args.resources.filter(
            (r) =>
                r.isType(aws.iam.Role) && known(() => trustsEks(r.props.assumeRolePolicy)) === true,
        );
        if (roles.length === 0) {
            args.notApplicable("Policy only applies to stacks with EKS cluster roles");
        }
        const attachments = args.resources.filter((r) => r.isType(aws.iam.RolePolicyAttachment));
        for (const role of roles) {
            const arns = [
                ...((known(() => role.props.managedPolicyArns) as string[] | undefined) ?? []),
                ...attachments
                    .filter((a) => refersTo(a, "role", role))
                    .flatMap((a) => knownString(() => a.props.policyArn) ?? []),
            ];
            const missing = requiredPolicies.filter(
                (name) => !arns.some((arn) => arn.endsWith(`:policy/${name}`)),
            );
            if (missing.length > 0) {
                report(
                    `EKS cluster role ${role.name} lacks ${missing.join(", ")}; the control plane ` +
                        "needs AmazonEKSClusterPolicy, and AmazonEKSVPCResourceController to give " +
                        "pods their own security groups.",
                    role.urn,
                );
            }
        }
    },
};
