import { GraphResource } from "./graphResource";
import { mermaidId as id } from "./mermaidId";

function input(r: GraphResource | undefined, ...path: string[]): unknown {
    return path.reduce<unknown>(
        (v, k) =>
            v !== null && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined,
        r?.inputs,
    );
}

/**
 * The architecture as a Mermaid flowchart: a subgraph per region with its Transit Gateway and
 * clusters (VPC CIDR, Kubernetes and Istio versions, Istio network, east-west gateway),
 * peering between Transit Gateways, and an arrow from each cluster to every cluster it holds
 * a remote secret for.
 */
export function renderArchitecture(
    resources: readonly GraphResource[],
    clusters: readonly string[],
): string {
    const one = (type: string, name: string) =>
        resources.find((r) => r.type === type && r.name === name);
    const providerRegion = new Map(
        resources
            .filter((r) => r.type === "pulumi:providers:aws")
            .map((r) => [r.urn, String(input(r, "region"))]),
    );
    const tgws = resources.filter(
        (r) => r.type === "aws:ec2transitgateway/transitGateway:TransitGateway",
    );
    const regionOfTgw = new Map(
        tgws.map((t) => [t.urn, providerRegion.get(t.provider ?? "") ?? "?"]),
    );
    const attachments = resources.filter(
        (r) => r.type === "aws:ec2transitgateway/vpcAttachment:VpcAttachment",
    );
    const lines = ["flowchart LR"];
    for (const tgw of [...tgws].sort((a, b) => (a.name < b.name ? -1 : 1))) {
        const region = regionOfTgw.get(tgw.urn) as string;
        lines.push(`    subgraph ${id(region)}["${region}"]`);
        lines.push(
            `        ${id(tgw.name)}{{"Transit Gateway ${tgw.name}<br/>ASN ${String(input(tgw, "amazonSideAsn"))}"}}`,
        );
        for (const cluster of clusters) {
            const vpc = one("aws:ec2/vpc:Vpc", `${cluster}-vpc`);
            const attachment = attachments.find((a) => a.name === `${cluster}-tgw`);
            if (!vpc || !attachment || !attachment.dependsOn.includes(tgw.urn)) {
                continue;
            }
            const eks = one("eks:index:Cluster", `${cluster}-eks`);
            // One istiod per control-plane revision (two while an upgrade is in progress).
            const istio = resources
                .filter(
                    (r) =>
                        r.type === "kubernetes:helm.sh/v3:Release" &&
                        r.name.startsWith(`${cluster}-istiod-`),
                )
                .map((r) => String(input(r, "version")))
                .join(" + ");
            const network = input(
                one("kubernetes:core/v1:Namespace", `${cluster}-istio-system`),
                "metadata",
                "labels",
                "topology.istio.io/network",
            );
            const ambientGateway = one(
                "kubernetes:gateway.networking.k8s.io/v1:Gateway",
                `${cluster}-east-west`,
            );
            const nlb = one("kubernetes:core/v1:Service", `${cluster}-east-west-nlb`);
            const addresses = String(
                input(
                    nlb,
                    "metadata",
                    "annotations",
                    "service.beta.kubernetes.io/aws-load-balancer-private-ipv4-addresses",
                ) ?? "",
            ).replace(/,/g, ", ");
            const gateway = `east-west: ${ambientGateway ? "HBONE 15008" : "mTLS 15443"} on internal NLB ${addresses}`;
            lines.push(
                `        subgraph ${id(cluster)}_vpc["VPC ${String(input(vpc, "cidrBlock"))}"]`,
            );
            lines.push(
                `            ${id(cluster)}["${cluster}<br/>EKS ${String(input(eks, "version"))} · Istio ${istio}<br/>network ${String(network)}<br/>${gateway}"]`,
            );
            lines.push("        end");
            lines.push(`        ${id(cluster)}_vpc --- ${id(tgw.name)}`);
        }
        lines.push("    end");
    }
    for (const peering of resources.filter(
        (r) => r.type === "aws:ec2transitgateway/peeringAttachment:PeeringAttachment",
    )) {
        const [a, b] = tgws
            .filter((t) => peering.dependsOn.includes(t.urn))
            .map((t) => id(t.name))
            .sort();
        if (a && b) {
            lines.push(`    ${a} <-. "TGW peering, static routes" .-> ${b}`);
        }
    }
    for (const local of clusters) {
        for (const peer of clusters) {
            if (
                resources.some(
                    (r) =>
                        r.type === "kubernetes:core/v1:Secret" &&
                        r.name === `${local}-remote-${peer}`,
                )
            ) {
                lines.push(`    ${id(local)} -. "remote secret" .-> ${id(peer)}`);
            }
        }
    }
    return lines.join("\n") + "\n";
}
