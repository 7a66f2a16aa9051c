import {
    PolicyConfigSchema,
    PolicyResource,
    ReportViolation,
    ResourceValidation,
    ResourceValidationArgs,
} from "@pulumi/policy";
import { Unwrap } from "@pulumi/pulumi";

/**
 * Helpers shared by the rules. Nothing here may import the project's components: the pack is
 * installed and evaluated on its own, so every fact a rule needs is a configSchema default.
 */

/** What `--show-secrets`-less plans and redacted state print instead of a secret value. */
export const REDACTED = "[secret]";

/** The configuration of a policy: its schema defaults, overridden by what the pack config sets. */
export function configOf<T extends object>(
    schema: PolicyConfigSchema,
    args: { getConfig<U extends object>(): U },
): T {
    const defaults: Record<string, unknown> = {};
    for (const [key, property] of Object.entries(schema.properties)) {
        if (typeof property === "object" && property.default !== undefined) {
            defaults[key] = property.default;
        }
    }
    // The CLI fills schema defaults in before it calls the pack, but fake args in tests and older
    // CLIs do not: merging here keeps a rule's behaviour the same everywhere.
    return { ...defaults, ...args.getConfig<Partial<T>>() } as T;
}

/**
 * `validateResourceOfType` for types without a runtime class to pass, such as components that a
 * provider plugin builds (`eks:index:Cluster`). Carries `__pulumiType` like the SDK's helper so the
 * analyzer can skip other types without calling the rule.
 */
export function validateTypeToken<TArgs>(
    type: string,
    validate: (
        props: Unwrap<TArgs>,
        args: ResourceValidationArgs,
        reportViolation: ReportViolation,
    ) => void,
): ResourceValidation {
    const fn: ResourceValidation = (args, reportViolation) => {
        if (args.type !== type) {
            args.notApplicable(`Policy only applies to resources of type '${type}'`);
        }
        validate(args.props as Unwrap<TArgs>, args, reportViolation);
    };
    return Object.assign(fn, { __pulumiType: type });
}

/** What `orNotKnown` returns for a value the engine does not know yet. */
export const NOT_KNOWN = Symbol("not known during preview");

/**
 * Reads a value that the engine may not know yet. During a preview the SDK throws
 * `UnknownValueError` when a rule touches an unknown value and downgrades the whole rule to an
 * advisory "can't run"; rules that can fall back (to the dependency graph, or to checking only
 * what is known) use this instead.
 */
export function orNotKnown<T>(read: () => T): T | typeof NOT_KNOWN {
    try {
        return read();
    } catch (err) {
        // The SDK does not export the class in its typings; its name is stable.
        if (err instanceof Error && err.constructor.name === "UnknownValueError") {
            return NOT_KNOWN;
        }
        throw err;
    }
}

/** `orNotKnown`, with undefined for a value not known yet. */
export function known<T>(read: () => T): T | undefined {
    const value = orNotKnown(read);
    return value === NOT_KNOWN ? undefined : value;
}

/** A string value that is known and not redacted. */
export function knownString(read: () => unknown): string | undefined {
    const value = known(read);
    return typeof value === "string" && value !== REDACTED ? value : undefined;
}

/** Follows a path into nested plain objects; undefined where any step is missing. */
export function dig(value: unknown, path: readonly string[]): unknown {
    let current = value;
    for (const key of path) {
        if (current === null || typeof current !== "object" || Array.isArray(current)) {
            return undefined;
        }
        current = (current as Record<string, unknown>)[key];
    }
    return current;
}

/** `"a", "b" and "c"`: lists values the way messages quote them. */
export function quoteList(values: readonly unknown[]): string {
    const quoted = values.map((v) => JSON.stringify(v));
    return quoted.length <= 1
        ? (quoted[0] ?? "")
        : `${quoted.slice(0, -1).join(", ")} and ${quoted[quoted.length - 1]}`;
}

/** An IPv4 CIDR block as an inclusive address range. */
export interface Ipv4Block {
    readonly cidr: string;
    readonly prefix: number;
    readonly first: number;
    readonly last: number;
}

const parsedBlocks = new Map<string, Ipv4Block | undefined>();

/** Parses `a.b.c.d/n`; undefined for anything else (IPv6, unknown, malformed). */
export function parseIpv4Cidr(cidr: string): Ipv4Block | undefined {
    // Plans hold the same few blocks thousands of times (routes, rules, addresses).
    if (!parsedBlocks.has(cidr)) {
        parsedBlocks.set(cidr, parseBlock(cidr));
    }
    return parsedBlocks.get(cidr);
}

function parseBlock(cidr: string): Ipv4Block | undefined {
    const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
    if (!match) {
        return undefined;
    }
    const octets = match.slice(1, 5).map(Number);
    const prefix = Number(match[5]);
    if (octets.some((o) => o > 255) || prefix > 32) {
        return undefined;
    }
    const address = octets.reduce((acc, o) => acc * 256 + o, 0);
    const size = 2 ** (32 - prefix);
    const first = Math.floor(address / size) * size;
    return { cidr, prefix, first, last: first + size - 1 };
}

export function overlaps(a: Ipv4Block, b: Ipv4Block): boolean {
    return a.first <= b.last && b.first <= a.last;
}

/** Whether a CIDR admits every address: `0.0.0.0/0` or `::/0` (and their spellings). */
export function isWorldCidr(cidr: string): boolean {
    return /^0\.0\.0\.0\/0$/.test(cidr) || /^(::|0:0:0:0:0:0:0:0)\/0$/.test(cidr);
}

/** Every resource `resource` depends on, directly or through others. */
export function dependencyClosure(resource: PolicyResource): Set<PolicyResource> {
    const seen = new Set<PolicyResource>();
    const stack = [...resource.dependencies];
    while (stack.length > 0) {
        const next = stack.pop() as PolicyResource;
        if (!seen.has(next)) {
            seen.add(next);
            stack.push(...next.dependencies);
        }
    }
    return seen;
}

/** The resources that `resource` depends on for `property`, or all of its dependencies. */
export function dependenciesFor(resource: PolicyResource, property: string): PolicyResource[] {
    // `propertyDependencies` is exact but only the engine fills it; the offline plan records the
    // union of dependencies, which the type filters of the callers make precise enough.
    const exact = resource.propertyDependencies[property];
    return exact && exact.length > 0 ? exact : resource.dependencies;
}

/** Groups resources by their provider: one Kubernetes provider is one cluster. */
export function providerKey(resource: { provider?: { urn: string } }): string {
    return resource.provider?.urn ?? "default provider";
}

/** An IPv4 address as a number; undefined for anything else. */
export function parseIpv4(address: string): number | undefined {
    const block = parseIpv4Cidr(`${address}/32`);
    return block?.first;
}

/** Whether `block` (a CIDR) holds the address. */
export function cidrHoldsAddress(block: string, address: string): boolean {
    const b = parseIpv4Cidr(block);
    const a = parseIpv4(address);
    return b !== undefined && a !== undefined && b.first <= a && a <= b.last;
}

/** Whether `outer` holds every address of `inner` (both CIDRs). */
export function cidrHoldsBlock(outer: string, inner: string): boolean {
    const o = parseIpv4Cidr(outer);
    const i = parseIpv4Cidr(inner);
    return o !== undefined && i !== undefined && o.first <= i.first && i.last <= o.last;
}
