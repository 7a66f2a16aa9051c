import * as pulumi from "@pulumi/pulumi";
import { ClusterConfig, PlatformConfig } from "../config";
import { EksCluster } from "../eks/eksCluster";
import { LoadBalancerController } from "../eks/loadBalancerController";
import { IstioMesh } from "../mesh/istioMesh";
import { CaCerts } from "../mesh/meshTrust";
import { Network } from "../network/network";
import { Networking } from "./networking";
import { meshSources } from "./outputs";

/** One cluster's parts, kept together. */
export interface PlatformCluster {
    readonly config: ClusterConfig;
    readonly network: Network;
    readonly eks: EksCluster;
    readonly istio: IstioMesh;
}

/**
 * One cluster on its network: the EKS cluster (API server open to the mesh), the AWS Load
 * Balancer Controller, and Istio with its east-west gateway.
 */
export function buildCluster(
    parent: pulumi.ComponentResource,
    config: PlatformConfig,
    c: ClusterConfig,
    net: Networking,
    cacerts: CaCerts,
    tags: Record<string, string>,
    upgrade: { readonly tagMovesBack: boolean },
): PlatformCluster {
    const network = net.network(c.name);
    const awsProvider = net.region(c.region).provider;
    const clusterTags = { ...tags, cluster: c.name };
    const sources = meshSources(config, c.name);
    const eks = new EksCluster(
        c.name,
        {
            region: c.region,
            kubernetesVersion: c.kubernetesVersion,
            vpcId: network.vpcId,
            privateSubnetIds: network.privateSubnetIds,
            publicSubnetIds: network.publicSubnetIds,
            serviceCidr: c.serviceCidr,
            endpoint: c.endpoint,
            peerPublicIps: config.clusters
                .filter((p) => p.name !== c.name)
                .flatMap((p) => net.network(p.name).natPublicIps),
            apiSources: sources,
            nodesAfter: network.reservations,
            nodeGroup: c.nodeGroup,
            clusterAdmins: config.clusterAdmins,
            deletionProtection: c.deletionProtection,
            tags: clusterTags,
            awsProvider,
        },
        { parent },
    );
    const controller = new LoadBalancerController(
        c.name,
        {
            eksClusterName: eks.eksClusterName,
            region: c.region,
            vpcId: network.vpcId,
            nodes: eks.nodeGroup,
            tags: clusterTags,
            awsProvider,
            k8sProvider: eks.provider,
        },
        { parent },
    );
    const istio = new IstioMesh(
        c.name,
        {
            clusterName: c.name,
            network: c.network,
            mesh: config.mesh,
            cacerts,
            provider: eks.provider,
            nodes: eks.nodeGroup,
            loadBalancerController: controller.release,
            tagMovesBack: upgrade.tagMovesBack,
            eastWest: {
                addresses: network.eastWestAddresses,
                subnetIds: network.privateSubnetIds,
                vpcId: network.vpcId,
                vpcCidr: c.vpcCidr,
                allowedCidrs: sources,
                dependsOn: network.reservations,
                tags: clusterTags,
                awsProvider,
            },
        },
        { parent },
    );
    return { config: c, network, eks, istio };
}
