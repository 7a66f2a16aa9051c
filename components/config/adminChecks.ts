import { accessEntryName } from "../names";
import { Problems, show } from "./problems";

/**
 * `clusterAdmins`: principals EKS access entries take, one access entry each. The clusters'
 * regions are all in AWS's commercial partition (`REGIONS` in `components/versions.ts`), whose
 * ARNs start `arn:aws:`.
 */

const ARN = /^arn:([^:]*):([^:]*):([^:]*):([^:]*):(.*)$/;
/** `role/name` or `user/path/to/name`: IAM paths are printable ASCII, names at most 64 of `\w+=,.@-`. */
const ROLE_OR_USER = /^(role|user)\/([\x21-\x2e\x30-\x7e]+\/)*[\w+=,.@-]{1,64}$/;
const ACCOUNT = /^\d{12}$/;
const EXAMPLE = "arn:aws:iam::123456789012:role/platform-admin";

/** Why a principal cannot have an access entry, or undefined when it can. */
function principalProblem(arn: string): string | undefined {
    const [, partition, service, region, account, resource] = ARN.exec(arn) ?? [];
    if (resource === undefined) {
        return `is not an IAM role or user ARN like ${EXAMPLE}`;
    }
    if (partition !== "aws" && /^aws-/.test(partition)) {
        return `is in the ${partition} partition; every region the clusters may use is in AWS's commercial partition, whose ARNs start arn:aws:`;
    }
    const session = /^assumed-role\/([^/]+)\/.+$/.exec(resource);
    if (service === "sts" && session && ACCOUNT.test(account)) {
        return `is an STS session, which an EKS access entry cannot name; use the IAM role's ARN, arn:aws:iam::${account}:role/${session[1]} (with the role's path, if it has one)`;
    }
    if (
        partition !== "aws" ||
        service !== "iam" ||
        region !== "" ||
        !ACCOUNT.test(account) ||
        !ROLE_OR_USER.test(resource)
    ) {
        return `is not an IAM role or user ARN like ${EXAMPLE}`;
    }
    return undefined;
}

/**
 * Each admin a principal EKS takes, listed once, and no two that would make one access entry (the
 * program names an entry by the ARN's last segment, so the second would replace the first).
 */
export function checkClusterAdmins(admins: readonly string[], problems: Problems): void {
    const byArn = new Map<string, number>();
    const byEntry = new Map<string, number>();
    admins.forEach((arn, i) => {
        const key = `clusterAdmins[${i}]`;
        const problem = principalProblem(arn);
        if (problem) {
            problems.push(`${key}: ${show(arn)} ${problem}`);
            return;
        }
        const twin = byArn.get(arn);
        if (twin !== undefined) {
            problems.push(
                `${key}: ${show(arn)} is listed twice (also clusterAdmins[${twin}]); list each principal once`,
            );
            return;
        }
        byArn.set(arn, i);
        const entry = accessEntryName(arn);
        const other = byEntry.get(entry);
        if (other !== undefined) {
            problems.push(
                `${key}: ${show(arn)} and clusterAdmins[${other}] ${show(admins[other])} would both be access entry "${entry}", as the program names an entry by the ARN's last segment, so one would replace the other; grant one of them through a principal of another name`,
            );
            return;
        }
        byEntry.set(entry, i);
    });
}
