import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { parse } from "yaml";
import {
    cidrHoldsAddress,
    cidrHoldsBlock,
    dig,
    known,
    knownString,
    parseIpv4,
    parseIpv4Cidr,
} from "./util";

/**
 * Whether a packet and an API call can get from every cluster of the mesh to every other, hop
 * by hop, read from the planned resources: the two paths the mesh lives on.
 *
 * - `api`: istiod in one cluster watches every other cluster's API server (443), through the
 *   remote secret's kubeconfig: over the Transit Gateway to a private endpoint, or through the
 *   NAT gateways to a public endpoint that admits their addresses.
 * - `hbone`: ztunnel in one cluster sends cross-network traffic to the other cluster's east-west
 *   gateway (HBONE 15008; mTLS auto-passthrough 15443 in sidecar mode), at the addresses that
 *   gateway advertises: those must be IPs (docs/east-west.md), on an internal load balancer in
 *   the peer's private subnets, reserved so the VPC CNI never hands them to a pod.
 *
 * Resources are matched the way the program builds them: AWS resources carry a `cluster` tag,
 * Kubernetes resources belong to the cluster whose provider manages them, and references follow
 * ids where they are known and the dependency graph where they are not (a first preview).
 */

export type MeshPath = "api" | "hbone";

export type HopName =
    | "gateway-address"
    | "endpoint"
    | "source-route"
    | "tgw-attachment"
    | "tgw-route"
    | "peering"
    | "return-route"
    | "security-group";

export interface ReachabilityHop {
    readonly hop: HopName;
    readonly ok: boolean;
    readonly detail: string;
    /** The resource at fault, when one is. */
    readonly urn?: string;
}

export interface ReachabilityEntry {
    readonly from: string;
    readonly to: string;
    readonly path: MeshPath;
    readonly port: number;
    readonly open: boolean;
    readonly hops: ReachabilityHop[];
    /** The first hop that does not let the traffic through. */
    readonly blockedAt?: HopName;
}

const T = {
    eks: "eks:index:Cluster",
    vpc: "aws:ec2/vpc:Vpc",
    subnet: "aws:ec2/subnet:Subnet",
    routeTable: "aws:ec2/routeTable:RouteTable",
    route: "aws:ec2/route:Route",
    association: "aws:ec2/routeTableAssociation:RouteTableAssociation",
    nat: "aws:ec2/natGateway:NatGateway",
    eip: "aws:ec2/eip:Eip",
    sg: "aws:ec2/securityGroup:SecurityGroup",
    ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    reservation: "aws:ec2/subnetCidrReservation:SubnetCidrReservation",
    tgw: "aws:ec2transitgateway/transitGateway:TransitGateway",
    attachment: "aws:ec2transitgateway/vpcAttachment:VpcAttachment",
    peering: "aws:ec2transitgateway/peeringAttachment:PeeringAttachment",
    accepter: "aws:ec2transitgateway/peeringAttachmentAccepter:PeeringAttachmentAccepter",
    tgwRoute: "aws:ec2transitgateway/route:Route",
    service: "kubernetes:core/v1:Service",
    configMap: "kubernetes:core/v1:ConfigMap",
    gateway: "kubernetes:gateway.networking.k8s.io/v1:Gateway",
    release: "kubernetes:helm.sh/v3:Release",
} as const;

const LB = "service.beta.kubernetes.io/aws-load-balancer";
const API_PORT = 443;
const HBONE_PORT = 15008;
const PASSTHROUGH_PORT = 15443;

/** The stack's resources, indexed for the lookups below. */
class Stack {
    private readonly byType = new Map<string, PolicyResource[]>();
    private readonly byUrn = new Map<string, PolicyResource>();
    private readonly byTypeAndId = new Map<string, PolicyResource>();

    constructor(resources: readonly PolicyResource[]) {
        for (const r of resources) {
            const list = this.byType.get(r.type);
            if (list) {
                list.push(r);
            } else {
                this.byType.set(r.type, [r]);
            }
            this.byUrn.set(r.urn, r);
            const id = known(() => r.props.id);
            if (typeof id === "string") {
                this.byTypeAndId.set(`${r.type}\u0000${id}`, r);
            }
        }
    }

    of(type: string): PolicyResource[] {
        return this.byType.get(type) ?? [];
    }

    urn(urn: string | undefined): PolicyResource | undefined {
        return urn === undefined ? undefined : this.byUrn.get(urn);
    }

    /**
     * The resource of `type` that `r`'s property names: by id when the value is known, else the
     * one dependency of that type.
     */
    ref(r: PolicyResource, value: unknown, type: string): PolicyResource | undefined {
        if (typeof value === "string") {
            const byId = this.byTypeAndId.get(`${type}\u0000${value}`);
            if (byId) {
                return byId;
            }
        }
        const deps = r.dependencies.filter((d) => d.type === type);
        return deps.length === 1 ? deps[0] : undefined;
    }
}

const tagOf = (r: PolicyResource, key: string) => knownString(() => r.props.tags?.[key]);

interface Route {
    readonly cidr: string;
    readonly target: "tgw" | "nat" | "igw" | "other";
    /** The Transit Gateway, for `tgw` routes. */
    readonly to?: PolicyResource;
}

interface Table {
    readonly resource: PolicyResource;
    readonly routes: Route[];
}

interface Cluster {
    readonly name: string;
    readonly eks: PolicyResource;
    readonly region?: string;
    readonly vpc?: PolicyResource;
    readonly vpcCidr?: string;
    readonly privateSubnets: { resource: PolicyResource; cidr: string }[];
    /** Route tables of the private subnets, where the cluster's pods send from. */
    readonly privateTables: Table[];
    /** Every route table of the VPC (the API server's interfaces may sit in any subnet). */
    readonly allTables: Table[];
    readonly natEips: PolicyResource[];
    /** Ingress rules on the EKS cluster security group. */
    readonly clusterRules: PolicyResource[];
    readonly provider?: string;
}

function tableOf(stack: Stack, table: PolicyResource): Table {
    const routes = stack.of(T.route).flatMap((route): Route[] => {
        if (
            stack.ref(
                route,
                known(() => route.props.routeTableId),
                T.routeTable,
            ) !== table
        ) {
            return [];
        }
        const cidr = knownString(() => route.props.destinationCidrBlock);
        if (cidr === undefined) {
            return [];
        }
        const tgwId = known(() => route.props.transitGatewayId);
        if (tgwId !== undefined) {
            return [{ cidr, target: "tgw", to: stack.ref(route, tgwId, T.tgw) }];
        }
        if (known(() => route.props.natGatewayId) !== undefined) {
            return [{ cidr, target: "nat" }];
        }
        if (known(() => route.props.gatewayId) !== undefined) {
            return [{ cidr, target: "igw" }];
        }
        return [{ cidr, target: "other" }];
    });
    return { resource: table, routes };
}

function clustersOf(stack: Stack): Cluster[] {
    return stack.of(T.eks).map((eks) => {
        const name = tagOf(eks, "cluster") ?? eks.name;
        const vpc = stack.ref(
            eks,
            known(() => eks.props.vpcId),
            T.vpc,
        );
        const tagged = (type: string) => stack.of(type).filter((r) => tagOf(r, "cluster") === name);
        const privateSubnets = tagged(T.subnet)
            .filter((s) => tagOf(s, "kubernetes.io/role/internal-elb") !== undefined)
            .flatMap((s) => {
                const cidr = knownString(() => s.props.cidrBlock);
                return cidr === undefined ? [] : [{ resource: s, cidr }];
            });
        const tableFor = (subnet: PolicyResource) => {
            const association = stack.of(T.association).find(
                (a) =>
                    stack.ref(
                        a,
                        known(() => a.props.subnetId),
                        T.subnet,
                    ) === subnet,
            );
            return association
                ? stack.ref(
                      association,
                      known(() => association.props.routeTableId),
                      T.routeTable,
                  )
                : undefined;
        };
        const privateTables = privateSubnets
            .map((s) => tableFor(s.resource))
            .filter((t): t is PolicyResource => t !== undefined)
            .map((t) => tableOf(stack, t));
        const provider = stack
            .of("pulumi:providers:kubernetes")
            .find((p) => p.parent !== undefined && p.parent === eks.parent)?.urn;
        return {
            name,
            eks,
            region: vpc?.provider ? knownString(() => vpc.provider?.props.region) : undefined,
            vpc,
            vpcCidr: vpc ? knownString(() => vpc.props.cidrBlock) : undefined,
            privateSubnets,
            privateTables,
            allTables: tagged(T.routeTable).map((t) => tableOf(stack, t)),
            natEips: tagged(T.eip),
            clusterRules: stack
                .of(T.ingress)
                .filter((rule) => rule.dependencies.some((d) => d === eks)),
            provider,
        };
    });
}

/** The route a table takes for `address`: the longest prefix that holds it (local route aside). */
function lookup(table: Table, address: string) {
    return table.routes
        .filter((r) => cidrHoldsAddress(r.cidr, address))
        .sort(
            (a, b) => (parseIpv4Cidr(b.cidr)?.prefix ?? 0) - (parseIpv4Cidr(a.cidr)?.prefix ?? 0),
        )[0];
}

/** A representative address of a block (its first), for route lookups. */
function firstOf(cidr: string): string {
    const block = parseIpv4Cidr(cidr);
    return block === undefined
        ? cidr
        : [24, 16, 8, 0].map((s) => Math.floor(block.first / 2 ** s) % 256).join(".");
}

interface Gateway {
    readonly port: number;
    /** What peers learn as the gateway's addresses; hostnames are `{ hostname }`. */
    readonly addresses: (string | { hostname: string })[];
    readonly advertisedBy: PolicyResource;
    readonly loadBalancer?: PolicyResource;
    readonly securityGroup?: PolicyResource;
}

function inCluster(r: PolicyResource, c: Cluster): boolean {
    return c.provider !== undefined && r.provider?.urn === c.provider;
}

/**
 * What a cluster's east-west gateway advertises to its peers, the way istiod derives it: an
 * ambient Gateway's status holds its Service's external addresses (its externalIPs, else the
 * load balancer's hostname); sidecar mode's gateway Service likewise.
 */
function gatewayOf(stack: Stack, c: Cluster): Gateway | undefined {
    const ambient = stack
        .of(T.gateway)
        .find(
            (g) =>
                inCluster(g, c) &&
                known(() => g.props.spec?.gatewayClassName) === "istio-east-west",
        );
    const sidecar = stack
        .of(T.release)
        .find((r) => inCluster(r, c) && known(() => r.props.values?.networkGateway) !== undefined);
    const port = ambient ? HBONE_PORT : PASSTHROUGH_PORT;
    const advertisedBy = ambient ?? sidecar;
    if (advertisedBy === undefined) {
        return undefined;
    }
    let service: unknown;
    if (ambient) {
        const ref = known(() => ambient.props.spec?.infrastructure?.parametersRef);
        const configMap =
            dig(ref, ["kind"]) === "ConfigMap"
                ? stack
                      .of(T.configMap)
                      .find(
                          (m) =>
                              inCluster(m, c) &&
                              known(() => m.props.metadata?.name) === dig(ref, ["name"]),
                      )
                : undefined;
        const overlay = configMap ? knownString(() => configMap.props.data?.service) : undefined;
        service = overlay === undefined ? undefined : parseOverlay(overlay);
    } else {
        service = { spec: known(() => sidecar?.props.values?.service) };
    }
    const externalIPs = dig(service, ["spec", "externalIPs"]);
    const type = dig(service, ["spec", "type"]);
    const loadBalancer = stack
        .of(T.service)
        .find(
            (s) =>
                inCluster(s, c) &&
                known(() => s.props.spec?.type) === "LoadBalancer" &&
                (known(() => s.props.spec?.ports) ?? []).some(
                    (p: { port?: unknown }) => Number(p.port) === port,
                ),
        );
    const addresses: Gateway["addresses"] = Array.isArray(externalIPs)
        ? externalIPs.map(String)
        : [];
    if (addresses.length === 0 && type !== "ClusterIP") {
        // The gateway's own Service is the load balancer: AWS gives it a name, never an IP.
        addresses.push({ hostname: "the load balancer's DNS name" });
    }
    const sgId = loadBalancer
        ? known(() => loadBalancer.props.metadata?.annotations?.[`${LB}-security-groups`])
        : undefined;
    return {
        port,
        addresses,
        advertisedBy,
        loadBalancer,
        securityGroup: loadBalancer ? stack.ref(loadBalancer, sgId, T.sg) : undefined,
    };
}

function parseOverlay(text: string): unknown {
    try {
        return parse(text);
    } catch {
        return undefined;
    }
}

const ok = (hop: HopName, detail: string): ReachabilityHop => ({ hop, ok: true, detail });
const blocked = (hop: HopName, detail: string, at?: PolicyResource): ReachabilityHop => ({
    hop,
    ok: false,
    detail,
    ...(at ? { urn: at.urn } : {}),
});

/** The east-west gateway's addresses: IPs, in the peer's private subnets, reserved, on its NLB. */
function gatewayAddressHop(stack: Stack, to: Cluster, gw: Gateway | undefined): ReachabilityHop {
    if (gw === undefined) {
        return blocked("gateway-address", `${to.name} has no east-west gateway`, to.eks);
    }
    const hostnames = gw.addresses.filter((a): a is { hostname: string } => typeof a !== "string");
    if (hostnames.length > 0) {
        return blocked(
            "gateway-address",
            `${to.name}'s east-west gateway ${gw.advertisedBy.name} advertises ${hostnames[0].hostname}, ` +
                "not an IP: ztunnel looks a network gateway's hostname up only among the services " +
                "it knows (istio/ztunnel src/state.rs:896-925), so peers fail with " +
                "UnknownNetworkGateway; make its Service a ClusterIP whose externalIPs are the " +
                "load balancer's fixed addresses",
            gw.advertisedBy,
        );
    }
    const ips = gw.addresses as string[];
    if (ips.length === 0) {
        return blocked(
            "gateway-address",
            `${to.name}'s east-west gateway ${gw.advertisedBy.name} advertises no address`,
            gw.advertisedBy,
        );
    }
    const reservations = stack.of(T.reservation);
    for (const ip of ips) {
        if (parseIpv4(ip) === undefined) {
            return blocked("gateway-address", `${ip} is not an IPv4 address`, gw.advertisedBy);
        }
        const subnet = to.privateSubnets.find((s) => cidrHoldsAddress(s.cidr, ip));
        if (!subnet) {
            return blocked(
                "gateway-address",
                `${ip} lies in none of ${to.name}'s private subnets (${to.privateSubnets.map((s) => s.cidr).join(", ")})`,
                gw.advertisedBy,
            );
        }
        const reserved = reservations.some(
            (r) =>
                stack.ref(
                    r,
                    known(() => r.props.subnetId),
                    T.subnet,
                ) === subnet.resource &&
                known(() => r.props.reservationType) === "explicit" &&
                cidrHoldsAddress(String(known(() => r.props.cidrBlock)), ip),
        );
        if (!reserved) {
            return blocked(
                "gateway-address",
                `${ip} in ${subnet.resource.name} is held by no explicit subnet CIDR reservation, ` +
                    "so the VPC CNI may give it to a pod",
                subnet.resource,
            );
        }
    }
    const lb = gw.loadBalancer;
    if (lb === undefined) {
        return blocked(
            "gateway-address",
            `no load balancer Service in ${to.name} carries port ${gw.port} to its east-west gateway`,
            gw.advertisedBy,
        );
    }
    const annotations = known(() => lb.props.metadata?.annotations) ?? {};
    const held = String(annotations[`${LB}-private-ipv4-addresses`] ?? "")
        .split(",")
        .map((a) => a.trim())
        .filter((a) => a !== "");
    if ([...held].sort().join() !== [...ips].sort().join()) {
        return blocked(
            "gateway-address",
            `load balancer ${lb.name} holds ${held.join(", ") || "no fixed address"}, not the ` +
                `advertised ${ips.join(", ")}`,
            lb,
        );
    }
    if (annotations[`${LB}-scheme`] !== "internal") {
        return blocked("gateway-address", `load balancer ${lb.name} is not internal`, lb);
    }
    return ok("gateway-address", `${ips.join(", ")} on internal load balancer ${lb.name}`);
}

/** How the Transit Gateways carry traffic from `from` to a destination in `to`. */
function transitHops(stack: Stack, from: Cluster, to: Cluster, address: string): ReachabilityHop[] {
    const hops: ReachabilityHop[] = [];
    // Source: every private route table sends the destination to a Transit Gateway.
    let tgw: PolicyResource | undefined;
    for (const table of from.privateTables) {
        const route = lookup(table, address);
        if (route?.target !== "tgw") {
            hops.push(
                blocked(
                    "source-route",
                    `${table.resource.name} has no route to ${address} (${to.name}) through a Transit Gateway` +
                        (route ? ` (it goes to ${route.target} via ${route.cidr})` : ""),
                    table.resource,
                ),
            );
            return hops;
        }
        tgw = tgw ?? route.to;
    }
    if (from.privateTables.length === 0 || tgw === undefined) {
        hops.push(blocked("source-route", `${from.name} has no private route tables`, from.eks));
        return hops;
    }
    hops.push(
        ok("source-route", `${from.name}'s private route tables send ${address} to ${tgw.name}`),
    );

    const attachmentOf = (c: Cluster, gateway: PolicyResource) =>
        stack.of(T.attachment).find(
            (a) =>
                stack.ref(
                    a,
                    known(() => a.props.vpcId),
                    T.vpc,
                ) === c.vpc &&
                stack.ref(
                    a,
                    known(() => a.props.transitGatewayId),
                    T.tgw,
                ) === gateway,
        );
    const own = attachmentOf(from, tgw);
    if (own === undefined) {
        hops.push(
            blocked("tgw-attachment", `${from.name}'s VPC is not attached to ${tgw.name}`, tgw),
        );
        return hops;
    }
    hops.push(ok("tgw-attachment", `${from.name}'s VPC is attached to ${tgw.name}`));

    const propagates = (a: PolicyResource, gateway: PolicyResource) =>
        known(() => a.props.transitGatewayDefaultRouteTablePropagation) !== false &&
        known(() => gateway.props.defaultRouteTablePropagation) !== "disable";
    const across = tgwRouteBetween(stack, tgw, address);
    const local = attachmentOf(to, tgw);
    if (local !== undefined) {
        if (!propagates(local, tgw)) {
            hops.push(
                blocked(
                    "tgw-route",
                    `${to.name}'s attachment does not propagate into ${tgw.name}'s route table`,
                    local,
                ),
            );
            return hops;
        }
        hops.push(ok("tgw-route", `${tgw.name} learns ${to.name}'s VPC from its attachment`));
        return hops;
    }
    if (across === undefined) {
        hops.push(unroutedPeering(stack, tgw, to, address, attachmentOf));
        return hops;
    }
    hops.push(ok("tgw-route", `${tgw.name} routes ${across.cidr} over ${across.peering.name}`));
    const farTgw = across.far;
    const accepted = stack.of(T.accepter).some(
        (a) =>
            stack.ref(
                a,
                known(() => a.props.transitGatewayAttachmentId),
                T.peering,
            ) === across.peering,
    );
    if (!accepted || farTgw === undefined) {
        hops.push(
            blocked("peering", `peering ${across.peering.name} is never accepted`, across.peering),
        );
        return hops;
    }
    const remote = attachmentOf(to, farTgw);
    if (remote === undefined || !propagates(remote, farTgw)) {
        hops.push(
            blocked(
                "peering",
                `${to.name}'s VPC is not attached to ${farTgw.name} across the peering`,
                farTgw,
            ),
        );
        return hops;
    }
    hops.push(
        ok(
            "peering",
            `${across.peering.name} reaches ${farTgw.name}, where ${to.name} is attached`,
        ),
    );
    return hops;
}

/**
 * Why `tgw` has no route to `address`: a peering from it to the gateway `to` is attached to that
 * is not accepted yet (across stacks, the other stack accepts it in its next update), or is
 * accepted but carries no static route there yet; else there is no path at all.
 */
function unroutedPeering(
    stack: Stack,
    tgw: PolicyResource,
    to: Cluster,
    address: string,
    attachmentOf: (c: Cluster, gateway: PolicyResource) => PolicyResource | undefined,
): ReachabilityHop {
    const none = `${tgw.name}'s route table has no route to ${address} (${to.name})`;
    for (const peering of stack.of(T.peering)) {
        const ends = [
            known(() => peering.props.transitGatewayId),
            known(() => peering.props.peerTransitGatewayId),
        ].map((id) => stack.ref(peering, id, T.tgw));
        const far = ends[0] === tgw ? ends[1] : ends[1] === tgw ? ends[0] : undefined;
        if (far === undefined || attachmentOf(to, far) === undefined) {
            continue;
        }
        const accepted = stack.of(T.accepter).some(
            (a) =>
                stack.ref(
                    a,
                    known(() => a.props.transitGatewayAttachmentId),
                    T.peering,
                ) === peering,
        );
        return accepted
            ? blocked(
                  "tgw-route",
                  `${none}, though peering ${peering.name} to ${far.name}, where ${to.name} is attached, is accepted: the routes over it come with the next update of the stack that owns ${tgw.name}`,
                  tgw,
              )
            : blocked(
                  "peering",
                  `peering ${peering.name} from ${tgw.name} to ${far.name}, where ${to.name} is attached, is not accepted yet: the stack that owns ${far.name} accepts it in its next update`,
                  peering,
              );
    }
    return blocked("tgw-route", none, tgw);
}

/** A static route in `tgw`'s route table for `address` over a peering, and the far gateway. */
function tgwRouteBetween(stack: Stack, tgw: PolicyResource, address: string) {
    const candidates = stack.of(T.tgwRoute).flatMap((route) => {
        const cidr = knownString(() => route.props.destinationCidrBlock);
        if (cidr === undefined || !cidrHoldsAddress(cidr, address)) {
            return [];
        }
        // The route table is the gateway's default one: the route depends on the gateway.
        if (!route.dependencies.includes(tgw)) {
            return [];
        }
        const attachmentId = known(() => route.props.transitGatewayAttachmentId);
        const accepter = stack.ref(route, attachmentId, T.accepter);
        const peering =
            stack.ref(route, attachmentId, T.peering) ??
            (accepter
                ? stack.ref(
                      accepter,
                      known(() => accepter.props.transitGatewayAttachmentId),
                      T.peering,
                  )
                : undefined);
        if (peering === undefined) {
            return [];
        }
        const ends = [
            stack.ref(
                peering,
                known(() => peering.props.transitGatewayId),
                T.tgw,
            ),
            stack.ref(
                peering,
                known(() => peering.props.peerTransitGatewayId),
                T.tgw,
            ),
        ];
        const peerTgw = ends[0] === tgw ? ends[1] : ends[1] === tgw ? ends[0] : undefined;
        return peerTgw === undefined ? [] : [{ cidr, peering, far: peerTgw }];
    });
    return candidates.sort(
        (a, b) => (parseIpv4Cidr(b.cidr)?.prefix ?? 0) - (parseIpv4Cidr(a.cidr)?.prefix ?? 0),
    )[0];
}

/** The reply's way back: the destination's route tables and Transit Gateway reach the source. */
function returnHops(stack: Stack, from: Cluster, to: Cluster, tables: Table[]): ReachabilityHop[] {
    if (from.vpcCidr === undefined) {
        return [ok("return-route", `${from.name}'s VPC CIDR is not known yet`)];
    }
    const back = firstOf(from.vpcCidr);
    const reversed = transitHops(stack, { ...to, privateTables: tables }, from, back);
    const failed = reversed.find((h) => !h.ok);
    return [
        failed
            ? {
                  ...failed,
                  hop: "return-route",
                  detail: `replies to ${from.name}: ${failed.detail}`,
              }
            : ok("return-route", `${to.name} routes replies to ${from.vpcCidr} back`),
    ];
}

/** An ingress rule that admits TCP `port` from a block holding `from`'s VPC. */
function admits(
    rules: PolicyResource[],
    port: number,
    vpcCidr: string | undefined,
): PolicyResource | undefined {
    return rules.find((rule) => {
        const protocol = knownString(() => rule.props.ipProtocol);
        const lo = Number(known(() => rule.props.fromPort));
        const hi = Number(known(() => rule.props.toPort));
        const cidr = knownString(() => rule.props.cidrIpv4);
        return (
            (protocol === "tcp" || protocol === "-1") &&
            (protocol === "-1" || (lo <= port && port <= hi)) &&
            cidr !== undefined &&
            vpcCidr !== undefined &&
            cidrHoldsBlock(cidr, vpcCidr)
        );
    });
}

function apiHops(stack: Stack, from: Cluster, to: Cluster): ReachabilityHop[] {
    const props = to.eks.props;
    const privateAccess = known(() => props.endpointPrivateAccess) !== false;
    const publicAccess = known(() => props.endpointPublicAccess) !== false;
    if (privateAccess && to.vpcCidr !== undefined) {
        const hops = [ok("endpoint", `${to.name}'s API server has a private endpoint in its VPC`)];
        hops.push(...transitHops(stack, from, to, firstOf(to.vpcCidr)));
        if (hops.some((h) => !h.ok)) {
            return hops;
        }
        hops.push(...returnHops(stack, from, to, to.allTables));
        if (hops.some((h) => !h.ok)) {
            return hops;
        }
        const rule = admits(to.clusterRules, API_PORT, from.vpcCidr);
        hops.push(
            rule
                ? ok("security-group", `${rule.name} admits ${from.vpcCidr} on ${API_PORT}`)
                : blocked(
                      "security-group",
                      `${to.name}'s cluster security group admits ${from.vpcCidr} on no rule for ${API_PORT}`,
                      to.eks,
                  ),
        );
        return hops;
    }
    if (!publicAccess) {
        return [blocked("endpoint", `${to.name}'s API server has no endpoint at all`, to.eks)];
    }
    // Public endpoint: the caller leaves through its NAT gateways.
    const hops: ReachabilityHop[] = [];
    const cidrs: string[] = known(() => props.publicAccessCidrs) ?? ["0.0.0.0/0"];
    const world = cidrs.some((c) => c === "0.0.0.0/0");
    const missing = from.natEips.filter((eip) => !to.eks.dependencies.includes(eip));
    if (!world && missing.length > 0) {
        return [
            blocked(
                "endpoint",
                `${to.name}'s public endpoint admits only ${cidrs.join(", ")}, not ${from.name}'s NAT ` +
                    `address ${missing[0].name}, and it has no private endpoint`,
                to.eks,
            ),
        ];
    }
    hops.push(ok("endpoint", `${to.name}'s public endpoint admits ${from.name}'s NAT addresses`));
    const natless = from.privateTables.find((t) => lookup(t, "8.8.8.8")?.target !== "nat");
    hops.push(
        natless
            ? blocked(
                  "source-route",
                  `${natless.resource.name} sends no internet traffic through a NAT gateway`,
                  natless.resource,
              )
            : ok(
                  "source-route",
                  `${from.name}'s private route tables reach the internet through NAT`,
              ),
    );
    return hops;
}

function hboneHops(
    stack: Stack,
    from: Cluster,
    to: Cluster,
    gw: Gateway | undefined,
): ReachabilityHop[] {
    const hops = [gatewayAddressHop(stack, to, gw)];
    if (!hops[0].ok || gw === undefined) {
        return hops;
    }
    for (const address of gw.addresses as string[]) {
        const path = transitHops(stack, from, to, address);
        if (path.some((h) => !h.ok)) {
            return [...hops, ...path];
        }
        if (address === gw.addresses[0]) {
            hops.push(...path);
        }
    }
    const tables = to.privateTables.filter((t) => t.resource !== undefined);
    hops.push(...returnHops(stack, from, to, tables));
    if (hops.some((h) => !h.ok)) {
        return hops;
    }
    const rules = stack.of(T.ingress).filter(
        (rule) =>
            gw.securityGroup !== undefined &&
            stack.ref(
                rule,
                known(() => rule.props.securityGroupId),
                T.sg,
            ) === gw.securityGroup,
    );
    const rule = admits(rules, gw.port, from.vpcCidr);
    hops.push(
        rule
            ? ok("security-group", `${rule.name} admits ${from.vpcCidr} on ${gw.port}`)
            : blocked(
                  "security-group",
                  `${to.name}'s east-west load balancer admits ${from.vpcCidr} on no rule for ${gw.port}`,
                  gw.securityGroup ?? gw.loadBalancer,
              ),
    );
    return hops;
}

function entry(
    from: Cluster,
    to: Cluster,
    path: MeshPath,
    port: number,
    hops: ReachabilityHop[],
): ReachabilityEntry {
    const first = hops.find((h) => !h.ok);
    return {
        from: from.name,
        to: to.name,
        path,
        port,
        open: first === undefined,
        hops,
        ...(first ? { blockedAt: first.hop } : {}),
    };
}

const computed = new WeakMap<readonly PolicyResource[], ReachabilityEntry[]>();

/**
 * Every ordered pair of clusters, both paths, in cluster order. The result is kept per
 * resource list, so the plan and the policy that read the same list compute it once.
 */
export function meshReachability(resources: readonly PolicyResource[]): ReachabilityEntry[] {
    let entries = computed.get(resources);
    if (!entries) {
        entries = reachabilityOf(resources);
        computed.set(resources, entries);
    }
    return entries;
}

function reachabilityOf(resources: readonly PolicyResource[]): ReachabilityEntry[] {
    const stack = new Stack(resources);
    const clusters = clustersOf(stack);
    const gateways = new Map(clusters.map((c) => [c.name, gatewayOf(stack, c)]));
    return clusters.flatMap((from) =>
        clusters
            .filter((to) => to !== from)
            .flatMap((to) => {
                const gw = gateways.get(to.name);
                return [
                    entry(from, to, "api", API_PORT, apiHops(stack, from, to)),
                    entry(
                        from,
                        to,
                        "hbone",
                        gw?.port ?? HBONE_PORT,
                        hboneHops(stack, from, to, gw),
                    ),
                ];
            }),
    );
}

export const meshReachabilityPolicy: StackValidationPolicy = {
    name: "mesh-reachability",
    description:
        "Every cluster reaches every other cluster's API server and east-west gateway, hop by hop.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        // A stack that builds no VPC routes (Istio into existing clusters, say) shows no path.
        if (!args.resources.some((r) => r.type === T.routeTable)) {
            args.notApplicable("Policy only applies to stacks that build the mesh's network");
        }
        const entries = meshReachability(args.resources);
        if (entries.length === 0) {
            args.notApplicable("Policy only applies to stacks with several clusters");
        }
        for (const e of entries.filter((x) => !x.open)) {
            const hop = e.hops.find((h) => !h.ok) as ReachabilityHop;
            report(
                `${e.from} cannot reach ${e.to} on the ${e.path} path (port ${e.port}): blocked at ` +
                    `${hop.hop}: ${hop.detail}.`,
                hop.urn,
            );
        }
    },
};
