/**
 * Groups and a supervisor on a Docker engine, for the supervisor tests. Groups follow the label
 * contract of components/labels.ts and the Docker renderer's layout (pause owning the namespaces,
 * init containers and members joining it with `container:<pause id>`, Docker restart policy "no",
 * `podgroup.io/supervised=true`); the supervisor container gets exactly the settings the
 * DockerSupervisor component declares (components/supervisor.ts).
 */
import Docker from "dockerode";
import * as fs from "fs";
import * as path from "path";
import images from "../../images/images.json";
import {
    LABEL_CONTAINER, LABEL_GROUP, LABEL_INIT_INDEX, LABEL_MEMBER_INDEX, LABEL_RESTART_POLICY, LABEL_ROLE,
    LABEL_SHARE_PID, LABEL_SUPERVISED,
} from "../../components/labels";
import { dockerContainerName, dockerPauseName, dockerVolumeName } from "../../components/naming";
import type { RestartPolicy } from "../../components/spec";
import { DockerSupervisorArgs, resolveDockerSupervisor, supervisorContainerArgs } from "../../components/supervisor";
import { waitFor } from "./supervisor-engine";

export const PAUSE_IMAGE = images.pause;
export const TOOLBOX_IMAGE = images.toolbox;
export const SUPERVISOR_IMAGE = (images as Record<string, string>).supervisor;

export interface TestContainer { name: string; script: string }
export interface TestGroup {
    name: string;
    restartPolicy?: RestartPolicy;
    sharePid?: boolean;
    inits?: TestContainer[];
    members: TestContainer[];
}

/** Creates a supervised group the way the Docker renderer does: pause, inits run in order, members. */
export async function createGroup(docker: Docker, g: TestGroup): Promise<void> {
    const policy = g.restartPolicy ?? "Always";
    const sharePid = g.sharePid ?? true;
    const shared = {
        [LABEL_GROUP]: g.name, [LABEL_RESTART_POLICY]: policy, [LABEL_SHARE_PID]: String(sharePid), [LABEL_SUPERVISED]: "true",
    };
    await docker.createVolume({ Name: dockerVolumeName(g.name, "data"), Labels: shared });
    const pause = await docker.createContainer({
        name: dockerPauseName(g.name), Image: PAUSE_IMAGE, Hostname: g.name,
        Labels: { ...shared, [LABEL_ROLE]: "pause", [LABEL_CONTAINER]: "pause" },
        HostConfig: { NetworkMode: "none", IpcMode: "shareable", RestartPolicy: { Name: "no" } },
    });
    await pause.start();
    const mode = `container:${pause.id}`;
    const joiner = (c: TestContainer, labels: Record<string, string>) => docker.createContainer({
        name: dockerContainerName(g.name, c.name), Image: TOOLBOX_IMAGE, Cmd: ["sh", "-c", c.script],
        Labels: { ...shared, [LABEL_CONTAINER]: c.name, ...labels },
        HostConfig: {
            NetworkMode: mode, IpcMode: mode, ...(sharePid ? { PidMode: mode } : {}),
            RestartPolicy: { Name: "no" },
            Binds: [`${dockerVolumeName(g.name, "data")}:/data`],
        },
    });
    for (const [i, c] of (g.inits ?? []).entries()) {
        const init = await joiner(c, { [LABEL_ROLE]: "init", [LABEL_INIT_INDEX]: String(i) });
        await init.start();
        const res = await init.wait() as { StatusCode: number };
        if (res.StatusCode !== 0) throw new Error(`init ${c.name} of ${g.name} exited ${res.StatusCode}`);
    }
    for (const [i, c] of g.members.entries()) {
        await (await joiner(c, { [LABEL_ROLE]: "member", [LABEL_MEMBER_INDEX]: String(i) })).start();
    }
}

/** Removes a group's containers and volume. */
export async function removeGroup(docker: Docker, name: string): Promise<void> {
    const cs = await docker.listContainers({ all: true, filters: { label: [`${LABEL_GROUP}=${name}`] } });
    await Promise.all(cs.map((c) => docker.getContainer(c.Id).remove({ force: true })));
    await docker.getVolume(dockerVolumeName(name, "data")).remove().catch(() => undefined);
}

/** Runs the supervisor container with the component's settings (a docker.ContainerArgs turned into a create call). */
export async function runSupervisor(docker: Docker, args: DockerSupervisorArgs): Promise<Docker.Container> {
    const a = supervisorContainerArgs(resolveDockerSupervisor(args));
    const volumes = a.volumes as { hostPath: string; containerPath: string }[];
    const c = await docker.createContainer({
        name: a.name as string,
        Image: a.image as string,
        Env: a.envs as string[],
        Labels: Object.fromEntries((a.labels as { label: string; value: string }[]).map((l) => [l.label, l.value])),
        StopTimeout: a.stopTimeout as number,
        HostConfig: {
            RestartPolicy: { Name: a.restart as string },
            Binds: volumes.map((v) => `${v.hostPath}:${v.containerPath}`),
            NetworkMode: a.networkMode as string,
            ReadonlyRootfs: a.readOnly as boolean,
            CapDrop: (a.capabilities as { drops: string[] }).drops,
            SecurityOpt: a.securityOpts as string[],
            LogConfig: { Type: a.logDriver as string, Config: a.logOpts as Record<string, string> },
        },
    });
    await c.start();
    await waitFor("the supervisor to be ready", async () => (await logsOf(c)).includes("msg=ready") ? true : undefined, 30_000,
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

/** The status file the supervisor writes for a group (the harness's contract). */
export interface GroupStatusFile {
    group: string;
    sandboxGeneration: number;
    containers: Record<string, { restartCount: number; lastReason: string; state: string; lastExitCode: number | null }>;
    updatedAt: string;
    phase: string;
}

export function readStatus(stateDir: string, group: string): GroupStatusFile | undefined {
    try {
        return JSON.parse(fs.readFileSync(path.join(stateDir, "status", `${group}.json`), "utf8")) as GroupStatusFile;
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
        Image: TOOLBOX_IMAGE, Cmd: ["cat", "/data/log"], HostConfig: { NetworkMode: "none", Binds: [`${dockerVolumeName(group, "data")}:/data`] },
    });
    try {
        await c.start();
        await c.wait();
        return (await logsOf(c)).split("\n").filter((l) => l !== "");
    } finally {
        await c.remove({ force: true });
    }
}
