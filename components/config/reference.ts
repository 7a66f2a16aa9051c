import { z } from "zod";
import { metaOf, platformSchema } from "./schema";

/**
 * The configuration reference, derived from the schema: one row per key with its type, its
 * default and what it means. The README's table is this text (a test keeps them equal).
 */

export interface ReferenceRow {
    /** `clusters[].nodeGroup.minSize`. */
    readonly key: string;
    readonly type: string;
    /** `required`, a value, or the computed default in words. */
    readonly default: string;
    readonly description: string;
}

type Def = {
    type: string;
    innerType?: z.ZodType;
    element?: z.ZodType;
    defaultValue?: unknown;
};

const defOf = (schema: z.ZodType) => (schema as unknown as { _zod: { def: Def } })._zod.def;

/** Optional, defaulted and prefaulted wrappers, down to the key's own type. */
function unwrap(schema: z.ZodType): { inner: z.ZodType; value?: unknown; optional: boolean } {
    let inner = schema;
    let value: unknown;
    let optional = false;
    for (;;) {
        const def = defOf(inner);
        if (def.type === "default" || def.type === "prefault") {
            value = def.type === "default" ? def.defaultValue : value;
            optional = true;
        } else if (def.type === "optional") {
            optional = true;
        } else {
            return { inner, value, optional };
        }
        inner = def.innerType as z.ZodType;
    }
}

/** A key's own type (`string`, `object`, `array`…), under its optional and default wrappers. */
export function keyType(schema: z.ZodType): string {
    return defOf(unwrap(schema).inner).type;
}

function typeName(schema: z.ZodType): string {
    const def = defOf(schema);
    switch (def.type) {
        case "enum":
            return (schema as unknown as { options: string[] }).options
                .map((o) => `\`${o}\``)
                .join(" or ");
        case "array":
            return `list of ${typeName(def.element as z.ZodType)}s`;
        case "union":
            return "string";
        case "record":
            return "map of strings";
        case "number":
            return (schema as unknown as { isInt?: boolean }).isInt ? "integer" : "number";
        default:
            return def.type;
    }
}

function defaultText(value: unknown, optional: boolean, documented: string | undefined): string {
    if (documented !== undefined) {
        return documented;
    }
    if (value === undefined) {
        return optional ? "not set" : "required";
    }
    if (typeof value === "object" && value !== null && Object.keys(value).length === 0) {
        return Array.isArray(value) ? "`[]`" : "`{}`";
    }
    return `\`${typeof value === "string" ? value : JSON.stringify(value)}\``;
}

function rowsOf(shape: Record<string, z.ZodType>, prefix: string): ReferenceRow[] {
    return Object.entries(shape).flatMap(([name, schema]) => {
        const path = `${prefix}${name}`;
        const meta = metaOf(schema);
        const { inner, value, optional } = unwrap(schema);
        const def = defOf(inner);
        const element = def.type === "array" ? unwrap(def.element as z.ZodType).inner : undefined;
        const children =
            def.type === "object"
                ? rowsOf((inner as z.ZodObject).shape, `${path}.`)
                : element && defOf(element).type === "object" && (element as z.ZodObject).shape
                  ? rowsOf((element as z.ZodObject).shape, `${path}[].`)
                  : [];
        // A section with keys of its own is read from those rows, after a row of its own when
        // the section itself may be left out (tracing) or repeated (peers).
        const described = children.length > 0 && children.every((c) => c.description !== "");
        const sectionRow = def.type === "array" || (optional && value === undefined);
        if (described && !sectionRow) {
            return children;
        }
        return [
            {
                key: path,
                type: typeName(inner),
                default: defaultText(value, optional, meta?.documentedDefault),
                description: meta?.description ?? "",
            },
            ...(described ? children : []),
        ];
    });
}

/** Every key of the configuration, in the schema's order. */
export function configReference(): ReferenceRow[] {
    return rowsOf(platformSchema.shape, "");
}
