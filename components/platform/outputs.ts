import * as pulumi from "@pulumi/pulumi";
import { MeshCidr } from "../cidr";
import { PlatformConfig } from "../config";
import { nameFragment } from "../names";

/** What an application stack needs to know about one cluster. */
export interface ClusterOutputs {
    readonly name: string;
    readonly eksClusterName: pulumi.Output<string>;
    readonly region: string;
    readonly kubernetesVersion: string;
    readonly endpoint: pulumi.Output<string>;
    readonly certificateAuthorityData: pulumi.Output<string>;
    readonly oidcProviderArn: pulumi.Output<string>;
    readonly vpcId: pulumi.Output<string>;
    readonly vpcCidr: string;
    readonly privateSubnetIds: pulumi.Output<string>[];
    readonly network: string;
    readonly kubeconfig: pulumi.Output<string>;
}

export interface TransitGatewayOutputs {
    readonly region: string;
    readonly transitGatewayId: pulumi.Output<string>;
    readonly routeTableId: pulumi.Output<string>;
    readonly amazonSideAsn: number;
    /** The account that owns the gateway, which a peer stack's peering request names. */
    readonly ownerId: pulumi.Output<string>;
}

/** Tags every taggable AWS resource carries. */
export function commonTags(config: PlatformConfig): Record<string, string> {
    return {
        ...config.tags,
        project: config.project,
        environment: config.environment,
        "managed-by": "pulumi",
    };
}

/** The mesh's declared address space as named blocks (`mesh-10-96-0-0-11`). */
export function addressSpaceBlocks(blocks: readonly string[]): MeshCidr[] {
    return blocks.map((cidr) => ({
        name: `mesh-${nameFragment(cidr)}`,
        cidr,
        description: `the mesh's address space ${cidr}`,
    }));
}

/**
 * Who a cluster admits on its API server and east-west gateway: the mesh's declared address
 * space (one rule per block), else each other cluster of the mesh, this stack's and its peers'.
 */
export function meshSources(config: PlatformConfig, cluster: string): MeshCidr[] {
    const blocks = addressSpaceBlocks(config.mesh.addressSpace);
    if (blocks.length > 0) {
        return blocks;
    }
    return [
        ...config.clusters
            .filter((p) => p.name !== cluster)
            .map((p) => ({ name: p.name, cidr: p.vpcCidr })),
        ...config.mesh.peers.flatMap((p) =>
            p.clusters.map((c) => ({ name: c.name, cidr: c.vpcCidr })),
        ),
    ];
}
