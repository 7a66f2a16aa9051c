import * as k8s from "@pulumi/kubernetes";
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

/** A setting's value as messages show it: JSON, or "(not set)". */
export function show(value: unknown): string {
    return value === undefined ? "(not set)" : JSON.stringify(value);
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

/** A VPC's primary IPv4 block, if known. */
export function vpcBlock(vpc: PolicyResource): Ipv4Block | undefined {
    const cidr = knownString(() => vpc.props.cidrBlock);
    return cidr === undefined ? undefined : parseIpv4Cidr(cidr);
}

/** The id other resources' inputs hold when they refer to `resource`. */
function idOf(resource: PolicyResource): string | undefined {
    return knownString(() => resource.props.id);
}

/**
 * Whether `from` refers to `to` through `property`: by value when both ids are known (the
 * offline plan and deployed resources), else through the dependency graph (a preview, where new
 * resources have no ids yet).
 */
export function refersTo(from: PolicyResource, property: string, to: PolicyResource): boolean {
    const value = knownString(() => from.props[property]);
    const id = idOf(to);
    if (value !== undefined && id !== undefined) {
        return value === id;
    }
    return dependenciesFor(from, property).includes(to);
}

/** The day a date-judging rule judges on: `asOf` from its config, else today (UTC). */
export function judgedDay(asOf: string | undefined): string {
    return asOf ?? new Date().toISOString().slice(0, 10);
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** `asOf`, shared by every rule that judges against the calendar. */
export const AS_OF_PROPERTY = {
    type: "string",
    pattern: DAY.source,
    description: "The day (YYYY-MM-DD, UTC) the rule judges on; today when unset.",
} as const;

/** The chart's own name: `istiod` for `istiod`, `istio/istiod`, `oci://…/istiod`, `…/istiod-1.2.3.tgz`. */
export function chartBaseName(chart: string): string {
    const last = chart.replace(/\/+$/, "").split("/").pop() ?? chart;
    return last.replace(/-v?\d+\.\d+\.\d+[^/]*\.tgz$/, "").replace(/\.tgz$/, "");
}

function isUrl(value: string): boolean {
    return /^[a-z][a-z0-9+.-]*:\/\//i.test(value);
}

/** Where Helm fetches the chart from: the repository, a chart URL, or nothing (a local chart). */
export function sourceOf(chart: string, repo: string | undefined): string | undefined {
    return repo ?? (isUrl(chart) ? chart : undefined);
}

/** A Helm release as the stack rules read it. */
export interface HelmRelease {
    readonly resource: PolicyResource;
    /** The chart's own name (see `chartBaseName`). */
    readonly chart: string;
    readonly version?: string;
    readonly namespace: string;
    /** A value at a path of the release's `values`; undefined if unset or not known yet. */
    readonly at: (path: readonly string[]) => unknown;
}

export function helmReleases(resources: readonly PolicyResource[]): HelmRelease[] {
    return resources
        .filter((r) => r.isType(k8s.helm.v3.Release))
        .flatMap((r) => {
            const chart = knownString(() => r.props.chart);
            if (chart === undefined) {
                return [];
            }
            return [
                {
                    resource: r,
                    chart: chartBaseName(chart),
                    version: knownString(() => r.props.version),
                    namespace: knownString(() => r.props.namespace) ?? "default",
                    at: (path: readonly string[]) => known(() => dig(r.props.values, path)),
                },
            ];
        });
}

export function byChart(releases: HelmRelease[], chart: string): HelmRelease[] {
    return releases.filter((r) => r.chart === chart);
}

/** Releases grouped by Kubernetes provider, i.e. by cluster. */
export function byCluster(releases: HelmRelease[]): HelmRelease[][] {
    const groups = new Map<string, HelmRelease[]>();
    for (const r of releases) {
        const key = providerKey(r.resource);
        groups.set(key, [...(groups.get(key) ?? []), r]);
    }
    return [...groups.values()];
}

/**
 * A Secret's `stringData` and `data`, or undefined when their keys cannot be seen: a map built
 * from outputs is unknown during a first preview (the offline plan checks it), and a plan
 * written without `--show-secrets` hides a whole secret map behind one string.
 */
export function secretMaps(secret: {
    stringData?: Record<string, string>;
    data?: Record<string, string>;
}): { stringData: Record<string, string>; data: Record<string, string> } | undefined {
    const stringData = orNotKnown(() => secret.stringData);
    const data = orNotKnown(() => secret.data);
    if (stringData === NOT_KNOWN || data === NOT_KNOWN) {
        return undefined;
    }
    if ((stringData as unknown) === REDACTED || (data as unknown) === REDACTED) {
        return undefined;
    }
    return { stringData: stringData ?? {}, data: data ?? {} };
}
