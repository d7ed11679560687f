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
 */
import { execFileSync } from "child_process";
import Docker from "dockerode";
import * as fs from "fs";
import * as path from "path";
import { dockerPauseName } from "../../components/naming";
import { PrivateEngine, REPO_ROOT, waitFor } from "./supervisor-engine";
import {
    createGroup, GroupStatusFile, inspectGroup, logsOf, namespaceOf, PAUSE_IMAGE, readDataLog, readStatus, removeGroup,
    runSupervisor, Seen, SUPERVISOR_IMAGE, TestGroup, TOOLBOX_IMAGE, waitWhole,
} from "./supervisor-fixtures";

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
        await createGroup(docker, g);
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
        await createGroup(docker, g);
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
        await createGroup(docker, g);
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
        await createGroup(docker, { name, restartPolicy: row.policy, members: [{ name: "worker", script }] });
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
        for (const g of groups) await createGroup(docker, g);
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
        for (const g of groups) await createGroup(docker, g);
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
        await createGroup(docker, g);
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
        await createGroup(docker, g);
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
        await createGroup(docker, g);
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
