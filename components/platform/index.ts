import * as pulumi from "@pulumi/pulumi";
import { PlatformConfig } from "../config";
import { DeployedState, Lifecycle } from "../config/deployed";
import { MeshTrust } from "../mesh/meshTrust";
import { MeshPeerOutputs, PeerStack } from "../meshPeer";
import { StackPeeringOutputs } from "../network/stackPeering";
import { REGIONS } from "../versions";
import { buildCluster, PlatformCluster } from "./clusters";
import { wireRemoteSecrets } from "./meshWiring";
import { buildNetworking } from "./networking";
import { readerTokenExports, readerTokenLifecycle } from "./readerTokens";
import { ClusterOutputs, commonTags, TransitGatewayOutputs } from "./outputs";

export { addressSpaceBlocks, commonTags } from "./outputs";
export type { ClusterOutputs, TransitGatewayOutputs } from "./outputs";
export type { PlatformCluster } from "./clusters";

export interface PlatformArgs {
    /** The validated stack configuration (see `validateConfig`). */
    readonly config: PlatformConfig;
    /** The peer stacks of `mesh.peers`, read and checked (see `readPeerStacks`). @default none */
    readonly peers?: readonly PeerStack[];
    /** What the stack's last update deployed (see `readDeployedState`). @default none */
    readonly deployed?: DeployedState;
}

/**
 * The whole environment from validated config, in one `pulumi up`, in three steps: the CA
 * chain and the network (a VPC per cluster, a Transit Gateway per region, peerings between
 * regions), then the clusters (EKS, the load balancer controller, Istio), then the mesh's
 * wiring (remote secrets between every two clusters, this stack's and its peers').
 */
export class Platform extends pulumi.ComponentResource {
    public readonly clusters: PlatformCluster[];
    public readonly transitGateways: TransitGatewayOutputs[];
    /** Where the stack stands in its step-by-step operations (see components/config/deployed.ts). */
    public readonly lifecycle: Lifecycle;
    /** Transit Gateway peerings with peer stacks, for those stacks to accept or route over. */
    public readonly transitGatewayPeerings: StackPeeringOutputs[];
    /** The root the intermediates are signed by (the next root from `sign-with-new` on). */
    public readonly rootCaCertPem: pulumi.Output<string>;
    /** Every cluster's root-cert.pem: the root, or during a rotation the roots of its phase. */
    public readonly trustBundlePem: pulumi.Output<string>;
    /** What peer stacks read, by cluster; holds reader tokens, so exported as a secret. */
    public readonly meshPeers: MeshPeerOutputs[];

    constructor(name: string, args: PlatformArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ambientmesh:index:Platform", name, {}, opts);
        const { config } = args;
        const peers = args.peers ?? [];
        const { mesh } = config;
        const tags = commonTags(config);

        // The CA chain first: nothing of it waits for the cloud, and its keys take longest to make.
        const trust = new MeshTrust(
            "mesh",
            {
                clusters: config.clusters.map((c) => c.name),
                organization: mesh.caOrganization,
                existingRoot: mesh.rootCa,
                rotation: mesh.rootRotation,
                generations: Object.fromEntries(
                    config.clusters.map((c) => [c.name, c.intermediateGeneration]),
                ),
            },
            { parent: this },
        );
        this.rootCaCertPem = trust.rootCertPem;
        this.trustBundlePem = trust.trustBundlePem;
        const net = buildNetworking(this, config, peers, tags);
        this.clusters = config.clusters.map((c) =>
            buildCluster(this, config, c, net, trust.cacerts[c.name], tags, {
                tagMovesBack: defaultTagMovesBack(config, args.deployed),
            }),
        );
        wireRemoteSecrets(this, this.clusters, peers);

        this.meshPeers = this.clusters.map(({ config: c, eks, istio }) => ({
            name: c.name,
            network: c.network,
            region: c.region,
            vpcCidr: c.vpcCidr,
            endpoint: eks.endpoint,
            certificateAuthorityData: istio.readerCaData,
            ...readerTokenExports(istio, peers),
            meshId: mesh.meshId,
            trustDomain: mesh.trustDomain,
            rootCaCertPem: trust.rootCertPem,
            trustBundlePem: trust.trustBundlePem,
        }));
        this.transitGateways = net.regions.map(({ region, hub }) => ({
            region,
            transitGatewayId: hub.transitGatewayId,
            routeTableId: hub.routeTableId,
            amazonSideAsn: REGIONS[region].transitGatewayAsn,
            ownerId: hub.ownerId,
        }));
        this.transitGatewayPeerings = net.stackPeerings;
        this.lifecycle = {
            istio: {
                version: mesh.istioVersion,
                ...(mesh.upgrade
                    ? { upgrade: { to: mesh.upgrade.to, phase: mesh.upgrade.phase } }
                    : {}),
            },
            ...readerTokenLifecycle(mesh),
            rootRotation: trust.rotationRecord,
        };
        this.registerOutputs({});
    }

    /** Per-cluster outputs, in config order, for the stack's exports. */
    public clusterOutputs(): ClusterOutputs[] {
        return this.clusters.map(({ config: c, network, eks }) => ({
            name: c.name,
            eksClusterName: eks.eksClusterName,
            region: c.region,
            kubernetesVersion: c.kubernetesVersion,
            endpoint: eks.endpoint,
            certificateAuthorityData: eks.certificateAuthorityData,
            oidcProviderArn: eks.oidcProviderArn,
            vpcId: network.vpcId,
            vpcCidr: c.vpcCidr,
            privateSubnetIds: network.privateSubnetIds,
            network: c.network,
            kubeconfig: eks.kubeconfig,
        }));
    }
}

/**
 * Whether this update hands the `default` tag back to the older revision: an upgrade deployed
 * as promoted, now configured one phase back.
 */
export function defaultTagMovesBack(config: PlatformConfig, deployed?: DeployedState): boolean {
    const was = deployed?.lifecycle.istio?.upgrade?.phase;
    const now = config.mesh.upgrade?.phase;
    return was === "promoted" && now !== undefined && now !== "promoted";
}
