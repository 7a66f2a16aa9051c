import { Io } from "./runner";

/**
 * The one command-line parser of the scripts. Flags take their value as the next argument
 * (`--out plan.json`) or after `=` (`--out=plan.json`); switches take none; `--help` and `-h`
 * ask for the usage. Anything else is bad usage, which every command reports the same way:
 * the problem, then the usage, on stderr, and exit code 2.
 */

export interface ArgSpec<V extends string, S extends string, L extends string = never> {
    /** The command's usage text, printed on `--help` and after bad usage. */
    readonly usage: string;
    /** Flags that take a value, without the leading `--`. */
    readonly values: readonly V[];
    /** Flags that take none, without the leading `--`. */
    readonly switches: readonly S[];
    /** Flags that take a value and may be given more than once. */
    readonly lists?: readonly L[];
}

export interface Args<V extends string, S extends string, L extends string = never> {
    readonly values: { readonly [K in V]?: string };
    readonly switches: { readonly [K in S]: boolean };
    /** Every value of each repeatable flag, in order. */
    readonly lists: { readonly [K in L]: readonly string[] };
    readonly help: boolean;
}

export interface ArgsError {
    readonly error: string;
}

/** Parses `argv` against the spec; an argument it does not understand is an error. */
export function parseCommandLine<V extends string, S extends string, L extends string = never>(
    argv: readonly string[],
    spec: ArgSpec<V, S, L>,
): Args<V, S, L> | ArgsError {
    const values: { [K in V]?: string } = {};
    const switches = Object.fromEntries(spec.switches.map((s) => [s, false])) as {
        [K in S]: boolean;
    };
    const listNames = spec.lists ?? [];
    const lists = Object.fromEntries(listNames.map((l) => [l, [] as string[]])) as {
        [K in L]: string[];
    };
    let help = false;
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        const [flag, inline] =
            arg.startsWith("--") && arg.includes("=") ? arg.split(/=(.*)/s, 2) : [arg];
        const name = flag.startsWith("--") ? flag.slice(2) : undefined;
        if (isOneOf(name, spec.switches) && inline === undefined) {
            switches[name] = true;
        } else if (flag === "--help" || flag === "-h") {
            help = true;
        } else if (isOneOf(name, spec.values) || isOneOf(name, listNames)) {
            const value = inline ?? argv[++i];
            // A flag right after a flag is a forgotten value, not a value.
            if (
                value === undefined ||
                value === "" ||
                (inline === undefined && value.startsWith("--"))
            ) {
                return { error: `${flag} needs a value` };
            }
            if (isOneOf(name, listNames)) {
                lists[name].push(value);
            } else {
                values[name as V] = value;
            }
        } else {
            return { error: `unknown argument: ${arg}` };
        }
    }
    return { values, switches, lists, help };
}

function isOneOf<T extends string>(name: string | undefined, names: readonly T[]): name is T {
    return name !== undefined && (names as readonly string[]).includes(name);
}

/** Reports bad usage (the problem, if one is named, then the usage) and gives exit code 2. */
export function usageError(io: Io, usage: string, problem?: string): number {
    io.stderr(problem === undefined ? usage : `${problem}\n${usage}`);
    return 2;
}

/**
 * The arguments for a command's `main`, or the exit code when there is nothing to run: 0 after
 * printing the usage for `--help`, 2 after reporting bad usage.
 */
export function readArgs<V extends string, S extends string, L extends string = never>(
    argv: readonly string[],
    spec: ArgSpec<V, S, L>,
    io: Io,
): Args<V, S, L> | number {
    const args = parseCommandLine(argv, spec);
    if ("error" in args) {
        return usageError(io, spec.usage, args.error);
    }
    if (args.help) {
        io.stdout(spec.usage);
        return 0;
    }
    return args;
}

/** Whether `day` is a real date written YYYY-MM-DD. */
export function isCalendarDay(day: string): boolean {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) {
        return false;
    }
    const date = new Date(`${day}T00:00:00Z`);
    return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === day;
}
