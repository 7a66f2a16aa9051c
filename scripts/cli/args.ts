import * as fs from "node:fs";
import * as path from "node:path";
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

/** Pulumi's rule for a stack's own name: letters, digits, `-`, `_` and `.`, 1 to 100 of them. */
const STACK_NAME = /^[A-Za-z0-9_.-]{1,100}$/;

/**
 * Why `stack` cannot name a stack file (`Pulumi.<stack>.yaml` in the project), or undefined when
 * it can. A name with `/` would reach outside the project, and `org/project/stack` names a stack
 * in the Pulumi Cloud, whose file is still `Pulumi.<stack>.yaml`.
 */
export function stackNameProblem(stack: string): string | undefined {
    const parts = stack.split("/");
    const named = (p: string) => STACK_NAME.test(p) && /[A-Za-z0-9]/.test(p);
    if (parts.length > 1 && parts.length <= 3 && parts.every(named)) {
        return `--stack: "${stack}" is a fully qualified stack name; give the stack's own name, the <stack> of Pulumi.<stack>.yaml ("${parts[parts.length - 1]}")`;
    }
    if (!STACK_NAME.test(stack)) {
        const outside = stack.includes("/")
            ? ", and with a / it would name a file outside the project"
            : "";
        return `--stack: "${stack}" is not a stack name; Pulumi's are letters, digits, -, _ and . (at most 100)${outside}`;
    }
    return undefined;
}

/** The stacks of the project in `projectDir`: the <stack> of every Pulumi.<stack>.yaml. */
export function stacksIn(projectDir: string): string[] {
    return fs
        .readdirSync(projectDir)
        .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
        .filter((s): s is string => s !== undefined)
        .sort();
}

/** Why `file`, the value of `flag`, cannot be read, or undefined when it can. */
export function fileProblem(flag: string, file: string): string | undefined {
    try {
        if (fs.statSync(file).isDirectory()) {
            return `${flag}: ${file} is a directory, not a file`;
        }
        fs.accessSync(file, fs.constants.R_OK);
        return undefined;
    } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        return code === "ENOENT"
            ? `${flag}: ${file} does not exist`
            : `${flag}: ${file} cannot be read (${code ?? String(err)})`;
    }
}

/** Why no file can be written at `file`, the value of `flag`: its folder is missing. */
export function outProblem(flag: string, file: string): string | undefined {
    const dir = path.dirname(path.resolve(file));
    return fs.existsSync(dir) && fs.statSync(dir).isDirectory()
        ? undefined
        : `${flag}: ${file} cannot be written; there is no folder ${dir}`;
}

/**
 * Why the stack and config file given cannot configure a run, or undefined when they can: the
 * stack must be a stack name, and have its file in the project unless `--config` stands in for it.
 */
export function stackProblem(
    stack: string,
    configFile: string | undefined,
    projectDir: string,
): string | undefined {
    const problem = stackNameProblem(stack);
    if (problem || configFile !== undefined) {
        return problem ?? fileProblem("--config", configFile ?? "");
    }
    if (fs.existsSync(path.join(projectDir, `Pulumi.${stack}.yaml`))) {
        return undefined;
    }
    const stacks = stacksIn(projectDir);
    return `--stack: there is no stack "${stack}" (no Pulumi.${stack}.yaml in ${projectDir}); the stacks are ${stacks.join(", ") || "none"}, or pass --config FILE`;
}
