import type * as eks from "@pulumi/eks";
import { PolicyConfigSchema, ResourceValidationPolicy } from "@pulumi/policy";
import { AS_OF_PROPERTY, configOf, judgedDay, validateTypeToken } from "../util";
import { EKS_CLUSTER } from "./cluster";

/** Kubernetes versions on AWS's support calendar: when EKS creates them and what they cost. */

/** One version's dates on AWS's EKS calendar (YYYY-MM-DD; each end date is a last day). */
export interface EksCalendarEntry {
    readonly released: string;
    readonly endOfStandardSupport: string;
    readonly endOfExtendedSupport: string;
}

/**
 * AWS's "Kubernetes version lifecycle on EKS" calendar, as the program's versions table holds
 * it (a test keeps the two equal).
 */
export const DEFAULT_EKS_CALENDAR: Record<string, EksCalendarEntry> = {
    "1.28": {
        released: "2023-09-26",
        endOfStandardSupport: "2024-11-26",
        endOfExtendedSupport: "2025-11-26",
    },
    "1.29": {
        released: "2024-01-23",
        endOfStandardSupport: "2025-03-23",
        endOfExtendedSupport: "2026-03-23",
    },
    "1.30": {
        released: "2024-05-23",
        endOfStandardSupport: "2025-07-23",
        endOfExtendedSupport: "2026-07-23",
    },
    "1.31": {
        released: "2024-09-26",
        endOfStandardSupport: "2025-11-26",
        endOfExtendedSupport: "2026-11-26",
    },
    "1.32": {
        released: "2025-01-23",
        endOfStandardSupport: "2026-03-23",
        endOfExtendedSupport: "2027-03-23",
    },
    "1.33": {
        released: "2025-05-29",
        endOfStandardSupport: "2026-07-29",
        endOfExtendedSupport: "2027-07-29",
    },
    "1.34": {
        released: "2025-10-02",
        endOfStandardSupport: "2026-12-02",
        endOfExtendedSupport: "2027-12-02",
    },
    "1.35": {
        released: "2026-01-27",
        endOfStandardSupport: "2027-03-27",
        endOfExtendedSupport: "2028-03-27",
    },
};

const calendarSchema: PolicyConfigSchema = {
    properties: {
        asOf: AS_OF_PROPERTY,
        calendar: {
            type: "object",
            default: DEFAULT_EKS_CALENDAR,
            description:
                "EKS's calendar by Kubernetes minor: released, endOfStandardSupport, endOfExtendedSupport.",
        },
        standardPerClusterHourUsd: {
            type: "number",
            default: 0.1,
            description: "Price of an EKS control plane per hour in standard support (USD).",
        },
        extendedPerClusterHourUsd: {
            type: "number",
            default: 0.6,
            description: "Price of an EKS control plane per hour in extended support (USD).",
        },
        hoursPerMonth: {
            type: "number",
            default: 730,
            description: "Hours in AWS's billing month.",
        },
    },
};

interface CalendarConfig {
    asOf?: string;
    calendar: Record<string, EksCalendarEntry>;
    standardPerClusterHourUsd: number;
    extendedPerClusterHourUsd: number;
    hoursPerMonth: number;
}

/**
 * What to move to on `day`: the versions in standard support, each with its last day; else the
 * ones still in extended support; else a hint that the calendar needs its next version.
 */
function supportedOn(cfg: CalendarConfig, day: string): string {
    const entries = Object.entries(cfg.calendar).filter(([, d]) => d.released <= day);
    const standard = entries.filter(([, d]) => day <= d.endOfStandardSupport);
    if (standard.length > 0) {
        return standard
            .map(([v, d]) => `${v} (standard support until ${d.endOfStandardSupport})`)
            .join(", ");
    }
    const extended = entries.filter(([, d]) => day <= d.endOfExtendedSupport);
    if (extended.length > 0) {
        return extended
            .map(([v, d]) => `${v} (extended support until ${d.endOfExtendedSupport})`)
            .join(", ");
    }
    return "a version newer than the calendar lists (update the calendar setting)";
}

const usd = (n: number) => `$${n.toFixed(2)}`;

/** Reads a cluster's version and the calendar; undefined when the rule has nothing to judge. */
function calendarCase(
    version: string | undefined,
    args: { getConfig<U extends object>(): U },
): { cfg: CalendarConfig; day: string; dates: EksCalendarEntry } | undefined {
    const cfg = configOf<CalendarConfig>(calendarSchema, args);
    const dates = version === undefined ? undefined : cfg.calendar[version];
    return dates === undefined ? undefined : { cfg, day: judgedDay(cfg.asOf), dates };
}

export const eksVersionExtendedSupport: ResourceValidationPolicy = {
    name: "eks-version-extended-support",
    description:
        "EKS clusters run a Kubernetes version in standard support, not the costlier extended support.",
    enforcementLevel: "advisory",
    configSchema: calendarSchema,
    validateResource: validateTypeToken<eks.ClusterArgs>(EKS_CLUSTER, (cluster, args, report) => {
        const judged = calendarCase(cluster.version, args);
        if (judged === undefined) {
            return;
        }
        const { cfg, day, dates } = judged;
        if (day > dates.endOfStandardSupport && day <= dates.endOfExtendedSupport) {
            const extra = cfg.extendedPerClusterHourUsd - cfg.standardPerClusterHourUsd;
            report(
                `version "${cluster.version}" left EKS standard support on ${dates.endOfStandardSupport} ` +
                    `and is in extended support until ${dates.endOfExtendedSupport} (judged on ${day}): ` +
                    `the control plane costs ${usd(cfg.extendedPerClusterHourUsd)} instead of ` +
                    `${usd(cfg.standardPerClusterHourUsd)} per cluster-hour, ${usd(extra)} more per hour ` +
                    `and about ${usd(extra * cfg.hoursPerMonth)} more per month; upgrade to a version in ` +
                    `standard support: ${supportedOn(cfg, day)}.`,
            );
        }
    }),
};

export const eksVersionEndOfSupport: ResourceValidationPolicy = {
    name: "eks-version-end-of-support",
    description:
        "EKS clusters run a Kubernetes version that EKS has released and still supports, so it can be created.",
    enforcementLevel: "mandatory",
    configSchema: calendarSchema,
    validateResource: validateTypeToken<eks.ClusterArgs>(EKS_CLUSTER, (cluster, args, report) => {
        const judged = calendarCase(cluster.version, args);
        if (judged === undefined) {
            return;
        }
        const { cfg, day, dates } = judged;
        if (day < dates.released) {
            report(
                `version "${cluster.version}" is not released on EKS until ${dates.released} (judged on ${day}), ` +
                    `so EKS cannot create it yet; use ${supportedOn(cfg, day)}.`,
            );
        } else if (day > dates.endOfExtendedSupport) {
            report(
                `version "${cluster.version}" left EKS extended support on ${dates.endOfExtendedSupport} ` +
                    `(judged on ${day}): EKS creates no cluster on it and upgrades existing ones on its own; ` +
                    `use ${supportedOn(cfg, day)}.`,
            );
        }
    }),
};
