/**
 * How every command in this folder meets the process: text goes through an `Io` (so that specs
 * can call a command's `main` and read what it printed), and `runCli` turns `main`'s result into
 * the exit code.
 */

export interface Io {
    readonly stdout: (text: string) => void;
    readonly stderr: (text: string) => void;
}

export const processIo: Io = {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
};

/** A command: its arguments and where to print in, its exit code out. */
export type Main = (argv: readonly string[], io: Io) => number | Promise<number>;

/**
 * Runs a command on this process's arguments. Its result is the exit code; an error it throws
 * prints its message alone (the messages are written for users, a stack trace would bury them)
 * and exits 1.
 */
export function runCli(main: Main): void {
    Promise.resolve()
        .then(() => main(process.argv.slice(2), processIo))
        .then(
            (code) => {
                process.exitCode = code;
            },
            (err: unknown) => {
                processIo.stderr(`${err instanceof Error ? err.message : String(err)}\n`);
                process.exitCode = 1;
            },
        );
}
