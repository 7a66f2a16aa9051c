import { cidrProblem, nonPublicRange } from "../cidr";
import { checkCidr, LIMITS, Problems, show } from "./problems";
import { ParsedCluster } from "./schema";

/**
 * Each cluster's API server endpoints as EKS takes them. A restricted public endpoint also admits
 * the NAT addresses of the stack's other clusters, which the program adds (their istiod watches
 * this API server), so the count EKS sees depends on every cluster.
 */

type Endpoint = ParsedCluster["endpoint"];

/** The endpoint as written: whether `publicAccessCidrs` was set matters, not just its value. */
function writtenEndpoint(raw: unknown): { publicAccessCidrs?: unknown } {
    const endpoint = (raw as { endpoint?: unknown } | undefined)?.endpoint;
    return typeof endpoint === "object" && endpoint !== null ? endpoint : {};
}

/** NAT gateways of a cluster's VPC: one, or one per zone. */
const natCount = (c: ParsedCluster) => (c.natGateways === "perAz" ? c.availabilityZoneCount : 1);

/**
 * Every cluster's endpoints. `written` is the clusters as written, for the rules that depend on
 * whether a key was set at all.
 */
export function checkEndpoints(
    clusters: readonly ParsedCluster[],
    written: unknown,
    problems: Problems,
): void {
    const nats = clusters.reduce((sum, c) => sum + natCount(c), 0);
    clusters.forEach((c, i) => {
        const raw = Array.isArray(written) ? (written[i] as unknown) : undefined;
        const key = `clusters[${i}].endpoint`;
        checkEndpoint(c.endpoint, writtenEndpoint(raw), key, problems);
        checkPublicAccess(c.endpoint, nats - natCount(c), key, problems);
    });
}

function checkEndpoint(
    endpoint: Endpoint,
    written: { publicAccessCidrs?: unknown },
    key: string,
    problems: Problems,
): void {
    if (!endpoint.privateAccess && !endpoint.publicAccess) {
        problems.push(`${key}: privateAccess and publicAccess are both false; enable at least one`);
    }
    const cidrsSet = Array.isArray(written.publicAccessCidrs) && written.publicAccessCidrs.length;
    if (!endpoint.publicAccess && cidrsSet) {
        problems.push(
            `${key}.publicAccessCidrs: ${show(written.publicAccessCidrs)} is set but publicAccess is false; remove it or enable publicAccess`,
        );
    }
    endpoint.publicAccessCidrs.forEach((cidr, i) => {
        const at = `${key}.publicAccessCidrs[${i}]`;
        const range = checkCidr(at, cidr, problems) ? nonPublicRange(cidr) : undefined;
        if (range) {
            problems.push(
                `${at}: "${cidr}" lies in ${range.cidr}, ${range.what}: no request from there reaches a public endpoint, and EKS refuses such blocks; give networks that reach the VPC endpoint.privateAccessCidrs instead`,
            );
        }
    });
    endpoint.privateAccessCidrs.forEach((cidr, i) =>
        checkCidr(`${key}.privateAccessCidrs[${i}]`, cidr, problems),
    );
}

/**
 * A public endpoint admits someone: an empty list would lock out the machine running `pulumi up`
 * (or, alone in the stack, open the endpoint to all); and EKS takes at most 40 blocks, the other
 * clusters' NAT addresses included.
 */
function checkPublicAccess(
    endpoint: Endpoint,
    otherNats: number,
    key: string,
    problems: Problems,
): void {
    const cidrs = endpoint.publicAccessCidrs;
    if (!endpoint.publicAccess || cidrs.some((c) => cidrProblem(c) !== undefined)) {
        return;
    }
    if (cidrs.length === 0) {
        const outcome =
            otherNats > 0
                ? "the public endpoint would admit only the other clusters' NAT addresses, locking out every machine outside the VPC, the one running pulumi up among them"
                : "EKS reads an empty list as 0.0.0.0/0, admitting every address";
        problems.push(
            `${key}.publicAccessCidrs: [] is empty while publicAccess is true: ${outcome}; list the networks that deploy and operate the cluster (e.g. "198.51.100.7/32"), keep the default ["0.0.0.0/0"], or set publicAccess: false`,
        );
        return;
    }
    const added = cidrs.includes("0.0.0.0/0") ? 0 : otherNats;
    const total = cidrs.length + added;
    const limit = LIMITS.publicAccessCidrs;
    if (total > limit) {
        const made =
            added > 0
                ? `, with the ${added} NAT addresses of the stack's other clusters that the program adds (their istiod watches this API server), make ${total}`
                : "";
        problems.push(
            `${key}.publicAccessCidrs: ${cidrs.length} blocks${made}; EKS takes at most ${limit} per cluster; list fewer, larger blocks${added > 0 ? ", or open the endpoint to 0.0.0.0/0, to which the program adds nothing" : ""}`,
        );
    }
}
