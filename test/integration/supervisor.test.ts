/**
 * The supervisor (issue 6, docs/supervisor.md) against a real Docker engine: a private dockerd
 * (test/integration/supervisor-engine.ts) so that the daemon can be restarted, running the
 * project's supervisor image with the DockerSupervisor component's settings and groups laid out
 * by the Docker renderer with `supervise: true` (test/integration/rendered-group.ts).
 *
 * Specification (kubelet SyncPod, pkg/kubelet/kuberuntime/kuberuntime_manager.go):
 *  - When a group's pause container dies, the supervisor MUST kill what is left, start the
 *    pause, run every init container again, one at a time in order, each to completion, then
 *    start every member; all of them MUST end up in the new pause's namespaces.
 *  - Members exiting on their own MUST restart per restartPolicy, with the counts of the
 *    conformance test "Container Runtime, Restart Policy" (Always 2 Running, OnFailure 1
 *    Succeeded, Never 0 Failed), recorded in /state/status/<group>.json.
 *  - Under restartPolicy Never, a dead sandbox MUST NOT be re-created once containers ran.
 *  - After dockerd restarts, with or without live-restore, supervised groups MUST be whole.
 *  - Killing or replacing the supervisor at any moment of a recovery MUST leave the group whole
 *    once a supervisor runs again, with the init containers run in order.
 *  - With `exitWhenIdle`, the supervisor MUST stay while a group exists and, once none is left
 *    for that long, remove the gone groups' status files and termination directories and its own
 *    container (docs/supervisor.md, "Leaving when no group is left").
 * Every group is created as `pulumi up` creates a supervised group (createDeclared below): the
 * pause started and declaring the counts, everything else created and left to the supervisor.
 *
 * Pod lifecycle (docs/supervisor.md; kubelet 1.34 and the e2e tests named in each case): groups
 * labelled as the renderer labels them with `supervise: true` (declared counts on the pause,
 * every other container created and not started, probes / lifecycle / termination message /
 * sidecar labels), created as rendered-group.ts creates a group (createDeclared):
 *  - the supervisor MUST start them in kubelet order: init containers one at a time, a native
 *    sidecar started (startupProbe passed) before the next, then the members; a sidecar MUST be
 *    restarted whenever it exits whatever the restartPolicy, and stopped (last first) once every
 *    member terminated, the group then Succeeded;
 *  - a failing liveness probe MUST restart the member (preStop, stop, postStart again) with
 *    kubelet's back-off; httpGet readiness through the pause's helper MUST make it Ready;
 *  - a failed init container MUST be re-run with back-off under OnFailure, and fail the group
 *    (no member started) under Never;
 *  - the status file MUST carry Pod-like conditions and container statuses, with the
 *    termination message (File and FallbackToLogsOnError);
 *  - an emptyDir mounted on the pause under /.podgroup/volumes MUST be writable by a non-root member.
 */
import { execFileSync } from "child_process";
import Docker from "dockerode";
import * as fs from "fs";
import * as path from "path";
import { PassThrough } from "stream";
import { DOCKER_CONTRACT, supervisorEnv } from "../../components/contract";
import { dockerPauseName } from "../../components/naming";
import { resolveDockerSupervisor } from "../../components/supervisor";
import { PrivateEngine, REPO_ROOT, waitFor } from "./supervisor-engine";
import {
    GroupStatusFile, inspectGroup, logsOf, namespaceOf, PAUSE_IMAGE, readDataLog, readStatus, removeGroup,
    runSupervisor, Seen, specOf, SUPERVISOR_IMAGE, TestContainer, TestGroup, TOOLBOX_IMAGE, waitWhole,
} from "./supervisor-fixtures";
import { createLaidOutGroup, createSupervisor, layoutOf } from "./rendered-group";
import type { SupervisorGroupStatus, SupervisorPodStatus } from "../../harness/adapters/supervisor-status";

jest.setTimeout(180_000);

const engine = new PrivateEngine();
const docker: Docker = engine.docker;
const stateDir = path.join(engine.dir, "supervisor-state");
// Short back-off so that the restart-policy table runs in seconds (kubelet: 10 s); same shape.
const SUPERVISOR_ARGS = { dockerSocket: engine.socket, stateDir, backoffBaseSeconds: 1, resyncSeconds: 2 };
let supervisor: Docker.Container;

/** Init containers that log their order; members that run until killed. */
function recoveringGroup(name: string, extra: Partial<TestGroup> = {}): TestGroup {
    return {
        name,
        inits: [
            { name: "first", script: "echo first >> /data/log" },
            { name: "second", script: "grep -q first /data/log && echo second >> /data/log" },
        ],
        members: [
            { name: "web", script: "echo web >> /data/log; exec httpd -f -p 8080" },
            { name: "sidecar", script: "exec sleep 100000" },
        ],
        ...extra,
    };
}

async function kill(name: string): Promise<void> {
    await docker.getContainer(name).kill({ signal: "SIGKILL" });
}

async function statusWhen(group: string, ok: (s: GroupStatusFile) => boolean, what: string): Promise<GroupStatusFile> {
    return waitFor(`status of ${group}: ${what}`, async () => {
        const s = readStatus(stateDir, group);
        return s !== undefined && ok(s) ? s : undefined;
    }, 30_000, async () => JSON.stringify(readStatus(stateDir, group), null, 1));
}

/**
 * Every member and the pause share one network and IPC namespace (and PID when shared). (Docker
 * has no `--uts=container:`: members get the pause's hostname through its network namespace's
 * /etc/hostname, in a UTS namespace of their own.)
 */
function expectOneSandbox(seen: Record<string, Seen>, members: string[], sharePid: boolean): void {
    const kinds: ("net" | "ipc" | "pid")[] = sharePid ? ["net", "ipc", "pid"] : ["net", "ipc"];
    const want = kinds.map((k) => namespaceOf(seen.pause.pid, k));
    for (const m of members) {
        expect([m, ...kinds.map((k) => namespaceOf(seen[m].pid, k))]).toEqual([m, ...want]);
    }
}

/** The init containers ran in order inside the sandbox that started at `pauseStart`, before every member. */
function expectInitsRanInOrder(seen: Record<string, Seen>, inits: string[], members: string[]): void {
    let previousEnd = seen.pause.startedAt;
    for (const i of inits) {
        expect({ init: i, exitCode: seen[i].exitCode, startedAfterPrevious: seen[i].startedAt >= previousEnd })
            .toEqual({ init: i, exitCode: 0, startedAfterPrevious: true });
        previousEnd = seen[i].finishedAt;
    }
    for (const m of members) {
        expect({ member: m, startedAfterInits: seen[m].startedAt >= previousEnd }).toEqual({ member: m, startedAfterInits: true });
    }
}

beforeAll(async () => {
    execFileSync("bash", [path.join(REPO_ROOT, "images/supervisor/build.sh")], { stdio: "pipe" });
    const main = new Docker();
    for (const ref of [PAUSE_IMAGE, TOOLBOX_IMAGE]) {
        if (!(await main.getImage(ref).inspect().then(() => true, () => false))) {
            execFileSync("bash", [path.join(REPO_ROOT, "scripts/images.sh")], { stdio: "pipe" });
            break;
        }
    }
    await engine.start();
    engine.loadImages([PAUSE_IMAGE, TOOLBOX_IMAGE, SUPERVISOR_IMAGE]);
    supervisor = await runSupervisor(docker, SUPERVISOR_ARGS);
}, 300_000);

afterAll(async () => {
    if (supervisor !== undefined) {
        const logs = await logsOf(supervisor).catch(() => "");
        fs.writeFileSync(path.join(REPO_ROOT, ".state", "supervisor-it.log"), logs);
    }
    await engine.destroy();
}, 120_000);

describe("pause death", () => {
    it("brings the group back whole: a fresh sandbox, init containers again in order, then every member in its namespaces", async () => {
        const g = recoveringGroup("pd-shared");
        await createDeclared(g);
        await statusWhen(g.name, (s) => s.sandboxGeneration === 1 && s.containers.web?.state === "running", "first sandbox seen");
        const before = await inspectGroup(docker, g.name);

        await kill(dockerPauseName(g.name));
        const seen = await waitWhole(docker, g.name, ["web", "sidecar"], before.pause.startedAt, 30_000);

        expect(seen.pause.pid).not.toBe(before.pause.pid);
        expectOneSandbox(seen, ["web", "sidecar"], true);
        expectInitsRanInOrder(seen, ["first", "second"], ["web", "sidecar"]);
        expect(await readDataLog(docker, g.name)).toEqual(["first", "second", "web", "first", "second", "web"]);
        const status = await statusWhen(g.name, (s) => s.sandboxGeneration === 2 && s.containers.web?.state === "running", "second sandbox");
        // Init containers ran once more and completed; members were restarted for the new sandbox.
        for (const [c, reason] of [["first", "Completed"], ["second", "Completed"], ["web", "SandboxChanged"], ["sidecar", "SandboxChanged"]]) {
            expect([c, status.containers[c].restartCount, status.containers[c].lastReason]).toEqual([c, 1, reason]);
        }
        await removeGroup(docker, g.name);
    });

    it("kills members left running in the dead sandbox (no shared PID namespace) and starts them in the new one", async () => {
        const g = recoveringGroup("pd-unshared", { sharePid: false });
        await createDeclared(g);
        await statusWhen(g.name, (s) => s.containers.sidecar?.state === "running", "members running");
        const before = await inspectGroup(docker, g.name);

        await kill(dockerPauseName(g.name));
        const seen = await waitWhole(docker, g.name, ["web", "sidecar"], before.pause.startedAt, 60_000);

        for (const m of ["web", "sidecar"]) expect(seen[m].pid).not.toBe(before[m].pid);
        expectOneSandbox(seen, ["web", "sidecar"], false);
        expectInitsRanInOrder(seen, ["first", "second"], ["web", "sidecar"]);
        await removeGroup(docker, g.name);
    });

    it("does not re-create the sandbox of a restartPolicy Never group whose containers ran, and stops what was left", async () => {
        const g = recoveringGroup("pd-never", { restartPolicy: "Never", sharePid: false });
        await createDeclared(g);
        await statusWhen(g.name, (s) => s.containers.sidecar?.state === "running", "members running");

        await kill(dockerPauseName(g.name));
        const status = await statusWhen(g.name, (s) => s.phase === "Failed" && s.containers.sidecar?.state === "terminated", "group failed");
        expect(status.containers.sidecar.lastReason).toBe("SandboxDied");
        const seen = await inspectGroup(docker, g.name);
        expect(Object.values(seen).filter((c) => c.running).map((c) => c.name)).toEqual([]);
        await removeGroup(docker, g.name);
    });
});

describe("restart policy (conformance 'Container Runtime, Restart Policy': a container that fails, then succeeds, then runs)", () => {
    // kubernetes test/e2e/common/node/runtime.go: run 1 exits 1, run 2 exits 0, run 3 keeps running.
    const script = "echo x >> /data/runs; n=$(wc -l < /data/runs); [ $n -eq 1 ] && exit 1; [ $n -eq 2 ] && exit 0; exec sleep 100000";
    const table: { policy: "Always" | "OnFailure" | "Never"; restartCount: number; state: string; lastExitCode: number; phase: string }[] = [
        { policy: "Always", restartCount: 2, state: "running", lastExitCode: 0, phase: "Running" },
        { policy: "OnFailure", restartCount: 1, state: "terminated", lastExitCode: 0, phase: "Succeeded" },
        { policy: "Never", restartCount: 0, state: "terminated", lastExitCode: 1, phase: "Failed" },
    ];
    it.each(table)("$policy: restartCount $restartCount, $state, phase $phase", async (row) => {
        const name = `rp-${row.policy.toLowerCase()}`;
        await createDeclared({ name, restartPolicy: row.policy, members: [{ name: "worker", script }] });
        const status = await statusWhen(name, (s) => s.phase === row.phase && s.containers.worker?.restartCount === row.restartCount
            && s.containers.worker.state === row.state, `${row.phase} with ${row.restartCount} restarts`);
        expect(status.containers.worker).toMatchObject({ restartCount: row.restartCount, state: row.state, lastExitCode: row.lastExitCode });
        // Stable: no further restart happens (Always: the third run keeps running).
        await new Promise((r) => setTimeout(r, 3000));
        expect(readStatus(stateDir, name)?.containers.worker).toMatchObject({ restartCount: row.restartCount, state: row.state });
        const seen = await inspectGroup(docker, name);
        expect(seen.worker.running).toBe(row.state === "running");
        await removeGroup(docker, name);
    });
});

describe("Docker daemon restart", () => {
    it("brings supervised groups back whole after dockerd restarts without live-restore (containers stopped)", async () => {
        const groups = [recoveringGroup("dr-a"), recoveringGroup("dr-b", { sharePid: false })];
        for (const g of groups) await createDeclared(g);
        for (const g of groups) await statusWhen(g.name, (s) => s.containers.sidecar?.state === "running", "members running");
        const before = await inspectGroup(docker, groups[0].name);

        await engine.restart({ liveRestore: false });

        for (const g of groups) {
            const seen = await waitWhole(docker, g.name, ["web", "sidecar"], before.pause.startedAt, 60_000);
            expectOneSandbox(seen, ["web", "sidecar"], g.sharePid ?? true);
            expectInitsRanInOrder(seen, ["first", "second"], ["web", "sidecar"]);
        }
        // Docker brought the supervisor back itself (restart: always); the supervisor did the rest.
        expect((await supervisor.inspect()).State.Running).toBe(true);
        for (const g of groups) await removeGroup(docker, g.name);
    });

    it("keeps supervised groups whole across a dockerd restart with live-restore (containers kept running)", async () => {
        // Into live-restore mode first (this restart stops containers; the supervisor recovers them).
        await engine.restart({ liveRestore: true });
        const groups = [recoveringGroup("lr-a"), recoveringGroup("lr-b", { sharePid: false })];
        for (const g of groups) await createDeclared(g);
        for (const g of groups) await statusWhen(g.name, (s) => s.containers.sidecar?.state === "running", "members running");
        const before = await Promise.all(groups.map((g) => inspectGroup(docker, g.name)));

        await engine.restart({ liveRestore: true });

        for (const [i, g] of groups.entries()) {
            const seen = await waitFor(`${g.name} running`, async () => {
                const s = await inspectGroup(docker, g.name);
                return s.pause.running && s.web.running && s.sidecar.running ? s : undefined;
            }, 60_000);
            // Nothing was restarted: same processes, same sandbox.
            for (const c of ["pause", "web", "sidecar"]) expect([c, seen[c].pid]).toEqual([c, before[i][c].pid]);
            expectOneSandbox(seen, ["web", "sidecar"], g.sharePid ?? true);
        }
        // The supervisor reconnected to the new daemon and still acts: a pause death is recovered.
        await kill(dockerPauseName(groups[0].name));
        const seen = await waitWhole(docker, groups[0].name, ["web", "sidecar"], before[0].pause.startedAt, 30_000);
        expectOneSandbox(seen, ["web", "sidecar"], true);
        for (const g of groups) await removeGroup(docker, g.name);
    });
});

describe("killing or replacing the supervisor", () => {
    // Slow init containers leave time to stop the supervisor in the middle of a recovery.
    const slow = (name: string): TestGroup => recoveringGroup(name, {
        inits: [
            { name: "first", script: "sleep 1; echo first >> /data/log" },
            { name: "second", script: "grep -q first /data/log && sleep 1 && echo second >> /data/log" },
        ],
    });

    async function replaceSupervisor(): Promise<void> {
        await supervisor.remove({ force: true });
        supervisor = await runSupervisor(docker, SUPERVISOR_ARGS);
    }

    it.each(["first", "second"])("leaves the group whole when the supervisor is replaced while init container %s runs", async (init) => {
        const g = slow(`kr-${init}`);
        await createDeclared(g);
        await statusWhen(g.name, (s) => s.containers.sidecar?.state === "running", "members running");
        const before = await inspectGroup(docker, g.name);

        await kill(dockerPauseName(g.name));
        await waitFor(`init ${init} running`, async () => {
            const s = await inspectGroup(docker, g.name);
            return s[init].running && s[init].startedAt > before.pause.startedAt ? true : undefined;
        }, 30_000);
        await replaceSupervisor();

        const seen = await waitWhole(docker, g.name, ["web", "sidecar"], before.pause.startedAt, 60_000);
        expectOneSandbox(seen, ["web", "sidecar"], true);
        expectInitsRanInOrder(seen, ["first", "second"], ["web", "sidecar"]);
        expect(await readDataLog(docker, g.name)).toEqual(["first", "second", "web", "first", "second", "web"]);
        await removeGroup(docker, g.name);
    });

    it("leaves the group whole when the supervisor crashes during the recovery and Docker restarts it", async () => {
        const g = slow("kr-crash");
        await createDeclared(g);
        await statusWhen(g.name, (s) => s.containers.sidecar?.state === "running", "members running");
        const before = await inspectGroup(docker, g.name);
        const { Pid: supervisorPid, StartedAt: supervisorStart } = (await supervisor.inspect()).State;

        await kill(dockerPauseName(g.name));
        await waitFor("the recovery to start", async () => (await inspectGroup(docker, g.name)).first.startedAt > before.pause.startedAt ? true : undefined, 30_000);
        // A crash (SIGKILL from outside), not `docker kill`, which Docker counts as a manual stop.
        process.kill(supervisorPid, "SIGKILL");
        await waitFor("Docker to restart the supervisor", async () => {
            const st = (await supervisor.inspect()).State;
            return st.Running && st.StartedAt !== supervisorStart ? true : undefined;
        }, 30_000);

        const seen = await waitWhole(docker, g.name, ["web", "sidecar"], before.pause.startedAt, 60_000);
        expectOneSandbox(seen, ["web", "sidecar"], true);
        expectInitsRanInOrder(seen, ["first", "second"], ["web", "sidecar"]);
        await removeGroup(docker, g.name);
    });

    it("keeps restart counts across a supervisor replacement (the status file is its memory)", async () => {
        const g = recoveringGroup("kr-counts");
        await createDeclared(g);
        await statusWhen(g.name, (s) => s.containers.web?.state === "running", "members running");
        let before = await inspectGroup(docker, g.name);
        await kill(dockerPauseName(g.name));
        await waitWhole(docker, g.name, ["web", "sidecar"], before.pause.startedAt, 30_000);
        await statusWhen(g.name, (s) => s.containers.web?.restartCount === 1 && s.containers.web.state === "running", "one restart");

        await replaceSupervisor();
        before = await inspectGroup(docker, g.name);
        await kill(dockerPauseName(g.name));
        await waitWhole(docker, g.name, ["web", "sidecar"], before.pause.startedAt, 30_000);
        const status = await statusWhen(g.name, (s) => s.sandboxGeneration === 3 && s.containers.web?.state === "running", "third sandbox");
        expect(status.containers.web.restartCount).toBe(2);
        expect(status.containers.first.restartCount).toBe(2);
        await removeGroup(docker, g.name);
    });
});

describe("leaving when no group is left (exitWhenIdle)", () => {
    const IDLE_SECONDS = 3;

    it("stays while a group exists; once none is left, removes its state and its own container", async () => {
        const supervised = { label: [`${DOCKER_CONTRACT.labels.supervised}=true`] };
        const leftOver = (await docker.listContainers({ all: true, filters: supervised })).map((c) => c.Names[0]);
        expect(leftOver).toEqual([]); // (a group left by an earlier case would keep it)
        // This case's supervisor leaves; the suite's, which never does, steps aside meanwhile.
        await supervisor.remove({ force: true });
        let idle: Docker.Container | undefined;
        try {
            const g = recoveringGroup("idle-g");
            await createDeclared(g);
            const resolved = resolveDockerSupervisor(SUPERVISOR_ARGS);
            resolved.envs.push(supervisorEnv("exitWhenIdle", `${IDLE_SECONDS}s`));
            idle = await createSupervisor(docker, resolved);
            // Its log goes with its container: followed from the start.
            let log = "";
            const out = new PassThrough().on("data", (b: Buffer) => { log += b.toString(); });
            const stream = await idle.logs({ follow: true, stdout: true, stderr: true });
            docker.modem.demuxStream(stream as unknown as NodeJS.ReadableStream, out, out);
            await statusWhen(g.name, (s) => s.containers.web?.state === "running", "members running");
            // Twice the idle time (and more than a resync, 2 s) with the group: it stays.
            await new Promise((r) => setTimeout(r, 2 * IDLE_SECONDS * 1000));
            const state = await idle.inspect().then((i) => i.State.Status, () => "removed");
            expect({ supervisorWithAGroup: state }).toEqual({ supervisorWithAGroup: "running" });

            await removeGroup(docker, g.name);
            const removedAt = Date.now();
            const c = idle;
            const exists = () => c.inspect().then(() => true, () => false);
            await waitFor("the supervisor to remove its own container", async () => (await exists()) ? undefined : true,
                (IDLE_SECONDS + 10) * 1000, async () => log);
            const after = Date.now() - removedAt;
            idle = undefined;
            // The wait starts at the first resync (2 s) that lists no group.
            expect(after).toBeGreaterThanOrEqual(IDLE_SECONDS * 1000);
            expect(log).toContain("no supervised group left: leaving, removing this supervisor's container");
            expect(readStatus(stateDir, g.name)).toBeUndefined();
            const terminationDir = path.join(stateDir, DOCKER_CONTRACT.supervisor.terminationSubdir, g.name);
            expect(fs.existsSync(terminationDir)).toBe(false);
        } finally {
            await idle?.remove({ force: true }).catch(() => undefined); // (gone already when it left too early)
            supervisor = await runSupervisor(docker, SUPERVISOR_ARGS);
        }
    }, 60_000);
});

// ---- Pod lifecycle: groups as the renderer labels them with `supervise: true` -------------------

const L = DOCKER_CONTRACT.labels;

/** A container of a declared group: its script plus the labels the renderer would write. */
interface LifecycleContainer extends TestContainer {
    sidecar?: boolean;
    probes?: Record<string, unknown>;
    lifecycle?: Record<string, unknown>;
    termination?: { path: string; policy: string };
    user?: string;
}
interface LifecycleGroup { name: string; restartPolicy?: "Always" | "OnFailure" | "Never"; sharePid?: boolean; inits?: LifecycleContainer[]; members: LifecycleContainer[] }

/** The status file with its Pod-like part, as the harness reads it. */
type PodLike = SupervisorGroupStatus & SupervisorPodStatus;

const probe = (handler: Record<string, unknown>, extra: Record<string, number> = {}) => ({
    ...handler, initialDelaySeconds: 0, periodSeconds: 1, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3, ...extra,
});

/**
 * Creates a group the way `pulumi up` does with `supervise: true` (rendered-group.ts): volumes,
 * the pause (started, declaring the counts, the emptyDirs mounted under /.podgroup/volumes), every
 * other container created and left to the supervisor. Sidecar, user and termination message are
 * spec fields the layout labels; the probe and hook labels are written here as the supervisor
 * reads them, so that these cases do not depend on how the renderer spells probes and hooks.
 */
async function createDeclared(g: LifecycleGroup): Promise<void> {
    const declared = [...(g.inits ?? []), ...g.members];
    const spec = specOf(g);
    [...(spec.initContainers ?? []), ...spec.containers].forEach((c, i) => {
        const { sidecar, user, termination } = declared[i];
        if (sidecar === true) c.restartPolicy = "Always";
        if (user !== undefined) c.user = user;
        // The termination message's path also places the container's file (bind-mounted there).
        if (termination !== undefined) Object.assign(c, { terminationMessagePath: termination.path, terminationMessagePolicy: termination.policy });
    });
    // Termination-message files under the test supervisor's state directory, as `docker.supervisorStateDir` gives them.
    const layout = layoutOf(g.name, spec, true, stateDir);
    [...layout.initContainers, ...layout.members].forEach((c, i) => {
        const { probes, lifecycle } = declared[i];
        Object.assign(c.labels, {
            ...(probes !== undefined ? { [L.probes]: JSON.stringify(probes) } : {}),
            ...(lifecycle !== undefined ? { [L.lifecycle]: JSON.stringify(lifecycle) } : {}),
        });
    });
    await createLaidOutGroup(docker, layout);
}

async function podWhen(group: string, ok: (s: PodLike) => boolean, what: string, timeoutMs = 30_000): Promise<PodLike> {
    return waitFor(`status of ${group}: ${what}`, async () => {
        const s = readStatus(stateDir, group) as PodLike | undefined;
        return s !== undefined && ok(s) ? s : undefined;
    }, timeoutMs, async () => JSON.stringify(readStatus(stateDir, group), null, 1));
}

const condition = (s: PodLike, type: string) => s.conditions?.find((c) => c.type === type)?.status;
const statusOf = (s: PodLike, name: string) => [...(s.initContainerStatuses ?? []), ...(s.containerStatuses ?? [])].find((c) => c.name === name);
const ms = (a: string, b: string) => Date.parse(b) - Date.parse(a);

describe("pod lifecycle (declared groups: the supervisor starts every container)", () => {
    // test/e2e_node/container_lifecycle_test.go: "should launch init container serially before a
    // regular container", "should restart a restartable init container that exits, regardless of
    // restartPolicy", "should terminate sidecars in reverse order after all main containers have exited".
    it("runs init containers and native sidecars in order, restarts an exited sidecar under Never, completes and stops sidecars last-first", async () => {
        const g: LifecycleGroup = {
            name: "lc-sidecar", restartPolicy: "Never",
            inits: [
                { name: "i1", script: "echo i1 >> /data/log" },
                {
                    name: "s1", sidecar: true, script: "echo s1 >> /data/log; sleep 1; touch /tmp/up; trap 'echo s1-term >> /data/log; exit 0' TERM; while true; do sleep 0.2; done",
                    probes: { startup: probe({ exec: { command: ["test", "-f", "/tmp/up"] } }, { failureThreshold: 30 }) },
                },
                { name: "s2", sidecar: true, script: "echo s2 >> /data/log; trap 'echo s2-term >> /data/log; exit 0' TERM; while true; do sleep 0.2; done" },
                { name: "i2", script: "grep -q s2 /data/log && echo i2 >> /data/log" },
            ],
            members: [{ name: "job", script: "echo job >> /data/log; sleep 6; echo job-done >> /data/log" }],
        };
        await createDeclared(g);
        await podWhen(g.name, (s) => statusOf(s, "job")?.state?.running !== undefined, "job running");
        // The sidecar exits while the job runs: restarted although restartPolicy is Never.
        await kill((await inspectGroup(docker, g.name)).s2.id);
        const restarted = await podWhen(g.name, (s) => statusOf(s, "s2")?.restartCount === 1 && statusOf(s, "s2")?.state?.running !== undefined, "s2 restarted");
        expect(statusOf(restarted, "s2")?.lastState?.terminated?.exitCode).toBe(137);
        const done = await podWhen(g.name, (s) => s.phase === "Succeeded" && statusOf(s, "s1")?.state?.terminated !== undefined, "Succeeded, sidecars stopped");
        const log = await readDataLog(docker, g.name);
        expect(log.slice(0, 5)).toEqual(["i1", "s1", "s2", "i2", "job"]);
        // Last first: s2 is told to stop before s1.
        expect(log.filter((l) => l.endsWith("-term"))).toEqual(["s2-term", "s1-term"]);
        expect(done.initContainerStatuses?.map((c) => c.name)).toEqual(["i1", "s1", "s2", "i2"]);
        expect(statusOf(done, "job")?.state?.terminated).toMatchObject({ exitCode: 0, reason: "Completed" });
        expect(statusOf(done, "i1")).toMatchObject({ ready: true, state: { terminated: { exitCode: 0, reason: "Completed" } } });
        expect([condition(done, "Initialized"), condition(done, "Ready")]).toEqual(["True", "False"]);
        const seen = await inspectGroup(docker, g.name);
        // The sidecars stopped after the job ended (ms): reported for the note.
        console.log(`sidecar stop after job exit: s2 ${ms(seen.job.finishedAt, seen.s2.finishedAt)} ms, s1 ${ms(seen.job.finishedAt, seen.s1.finishedAt)} ms`);
        await removeGroup(docker, g.name);
    });

    // test/e2e/common/node/container_probe.go "should be restarted with an exec liveness probe",
    // "with readiness probe should not be ready before initial delay and never restart";
    // lifecycle_hook.go "should execute poststart exec hook properly", "should execute prestop exec hook properly".
    it("restarts a member whose liveness probe fails (preStop, postStart again, back-off), readiness over httpGet through the pause", async () => {
        const g: LifecycleGroup = {
            name: "lc-live", restartPolicy: "Always",
            members: [{
                name: "web",
                script: "echo start $(cut -d' ' -f1 /proc/uptime) >> /data/log; mkdir -p /www && echo ok > /www/index.html && touch /tmp/healthy && (sleep 3; rm /tmp/healthy) & exec httpd -f -p 8080 -h /www",
                probes: {
                    liveness: probe({ exec: { command: ["test", "-f", "/tmp/healthy"] } }, { failureThreshold: 1 }),
                    readiness: probe({ httpGet: { path: "/index.html", port: 8080, scheme: "HTTP" } }, { initialDelaySeconds: 1 }),
                },
                lifecycle: {
                    postStart: { exec: { command: ["sh", "-c", "echo poststart >> /data/log"] } },
                    preStop: { exec: { command: ["sh", "-c", "echo prestop $(cut -d' ' -f1 /proc/uptime) >> /data/log"] } },
                },
            }],
        };
        await createDeclared(g);
        const ready = await podWhen(g.name, (s) => condition(s, "Ready") === "True", "Ready");
        expect(statusOf(ready, "web")).toMatchObject({ ready: true, started: true, restartCount: 0 });
        const firstStart = statusOf(ready, "web")?.state?.running?.startedAt ?? "";
        const restarted = await podWhen(g.name, (s) => (statusOf(s, "web")?.restartCount ?? 0) >= 3, "three liveness restarts", 40_000);
        expect(restarted.containers.web.lastReason).toBe("LivenessProbeFailed");
        const log = (await readDataLog(docker, g.name)).map((l) => l.split(" "));
        expect(log.map((l) => l[0]).filter((w) => w !== "start").slice(0, 5)).toEqual(["poststart", "prestop", "poststart", "prestop", "poststart"]);
        // Each run: healthy for 3 s, then one failed probe (period 1 s) kills it: the preStop runs
        // 0-1 s (+ exec time) after the file went. Back-off (base 1 s here): the first restart is
        // immediate, then 1 s, 2 s after the exit.
        const starts = log.filter((l) => l[0] === "start").map((l) => Number(l[1]));
        const preStops = log.filter((l) => l[0] === "prestop").map((l) => Number(l[1]));
        const killAfter = preStops.map((p, i) => Math.round((p - starts[i] - 3) * 1000));
        const restartGap = preStops.slice(0, starts.length - 1).map((p, i) => Math.round((starts[i + 1] - p) * 1000));
        console.log(`liveness (first run ${firstStart}): preStop ${killAfter.join(", ")} ms after the probe file went; next start ${restartGap.join(", ")} ms after the preStop`);
        for (const k of killAfter) expect(k).toBeLessThan(2500);
        expect(restartGap[1]).toBeGreaterThan(restartGap[0] + 700);
        await removeGroup(docker, g.name);
    });

    // test/e2e/common/node/init_container.go "should not start app containers if init containers
    // fail on a RestartAlways pod" (retried), "... and fail the pod ... on a RestartNever pod".
    it("re-runs a failing init container with back-off under OnFailure, then starts the member; fails the group under Never", async () => {
        const flaky = "n=$(cat /data/n 2>/dev/null || echo 0); echo $((n+1)) > /data/n; cut -d' ' -f1 /proc/uptime >> /data/log; [ $n -ge 3 ]";
        const retry: LifecycleGroup = { name: "lc-init-retry", restartPolicy: "OnFailure", inits: [{ name: "flaky", script: flaky }], members: [{ name: "app", script: "exec sleep 100000" }] };
        const never: LifecycleGroup = { name: "lc-init-never", restartPolicy: "Never", inits: [{ name: "flaky", script: "exit 3" }], members: [{ name: "app", script: "exec sleep 100000" }] };
        await createDeclared(retry);
        await createDeclared(never);
        const failed = await podWhen(never.name, (s) => s.phase === "Failed", "Failed");
        expect(statusOf(failed, "flaky")?.state?.terminated).toMatchObject({ exitCode: 3, reason: "Error" });
        expect(statusOf(failed, "app")?.state?.waiting?.reason).toBe("PodInitializing");
        expect(condition(failed, "Initialized")).toBe("False");
        const ok = await podWhen(retry.name, (s) => statusOf(s, "app")?.state?.running !== undefined, "app running", 40_000);
        expect(statusOf(ok, "flaky")).toMatchObject({ restartCount: 3, state: { terminated: { exitCode: 0 } } });
        expect(condition(ok, "Initialized")).toBe("True");
        const starts = (await readDataLog(docker, retry.name)).map(Number);
        const gaps = starts.slice(1).map((t, i) => Math.round((t - starts[i]) * 1000));
        console.log(`init retry: gaps between runs ${gaps.join(", ")} ms (back-off base 1 s: immediate, 1 s, 2 s)`);
        expect(gaps[1]).toBeGreaterThanOrEqual(900);
        expect(gaps[2]).toBeGreaterThanOrEqual(1900);
        expect((await inspectGroup(docker, never.name)).app.startedAt).toMatch(/^0001/);
        await removeGroup(docker, retry.name);
        await removeGroup(docker, never.name);
    });

    // runtime.go "should report termination message ..." (File, FallbackToLogsOnError); lifecycle_hook.go
    // postStart failure; emptyDir 0777 (empty_dir.go "should support (non-root,0777,default)").
    it("reports termination messages, kills a member whose postStart fails, and lets a non-root member write into an emptyDir", async () => {
        const g: LifecycleGroup = {
            name: "lc-term", restartPolicy: "Never",
            members: [
                { name: "file", script: "echo -n bye > /tmp/msg; exit 3", termination: { path: "/tmp/msg", policy: "File" } },
                { name: "devlog", script: "echo -n devbye > /dev/termination-log; exit 0" },
                { name: "logs", script: "echo first; echo last words; exit 2", termination: { path: "/dev/termination-log", policy: "FallbackToLogsOnError" } },
                { name: "hook", script: "exec sleep 100000", lifecycle: { postStart: { exec: { command: ["false"] } } } },
                { name: "nonroot", user: "1000:1000", script: "touch /data/nonroot && ls -ld /data" },
            ],
        };
        await createDeclared(g);
        const s = await podWhen(g.name, (st) => st.phase === "Failed", "Failed");
        expect(statusOf(s, "file")?.state?.terminated).toMatchObject({ exitCode: 3, reason: "Error", message: "bye" });
        expect(statusOf(s, "devlog")?.state?.terminated).toMatchObject({ exitCode: 0, reason: "Completed", message: "devbye" });
        expect(statusOf(s, "logs")?.state?.terminated).toMatchObject({ exitCode: 2, message: "first\nlast words\n" });
        expect(s.containers.hook.lastReason).toBe("PostStartHookError");
        expect(statusOf(s, "hook")?.state?.terminated?.exitCode).toBeGreaterThan(0);
        expect(statusOf(s, "nonroot")?.state?.terminated).toMatchObject({ exitCode: 0, reason: "Completed" });
        await removeGroup(docker, g.name);
    });

    // runtime.go "should report termination message from log output if TerminationMessagePolicy
    // FallbackToLogsOnError is set" / "... if TerminationMessagePath is set" with the default
    // path: kubelet bind-mounts a fresh 0666 host file at /dev/termination-log for each run. On
    // Docker that path is in the container's /dev tmpfs, gone once it stopped: the pause creates
    // <state dir>/termination/<group>/<name>, bind-mounted there, and the supervisor reads it.
    it("reads /dev/termination-log through the group's host files: per run (the next starts empty), non-root too, removed with the group", async () => {
        const once = [
            "if [ ! -f /data/ran ]; then touch /data/ran; echo -n bye > /dev/termination-log; exit 3; fi",
            "if [ -s /dev/termination-log ]; then echo \"second run saw: $(cat /dev/termination-log)\" >> /data/log; else echo second run saw an empty file >> /data/log; fi",
            "echo -n second > /dev/termination-log; exit 0",
        ].join("\n");
        const g: LifecycleGroup = {
            name: "lc-termlog", restartPolicy: "OnFailure",
            inits: [{ name: "prep", script: "echo -n prepared > /dev/termination-log" }],
            members: [
                { name: "once", script: once },
                { name: "nonroot", user: "1000:1000", script: "echo -n from-1000 > /dev/termination-log" },
            ],
        };
        await createDeclared(g);
        const dir = path.join(stateDir, DOCKER_CONTRACT.supervisor.terminationSubdir, g.name);
        const modes = Object.fromEntries(["prep", "once", "nonroot"].map((n) => [n, (fs.statSync(path.join(dir, n)).mode & 0o777).toString(8)]));
        expect(modes).toEqual({ prep: "666", once: "666", nonroot: "666" });
        const s = await podWhen(g.name, (st) => st.phase === "Succeeded", "Succeeded (once ran twice)");
        expect(statusOf(s, "prep")?.state?.terminated).toMatchObject({ exitCode: 0, message: "prepared" });
        expect(statusOf(s, "once")).toMatchObject({
            restartCount: 1,
            state: { terminated: { exitCode: 0, reason: "Completed", message: "second" } },
            lastState: { terminated: { exitCode: 3, reason: "Error", message: "bye" } },
        });
        expect(statusOf(s, "nonroot")?.state?.terminated).toMatchObject({ exitCode: 0, message: "from-1000" });
        expect(await readDataLog(docker, g.name)).toEqual(["second run saw an empty file"]);
        await removeGroup(docker, g.name);
        // Gone for a resync period (2 s here): the group's directory goes, and its status file with it.
        await waitFor(`${dir} removed`, async () => fs.existsSync(dir) ? undefined : true, 15_000, async () => fs.readdirSync(dir).join(","));
        expect(readStatus(stateDir, g.name)).toBeUndefined();
    });
});
