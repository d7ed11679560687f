/**
 * A private Docker engine for the supervisor tests: its own dockerd (own socket, data root,
 * exec root, managed containerd and bridge), so that the tests can restart the daemon, with and
 * without live-restore, and run a `podgroup-supervisor` container without touching the engine
 * other tests and the developer use. The project's images are copied in with `docker save | load`.
 *
 * Its bridge is a device of its own (`pgsup<hex>`, created here, removed in destroy): never
 * `--bridge none`, with which dockerd DELETES the host's `docker0` at start-up (libnetwork's
 * removeDefaultBridgeInterface), breaking the bridge network of the host's main engine.
 */
import { ChildProcess, execFileSync, execSync, spawn } from "child_process";
import * as crypto from "crypto";
import Docker from "dockerode";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export const REPO_ROOT = path.resolve(__dirname, "../..");

/** Polls `probe` until it returns a value; times out with the last state `describe` gives. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number,
    describe?: () => Promise<string>): Promise<T> {
    const t0 = Date.now();
    let lastError = "";
    for (;;) {
        try {
            const v = await probe();
            if (v !== undefined) return v;
        } catch (e) {
            lastError = String(e);
        }
        if (Date.now() - t0 > timeoutMs) {
            const state = describe ? await describe().catch((e: unknown) => `(state unavailable: ${String(e)})`) : "";
            throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `; last error: ${lastError}` : ""}\n${state}`);
        }
        await new Promise((r) => setTimeout(r, 100));
    }
}

export class PrivateEngine {
    readonly dir: string;
    readonly socket: string;
    readonly docker: Docker;
    /** The private engine's bridge device (15 characters at most). */
    readonly bridge: string;
    private proc: ChildProcess | undefined;
    private liveRestore = false;
    private bridgeMade = false;

    constructor() {
        this.dir = fs.mkdtempSync(path.join(os.tmpdir(), "pgsup-"));
        this.socket = path.join(this.dir, "docker.sock");
        this.docker = new Docker({ socketPath: this.socket });
        this.bridge = `pgsup${crypto.randomBytes(3).toString("hex")}`;
    }

    private makeBridge(): void {
        if (this.bridgeMade) return;
        // A /24 in 10.213.0.0/16 that no other interface uses.
        const used = execFileSync("ip", ["-4", "-o", "addr"]).toString();
        let subnet = "";
        for (let i = 1; i < 255 && subnet === ""; i++) {
            if (!used.includes(` 10.213.${i}.`)) subnet = `10.213.${i}`;
        }
        if (subnet === "") throw new Error("no free /24 in 10.213.0.0/16 for the private engine's bridge");
        execFileSync("ip", ["link", "add", this.bridge, "type", "bridge"]);
        this.bridgeMade = true;
        execFileSync("ip", ["addr", "add", `${subnet}.1/24`, "dev", this.bridge]);
        execFileSync("ip", ["link", "set", this.bridge, "up"]);
    }

    /** Starts dockerd and waits until it answers. */
    async start(opts: { liveRestore?: boolean } = {}): Promise<void> {
        this.liveRestore = opts.liveRestore ?? this.liveRestore;
        this.makeBridge();
        const log = fs.openSync(path.join(this.dir, "dockerd.log"), "a");
        this.proc = spawn("dockerd", [
            "--host", `unix://${this.socket}`,
            "--data-root", path.join(this.dir, "data"),
            "--exec-root", path.join(this.dir, "exec"),
            "--pidfile", path.join(this.dir, "docker.pid"),
            // Its own bridge and no iptables rules: nothing shared with the host's main engine.
            "--bridge", this.bridge, "--iptables=false", "--ip6tables=false", "--ip-masq=false",
            ...(this.liveRestore ? ["--live-restore"] : []),
        ], { detached: true, stdio: ["ignore", log, log] });
        fs.closeSync(log);
        this.proc.unref();
        await waitFor("the private dockerd to answer", async () => (await this.docker.ping()) ? true : undefined, 60_000,
            async () => this.logTail());
    }

    /** Stops dockerd (SIGTERM) and waits for it to exit. */
    async stop(): Promise<void> {
        const proc = this.proc;
        if (proc === undefined || proc.exitCode !== null || proc.signalCode !== null) return;
        const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
        proc.kill("SIGTERM");
        const timer = setTimeout(() => proc.kill("SIGKILL"), 30_000);
        await exited;
        clearTimeout(timer);
        this.proc = undefined;
    }

    /** Stops and starts dockerd; `liveRestore` changes the setting for the new daemon. */
    async restart(opts: { liveRestore?: boolean } = {}): Promise<void> {
        await this.stop();
        await this.start(opts);
    }

    /** Copies images from the host's main engine into this one. */
    loadImages(refs: string[]): void {
        execSync(`docker save ${refs.join(" ")} | docker -H unix://${this.socket} load`, { stdio: "pipe" });
    }

    logTail(lines = 30): string {
        try {
            return execFileSync("tail", ["-n", String(lines), path.join(this.dir, "dockerd.log")]).toString();
        } catch {
            return "";
        }
    }

    /** Removes every container, stops dockerd and deletes its directories. */
    async destroy(): Promise<void> {
        if (this.proc !== undefined) {
            const cs = await this.docker.listContainers({ all: true }).catch(() => []);
            await Promise.all(cs.map((c) => this.docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => undefined)));
            await this.stop();
        }
        // dockerd leaves its data root bind-mounted on itself after it exits.
        for (const sub of ["data", "exec"]) {
            try {
                execFileSync("umount", ["-R", path.join(this.dir, sub)], { stdio: "ignore" });
            } catch {
                // not mounted
            }
        }
        fs.rmSync(this.dir, { recursive: true, force: true });
        if (this.bridgeMade) {
            execFileSync("ip", ["link", "del", this.bridge]);
            this.bridgeMade = false;
        }
    }
}
