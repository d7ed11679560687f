/**
 * A group's life through `pulumi up` and `pulumi destroy` on the real Docker engine, each group in
 * a throwaway inline stack:
 * - supervised: an init container that fails once is re-run by the supervisor (Always) and `up`
 *   returns once the member runs; under Never `up` fails with one clear message and no member
 *   ever runs; `destroy` runs preStop hooks before SIGTERM, members first, then native sidecars
 *   in reverse order, then the pause (read from the engine's event stream during the destroy);
 * - plain Docker and supervised: a non-root member writes into a default emptyDir (0777, as on
 *   Kubernetes), and a Memory emptyDir is a 1777 tmpfs, as kubelet's;
 * - a group deployed in the bare layout (what 0.1 deployed by default) moves to the supervised one,
 *   the default, on its next `pulumi up`, leaving nothing of the old layout;
 * - supervised: what a member writes to /dev/termination-log before it exits is its termination
 *   message in the status file (kubelet's per-run file, here on the host under the supervisor's
 *   state directory), its next run starts with an empty file, and `destroy` removes the files.
 * Durations of up and destroy are printed (PODGROUP_TEST_VERBOSE shows Pulumi's own output).
 */
import { LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import Docker from "dockerode";
import * as fs from "fs";
import { DockerRenderOptions, PodGroup, PodGroupSpec } from "../../components";
import { DEFAULT_SUPERVISOR_STATE_DIR } from "../../components/supervisor";
import { supervisorTerminationDir } from "../../components/contract";
import { LABEL_CONTAINER, LABEL_GROUP, LABEL_SUPERVISED } from "../../components/labels";
import { DEFAULT_SUPERVISOR_STATUS_DIR, readSupervisorStatus } from "../../harness/adapters/supervisor-status";
import { cliEnv } from "../../harness/deploy/pulumi-deployer";
import { TOOLBOX_IMAGE } from "../../harness/fixtures/toolbox";
import { delay, waitFor } from "../../harness/wait";

const docker = new Docker();
const PROJECT = "podgroup-it-lifecycle";
const verbose = process.env.PODGROUP_TEST_VERBOSE ? (s: string) => process.stdout.write(s) : undefined;
const run = Date.now().toString(36);

interface Deployed { stack: Stack; upMs: number; upError?: Error; groupName: string }

/**
 * `pulumi up` of one PodGroup in an inline stack (the default mode when `supervise` is undefined);
 * the stack is kept when up fails (the test destroys it). Again with the same name: the same stack.
 */
async function up(groupName: string, spec: PodGroupSpec, supervise: boolean | undefined, extra: DockerRenderOptions = {}): Promise<Deployed> {
    const stack = await LocalWorkspace.createOrSelectStack({
        projectName: PROJECT, stackName: groupName,
        program: async () => {
            const options = { ...(supervise !== undefined ? { supervise } : {}), readinessTimeoutSeconds: 60, ...extra };
            const g = new PodGroup(groupName, { backend: "docker", spec, docker: options });
            return { pauseId: g.pauseId };
        },
    }, { envVars: cliEnv(undefined) });
    const t0 = Date.now();
    try {
        await stack.up({ onOutput: verbose, color: "never" });
        return { stack, upMs: Date.now() - t0, groupName };
    } catch (e) {
        return { stack, upMs: Date.now() - t0, upError: e as Error, groupName };
    }
}

async function destroy(d: Deployed | undefined, output?: string[]): Promise<number> {
    if (d === undefined) return 0;
    const t0 = Date.now();
    await d.stack.destroy({ onOutput: (s: string) => { output?.push(s); verbose?.(s); }, color: "never" });
    await d.stack.workspace.removeStack(d.stack.name);
    return Date.now() - t0;
}

async function containersOf(group: string): Promise<Docker.ContainerInspectInfo[]> {
    const listed = await docker.listContainers({ all: true, filters: { label: [`${LABEL_GROUP}=${group}`] } });
    return Promise.all(listed.map((c) => docker.getContainer(c.Id).inspect()));
}

async function exec(container: string, cmd: string[], user?: string): Promise<{ exitCode: number; output: string }> {
    const e = await docker.getContainer(container).exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true, ...(user ? { User: user } : {}) });
    const stream = await e.start({ hijack: true, stdin: false });
    const chunks: Buffer[] = [];
    await new Promise<void>((resolve) => { stream.on("data", (b: Buffer) => chunks.push(b)); stream.on("end", resolve); });
    const raw = Buffer.concat(chunks);
    let out = "";
    for (let i = 0; i + 8 <= raw.length;) { const n = raw.readUInt32BE(i + 4); out += raw.subarray(i + 8, i + 8 + n).toString(); i += 8 + n; }
    return { exitCode: (await e.inspect()).ExitCode ?? -1, output: out };
}

/** An init container that fails on its first run and succeeds on the next (its marker is in an emptyDir). */
function flakyInitSpec(restartPolicy: "Always" | "Never"): PodGroupSpec {
    return {
        initContainers: [{
            name: "flaky", image: TOOLBOX_IMAGE, volumeMounts: [{ name: "work", mountPath: "/work" }],
            command: ["sh", "-c", "if [ -f /work/ran-once ]; then echo second run: ok; exit 0; fi; touch /work/ran-once; echo first run: failing on purpose; exit 3"],
        }],
        containers: [{ name: "app", image: TOOLBOX_IMAGE, command: ["sleep", "100000"] }],
        volumes: [{ name: "work" }],
        restartPolicy,
        terminationGracePeriodSeconds: 2,
    };
}

// No supervisor is deployed here: the first supervised group starts one on demand.
const timings: string[] = [];

afterAll(async () => {
    console.log(`pulumi up / destroy durations:\n${timings.join("\n")}`);
}, 300_000);

describe("a supervised group whose init container fails once", () => {
    test("under Always: `pulumi up` succeeds once the supervisor re-ran it, and the member runs", async () => {
        const d = await up(`itlc-always-${run}`, flakyInitSpec("Always"), true);
        try {
            expect(d.upError).toBeUndefined();
            const byName = Object.fromEntries((await containersOf(d.groupName)).map((c) => [c.Config.Labels[LABEL_CONTAINER], c]));
            expect(byName.app.State.Running).toBe(true);
            expect(byName.flaky.State).toMatchObject({ Running: false, ExitCode: 0 });
            // It ran twice (the same container, started again by the supervisor): both runs' output.
            const logs = (await docker.getContainer(byName.flaky.Id).logs({ stdout: true, stderr: true })).toString();
            expect(logs).toMatch(/first run: failing on purpose[\s\S]*second run: ok/);
            const status = await readSupervisorStatus(DEFAULT_SUPERVISOR_STATUS_DIR, d.groupName);
            expect(status?.initContainerStatuses?.[0]).toMatchObject({ name: "flaky", restartCount: 1, state: { terminated: { exitCode: 0, reason: "Completed" } } });
            expect(status?.conditions?.find((c) => c.type === "Initialized")?.status).toBe("True");
        } finally {
            timings.push(`init fails once, Always: up ${d.upMs} ms, destroy ${await destroy(d)} ms`);
        }
    }, 300_000);

    test("under Never: `pulumi up` fails with one clear message naming the container, and no member ever runs", async () => {
        const d = await up(`itlc-never-${run}`, flakyInitSpec("Never"), true);
        try {
            const message = d.upError?.message ?? "";
            expect(message).toMatch(/PodGroup "itlc-never-[a-z0-9]+": init container "flaky" exited with code 3 \(reason Error, restartCount 0\)/);
            expect(message).toMatch(/The group is Failed \(restartPolicy Never\): no member was started/);
            expect(message).toMatch(/\| first run: failing on purpose/);
            expect(message).not.toMatch(/serializ|ipcMode/);
            const app = (await containersOf(d.groupName)).find((c) => c.Config.Labels[LABEL_CONTAINER] === "app");
            expect(app?.State.Running).toBe(false);
            expect(app?.State.StartedAt.startsWith("0001-")).toBe(true);
        } finally {
            timings.push(`init fails, Never: up (failing) ${d.upMs} ms, destroy ${await destroy(d)} ms`);
        }
    }, 300_000);
});

test("`pulumi destroy` of a supervised group runs preStop before SIGTERM: members, then sidecars in reverse order, then the pause", async () => {
    // Each container ends on SIGTERM with exit 0 (so a SIGKILL would show as 137).
    const trapped = (name: string) => ["sh", "-c", `trap 'exit 0' TERM; echo ${name} up; while true; do sleep 0.2; done`];
    const preStop = { exec: { command: ["sh", "-c", "sleep 1"] } };
    const spec: PodGroupSpec = {
        initContainers: [
            { name: "side-a", image: TOOLBOX_IMAGE, restartPolicy: "Always", command: trapped("side-a"), lifecycle: { preStop } },
            { name: "side-b", image: TOOLBOX_IMAGE, restartPolicy: "Always", command: trapped("side-b"), lifecycle: { preStop: { sleep: { seconds: 1 } } } },
        ],
        containers: [
            { name: "web", image: TOOLBOX_IMAGE, command: trapped("web"), lifecycle: { preStop } },
            { name: "worker", image: TOOLBOX_IMAGE, command: trapped("worker"), lifecycle: { preStop } },
        ],
        terminationGracePeriodSeconds: 10,
    };
    const d = await up(`itlc-order-${run}`, spec, true);
    expect(d.upError).toBeUndefined();
    const ids = Object.fromEntries((await containersOf(d.groupName)).map((c) => [c.Id, c.Config.Labels[LABEL_CONTAINER]]));
    const events: { t: number; what: string; name: string; detail: string }[] = [];
    const stream = await docker.getEvents({ filters: { label: [`${LABEL_GROUP}=${d.groupName}`], type: ["container"] } }) as NodeJS.ReadableStream & { destroy(): void };
    stream.on("data", (b: Buffer) => {
        for (const line of b.toString().split("\n").filter((l) => l.trim() !== "")) {
            const e = JSON.parse(line) as { Action: string; timeNano: number; Actor: { ID: string; Attributes: Record<string, string> } };
            const [what, ...rest] = e.Action.split(":");
            events.push({ t: e.timeNano, what, name: ids[e.Actor.ID] ?? e.Actor.Attributes.name, detail: `${rest.join(":").trim()} ${e.Actor.Attributes.signal ?? ""}${e.Actor.Attributes.exitCode ?? ""}`.trim() });
        }
    });
    const output: string[] = [];
    const destroyMs = await destroy(d, output);
    await delay(500);
    stream.destroy();
    timings.push(`preStop order group (2 members, 2 sidecars): up ${d.upMs} ms, destroy ${destroyMs} ms`);
    events.sort((a, b) => a.t - b.t);
    const at = (what: string, name: string) => events.find((e) => e.what === what && e.name === name)?.t ?? NaN;
    const shown = events.map((e) => `${e.what} ${e.name} ${e.detail}`);
    console.log(`engine events during the destroy:\n${events.map((e) => `${((e.t - events[0].t) / 1e6).toFixed(0).padStart(6)} ms  ${e.what} ${e.name} ${e.detail}`).join("\n")}`);
    // Nothing of the group is started again during the destroy.
    expect([shown, events.filter((e) => e.what === "start")]).toEqual([shown, []]);
    for (const c of ["web", "worker", "side-a", "side-b", "pause"]) expect([c, events.find((e) => e.what === "die" && e.name === c)?.detail]).toEqual([c, "0"]);
    for (const c of ["web", "worker", "side-a"]) {
        // exec_start of the hook, then SIGTERM (kill signal 15), then the exit.
        expect([c, at("exec_start", c) < at("kill", c), at("kill", c) < at("die", c)]).toEqual([c, true, true]);
        expect(events.find((e) => e.what === "kill" && e.name === c)?.detail).toBe("15");
    }
    const lastMember = Math.max(at("die", "web"), at("die", "worker"));
    expect([shown, lastMember < at("kill", "side-b"), at("die", "side-b") < at("exec_start", "side-a"), at("die", "side-a") < at("kill", "pause")])
        .toEqual([shown, true, true, true]);
    // The sleep hook held side-b's SIGTERM back by its second.
    expect(at("kill", "side-b") - lastMember).toBeGreaterThanOrEqual(0.9e9);
    expect(await containersOf(d.groupName)).toEqual([]);
    // The order is the supervisor's: its terminate subcommand ran, and said what it did per container.
    const said = output.join("");
    expect(said).toContain(`-terminate ${d.groupName} -sandbox `);
    for (const c of ["web", "worker", "side-a"]) expect(said).toMatch(new RegExp(`${c}: preStop exec \\d+`));
    expect(said).toContain("4 container(s) stopped");
}, 300_000);

test("a group deployed in the bare layout moves to the supervised default on its next `pulumi up`, nothing orphaned", async () => {
    const spec: PodGroupSpec = {
        initContainers: [{ name: "prepare", image: TOOLBOX_IMAGE, command: ["true"] }],
        containers: [{ name: "app", image: TOOLBOX_IMAGE, command: ["sleep", "100000"], volumeMounts: [{ name: "data", mountPath: "/data" }] }],
        volumes: [{ name: "data" }],
        terminationGracePeriodSeconds: 2,
    };
    const name = `itlc-move-${run}`;
    const bare = await up(name, spec, false);
    let moved: Deployed | undefined;
    try {
        expect(bare.upError).toBeUndefined();
        const before = await containersOf(name);
        expect(before.map((c) => c.Config.Labels[LABEL_SUPERVISED])).toEqual(["false", "false", "false"]);
        moved = await up(name, spec, undefined);
        expect(moved.upError).toBeUndefined();
        const after = await containersOf(name);
        // Only the supervised layout's containers: the old ones were replaced, none left beside them.
        expect(after.map((c) => c.Name).sort()).toEqual([`/${name}_POD`, `/${name}_app`, `/${name}_prepare`]);
        expect(after.map((c) => c.Config.Labels[LABEL_SUPERVISED])).toEqual(["true", "true", "true"]);
        expect(after.filter((c) => before.some((b) => b.Id === c.Id))).toEqual([]);
        expect(after.find((c) => c.Config.Labels[LABEL_CONTAINER] === "app")?.State.Running).toBe(true);
        expect((await readSupervisorStatus(DEFAULT_SUPERVISOR_STATUS_DIR, name))?.phase).toBe("Running");
        // The stack holds the supervised layout's resources: a lifecycle resource, no init gate.
        const names = ((await moved.stack.exportStack()).deployment.resources as { urn: string }[]).map((r) => r.urn.split("::").pop());
        expect(names).toContain(`${name}-lifecycle`);
        expect(names.filter((n) => n?.endsWith("-exit"))).toEqual([]);
        expect((await docker.listVolumes({ filters: { label: [`${LABEL_GROUP}=${name}`] } })).Volumes.map((v) => v.Name)).toEqual([`${name}_data`]);
    } finally {
        timings.push(`bare -> supervised: up ${bare.upMs} ms, up again ${moved?.upMs} ms, destroy ${await destroy(moved ?? bare)} ms`);
    }
    expect(await containersOf(name)).toEqual([]);
}, 300_000);

describe("what `pulumi up` waits for on a supervised group, as the kubernetes provider on a Pod", () => {
    test("a Job-like group (its member finishes under OnFailure) is done once Succeeded, though never Ready", async () => {
        // A readiness probe that never passes: Ready is never True, so only Succeeded ends the wait.
        const spec: PodGroupSpec = { containers: [{
            name: "job", image: TOOLBOX_IMAGE, command: ["sh", "-c", "sleep 2; echo done"],
            readinessProbe: { exec: { command: ["false"] }, periodSeconds: 1 },
        }], restartPolicy: "OnFailure" };
        const d = await up(`itlc-job-${run}`, spec, undefined);
        try {
            expect(d.upError).toBeUndefined();
            expect((await readSupervisorStatus(DEFAULT_SUPERVISOR_STATUS_DIR, d.groupName))?.phase).toBe("Succeeded");
        } finally {
            timings.push(`job-like, default wait: up ${d.upMs} ms, destroy ${await destroy(d)} ms`);
        }
    }, 300_000);

    test("with skipAwait a group that fails under Never deploys, and the supervisor still runs it (to Failed)", async () => {
        const spec: PodGroupSpec = { containers: [{ name: "fails", image: TOOLBOX_IMAGE, command: ["sh", "-c", "sleep 2; exit 3"] }], restartPolicy: "Never" };
        const d = await up(`itlc-skip-${run}`, spec, undefined, { skipAwait: true });
        try {
            expect(d.upError).toBeUndefined();
            const failed = await waitFor(`${d.groupName} Failed`, () => readSupervisorStatus(DEFAULT_SUPERVISOR_STATUS_DIR, d.groupName),
                (s) => s?.phase === "Failed", { timeoutMs: 60_000 });
            expect(failed?.containerStatuses?.[0].state?.terminated?.exitCode).toBe(3);
        } finally {
            timings.push(`failing under Never, skipAwait: up ${d.upMs} ms, destroy ${await destroy(d)} ms`);
        }
    }, 300_000);
});

describe.each([false, true])("a non-root member and emptyDirs (supervise %s)", (supervise) => {
    test("writes into a default emptyDir (0777, as kubelet makes it); a Memory emptyDir is a 1777 tmpfs", async () => {
        const spec: PodGroupSpec = {
            containers: [{
                name: "app", image: TOOLBOX_IMAGE, user: "1000:1000",
                command: ["sh", "-c", "echo written-by-1000 > /data/f && echo in-memory > /mem/f && sleep 100000"],
                volumeMounts: [{ name: "data", mountPath: "/data" }, { name: "mem", mountPath: "/mem" }],
            }],
            volumes: [{ name: "data" }, { name: "mem", emptyDir: { medium: "Memory" } }],
            restartPolicy: "Never",
            terminationGracePeriodSeconds: 2,
        };
        const d = await up(`itlc-nonroot-${supervise ? "s" : "p"}-${run}`, spec, supervise);
        try {
            expect(d.upError).toBeUndefined();
            const app = (await containersOf(d.groupName)).find((c) => c.Config.Labels[LABEL_CONTAINER] === "app")!;
            // Plain Docker does not wait for the member's first command: give it a moment.
            for (let i = 0; i < 50 && (await exec(app.Id, ["cat", "/data/f"])).exitCode !== 0; i++) await delay(100);
            expect(await exec(app.Id, ["cat", "/data/f", "/mem/f"])).toEqual({ exitCode: 0, output: "written-by-1000\nin-memory\n" });
            expect((await exec(app.Id, ["stat", "-c", "%a %n", "/data", "/mem"])).output).toBe("777 /data\n1777 /mem\n");
            expect((await docker.getContainer(app.Id).inspect()).State.Running).toBe(true);
        } finally {
            timings.push(`non-root emptyDir, supervise ${supervise}: up ${d.upMs} ms, destroy ${await destroy(d)} ms`);
        }
    }, 300_000);
});

// runtime.go "should report termination message if TerminationMessagePath is set" with the
// default path: on Docker, /dev is a tmpfs that is gone once the container stopped; the group's
// host file bind-mounted there keeps the message for the supervisor.
test("a supervised member's /dev/termination-log is its termination message; the next run starts empty; destroy removes the files", async () => {
    const spec: PodGroupSpec = {
        containers: [{
            name: "worker", image: TOOLBOX_IMAGE, volumeMounts: [{ name: "work", mountPath: "/work" }],
            command: ["sh", "-c", [
                "if [ -f /work/ran ]; then",
                "  if [ -s /dev/termination-log ]; then echo second run: not empty > /work/saw; else echo second run: empty > /work/saw; fi",
                "  exec sleep 100000",
                "fi",
                "touch /work/ran; echo -n bye > /dev/termination-log; exit 3",
            ].join("\n")],
        }],
        volumes: [{ name: "work" }],
        restartPolicy: "Always",
        terminationGracePeriodSeconds: 2,
    };
    const d = await up(`itlc-termlog-${run}`, spec, true);
    const dir = supervisorTerminationDir(DEFAULT_SUPERVISOR_STATE_DIR, d.groupName);
    let destroyed = false;
    try {
        expect(d.upError).toBeUndefined();
        // The pause's command and host directory and the worker's file bind read back as declared.
        const preview = await d.stack.preview({ color: "never" });
        expect(preview.changeSummary).toEqual({ same: preview.changeSummary.same });
        const readWorker = async () => (await readSupervisorStatus(DEFAULT_SUPERVISOR_STATUS_DIR, d.groupName))?.containerStatuses?.[0];
        // `up` returns once the worker runs; its second run is the one running.
        let worker = await readWorker();
        for (let i = 0; i < 50 && (worker?.restartCount ?? 0) < 1; i++) {
            await delay(100);
            worker = await readWorker();
        }
        expect(worker).toMatchObject({ name: "worker", restartCount: 1, lastState: { terminated: { exitCode: 3, reason: "Error", message: "bye" } } });
        expect(worker?.state?.running).toBeDefined();
        const id = (await containersOf(d.groupName)).find((c) => c.Config.Labels[LABEL_CONTAINER] === "worker")!.Id;
        expect(await exec(id, ["cat", "/work/saw"])).toEqual({ exitCode: 0, output: "second run: empty\n" });
        expect((fs.statSync(`${dir}/worker`).mode & 0o777).toString(8)).toBe("666");
        timings.push(`termination message group: up ${d.upMs} ms, destroy ${await destroy(d)} ms`);
        destroyed = true;
        // The supervisor removes the directory once the group has been gone for a resync period (10 s).
        const t0 = Date.now();
        while (fs.existsSync(dir) && Date.now() - t0 < 40_000) await delay(250);
        console.log(`termination directory removed ${Date.now() - t0} ms after the destroy returned`);
        expect(fs.existsSync(dir)).toBe(false);
    } finally {
        if (!destroyed) await destroy(d);
    }
}, 300_000);
