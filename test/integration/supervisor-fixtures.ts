/**
 * Groups and a supervisor on a Docker engine, for the supervisor tests. Groups are PodGroup specs
 * laid out by the Docker renderer (test/integration/rendered-group.ts: the same names, labels,
 * bridge network for the pause, namespaces, restart policy "no" and `podgroup.io/supervised=true`
 * that `supervise: true` deploys); the supervisor container gets exactly the settings the
 * DockerSupervisor component declares (components/supervisor.ts).
 */
import Docker from "dockerode";
import * as fs from "fs";
import images from "../../images/images.json";
import { DOCKER_CONTRACT, supervisorStatusDir, supervisorStatusFile } from "../../components/contract";
import { LABEL_CONTAINER, LABEL_GROUP } from "../../components/labels";
import { dockerVolumeName } from "../../components/naming";
import type { ContainerSpec, PodGroupSpec, RestartPolicy } from "../../components/spec";
import { DockerSupervisorArgs, resolveDockerSupervisor } from "../../components/supervisor";
import type { SupervisorGroupStatus } from "../../harness/adapters/supervisor-status";
import { createSupervisor, removeLaidOutGroup } from "./rendered-group";
import { waitFor } from "./supervisor-engine";

export const PAUSE_IMAGE = images.pause;
export const TOOLBOX_IMAGE = images.toolbox;
export const SUPERVISOR_IMAGE = (images as Record<string, string>)[DOCKER_CONTRACT.supervisor.imageKey];

/** The emptyDir every test container mounts at /data (init containers and members log there). */
const DATA_VOLUME = "data";

export interface TestContainer { name: string; script: string }
export interface TestGroup {
    name: string;
    restartPolicy?: RestartPolicy;
    sharePid?: boolean;
    inits?: TestContainer[];
    members: TestContainer[];
}

/** The PodGroup spec of a test group: toolbox containers running `sh -c <script>`, sharing /data. */
export function specOf(g: TestGroup): PodGroupSpec {
    const container = (c: TestContainer): ContainerSpec => ({
        name: c.name, image: TOOLBOX_IMAGE, command: ["sh", "-c", c.script], volumeMounts: [{ name: DATA_VOLUME, mountPath: "/data" }],
    });
    return {
        initContainers: (g.inits ?? []).map(container),
        containers: g.members.map(container),
        volumes: [{ name: DATA_VOLUME, emptyDir: {} }],
        restartPolicy: g.restartPolicy ?? "Always",
        shareProcessNamespace: g.sharePid ?? true,
        // `exec sleep` as PID 1 of its own PID namespace ignores SIGTERM: a supervisor's stop of a
        // member left in a dead sandbox then waits out the whole grace period (default 30 s).
        terminationGracePeriodSeconds: 5,
    };
}

/** Removes a group's containers and volume. */
export async function removeGroup(docker: Docker, name: string): Promise<void> {
    await removeLaidOutGroup(docker, name);
}

/** Runs the supervisor container with the component's settings and waits for its "ready" line. */
export async function runSupervisor(docker: Docker, args: DockerSupervisorArgs): Promise<Docker.Container> {
    const c = await createSupervisor(docker, resolveDockerSupervisor(args));
    const ready = `msg=${DOCKER_CONTRACT.supervisor.readyMessage}`;
    await waitFor("the supervisor to be ready", async () => (await logsOf(c)).includes(ready) ? true : undefined, 30_000,
        async () => logsOf(c));
    return c;
}

/** A container's log (stdout and stderr, demultiplexed roughly: the supervisor logs text only). */
export async function logsOf(c: Docker.Container): Promise<string> {
    const buf = await c.logs({ stdout: true, stderr: true, follow: false }) as unknown as Buffer;
    // Strip the 8-byte stream headers of the multiplexed format.
    const out: Buffer[] = [];
    for (let i = 0; i + 8 <= buf.length;) {
        const len = buf.readUInt32BE(i + 4);
        out.push(buf.subarray(i + 8, i + 8 + len));
        i += 8 + len;
    }
    return Buffer.concat(out).toString("utf8");
}

/** The status file the supervisor writes for a group (the harness's reader's type). */
export type GroupStatusFile = SupervisorGroupStatus;

/** The status file of a group, read from the supervisor's host state directory. */
export function readStatus(stateDir: string, group: string): GroupStatusFile | undefined {
    try {
        return JSON.parse(fs.readFileSync(supervisorStatusFile(supervisorStatusDir(stateDir), group), "utf8")) as GroupStatusFile;
    } catch {
        return undefined;
    }
}

/** One container of a group as Docker shows it. */
export interface Seen {
    id: string;
    name: string;
    running: boolean;
    pid: number;
    startedAt: string;
    finishedAt: string;
    exitCode: number;
}

/** A Docker timestamp made sortable as a string (the fraction padded to nanoseconds). */
export function sortableTime(t: string): string {
    const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?Z$/.exec(t);
    return m === null ? t : `${m[1]}.${(m[2] ?? "").padEnd(9, "0")}Z`;
}

/** Every container of a group by spec name (`pause` included). */
export async function inspectGroup(docker: Docker, group: string): Promise<Record<string, Seen>> {
    const cs = await docker.listContainers({ all: true, filters: { label: [`${LABEL_GROUP}=${group}`] } });
    const out: Record<string, Seen> = {};
    for (const c of cs) {
        const i = await docker.getContainer(c.Id).inspect();
        out[i.Config.Labels[LABEL_CONTAINER]] = {
            id: i.Id, name: i.Config.Labels[LABEL_CONTAINER], running: i.State.Running, pid: i.State.Pid,
            startedAt: sortableTime(i.State.StartedAt), finishedAt: sortableTime(i.State.FinishedAt), exitCode: i.State.ExitCode,
        };
    }
    return out;
}

/** The namespace a process is in (`net:[4026532...]`), read on the host. */
export function namespaceOf(pid: number, ns: "net" | "ipc" | "pid"): string {
    return fs.readlinkSync(`/proc/${pid}/ns/${ns}`);
}

/**
 * Waits until the group is whole again in a sandbox newer than `after`: the pause runs, started
 * after `after`, and every member runs, started after the pause. Returns what Docker shows.
 */
export async function waitWhole(docker: Docker, group: string, members: string[], after: string, timeoutMs: number): Promise<Record<string, Seen>> {
    return waitFor(`group ${group} whole again`, async () => {
        const seen = await inspectGroup(docker, group);
        const pause = seen.pause;
        if (!pause?.running || !(pause.startedAt > after)) return undefined;
        for (const m of members) {
            if (!seen[m]?.running || !(seen[m].startedAt >= pause.startedAt)) return undefined;
        }
        return seen;
    }, timeoutMs, async () => JSON.stringify(await inspectGroup(docker, group), null, 1));
}

/** Reads /data/log of a group (what its init containers and members appended). */
export async function readDataLog(docker: Docker, group: string): Promise<string[]> {
    const c = await docker.createContainer({
        Image: TOOLBOX_IMAGE, Cmd: ["cat", "/data/log"], HostConfig: { NetworkMode: "none", Binds: [`${dockerVolumeName(group, DATA_VOLUME)}:/data`] },
    });
    try {
        await c.start();
        await c.wait();
        return (await logsOf(c)).split("\n").filter((l) => l !== "");
    } finally {
        await c.remove({ force: true });
    }
}
