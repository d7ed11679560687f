// The scripts run the Pulumi CLI with SIGINT and SIGQUIT at their defaults even when they were
// started with `&` by a non-interactive shell (which ignores both, inherited): the CLI stops its
// language host with SIGINT and waits 5 s before killing it, so every command took 5 s longer.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const ROOT = path.resolve(__dirname, "../..");
const SIGINT_AND_SIGQUIT = (1n << 1n) | (1n << 2n);  // bits of signals 2 and 3 in /proc's SigIgn mask

/** The SigIgn masks of a background shell and of the `pulumi` it runs, through `runPulumi`. */
function ignoredSignals(runPulumi: string): { shell: bigint; cli: bigint } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pg-sig-"));
    const fake = path.join(dir, "pulumi");
    fs.writeFileSync(fake, "#!/bin/sh\ngrep SigIgn /proc/self/status\n", { mode: 0o755 });
    // A simple command started with `&` by a non-interactive shell ignores SIGINT and SIGQUIT.
    // (PODGROUP_TOOLCHAIN=system: common.sh leaves PATH alone, so the fake CLI is the one run.)
    const script = `grep SigIgn /proc/self/status; PATH=${dir}:$PATH; ${runPulumi}`;
    const out = execFileSync("bash", ["-c", `bash -c "$0" & wait`, script], { encoding: "utf8" });
    fs.rmSync(dir, { recursive: true });
    const [shell, cli] = out.split("\n").filter((l) => l.startsWith("SigIgn:")).map((l) => BigInt(`0x${l.split(/\s+/)[1]}`));
    return { shell, cli };
}

describe("the scripts' pulumi", () => {
    it("runs with SIGINT and SIGQUIT at their defaults when the script runs in the background", () => {
        const { shell, cli } = ignoredSignals(`PODGROUP_TOOLCHAIN=system . ${ROOT}/scripts/lib/common.sh; pulumi`);
        expect(shell & SIGINT_AND_SIGQUIT).toBe(SIGINT_AND_SIGQUIT);
        expect(cli & SIGINT_AND_SIGQUIT).toBe(0n);
    });

    it("would inherit the ignore without the wrapper (the check above can fail)", () => {
        const { cli } = ignoredSignals("command pulumi");
        expect(cli & SIGINT_AND_SIGQUIT).toBe(SIGINT_AND_SIGQUIT);
    });
});
