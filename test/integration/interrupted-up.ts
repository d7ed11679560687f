/**
 * What the tests that kill `pulumi up` share: the CLI's plugin processes (which outlive it) and
 * the clean-up of a stack's objects by its label, whatever state the stack was left in.
 */
import { execFile } from "child_process";
import Docker from "dockerode";
import * as fs from "fs";
import { promisify } from "util";

const execFileAsync = promisify(execFile);

/** Pids of every living descendant of `pid` (the CLI's language host, program and providers; zombies left out). */
export async function descendants(pid: number): Promise<number[]> {
    const { stdout } = await execFileAsync("ps", ["-eo", "pid=,ppid=,stat="]);
    const rows = stdout.split("\n").map((l) => l.trim().split(/\s+/))
        .filter((r) => r.length === 3 && !r[2].startsWith("Z"));
    const found: number[] = [];
    const walk = (parent: number) => {
        for (const [p, pp] of rows) {
            if (Number(pp) === parent) {
                found.push(Number(p));
                walk(Number(p));
            }
        }
    };
    walk(pid);
    return found;
}

/** True while `pid` runs (a zombie does not). */
export function alive(pid: number): boolean {
    try {
        return !fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.startsWith("Z");
    } catch {
        return false;
    }
}

/**
 * The plugins of a killed CLI (language host, program, docker provider) run in process groups of
 * their own and outlive it: each is given `graceMs` to exit, then killed by pid (the test started
 * them), so that nothing creates containers behind the recovery's back. Returns the pids killed.
 */
export async function stopPlugins(pids: number[], graceMs: number): Promise<number[]> {
    const until = Date.now() + graceMs;
    while (pids.some(alive) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    const left = pids.filter(alive);
    for (const p of left) {
        try {
            process.kill(p, "SIGKILL");
        } catch {
            // Gone in between.
        }
    }
    return left;
}

/** Force-removes every container, then every volume, carrying `label` (`key=value`); returns what it removed. */
export async function removeLabelled(docker: Docker, label: string): Promise<string[]> {
    const filters = JSON.stringify({ label: [label] });
    const removed: string[] = [];
    for (const c of await docker.listContainers({ all: true, filters })) {
        await docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined);
        removed.push(`container ${c.Names[0]}`);
    }
    for (const v of (await docker.listVolumes({ filters })).Volumes ?? []) {
        await docker.getVolume(v.Name).remove({ force: true }).catch(() => undefined);
        removed.push(`volume ${v.Name}`);
    }
    return removed;
}
