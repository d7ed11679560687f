/**
 * The Pulumi CLI, as the recovery runs it: `pulumi --non-interactive <args>` from the project's
 * directory with the caller's environment (PULUMI_BACKEND_URL, PULUMI_CONFIG_PASSPHRASE, ...).
 */
import { execFile } from "child_process";

/** What a `pulumi` command printed and how it ended. */
export interface PulumiResult {
    code: number;
    stdout: string;
    stderr: string;
}

/** Runs one `pulumi` command; rejects only when the CLI cannot be started at all. */
export type PulumiRunner = (args: string[]) => Promise<PulumiResult>;

/** The `pulumi` on PATH, run in `cwd` with `env`. */
export function pulumiRunner(cwd: string, env: NodeJS.ProcessEnv): PulumiRunner {
    return (args) => new Promise((resolve, reject) => {
        const options = { cwd, env, maxBuffer: 256 * 1024 * 1024 };
        execFile("pulumi", ["--non-interactive", ...args], options, (error, stdout, stderr) => {
            const code = (error as NodeJS.ErrnoException | null)?.code;
            if (code === "ENOENT") {
                reject(new Error("the pulumi CLI is not on PATH (install it, or put its directory on PATH)"));
                return;
            }
            resolve({ code: error === null ? 0 : typeof code === "number" ? code : 1, stdout, stderr });
        });
    });
}

/** The last line of a failed command's error output that says what went wrong (`error: ...`), else its last line. */
export function pulumiError(r: PulumiResult): string {
    const lines = `${r.stderr}\n${r.stdout}`.split("\n").map((l) => l.trim()).filter((l) => l !== "");
    return lines.find((l) => l.startsWith("error:")) ?? lines[lines.length - 1] ?? `exit code ${r.code}`;
}

/** The backend the CLI uses from its directory (`pulumi whoami --json`: PULUMI_BACKEND_URL, project, login). */
export async function backendUrl(pulumi: PulumiRunner): Promise<string> {
    const r = await pulumi(["whoami", "--json"]);
    if (r.code !== 0) throw new Error(`pulumi whoami failed: ${pulumiError(r)}`);
    const url = (JSON.parse(r.stdout) as { url?: string }).url;
    if (url === undefined) throw new Error(`pulumi whoami --json printed no backend URL: ${r.stdout.trim()}`);
    return url;
}
