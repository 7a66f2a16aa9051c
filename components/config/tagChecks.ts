import { LIMITS, Problems } from "./problems";

/**
 * `tags`: what AWS takes on every resource the program tags (IAM roles among them), and what the
 * program would silently override.
 */

/**
 * The tags the program sets itself, after the user's: a user tag with one of these keys would be
 * overridden without a word. Each with what the program puts there. `test/limits.spec.ts` keeps
 * this list equal to the tag keys a plan holds.
 */
export const PROGRAM_TAGS: Readonly<Record<string, string>> = {
    project: "the project's name, on every resource",
    environment: "the environment, on every resource",
    "managed-by": '"pulumi", on every resource',
    cluster: "the cluster's name, on each cluster's resources",
    Name: "each resource's own name",
    "kubernetes.io/role/elb": "on public subnets, for internet-facing load balancers",
    "kubernetes.io/role/internal-elb": "on private subnets, for internal load balancers",
};

/**
 * The most of those on one resource: a subnet carries project, environment, managed-by, cluster,
 * Name and its kubernetes.io/role tag.
 */
export const PROGRAM_TAGS_PER_RESOURCE = 6;

/** Key prefixes that steer controllers, and what a tag under them would do. */
const CONTROLLER_PREFIXES = [
    {
        prefix: "kubernetes.io/",
        why: "EKS and the load balancer controller read tags under kubernetes.io/ (which subnets take load balancers, which cluster owns a security group, which the controller's IAM policy trusts)",
    },
    {
        prefix: "elbv2.k8s.aws/",
        why: "the load balancer controller's IAM policy lets it change and delete whatever carries elbv2.k8s.aws/cluster; on every resource it would hand the controller the program's security groups",
    },
];

/** IAM's pattern for tag keys and values: Unicode letters, digits, spaces and `_ . : / = + - @`. */
const TAG_CHARACTER = /[\p{L}\p{Z}\p{N}_.:/=+\-@]/u;
const ALLOWED = "letters, digits, spaces and _ . : / = + - @";

/** `tags.owner`, or `tags["a b"]` where the key would not read as one. */
function keyOf(key: string): string {
    return /^[^\s"[\]]+$/.test(key) ? `tags.${key}` : `tags[${JSON.stringify(key)}]`;
}

/** Characters AWS does not take in a tag, each quoted: `"<", ">"`. */
function badCharacters(text: string): string | undefined {
    const bad = [...new Set([...text].filter((ch) => !TAG_CHARACTER.test(ch)))];
    return bad.length > 0 ? bad.map((ch) => JSON.stringify(ch)).join(", ") : undefined;
}

const length = (text: string) => [...text].length;

/** Why the program cannot carry a tag with this key, or undefined when it can. */
function keyProblem(key: string): string | undefined {
    const { keyLength } = LIMITS.tags;
    if (key.length === 0) {
        return `a tag key is empty; AWS takes keys of 1 to ${keyLength} characters`;
    }
    if (key.toLowerCase().startsWith("aws:")) {
        return 'keys starting with "aws:" are reserved for AWS';
    }
    if (length(key) > keyLength) {
        return `the key is ${length(key)} characters; AWS takes 1 to ${keyLength}`;
    }
    const bad = badCharacters(key);
    if (bad) {
        return `the key holds ${bad}, which AWS does not take in tags; use ${ALLOWED}`;
    }
    if (Object.hasOwn(PROGRAM_TAGS, key)) {
        return `the program sets this tag itself (${PROGRAM_TAGS[key]}) and would override yours; remove it`;
    }
    const same = Object.keys(PROGRAM_TAGS).find((k) => k.toLowerCase() === key.toLowerCase());
    if (same) {
        return `IAM ignores the case of tag keys on roles, so on the program's IAM roles this would be the program's own "${same}" tag (${PROGRAM_TAGS[same]}); rename it`;
    }
    const steering = CONTROLLER_PREFIXES.find((p) => key.toLowerCase().startsWith(p.prefix));
    if (steering) {
        return `${steering.why}; rename it`;
    }
    return undefined;
}

function valueProblem(value: string): string | undefined {
    const { valueLength } = LIMITS.tags;
    if (length(value) > valueLength) {
        return `the value is ${length(value)} characters; AWS takes at most ${valueLength}`;
    }
    const bad = badCharacters(value);
    return bad
        ? `the value ${JSON.stringify(value)} holds ${bad}, which AWS does not take in tags; use ${ALLOWED}`
        : undefined;
}

/**
 * The user's tags: each key and value as AWS takes them, none the program sets itself, no two
 * that IAM would read as one, and few enough that the program's own fit beside them. `written`
 * is the map as written, for keys a JavaScript object cannot hold.
 */
export function checkTags(
    tags: Readonly<Record<string, string>>,
    written: unknown,
    problems: Problems,
): void {
    const writtenKeys = typeof written === "object" && written !== null ? Object.keys(written) : [];
    for (const key of writtenKeys.filter((k) => !Object.hasOwn(tags, k))) {
        problems.push(
            `${keyOf(key)}: a JavaScript object cannot hold this key (the tag would be dropped without a word); rename it`,
        );
    }
    const firstOfCase = new Map<string, string>();
    for (const [key, value] of Object.entries(tags)) {
        const problem = keyProblem(key) ?? valueProblem(value);
        if (problem) {
            problems.push(`${keyOf(key)}: ${problem}`);
        }
        const earlier = firstOfCase.get(key.toLowerCase());
        if (earlier !== undefined) {
            problems.push(
                `${keyOf(key)}: "${key}" and "${earlier}" differ only in case; IAM ignores the case of tag keys on roles, so the program's IAM roles would keep one of them; keep one`,
            );
        } else {
            firstOfCase.set(key.toLowerCase(), key);
        }
    }
    checkTagCount(Object.keys(tags).length, problems);
}

function checkTagCount(count: number, problems: Problems): void {
    const own = PROGRAM_TAGS_PER_RESOURCE;
    const limit = LIMITS.tags.perResource;
    if (count + own > limit) {
        problems.push(
            `tags: ${count} tags, with the ${own} the program sets on each subnet (project, environment, managed-by, cluster, Name and its kubernetes.io/role), make ${count + own} on one resource; AWS takes ${limit}, so list at most ${limit - own}`,
        );
    }
}
