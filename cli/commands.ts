/**
 * The `podgroup` command line: `podgroup <command> [options]`. Each command is a {@link Command} in
 * {@link COMMANDS}; a new one is a module exporting one and a line here.
 */
import * as fs from "fs";
import * as path from "path";
import { recoverCommand } from "./recover-command";

/** Where a command writes, and the environment it runs in (the process's, or a test's). */
export interface CliIo {
    out(line: string): void;
    err(line: string): void;
    env: NodeJS.ProcessEnv;
    cwd: string;
}

/** One subcommand. `run` returns the exit code: 0 done, 1 failed, 2 a usage error. */
export interface Command {
    name: string;
    /** One line, for `podgroup --help`. */
    summary: string;
    run(args: string[], io: CliIo): Promise<number>;
}

/** Exit code of a command line that cannot be understood. */
export const EXIT_USAGE = 2;

/** Every subcommand of `podgroup`. */
export const COMMANDS: Command[] = [recoverCommand];

function usage(): string[] {
    const width = Math.max(...COMMANDS.map((c) => c.name.length));
    return [
        "usage: podgroup <command> [options]",
        "",
        "commands:",
        ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
        "",
        "podgroup <command> --help says more about a command.",
    ];
}

/** The package's version, from the package.json above this file (in the sources and in dist/). */
export function packageVersion(): string {
    for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
        const file = path.join(dir, "package.json");
        if (fs.existsSync(file)) {
            const pkg = JSON.parse(fs.readFileSync(file, "utf8")) as { name?: string; version?: string };
            if (pkg.name === "podgroup") return pkg.version ?? "unknown";
        }
    }
    return "unknown";
}

/** Runs `podgroup <argv>`; resolves to the exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
    const [name, ...rest] = argv;
    if (name === undefined || name === "help" || name === "--help" || name === "-h") {
        usage().forEach((l) => (name === undefined ? io.err(l) : io.out(l)));
        return name === undefined ? EXIT_USAGE : 0;
    }
    if (name === "--version" || name === "-v") {
        io.out(packageVersion());
        return 0;
    }
    const command = COMMANDS.find((c) => c.name === name);
    if (command === undefined) {
        io.err(`podgroup: unknown command '${name}'`);
        usage().forEach((l) => io.err(l));
        return EXIT_USAGE;
    }
    return command.run(rest, io);
}
