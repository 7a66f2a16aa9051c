import * as crypto from "node:crypto";
import { isPlainObject } from "./values";

/**
 * What every resource mock works with: the resource's plain inputs, its region and provider,
 * and helpers that derive ids and names from the resource's type and name, so that a rerun
 * yields the same values.
 */

export const ACCOUNT_ID = "123456789012";
export const DEFAULT_REGION = "us-east-1";
/** Creation times reported for resources: fixed, so that plans do not change between runs. */
export const CREATED = "2025-01-01T00:00:00Z";

export type Inputs = Record<string, unknown>;

/** A resource registered earlier in the run, as later mocks can look it up. */
export interface Registered {
    readonly type: string;
    readonly region: string;
    readonly id?: string;
    readonly state: Inputs;
}

/** Everything a type's mock needs: the resource, plain inputs, and deterministic helpers. */
export class MockContext {
    constructor(
        readonly type: string,
        readonly name: string,
        readonly inputs: Inputs,
        readonly region: string,
        readonly custom: boolean,
        readonly providerInputs: Inputs,
        private readonly find: (idOrUrn: string) => Registered | undefined,
    ) {}

    digest(salt: string): Buffer {
        return crypto.createHash("sha256").update(`${this.type}/${this.name}#${salt}`).digest();
    }

    hex(length: number, salt = ""): string {
        let out = "";
        for (let i = 0; out.length < length; i++) {
            out += this.digest(`${salt}:${i}`).toString("hex");
        }
        return out.slice(0, length);
    }

    /** `vpc-0a1b2c…`: EC2-style ids have 17 hex digits after the prefix. */
    ec2Id(prefix: string, salt = ""): string {
        return `${prefix}-${this.hex(17, salt)}`;
    }

    /** Pulumi's auto-naming: the logical name, a dash and 7 random hex digits. */
    autoName(salt = "autoname"): string {
        return `${this.name}-${this.hex(7, salt)}`;
    }

    uuid(salt: string): string {
        const h = this.hex(32, salt).split("");
        h[12] = "4";
        h[16] = "89ab"[parseInt(h[16], 16) % 4];
        const s = h.join("");
        return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
    }

    arn(service: string, resource: string, region = this.region): string {
        return `arn:aws:${service}:${region}:${ACCOUNT_ID}:${resource}`;
    }

    str(key: string): string | undefined {
        const v = this.inputs[key];
        return typeof v === "string" && v !== "" ? v : undefined;
    }

    /** Tags as the AWS provider reports them: the provider's default tags under the resource's. */
    tagsAll(): Record<string, unknown> {
        const raw = this.providerInputs.defaultTags;
        const parsed = typeof raw === "string" ? safeJson(raw) : raw;
        const defaults = isPlainObject(parsed) && isPlainObject(parsed.tags) ? parsed.tags : {};
        return { ...defaults, ...(isPlainObject(this.inputs.tags) ? this.inputs.tags : {}) };
    }

    /** The same resource seen with other inputs (e.g. a component's inner cluster). */
    withInputs(inputs: Inputs): MockContext {
        return new MockContext(
            this.type,
            this.name,
            inputs,
            this.region,
            this.custom,
            this.providerInputs,
            this.find,
        );
    }

    /** A resource registered earlier in the run, by id, ARN or URN. */
    lookup(idOrUrn: unknown): Registered | undefined {
        return typeof idOrUrn === "string" ? this.find(idOrUrn) : undefined;
    }
}

function safeJson(s: string): unknown {
    try {
        return JSON.parse(s);
    } catch {
        return undefined;
    }
}

export interface MockOutput {
    /** Physical id; undefined for components. */
    readonly id?: string;
    /** Outputs added to (and overriding) the inputs. */
    readonly outputs: Inputs;
}

export type Handler = (ctx: MockContext) => MockOutput | Promise<MockOutput>;

/** `use1` for `us-east-1`, as in zone ids `use1-az1`. */
export function regionCode(region: string): string {
    const [country, direction = "", number = ""] = region.split("-");
    const abbreviation: Record<string, string> = {
        east: "e",
        west: "w",
        north: "n",
        south: "s",
        central: "c",
        northeast: "ne",
        northwest: "nw",
        southeast: "se",
        southwest: "sw",
    };
    return `${country}${abbreviation[direction] ?? direction.charAt(0)}${number}`;
}

export function zoneId(zoneName: string): string {
    const region = zoneName.slice(0, -1);
    return `${regionCode(region)}-az${zoneName.charCodeAt(zoneName.length - 1) - 96}`;
}

export function base64(s: string): string {
    return Buffer.from(s).toString("base64");
}

export function strings(v: unknown): string[] {
    return Array.isArray(v) ? v.filter((s): s is string => typeof s === "string") : [];
}
