/**
 * The README's demo command, run the way a user runs it: `bash scripts/demo.sh` (Docker) and
 * `bash scripts/demo.sh kubernetes` (one Pod on the local cluster), each followed by its `down`.
 * Each variant deploys its committed stack config (stacks/Pulumi.<variant>.yaml) under a
 * throwaway stack and group name (PODGROUP_DEMO_STACK, podgroup:name), so a user's `sample` group
 * is never touched. Asserted: the proof line and its evidence (PID 1 is /pause, the web body
 * through localhost, the kernel's namespace ids shared with the sandbox), then that `down`
 * removes the stack and every container or Pod of the group and leaves the engine or cluster
 * running. Whatever a failed run left (stack, containers, Pod, stack file) is removed afterwards.
 * PODGROUP_TEST_VERBOSE streams the demo's output.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { LABEL_GROUP } from "../../components/labels";
import { SAMPLE_WEB_BODY, SAMPLE_WEB_PORT } from "../../components/sample";
import { REPO_ROOT, uniqueStackName } from "./throwaway-stack";

interface Result { code: number | null; output: string }

const MINUTE = 60_000;

/** Runs a command in the repository; stdout and stderr interleaved; never throws. */
function run(cmd: string, args: string[], env: Record<string, string> = {},
    timeoutMs = 10 * MINUTE): Promise<Result> {
    return new Promise((resolve) => {
        const child = spawn(cmd, args, {
            cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"], detached: true,
        });
        let output = "";
        const collect = (b: Buffer) => {
            output += b.toString();
            if (process.env.PODGROUP_TEST_VERBOSE) process.stdout.write(b);
        };
        child.stdout.on("data", collect);
        child.stderr.on("data", collect);
        // The demo starts pulumi, kubectl, docker...: on timeout, the whole process group goes.
        const timer = setTimeout(() => {
            output += `\n[test] timed out after ${timeoutMs} ms: killing ${cmd} ${args.join(" ")}\n`;
            try { process.kill(-(child.pid as number), "SIGKILL"); } catch { /* already gone */ }
        }, timeoutMs);
        child.on("error", (e) => { output += `\n[test] ${String(e)}\n`; });
        child.on("close", (code) => { clearTimeout(timer); resolve({ code, output }); });
    });
}

/** "exit 0", else the exit code and the output's last lines: a failed expectation shows what the command said. */
function exitStatus(r: Result): string {
    return r.code === 0 ? "exit 0" : `exit ${r.code}; last lines:\n${tail(r)}`;
}

function tail(r: Result): string {
    return r.output.split("\n").slice(-40).join("\n");
}

/** Runs a Pulumi CLI command with the project's environment (scripts/lib/common.sh). */
function pulumi(args: string): Promise<Result> {
    return run("bash", ["-c", `. scripts/lib/common.sh && pulumi ${args}`]);
}

function kubectl(...args: string[]): Promise<Result> {
    return run("bash", ["scripts/cluster.sh", "kubectl", ...args]);
}

interface Variant {
    name: "docker" | "kubernetes";
    /** The variant's argument to the demo command ([] for the default, Docker). */
    args: string[];
    /** The title line of the proof. */
    title(group: string): RegExp;
    /** The namespaces each member shares with the sandbox, as the proof prints them. */
    shared: string;
    /** Names of the group's containers or Pods that exist, by the group label. */
    live(group: string): Promise<string[]>;
    /** Removes them (clean-up after a failed run). */
    remove(group: string): Promise<void>;
    /** The engine or cluster still answers. */
    answers(): Promise<Result>;
}

function lines(r: Result, what: string): string[] {
    if (r.code !== 0) throw new Error(`${what} failed (exit ${r.code}): ${r.output}`);
    return r.output.split("\n").map((l) => l.trim()).filter((l) => l !== "");
}

const docker: Variant = {
    name: "docker",
    args: [],
    title: (group) => new RegExp(`^=== PodGroup '${group}' on Docker: pause /${group}_POD \\+ members web sidecar$`,
        "m"),
    shared: "net ipc pid",
    live: async (group) => lines(await run("docker", ["ps", "-a", "--filter", `label=${LABEL_GROUP}=${group}`,
        "--format", "{{.Names}}"]), "docker ps"),
    remove: async (group) => {
        for (const name of await docker.live(group)) await run("docker", ["rm", "-f", "-v", name]);
    },
    answers: () => run("docker", ["version", "--format", "{{.Server.Version}}"]),
};

const kubernetes: Variant = {
    name: "kubernetes",
    args: ["kubernetes"],
    title: (group) => new RegExp(
        `^=== PodGroup '${group}' on Kubernetes: Pod default/${group} \\+ containers web sidecar$`, "m"),
    shared: "net ipc pid uts",
    live: async (group) => lines(await kubectl("get", "pods", "--all-namespaces", "-l", `${LABEL_GROUP}=${group}`,
        "-o", "name"), "kubectl get pods"),
    remove: async (group) => {
        await kubectl("delete", "pods", "--all-namespaces", "-l", `${LABEL_GROUP}=${group}`, "--wait=true");
    },
    answers: () => kubectl("get", "--raw", "/readyz"),
};

/** stacks/Pulumi.<stack>.yaml: the variant's committed config with the group renamed. */
function writeStackFile(variant: Variant, stack: string, group: string): string {
    const committed = fs.readFileSync(path.join(REPO_ROOT, "stacks", `Pulumi.${variant.name}.yaml`), "utf8");
    const renamed = committed.replace(/^(\s*podgroup:name:).*$/m, `$1 ${group}`);
    if (!renamed.includes(`podgroup:name: ${group}`)) {
        throw new Error(`stacks/Pulumi.${variant.name}.yaml has no podgroup:name line to rename`);
    }
    const file = path.join(REPO_ROOT, "stacks", `Pulumi.${stack}.yaml`);
    fs.writeFileSync(file, renamed);
    return file;
}

/** After the test, pass or fail: the demo's own down, then whatever it could not remove. */
async function cleanUp(variant: Variant, stack: string, group: string, stackFile: string): Promise<void> {
    try {
        const down = await run("bash", ["scripts/demo.sh", "down", ...variant.args], { PODGROUP_DEMO_STACK: stack });
        if (down.code !== 0) console.error(`clean-up: demo down of ${stack} failed\n${tail(down)}`);
        const left = await variant.live(group);
        if (left.length > 0) {
            console.error(`clean-up: removing what is left of group ${group}: ${left.join(", ")}`);
            await variant.remove(group);
        }
        if ((await stackNames()).includes(stack)) {
            await pulumi(`stack rm --force --yes --stack ${stack} --non-interactive`);
        }
    } finally {
        fs.rmSync(stackFile, { force: true });
    }
}

async function stackNames(): Promise<string[]> {
    const r = await pulumi("stack ls --json");
    if (r.code !== 0) throw new Error(`pulumi stack ls failed: ${r.output}`);
    // Pulumi may log lines before the JSON document.
    return (JSON.parse(r.output.slice(r.output.indexOf("["))) as { name: string }[]).map((s) => s.name);
}

describe.each([docker, kubernetes])("the $name demo", (variant) => {
    const stack = uniqueStackName(`it-demo-${variant.name === "docker" ? "d" : "k"}`);
    const group = stack;
    const env = { PODGROUP_DEMO_STACK: stack };
    let stackFile = "";

    afterAll(async () => {
        if (stackFile !== "") await cleanUp(variant, stack, group, stackFile);
    }, 15 * MINUTE);

    test("deploys the sample group, prints the proof read from the live group, and down removes it", async () => {
        stackFile = writeStackFile(variant, stack, group);

        // A fresh machine's first run builds for tens of minutes; a warm one takes seconds.
        const up = await run("bash", ["scripts/demo.sh", ...variant.args], env, 70 * MINUTE);
        expect(exitStatus(up)).toBe("exit 0");
        const out = up.output;
        expect(out).toMatch(variant.title(group));
        // ps in the sidecar: PID 1 of the shared PID namespace is the pause binary.
        // PID 1 is the pause (supervised, it runs with its termination-file arguments).
        expect(out).toMatch(/^\s*1\s+\S+\s+\/pause(\s.*)?$/m);
        // The sidecar fetched the web member's page over 127.0.0.1.
        expect(out).toContain(`wget -qO- http://127.0.0.1:${SAMPLE_WEB_PORT}/\n${SAMPLE_WEB_BODY}\n`);
        // The IPC namespace seen inside both members, and a /dev/shm file crossing between them.
        const ipc = [...out.matchAll(/^ {4}(web|sidecar) +(ipc:\[\d+\])$/gm)];
        expect(ipc.map((m) => m[1])).toEqual(["web", "sidecar"]);
        expect(ipc[0][2]).toBe(ipc[1][2]);
        expect(out).toMatch(/^ {4}sidecar reads \/dev\/shm\/\S+: shared-by-web$/m);
        // The kernel's namespace ids: the table, and what each member shares with the sandbox.
        expect(out).toMatch(/^ {4}pause \(.+\) +\d+ +\d+ +\d+ +\d+ +\d+$/m);
        for (const member of ["web", "sidecar"]) {
            expect(out).toMatch(new RegExp(`^ {4}${member} +shares with the sandbox: ${variant.shared}$`, "m"));
        }
        if (variant.name === "kubernetes") {
            expect(out).toMatch(/host PIDs from ctr --address \S+ -n k8s\.io tasks list/);
        }
        expect(out).toMatch(
            /^Proof OK: \/pause is PID 1, the sidecar sees the web member's process and reaches it on localhost/m);
        expect(out).not.toMatch(/NOT a pod/);
        expect(await variant.live(group)).toHaveLength(variant.name === "docker" ? 3 : 1);

        // The proof again, on its own, from the live group.
        const proof = await run("bash", ["scripts/demo.sh", "proof", ...variant.args], env);
        expect(exitStatus(proof)).toBe("exit 0");
        expect(proof.output).toMatch(/^Proof OK: /m);

        const down = await run("bash", ["scripts/demo.sh", "down", ...variant.args], env);
        expect(exitStatus(down)).toBe("exit 0");
        const what = variant.name === "docker" ? "container" : "Pod";
        expect(down.output).toMatch(new RegExp(`no ${what} of group '${group}' is left`));
        expect(down.output).toMatch(variant.name === "docker"
            ? /the Docker engine keeps running/
            : /the local cluster keeps running: bash scripts\/cluster\.sh down/);
        expect(await variant.live(group)).toEqual([]);
        expect(await stackNames()).not.toContain(stack);
        expect(exitStatus(await variant.answers())).toBe("exit 0");
    }, 90 * MINUTE);
});

test("a wrong argument (usage, exit 2) and a stack of the other variant are refused before any set-up", async () => {
    const r = await run("bash", ["scripts/demo.sh", "up", "sideways"]);
    expect(r.code).toBe(2);
    expect(r.output).toMatch(/^scripts\/demo\.sh: unknown argument 'sideways'\n/);
    expect(r.output).toContain("usage: bash scripts/demo.sh [up|proof|down] [docker|kubernetes]");
    const two = await run("bash", ["scripts/demo.sh", "kubernetes", "docker"]);
    expect(two.code).toBe(2);
    expect(two.output).toMatch(/two variants: 'kubernetes' and 'docker'/);
    // The committed kubernetes stack with the Docker variant: refused from the stack file alone.
    const other = await run("bash", ["scripts/demo.sh"], { PODGROUP_DEMO_STACK: "kubernetes" });
    expect(other.code).toBe(1);
    expect(other.output).toMatch(/^\[podgroup\] ERROR: stack 'kubernetes' \(stacks\/Pulumi\.kubernetes\.yaml\) has /m);
    expect(other.output).toContain("run 'bash scripts/demo.sh kubernetes'");
    expect(other.output).not.toMatch(/set-up/);
});
