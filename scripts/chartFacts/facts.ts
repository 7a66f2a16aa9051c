import { parse } from "yaml";

/**
 * The facts about Istio's Helm charts that the tests need, derived from the charts themselves
 * and committed as data (`test/fixtures/istio-chart-facts.json`), so that the tests never read
 * outside the repository: per chart, every value path its defaults declare (and the maps that
 * take any key), the paths its templates read without declaring them, the ambient profile's
 * global-service selector, and the Gateway API release the Istio release was built against.
 * What they are derived from is a `ChartSource` (`./sources.ts`).
 */

/** Istio's charts as the program installs them, by the name Helm knows them under. */
export const ISTIO_CHARTS = ["base", "istiod", "cni", "ztunnel", "gateway"] as const;
export type IstioChart = (typeof ISTIO_CHARTS)[number];

export interface ChartFacts {
    /** Paths whose default is a map with keys: a value may only go below a declared key. */
    readonly maps: string[];
    /** Paths whose default is an empty map: any key may go below them. */
    readonly openMaps: string[];
    /** Paths whose default is a scalar or a list. */
    readonly leaves: string[];
    /** Paths the templates read (`.Values.x.y`) that the defaults do not declare. */
    readonly templateOnly: string[];
}

export interface ReleaseFacts {
    /** The Istio release (or source revision) the facts were derived from. */
    readonly derivedFrom: string;
    readonly gatewayApi: string;
    /** Label key of the ambient profile's GLOBAL service scope selector, if it has one. */
    readonly globalServiceLabel: string | null;
    readonly charts: Record<IstioChart, ChartFacts>;
}

/** By Istio minor (`1.31`). */
export type ChartFactsFile = Record<string, ReleaseFacts>;

/** The text facts are derived from, whatever holds it. */
export interface ChartSource {
    readonly derivedFrom: string;
    values(chart: IstioChart): string;
    /** The chart's template files' text; empty when the source has none. */
    templates(chart: IstioChart): string[];
    readonly ambientProfile: string;
    /** Text holding the `sigs.k8s.io/gateway-api vX.Y.Z` requirement (go.mod). */
    readonly goMod: string;
}

type Values = Record<string, unknown>;

const isMap = (v: unknown): v is Values => v !== null && typeof v === "object" && !Array.isArray(v);

/** The chart's defaults (Istio wraps them in `_internal_defaults_do_not_set`). */
export function chartDefaults(valuesYaml: string): Values {
    const doc = (parse(valuesYaml) ?? {}) as Values;
    return isMap(doc._internal_defaults_do_not_set) ? doc._internal_defaults_do_not_set : doc;
}

function walk(values: Values, prefix: string, facts: ChartFacts): void {
    for (const [key, value] of Object.entries(values)) {
        const p = prefix ? `${prefix}.${key}` : key;
        if (isMap(value) && Object.keys(value).length > 0) {
            facts.maps.push(p);
            walk(value, p, facts);
        } else if (isMap(value)) {
            facts.openMaps.push(p);
        } else {
            facts.leaves.push(p);
        }
    }
}

/** Whether `p` is declared, or lies below an open map (what a chart accepts). */
export function isDeclared(facts: ChartFacts, p: string): boolean {
    const keys = p.split(".");
    for (let i = 1; i <= keys.length; i++) {
        const prefix = keys.slice(0, i).join(".");
        if (facts.openMaps.includes(prefix)) {
            return true;
        }
        const leaf = facts.leaves.includes(prefix);
        if (!leaf && !facts.maps.includes(prefix)) {
            return false;
        }
        if (leaf) {
            return i === keys.length;
        }
    }
    return true;
}

const TEMPLATE_PATH = /\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)/g;

export function deriveChartFacts(chart: IstioChart, source: ChartSource): ChartFacts {
    const facts: ChartFacts = { maps: [], openMaps: [], leaves: [], templateOnly: [] };
    walk(chartDefaults(source.values(chart)), "", facts);
    const read = new Set<string>();
    for (const text of source.templates(chart)) {
        for (const match of text.matchAll(TEMPLATE_PATH)) {
            const p = match[1].slice(1);
            if (!p.startsWith("_internal_defaults_do_not_set") && !isDeclared(facts, p)) {
                read.add(p);
            }
        }
    }
    facts.templateOnly.push(...read);
    for (const list of Object.values(facts)) {
        list.sort();
    }
    return facts;
}

export function deriveReleaseFacts(source: ChartSource): ReleaseFacts {
    const gatewayApi = /sigs\.k8s\.io\/gateway-api (v\d+\.\d+\.\d+)\b/.exec(source.goMod)?.[1];
    if (gatewayApi === undefined) {
        throw new Error(`${source.derivedFrom}: no sigs.k8s.io/gateway-api requirement found`);
    }
    const profile = (parse(source.ambientProfile) ?? {}) as Values;
    const scopes = (profile.meshConfig as Values | undefined)?.serviceScopeConfigs;
    const global = Array.isArray(scopes)
        ? (scopes as Values[]).find((s) => s.scope === "GLOBAL")
        : undefined;
    const expressions = (global?.servicesSelector as Values | undefined)?.matchExpressions;
    const label = Array.isArray(expressions) ? (expressions[0] as Values).key : undefined;
    return {
        derivedFrom: source.derivedFrom,
        gatewayApi,
        globalServiceLabel: typeof label === "string" ? label : null,
        charts: Object.fromEntries(
            ISTIO_CHARTS.map((chart) => [chart, deriveChartFacts(chart, source)]),
        ) as Record<IstioChart, ChartFacts>,
    };
}
