import { Netmask } from "netmask";

/**
 * IPv4 CIDR helpers for planning VPCs and subnets. Parsing and block arithmetic are the
 * `netmask` library's; this module adds the strictness config validation needs (netmask
 * accepts `10.0.0/16` and silently moves `10.0.0.1/16` to its network address).
 */

// Every number in decimal without leading zeros, as AWS writes blocks: AWS refuses
// `010.10.0.0/16`, and parsers disagree on it (inet_aton and netmask read 010 as octal 8).
const DECIMAL = "(0|[1-9]\\d{0,2})";
const CIDR_PATTERN = new RegExp(`^${DECIMAL}\\.${DECIMAL}\\.${DECIMAL}\\.${DECIMAL}/${DECIMAL}$`);
/** Four dotted numbers and a prefix, with any digits. */
const DOTTED_NUMBERS = /^\d+\.\d+\.\d+\.\d+\/\d+$/;

/** A named block of the mesh's address space: a cluster's VPC, or a declared range. */
export interface MeshCidr {
    /** Stable key (a cluster name, or a block's name fragment); names routes and rules. */
    readonly name: string;
    readonly cidr: string;
    /** Who sits there, in words for rule descriptions. @default `name` */
    readonly description?: string;
}

/** RFC 1918 ranges: the only ones EKS accepts for the service CIDR, and the ones VPCs use. */
export const PRIVATE_RANGES = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"] as const;

export type CidrProblem = "malformed" | "not-aligned";

/**
 * Ranges a public endpoint never sees a request from (RFC 6890's special-purpose blocks that are
 * not globally reachable), each with what it is. EKS refuses them in `publicAccessCidrs`. The
 * documentation ranges (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24) are left out: EKS's own
 * guide uses them as examples of public blocks.
 */
export const NON_PUBLIC_RANGES: readonly { readonly cidr: string; readonly what: string }[] = [
    { cidr: "0.0.0.0/8", what: '"this network" (RFC 1122)' },
    { cidr: "10.0.0.0/8", what: "private address space (RFC 1918)" },
    { cidr: "100.64.0.0/10", what: "carrier-grade NAT space (RFC 6598)" },
    { cidr: "127.0.0.0/8", what: "loopback (RFC 1122)" },
    { cidr: "169.254.0.0/16", what: "link-local space (RFC 3927)" },
    { cidr: "172.16.0.0/12", what: "private address space (RFC 1918)" },
    { cidr: "192.0.0.0/24", what: "IETF protocol assignments (RFC 6890)" },
    { cidr: "192.168.0.0/16", what: "private address space (RFC 1918)" },
    { cidr: "198.18.0.0/15", what: "benchmarking space (RFC 2544)" },
    { cidr: "224.0.0.0/4", what: "multicast (RFC 5771)" },
    { cidr: "240.0.0.0/4", what: "reserved space (RFC 1112)" },
];

/** The non-public range a block lies in, or undefined when it is public (or holds public space). */
export function nonPublicRange(cidr: string): (typeof NON_PUBLIC_RANGES)[number] | undefined {
    return NON_PUBLIC_RANGES.find((range) => contains(range.cidr, cidr));
}

/** Whether a malformed block is four numbers and a prefix, one of them written with leading zeros. */
export function hasLeadingZeros(cidr: string): boolean {
    return DOTTED_NUMBERS.test(cidr) && /(^|[./])0\d/.test(cidr);
}

/** Why `cidr` is not a canonical IPv4 CIDR block, or undefined when it is. */
export function cidrProblem(cidr: string): CidrProblem | undefined {
    const match = CIDR_PATTERN.exec(cidr);
    if (!match) {
        return "malformed";
    }
    const octets = match.slice(1, 5).map(Number);
    const prefix = Number(match[5]);
    if (octets.some((o) => o > 255) || prefix > 32) {
        return "malformed";
    }
    return new Netmask(cidr).toString() === cidr ? undefined : "not-aligned";
}

/** The canonical form of a CIDR whose host bits are set, e.g. `10.0.0.1/16` → `10.0.0.0/16`. */
export function networkOf(cidr: string): string {
    return new Netmask(cidr).toString();
}

export function prefixLength(cidr: string): number {
    return new Netmask(cidr).bitmask;
}

/** True when the two blocks share at least one address. */
export function overlaps(a: string, b: string): boolean {
    const x = new Netmask(a);
    const y = new Netmask(b);
    return x.contains(y.base) || y.contains(x.base);
}

/** True when `inner` lies wholly inside `outer`. */
export function contains(outer: string, inner: string): boolean {
    const o = new Netmask(outer);
    const i = new Netmask(inner);
    return o.bitmask <= i.bitmask && o.contains(i.base);
}

export function isPrivate(cidr: string): boolean {
    return PRIVATE_RANGES.some((range) => contains(range, cidr));
}

/** The `index`-th block of prefix length `newPrefix` inside `cidr`. */
export function subnetOf(cidr: string, newPrefix: number, index: number): string {
    const parent = new Netmask(cidr);
    if (newPrefix < parent.bitmask || newPrefix > 32) {
        throw new RangeError(`cannot cut /${newPrefix} blocks out of ${cidr}`);
    }
    const count = 2 ** (newPrefix - parent.bitmask);
    if (!Number.isInteger(index) || index < 0 || index >= count) {
        throw new RangeError(
            `${cidr} holds ${count} /${newPrefix} blocks; index ${index} is outside`,
        );
    }
    return new Netmask(parent.base, newPrefix).next(index).toString();
}

export interface SubnetPlan {
    /** One private subnet per AZ: a quarter of the VPC each, for nodes and pods. */
    readonly private: string[];
    /** One public subnet per AZ, a /(prefix+6) each, carved from the last quarter. */
    readonly public: string[];
    /**
     * Per private subnet, a /28 held by an explicit subnet CIDR reservation for addresses the
     * platform assigns itself (load balancers): the second-to-last /28, which holds none of the
     * addresses AWS keeps (the subnet's first four and its last).
     */
    readonly reserved: string[];
    /** Per private subnet, the east-west load balancer's fixed address: its reserved block's first. */
    readonly eastWestAddresses: string[];
}

/** Prefix length of the per-subnet reservation for fixed load-balancer addresses. */
export const RESERVATION_PREFIX = 28;

/** The first address of a block: `10.10.63.224/28` → `10.10.63.224`. */
export function firstAddress(cidr: string): string {
    return new Netmask(cidr).base;
}

/** Whether an IPv4 address lies inside a block. */
export function containsAddress(cidr: string, address: string): boolean {
    return new Netmask(cidr).contains(address);
}

/**
 * The subnet layout of a VPC: private subnets take the first quarters (pods get VPC IPs, so
 * they need the room), public subnets (NAT gateways and load balancers only) are small blocks
 * of the last quarter. The layout depends only on the VPC CIDR and AZ count, so adding an AZ
 * never moves an existing subnet.
 */
export function planSubnets(vpcCidr: string, azCount: number): SubnetPlan {
    if (azCount < 1 || azCount > 3) {
        throw new RangeError(`a VPC is split across 1 to 3 availability zones, not ${azCount}`);
    }
    const prefix = prefixLength(vpcCidr);
    const lastQuarter = subnetOf(vpcCidr, prefix + 2, 3);
    const zones = [...Array(azCount).keys()];
    const privateSubnets = zones.map((i) => subnetOf(vpcCidr, prefix + 2, i));
    const reserved = privateSubnets.map((subnet) => {
        const blocks = 2 ** (RESERVATION_PREFIX - prefixLength(subnet));
        return subnetOf(subnet, RESERVATION_PREFIX, blocks - 2);
    });
    return {
        private: privateSubnets,
        public: zones.map((i) => subnetOf(lastQuarter, prefix + 6, i)),
        reserved,
        eastWestAddresses: reserved.map(firstAddress),
    };
}
