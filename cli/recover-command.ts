/** `podgroup recover`: options, help and exit code around {@link recover}. */
import * as os from "os";
import * as path from "path";
import { parseArgs } from "util";
import type { CliIo, Command } from "./commands";
import { dockerEngine } from "./engine";
import { processRunning } from "./file-backend";
import { pulumiRunner } from "./pulumi";
import { formatReport, recover, RecoverDeps, RecoverError } from "./recover";

const HELP = [
    "usage: podgroup recover --stack <stack> [--cwd <project dir>] [--dry-run] [--force]",
    "",
    "Brings a stack whose `pulumi up` was interrupted back to a state `pulumi up` converges from:",
    "  files    file backend: removes a torn <stack>.json.attrs ('failed to load checkpoint: EOF') and",
    "           restores a torn checkpoint from <stack>.json.bak (the torn file is kept as .torn-<time>)",
    "  lock     file backend: releases a lock whose pulumi no longer runs (pulumi cancel)",
    "  pending  clears pending operations from the state (pulumi stack export, then import)",
    "  orphans  removes containers and volumes labelled podgroup.io/stack=<project>/<stack> that the",
    "           state does not hold (Docker engine: DOCKER_HOST, else the default socket)",
    "  engine   reports the state's containers that the engine no longer has",
    "",
    "options:",
    "  -s, --stack <stack>  <stack> (project from the Pulumi.yaml of --cwd), <project>/<stack>,",
    "                       or organization/<project>/<stack>",
    "  -C, --cwd <dir>      the Pulumi project's directory (default: the current one); pulumi runs there",
    "      --dry-run        change nothing: say what is wrong and what would be done",
    "      --force          release the lock even if the pulumi that holds it still runs on this host",
    "",
    "The backend is the one `pulumi whoami` shows from --cwd (PULUMI_BACKEND_URL, the project's, or the",
    "login); pulumi needs the stack's PULUMI_CONFIG_PASSPHRASE as for any command. Stop the interrupted",
    "pulumi and its plugins (pulumi-language-*, pulumi-resource-*) first: they outlive a killed CLI.",
    "",
    "exit code: 0 the stack is ready for `pulumi up` (or, --dry-run, inspected); 1 a step failed or the",
    "stack was not found (the output says which and what to do); 2 a usage error.",
];

/** What the command recovers with: `pulumi` run in `cwd`, the engine of DOCKER_HOST, this host's processes. */
export function recoverDeps(cwd: string, env: NodeJS.ProcessEnv): RecoverDeps {
    return {
        pulumi: pulumiRunner(cwd, env), engine: dockerEngine(env), home: env.HOME ?? os.homedir(),
        hostname: os.hostname(), isRunning: processRunning,
    };
}

/** The recover command. */
export const recoverCommand: Command = {
    name: "recover",
    summary: "repair a stack after an interrupted `pulumi up`: torn state files, lock, pending operations, orphans",
    async run(args: string[], io: CliIo): Promise<number> {
        let values: { stack?: string; cwd?: string; "dry-run"?: boolean; force?: boolean; help?: boolean };
        try {
            ({ values } = parseArgs({
                args, strict: true, allowPositionals: false, options: {
                    stack: { type: "string", short: "s" }, cwd: { type: "string", short: "C" },
                    "dry-run": { type: "boolean" }, force: { type: "boolean" }, help: { type: "boolean", short: "h" },
                },
            }));
        } catch (e) {
            io.err(`podgroup recover: ${(e as Error).message}`);
            io.err(HELP[0]);
            return 2;
        }
        if (values.help === true) {
            HELP.forEach((l) => io.out(l));
            return 0;
        }
        if (values.stack === undefined) {
            io.err("podgroup recover: --stack is required");
            io.err(HELP[0]);
            return 2;
        }
        const cwd = path.resolve(io.cwd, values.cwd ?? ".");
        try {
            const dryRun = values["dry-run"] === true;
            const options = { stack: values.stack, cwd, dryRun, force: values.force === true };
            const report = await recover(options, recoverDeps(cwd, io.env));
            formatReport(report).forEach((l) => io.out(l));
            return report.ok ? 0 : 1;
        } catch (e) {
            io.err(`podgroup recover: ${e instanceof RecoverError ? "" : "error: "}${(e as Error).message}`);
            return 1;
        }
    },
};
