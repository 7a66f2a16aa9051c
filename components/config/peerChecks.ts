import { LIMITS, DNS_LABEL, Problems } from "./problems";
import { checkBlock } from "./clusterChecks";
import { ParsedPlatformConfig } from "./schema";

/**
 * `mesh.peers`: the other stacks of the mesh, checked before anything is created. Each names
 * another stack, lists at least one cluster, and describes its clusters the way this stack's
 * own are held (DNS-label names, private VPC blocks); and a stack that joins others must hold
 * the mesh's one root CA rather than generate its own. What the peers export is checked
 * against this when it is read (`components/meshPeer.ts`).
 */

const STACK_NAME = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;

/** What joining needs: share the root first, so no trust anchor ever changes as a side effect. */
export const SHARE_ROOT_FIRST =
    "stacks of one mesh must share one root CA, and this stack would generate its own; set the mesh's root on every stack first (pulumi config set rootCaCertPem < root-ca.pem; pulumi config set --secret rootCaKeyPem < root-ca.key), then list the peers. A stack already running on a generated root changes its trust anchor by that step: follow docs/operations.md (root CA rotation) for it";

export function checkPeers(
    cfg: ParsedPlatformConfig,
    thisStack: string | undefined,
    problems: Problems,
): void {
    const { peers } = cfg.mesh;
    const seen = new Set<string>();
    peers.forEach(({ stack, clusters }, i) => {
        const key = `mesh.peers[${i}]`;
        if (!STACK_NAME.test(stack)) {
            problems.push(
                `${key}.stack: "${stack}" is not a fully qualified stack name like acme/eks-ambient-mesh/prod-eu`,
            );
        } else if (stack === thisStack) {
            problems.push(
                `${key}.stack: "${stack}" is this stack; list the other stacks of the mesh`,
            );
        } else if (seen.has(stack)) {
            problems.push(`${key}.stack: "${stack}" is listed twice`);
        }
        seen.add(stack);
        if (clusters.length === 0) {
            problems.push(
                `${key}.clusters: [] is empty; list the clusters ${stack} runs, with their VPC CIDRs`,
            );
        }
        clusters.forEach((c, j) => {
            const at = `${key}.clusters[${j}]`;
            if (c.name.length > LIMITS.clusterName || !DNS_LABEL.test(c.name)) {
                problems.push(
                    `${at}.name: "${c.name}" is not a DNS-1123 label of at most ${LIMITS.clusterName} characters; it names a Kubernetes Secret (istio-remote-secret-<name>) in every cluster`,
                );
            }
            checkBlock(`${at}.vpcCidr`, c.vpcCidr, LIMITS.vpcPrefix, problems);
            if (c.network !== undefined && (c.network.length > 63 || !DNS_LABEL.test(c.network))) {
                problems.push(`${at}.network: "${c.network}" is not a DNS-1123 label`);
            }
        });
    });
    if (peers.length > 0 && cfg.rootCaCertPem === undefined && cfg.rootCaKeyPem === undefined) {
        problems.push(`mesh.peers: ${SHARE_ROOT_FIRST}`);
    }
}
