/**
 * A stable resource-name fragment from free text (an ARN's role name, a CIDR, a stack name):
 * lower-case letters, digits and dashes only. Names are a contract: changing this renames
 * resources.
 */
export function nameFragment(text: string): string {
    return text
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, "-")
        .replace(/^-+|-+$/g, "");
}

/**
 * The name of a principal's admin access entry: its ARN's last segment (`role/team/ops` → `ops`)
 * as a fragment. Two principals whose last segments make one fragment would share an entry.
 */
export function accessEntryName(principalArn: string): string {
    return `admin-${nameFragment(principalArn.split("/").pop() ?? principalArn)}`;
}

/** A value from a map that must hold it; the message says which kind of thing is missing. */
export function mustGet<K, V>(map: ReadonlyMap<K, V>, key: K, what: string): V {
    const value = map.get(key);
    if (value === undefined) {
        throw new Error(`no ${what} ${String(key)}`);
    }
    return value;
}
