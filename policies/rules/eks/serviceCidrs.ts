import * as aws from "@pulumi/aws";
import type * as eks from "@pulumi/eks";
import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { Unwrap } from "@pulumi/pulumi";
import { Ipv4Block, knownString, overlaps, parseIpv4Cidr, vpcBlock } from "../util";
import { EKS_CLUSTER } from "./cluster";

/** Service CIDRs: each cluster's own range, clear of the VPCs and of the other clusters. */

/** The service CIDR of each EKS cluster, keyed by the cluster resource that owns it. */
function serviceCidrs(resources: PolicyResource[]): Map<PolicyResource, string | undefined> {
    const result = new Map<PolicyResource, string | undefined>();
    for (const r of resources) {
        if (r.type === EKS_CLUSTER) {
            const props = r.props as Unwrap<eks.ClusterArgs>;
            const cidr = knownString(() => props.kubernetesServiceIpAddressRange);
            result.set(r, cidr ?? result.get(r));
        } else if (r.isType(aws.eks.Cluster)) {
            // In a real preview the component's child cluster carries the range; the offline plan
            // sees only the component's inputs. Either way it counts once, for the component.
            const owner = r.parent?.type === EKS_CLUSTER ? r.parent : r;
            const cidr = knownString(() => r.props.kubernetesNetworkConfig?.serviceIpv4Cidr);
            result.set(owner, result.get(owner) ?? cidr);
        }
    }
    return result;
}

export const eksServiceCidrsDisjoint: StackValidationPolicy = {
    name: "eks-service-cidrs-disjoint",
    description:
        "Each EKS cluster sets its own service CIDR, disjoint from every VPC and from the other clusters' service CIDRs.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const clusters = serviceCidrs(args.resources);
        if (clusters.size === 0) {
            args.notApplicable("Policy only applies to stacks with EKS clusters");
        }
        const vpcs = args.resources.flatMap((r) => {
            const block = r.isType(aws.ec2.Vpc) ? vpcBlock(r) : undefined;
            return block === undefined ? [] : [{ resource: r, block }];
        });
        const seen: { resource: PolicyResource; block: Ipv4Block }[] = [];
        for (const [cluster, cidr] of clusters) {
            if (cidr === undefined) {
                if (clusters.size > 1) {
                    report(
                        `cluster ${cluster.name} does not set its service CIDR, so EKS gives it ` +
                            "the same default range as the other clusters; set " +
                            "kubernetesServiceIpAddressRange.",
                        cluster.urn,
                    );
                }
                continue;
            }
            const block = parseIpv4Cidr(cidr);
            if (block === undefined) {
                continue;
            }
            for (const vpc of vpcs.filter((v) => overlaps(v.block, block))) {
                report(
                    `service CIDR ${block.cidr} of cluster ${cluster.name} overlaps VPC ` +
                        `${vpc.resource.name} (${vpc.block.cidr}); pods could not reach that part ` +
                        "of the network.",
                    cluster.urn,
                );
            }
            for (const other of seen.filter((s) => overlaps(s.block, block))) {
                report(
                    `service CIDR ${block.cidr} of cluster ${cluster.name} overlaps service CIDR ` +
                        `${other.block.cidr} of cluster ${other.resource.name}; give every cluster ` +
                        "of the mesh its own range.",
                    cluster.urn,
                );
            }
            seen.push({ resource: cluster, block });
        }
    },
};
