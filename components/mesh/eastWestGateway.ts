import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { stringify } from "yaml";
import { MeshCidr } from "../cidr";
import { MeshConfig } from "../config";
import { LOAD_BALANCER_CONTROLLER } from "../versions";
import { istioRelease } from "./istioRelease";
import {
    ClusterIdentity,
    eastWestGatewayValues,
    eastWestPort,
    GATEWAY_STATUS_PORT,
    gatewayHealthCheckAnnotations,
    lbcAnnotations,
    NETWORK_LABEL,
} from "./istioValues";

/** The Kubernetes provider's annotation for custom readiness (pulumi-kubernetes 4.18+). */
export const WAIT_FOR = "pulumi.com/waitFor";

/** Names of the east-west gateway's Kubernetes objects in `istio-system`. */
export const EAST_WEST = {
    /** The ambient Gateway; its pods carry `gateway.networking.k8s.io/gateway-name: <this>`. */
    gateway: "istio-eastwest",
    /** The ConfigMap the Gateway's `spec.infrastructure.parametersRef` names. */
    parameters: "istio-eastwest-params",
    /** The network load balancer's Service. */
    loadBalancer: "istio-eastwest-nlb",
    /** Sidecar mode's gateway chart release; its pods carry `istio: eastwestgateway`. */
    sidecarRelease: "istio-eastwestgateway",
} as const;

export interface EastWestGatewayArgs extends ClusterIdentity {
    readonly mesh: MeshConfig;
    /** The gateway chart's release (sidecar mode): the revision that holds `default`. */
    readonly gatewayVersion: string;
    /** `istio-system`, created by IstioMesh. */
    readonly namespace: pulumi.Input<string>;
    /** The fixed private address of the load balancer in each private subnet, in subnet order. */
    readonly addresses: readonly string[];
    /** The private subnets, one per address. */
    readonly subnetIds: pulumi.Input<string>[];
    readonly vpcId: pulumi.Input<string>;
    readonly vpcCidr: string;
    /** Who may reach the gateway: the peers' VPCs, or the mesh's address space. */
    readonly allowedCidrs: readonly MeshCidr[];
    /** What must exist first: Istio's dataplane, the Gateway API CRDs, the address reservations. */
    readonly dependsOn: pulumi.Input<pulumi.Resource>[];
    /** The AWS Load Balancer Controller's release: the load balancer is its to make. */
    readonly loadBalancerController: pulumi.Resource;
    readonly tags: Record<string, string>;
    readonly awsProvider: pulumi.ProviderResource;
    readonly k8sProvider: k8s.Provider;
}

/**
 * The ConfigMap overlay that turns the ambient east-west Gateway's own Service into a ClusterIP
 * with the load balancer's fixed addresses as externalIPs. Istio applies a `service` key as a
 * strategic-merge patch to the Service it deploys for the Gateway
 * (pilot/pkg/config/kube/gatewaycommon/deploymentcontroller.go:667-759, 764-776 at 1.30.3); a
 * Service's externalIPs become its external addresses (serviceregistry/kube/conversion.go:156-158),
 * which are exactly what the Gateway's status reports (config/kube/gateway/conversion.go:1815).
 * Peers read that status through their remote secrets and turn each address into a network
 * gateway on 15008 (serviceregistry/ambient/networks.go:260-302; multicluster.go:771-774), and
 * ztunnel dials an IP gateway directly (istio/ztunnel src/state.rs:882-894). A load balancer's
 * hostname would instead reach ztunnel as a name it resolves only among known services
 * (state.rs:896-925). See docs/east-west.md.
 */
export function eastWestServiceOverlay(addresses: readonly string[]): string {
    return stringify({ spec: { type: "ClusterIP", externalIPs: [...addresses] } });
}

/**
 * One cluster's east-west gateway, reachable by its peers on fixed private IPs: the gateway
 * itself (an `istio-east-west` Gateway in ambient mode, the gateway chart in sidecar mode) whose
 * own Service advertises only those IPs, and an internal network load balancer holding them,
 * made by the AWS Load Balancer Controller with IP targets behind a security group that admits
 * only the peers, on the data port only.
 */
export class EastWestGateway extends pulumi.ComponentResource {
    /** The addresses peers dial, one per private subnet. */
    public readonly addresses: readonly string[];
    public readonly port: number;
    public readonly securityGroupId: pulumi.Output<string>;
    public readonly loadBalancer: k8s.core.v1.Service;

    constructor(name: string, args: EastWestGatewayArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ambientmesh:mesh:EastWestGateway", name, {}, opts);
        const ambient = args.mesh.dataplaneMode === "ambient";
        this.port = eastWestPort(args.mesh.dataplaneMode);
        this.addresses = args.addresses;
        this.securityGroupId = this.securityGroup(name, args).id;
        // These were children of IstioMesh itself: aliases keep what is deployed.
        const moved = {
            parent: this,
            provider: args.k8sProvider,
            aliases: opts?.parent ? [{ parent: opts.parent }] : [],
        };
        const gateway = ambient
            ? this.ambientGateway(name, args, moved)
            : this.sidecarGateway(name, args, moved);
        this.loadBalancer = this.loadBalancerService(name, args, gateway);
        this.registerOutputs({ securityGroupId: this.securityGroupId });
    }

    /**
     * The load balancer's own group: the data port from the mesh, and out to its VPC only on the
     * data port and the readiness port it probes.
     */
    private securityGroup(name: string, args: EastWestGatewayArgs): aws.ec2.SecurityGroup {
        const port = this.port;
        const aws_ = { parent: this, provider: args.awsProvider };
        const tags = (suffix: string) => ({ ...args.tags, Name: `${name}-${suffix}` });
        const sg = new aws.ec2.SecurityGroup(
            `${name}-east-west-sg`,
            {
                vpcId: args.vpcId,
                description: `East-west load balancer of ${args.clusterName}: peers on ${port}`,
                tags: tags("east-west-sg"),
            },
            aws_,
        );
        const rule = (
            kind: typeof aws.vpc.SecurityGroupIngressRule | typeof aws.vpc.SecurityGroupEgressRule,
            suffix: string,
            cidr: string,
            toPort: number,
            why: string,
        ) =>
            new kind(
                `${name}-east-west-${suffix}`,
                {
                    securityGroupId: sg.id,
                    cidrIpv4: cidr,
                    ipProtocol: "tcp",
                    fromPort: toPort,
                    toPort,
                    description: why,
                    tags: tags(`east-west-${suffix}`),
                },
                aws_,
            );
        for (const source of args.allowedCidrs) {
            const from = source.description ?? source.name;
            rule(
                aws.vpc.SecurityGroupIngressRule,
                `from-${source.name}`,
                source.cidr,
                port,
                `mesh traffic from ${from}`,
            );
        }
        rule(
            aws.vpc.SecurityGroupEgressRule,
            "to-targets",
            args.vpcCidr,
            port,
            "to the gateway pods",
        );
        rule(
            aws.vpc.SecurityGroupEgressRule,
            "health-checks",
            args.vpcCidr,
            GATEWAY_STATUS_PORT,
            "readiness probes of the gateway pods",
        );
        return sg;
    }

    /** The internal network load balancer on the fixed addresses, made by the controller. */
    private loadBalancerService(
        name: string,
        args: EastWestGatewayArgs,
        gateway: pulumi.Resource,
    ): k8s.core.v1.Service {
        const ambient = args.mesh.dataplaneMode === "ambient";
        const selector: Record<string, string> = ambient
            ? { "gateway.networking.k8s.io/gateway-name": EAST_WEST.gateway }
            : { istio: "eastwestgateway" };
        const LB = "service.beta.kubernetes.io/aws-load-balancer";
        return new k8s.core.v1.Service(
            `${name}-east-west-nlb`,
            {
                metadata: {
                    name: EAST_WEST.loadBalancer,
                    namespace: args.namespace,
                    // No network label: istiod must not take this Service for a network gateway.
                    annotations: {
                        ...lbcAnnotations("internal"),
                        ...gatewayHealthCheckAnnotations(),
                        [`${LB}-subnets`]: pulumi.all(args.subnetIds).apply((ids) => ids.join(",")),
                        [`${LB}-private-ipv4-addresses`]: args.addresses.join(","),
                        [`${LB}-security-groups`]: this.securityGroupId,
                        [`${LB}-manage-backend-security-group-rules`]: "true",
                    },
                },
                spec: {
                    type: "LoadBalancer",
                    loadBalancerClass: LOAD_BALANCER_CONTROLLER.loadBalancerClass,
                    selector,
                    ports: [
                        {
                            name: ambient ? "tcp-hbone" : "tls",
                            port: this.port,
                            targetPort: this.port,
                            protocol: "TCP",
                        },
                    ],
                },
            },
            {
                parent: this,
                provider: args.k8sProvider,
                dependsOn: [args.loadBalancerController, gateway],
            },
        );
    }

    /** The ambient east-west Gateway, its Service overlaid to a ClusterIP on the fixed IPs. */
    private ambientGateway(
        name: string,
        args: EastWestGatewayArgs,
        moved: pulumi.CustomResourceOptions,
    ): pulumi.Resource {
        const k = { parent: moved.parent, provider: moved.provider };
        const parameters = new k8s.core.v1.ConfigMap(
            `${name}-east-west-params`,
            {
                metadata: { name: EAST_WEST.parameters, namespace: args.namespace },
                data: { service: eastWestServiceOverlay(args.addresses) },
            },
            k,
        );
        return new k8s.apiextensions.CustomResource(
            `${name}-east-west`,
            {
                apiVersion: "gateway.networking.k8s.io/v1",
                kind: "Gateway",
                metadata: {
                    name: EAST_WEST.gateway,
                    namespace: args.namespace,
                    labels: { [NETWORK_LABEL]: args.network },
                    // The Kubernetes provider knows no readiness for a Gateway: without this
                    // `pulumi up` would end before istiod has programmed it with its addresses.
                    annotations: { [WAIT_FOR]: "condition=Programmed" },
                },
                spec: {
                    gatewayClassName: "istio-east-west",
                    listeners: [
                        {
                            name: "mesh",
                            port: 15008,
                            protocol: "HBONE",
                            tls: {
                                mode: "Terminate",
                                options: { "gateway.istio.io/tls-terminate-mode": "ISTIO_MUTUAL" },
                            },
                        },
                    ],
                    infrastructure: {
                        parametersRef: { group: "", kind: "ConfigMap", name: EAST_WEST.parameters },
                    },
                },
            },
            { ...moved, dependsOn: [...args.dependsOn, parameters] },
        );
    }

    /** Sidecar mode: the gateway chart with networkGateway, and the auto-passthrough Gateway. */
    private sidecarGateway(
        name: string,
        args: EastWestGatewayArgs,
        moved: pulumi.CustomResourceOptions,
    ): pulumi.Resource {
        const release = istioRelease(
            name,
            {
                name: EAST_WEST.sidecarRelease,
                chart: "gateway",
                version: args.gatewayVersion,
                values: eastWestGatewayValues(args, args.addresses),
                namespace: args.namespace,
            },
            args.mesh,
            { ...moved, dependsOn: args.dependsOn },
        );
        new k8s.apiextensions.CustomResource(
            `${name}-cross-network-gateway`,
            {
                apiVersion: "networking.istio.io/v1",
                kind: "Gateway",
                metadata: { name: "cross-network-gateway", namespace: args.namespace },
                spec: {
                    selector: { istio: "eastwestgateway" },
                    servers: [
                        {
                            port: { number: 15443, name: "tls", protocol: "TLS" },
                            tls: { mode: "AUTO_PASSTHROUGH" },
                            hosts: ["*.local"],
                        },
                    ],
                },
            },
            { ...moved, dependsOn: [release] },
        );
        return release;
    }
}
