#!/usr/bin/env node
/** The `podgroup` executable (package.json `bin`): `podgroup <command> [options]`. */
import { runCli } from "./commands";

// `podgroup ... | head`: a reader that went away is not an error of the command.
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw e;
});

runCli(process.argv.slice(2), {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    env: process.env,
    cwd: process.cwd(),
}).then((code) => {
    process.exitCode = code;
}, (e: unknown) => {
    process.stderr.write(`podgroup: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
    process.exitCode = 1;
});
