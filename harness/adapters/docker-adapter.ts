/**
 * The runtime adapter for plain Docker, through dockerode (the Engine API, as `docker` uses it).
 * A group's containers are found by their labels (`podgroup.io/group`, `podgroup.io/container`,
 * `podgroup.io/role`), never by guessing names.
 */
import Docker from "dockerode";
import { PassThrough } from "stream";
import { DOCKER_CONTRACT, supervisorStatusDir, supervisorStatusFile } from "../../components/contract";
import {
    LABEL_CONTAINER, LABEL_GROUP, LABEL_INIT_INDEX, LABEL_MEMBER_INDEX, LABEL_RESTART_POLICY, LABEL_ROLE, LABEL_SUPERVISED,
    LABEL_SUPERVISOR, ROLE_INIT, ROLE_PAUSE,
} from "../../components/labels";
import { derivePhase } from "./docker-phase";
import {
    ContainerRole, ContainerState, ContainerStatus, ExecResult, GroupRef, GroupStatus, KillResult, LogFollower, parsePs,
    PodCondition, ProcessInfo, PS_COMMAND, RuntimeAdapter, RuntimeEvent, TerminatedState,
} from "./runtime-adapter";
import {
    DEFAULT_SUPERVISOR_STATUS_DIR, readSupervisorStatus, SupervisorPodContainerState, SupervisorPodContainerStatus,
} from "./supervisor-status";
import { DebugLog, delay } from "../wait";

/** Options of {@link DockerAdapter}. */
export interface DockerAdapterOptions {
    /** dockerode options (socketPath, host, ...). Default: DOCKER_HOST or /var/run/docker.sock. */
    docker?: Docker.DockerOptions;
    /** Where the supervisor writes status files (for groups labelled `podgroup.io/supervised=true`). */
    supervisorStatusDir?: string;
    log?: DebugLog;
}

type Inspect = Docker.ContainerInspectInfo;

function toDate(s: string | undefined): Date | undefined {
    if (s === undefined || s === "" || s.startsWith("0001-")) return undefined;
    return new Date(s);
}

function fromPodState(st: SupervisorPodContainerState | undefined): TerminatedState | undefined {
    const t = st?.terminated;
    return t === undefined ? undefined : {
        exitCode: t.exitCode,
        ...(t.reason !== undefined ? { reason: t.reason } : {}),
        ...(t.message !== undefined ? { message: t.message } : {}),
        ...(toDate(t.startedAt) !== undefined ? { startedAt: toDate(t.startedAt) } : {}),
        ...(toDate(t.finishedAt) !== undefined ? { finishedAt: toDate(t.finishedAt) } : {}),
    };
}

/** A container's status from the supervisor's Pod-like entry (state, reasons, readiness, lastState), Docker's for the rest. */
function fromPodStatus(docker: ContainerStatus, pod: SupervisorPodContainerStatus): ContainerStatus {
    const st = pod.state ?? {};
    const state: ContainerState = st.running !== undefined ? "running" : st.terminated !== undefined ? "terminated" : st.waiting !== undefined ? "waiting" : docker.state;
    const last = fromPodState(pod.lastState);
    const current = fromPodState(st);
    return {
        ...docker,
        state,
        exitCode: current?.exitCode ?? last?.exitCode,
        reason: st.terminated?.reason ?? st.waiting?.reason ?? (state === docker.state ? docker.reason : undefined),
        restartCount: pod.restartCount ?? docker.restartCount,
        startedAt: toDate(st.running?.startedAt) ?? current?.startedAt ?? docker.startedAt,
        finishedAt: current?.finishedAt,
        ready: pod.ready ?? false,
        started: pod.started ?? false,
        ...(last !== undefined ? { lastState: last } : {}),
        ...(current?.message !== undefined ? { message: current.message } : {}),
        ...(st.waiting?.message !== undefined ? { waitingMessage: st.waiting.message } : {}),
    };
}

/** The Pod conditions Docker's states give (no supervisor): the pause running, inits completed, members ready. */
export function dockerConditions(containers: ContainerStatus[]): PodCondition[] {
    const cond = (type: string, ok: boolean): PodCondition => ({ type, status: ok ? "True" : "False" });
    const pause = containers.find((c) => c.role === "pause");
    const inits = containers.filter((c) => c.role === "init");
    const members = containers.filter((c) => c.role === "member");
    const initialized = inits.every((c) => (c.sidecar === true ? c.state === "running" : c.state === "terminated" && c.exitCode === 0));
    const ready = members.length > 0 && [...members, ...inits.filter((c) => c.sidecar === true)].every((c) => c.ready === true);
    return [cond("PodReadyToStartContainers", pause?.state === "running"), cond("Initialized", initialized), cond("ContainersReady", ready), cond("Ready", ready)];
}

/** The runtime adapter for plain Docker, through the Engine API (dockerode). */
export class DockerAdapter implements RuntimeAdapter {
    readonly kind = "docker" as const;
    readonly description: string;
    private readonly docker: Docker;
    private readonly statusDir: string;
    private readonly log: DebugLog;

    constructor(options: DockerAdapterOptions = {}) {
        this.docker = new Docker(options.docker);
        this.statusDir = options.supervisorStatusDir ?? DEFAULT_SUPERVISOR_STATUS_DIR;
        this.log = options.log ?? (() => undefined);
        const o = this.docker.modem as unknown as { socketPath?: unknown; host?: unknown };
        const where = typeof o.socketPath === "string" ? o.socketPath : typeof o.host === "string" ? o.host : process.env.DOCKER_HOST ?? DOCKER_CONTRACT.supervisor.dockerSocket;
        this.description = `docker (${where})`;
    }

    async ping(): Promise<string> {
        try {
            const v = await this.docker.version();
            return `Docker ${v.Version} (API ${v.ApiVersion})`;
        } catch (e) {
            throw new Error(`Docker engine at ${this.description} does not answer: ${(e as Error).message}. ` +
                "Start it with `bash scripts/engine.sh start`.");
        }
    }

    /** Inspect data of the group's containers (every role), sorted pause, init by index, members by index. */
    private async inspectGroup(group: GroupRef): Promise<Inspect[]> {
        const list = await this.docker.listContainers({ all: true, filters: { label: [`${LABEL_GROUP}=${group.name}`] } });
        const infos = await Promise.all(list.map((c) => this.docker.getContainer(c.Id).inspect()));
        const rank = (i: Inspect) => {
            const l = i.Config.Labels ?? {};
            const role = l[LABEL_ROLE];
            return role === ROLE_PAUSE ? 0 : role === ROLE_INIT ? 1000 + Number(l[LABEL_INIT_INDEX] ?? 0) : 2000 + Number(l[LABEL_MEMBER_INDEX] ?? 0);
        };
        return infos.sort((a, b) => rank(a) - rank(b));
    }

    private async find(group: GroupRef, container: string): Promise<Docker.Container> {
        const list = await this.docker.listContainers({
            all: true, filters: { label: [`${LABEL_GROUP}=${group.name}`, `${LABEL_CONTAINER}=${container}`] },
        });
        if (list.length !== 1) {
            throw new Error(`expected one Docker container labelled ${LABEL_GROUP}=${group.name},${LABEL_CONTAINER}=${container}, found ${list.length}`);
        }
        return this.docker.getContainer(list[0].Id);
    }

    async exec(group: GroupRef, container: string, command: string[]): Promise<ExecResult> {
        const c = await this.find(group, container);
        const exec = await c.exec({ Cmd: command, AttachStdout: true, AttachStderr: true, Tty: false });
        const stream = await exec.start({ hijack: true, stdin: false });
        const out = new PassThrough();
        const err = new PassThrough();
        const chunks = { out: [] as Buffer[], err: [] as Buffer[] };
        out.on("data", (b: Buffer) => chunks.out.push(b));
        err.on("data", (b: Buffer) => chunks.err.push(b));
        this.docker.modem.demuxStream(stream, out, err);
        await new Promise<void>((resolve, reject) => {
            stream.on("end", resolve);
            stream.on("close", resolve);
            stream.on("error", reject);
        });
        // The exit code is set a moment after the stream ends.
        let info = await exec.inspect();
        for (let i = 0; i < 40 && info.Running; i++) {
            await delay(25);
            info = await exec.inspect();
        }
        const result = {
            stdout: Buffer.concat(chunks.out).toString("utf8"),
            stderr: Buffer.concat(chunks.err).toString("utf8"),
            exitCode: info.ExitCode ?? -1,
        };
        this.log(`docker exec ${group.name}/${container} ${JSON.stringify(command)} -> ${result.exitCode}`);
        return result;
    }

    async processes(group: GroupRef, container: string): Promise<ProcessInfo[]> {
        const r = await this.exec(group, container, PS_COMMAND);
        if (r.exitCode !== 0) {
            throw new Error(`ps in ${group.name}/${container} exited ${r.exitCode}: ${r.stderr}`);
        }
        return parsePs(r.stdout);
    }

    /**
     * Kills the container's main process with SIGKILL from the host, as a crash (or the OOM
     * killer) would: Docker then sees the process exit and applies the restart policy. `docker
     * kill` would not do: Docker marks a killed container "manually stopped" and no longer
     * restarts it, which is not what a dying member or pause is. Needs the harness on the Docker
     * host with permission to signal its processes (root); otherwise it falls back to `docker kill`
     * and says so in the evidence.
     */
    async kill(group: GroupRef, container: string): Promise<KillResult> {
        const c = await this.find(group, container);
        const info = await c.inspect();
        const pid = info.State.Pid;
        if (pid > 0) {
            try {
                process.kill(pid, "SIGKILL");
                this.log(`kill -KILL ${pid} (${group.name}/${container})`);
                return { how: `kill -KILL ${pid} (host pid of ${group.name}/${container}'s main process, ${c.id.slice(0, 12)})` };
            } catch (e) {
                this.log(`cannot signal host pid ${pid}: ${(e as Error).message}; using docker kill`);
            }
        }
        await c.kill({ signal: "SIGKILL" });
        return { how: `docker kill --signal SIGKILL ${c.id.slice(0, 12)} (${group.name}/${container}; host pid not reachable, so Docker counts it as a manual stop)` };
    }

    async status(group: GroupRef): Promise<GroupStatus> {
        const infos = await this.inspectGroup(group);
        if (infos.length === 0) {
            throw new Error(`no Docker container is labelled ${LABEL_GROUP}=${group.name}`);
        }
        const labels = infos[0].Config.Labels ?? {};
        const supervised = labels[LABEL_SUPERVISED] === "true";
        const statusDir = supervised ? await this.supervisorStatusDir() : this.statusDir;
        const supervisor = supervised ? await readSupervisorStatus(statusDir, group.name) : undefined;
        const podLike = new Map<string, SupervisorPodContainerStatus>(
            [...(supervisor?.initContainerStatuses ?? []), ...(supervisor?.containerStatuses ?? [])].map((c) => [c.name, c]));
        const containers: ContainerStatus[] = infos.map((i) => {
            const l = i.Config.Labels ?? {};
            const name = l[LABEL_CONTAINER];
            const s = i.State;
            let state: ContainerState;
            let reason: string | undefined;
            if (s.Restarting) {
                state = "waiting";
                reason = "Restarting";
            } else if (s.Running) {
                state = "running";
            } else if (s.Status === "created") {
                state = "waiting";
                reason = "Created";
            } else {
                state = "terminated";
                reason = s.OOMKilled ? "OOMKilled" : s.ExitCode === 0 ? "Completed" : "Error";
            }
            const fromSupervisor = supervisor?.containers[name];
            const docker: ContainerStatus = {
                name,
                role: l[LABEL_ROLE] as ContainerRole,
                state,
                // While running, Docker's ExitCode (0) describes nothing: like a fresh pod status, leave it out.
                exitCode: state === "running" ? undefined : s.ExitCode,
                reason: fromSupervisor?.lastReason !== undefined && state !== "running" ? `${reason} (supervisor: ${fromSupervisor.lastReason})` : reason,
                restartCount: supervised ? (fromSupervisor?.restartCount ?? 0) : i.RestartCount,
                startedAt: toDate(s.StartedAt),
                finishedAt: state === "terminated" ? toDate(s.FinishedAt) : undefined,
                id: i.Id,
                ...(l[DOCKER_CONTRACT.labels.containerRestartPolicy] === "Always" ? { sidecar: true } : {}),
                // What Docker shows: ready = running and, with a healthcheck, healthy; no startupProbe or postStart on plain Docker.
                ready: state === "running" && (s.Health === undefined || s.Health.Status === "healthy"),
                started: state === "running",
            };
            const pod = podLike.get(name);
            if (pod !== undefined) return fromPodStatus(docker, pod);
            // The supervisor writes Pod-like statuses but has none for this container (yet): not started, not ready.
            return supervisor?.containerStatuses !== undefined && docker.role !== "pause" ? { ...docker, ready: false, started: false } : docker;
        });
        const phase = supervisor?.phase !== undefined && supervisor.containerStatuses !== undefined
            ? supervisor.phase as GroupStatus["phase"]
            : derivePhase(containers, labels[LABEL_RESTART_POLICY] ?? "Always");
        return {
            group: group.name,
            phase,
            containers,
            restartCountSource: supervised
                ? `supervisor status file ${supervisorStatusFile(statusDir, group.name)}${supervisor === undefined ? " (absent: counted 0)" : ""}`
                : "docker inspect .RestartCount",
            conditions: supervisor?.conditions !== undefined
                ? supervisor.conditions.map((c) => ({ type: c.type, status: c.status, ...(c.reason !== undefined ? { reason: c.reason } : {}), ...(c.message !== undefined ? { message: c.message } : {}) }))
                : dockerConditions(containers),
            observedAt: new Date(),
        };
    }

    async followLogs(group: GroupRef, container: string): Promise<LogFollower> {
        const c = await this.find(group, container);
        const stream = await c.logs({ follow: true, stdout: true, stderr: true, timestamps: true }) as unknown as NodeJS.ReadableStream & { destroy(): void };
        const out = new PassThrough();
        const parts: Buffer[] = [];
        out.on("data", (b: Buffer) => parts.push(b));
        this.docker.modem.demuxStream(stream, out, out);
        const text = () => Buffer.concat(parts).toString("utf8");
        let stopped: (t: string) => void = () => undefined;
        const done = new Promise<string>((resolve) => {
            stopped = resolve;
            stream.on("end", () => resolve(text()));
            stream.on("close", () => resolve(text()));
            stream.on("error", () => resolve(text()));
        });
        return { done, text, stop: () => { stream.destroy(); stopped(text()); } };
    }

    /**
     * Where the running supervisor writes status files: `<host dir mounted at /state>/status`
     * of the container labelled `podgroup.io/supervisor=true`, else the configured directory.
     */
    private async supervisorStatusDir(): Promise<string> {
        const running = await this.docker.listContainers({ filters: { label: [`${LABEL_SUPERVISOR}=true`], status: ["running"] } });
        const state = running[0]?.Mounts?.find((m) => m.Destination === DOCKER_CONTRACT.supervisor.stateMount);
        return state !== undefined ? supervisorStatusDir(state.Source) : this.statusDir;
    }

    async events(group: GroupRef, since: Date): Promise<RuntimeEvent[]> {
        const until = Math.ceil(Date.now() / 1000) + 1;
        const stream = await this.docker.getEvents({
            since: Math.floor(since.getTime() / 1000),
            until,
            filters: { type: ["container"], label: [`${LABEL_GROUP}=${group.name}`] },
        }) as unknown as NodeJS.ReadableStream;
        const text = await new Promise<string>((resolve, reject) => {
            const parts: Buffer[] = [];
            stream.on("data", (b: Buffer) => parts.push(b));
            stream.on("end", () => resolve(Buffer.concat(parts).toString("utf8")));
            stream.on("error", reject);
        });
        return text.split("\n").filter((l) => l.trim() !== "").map((l) => {
            const e = JSON.parse(l) as { Action: string; timeNano?: number; time: number; Actor?: { Attributes?: Record<string, string> } };
            const attrs = e.Actor?.Attributes ?? {};
            return {
                time: new Date(e.timeNano !== undefined ? Math.floor(e.timeNano / 1e6) : e.time * 1000),
                container: attrs[LABEL_CONTAINER],
                action: e.Action,
                message: attrs.exitCode !== undefined ? `exitCode=${attrs.exitCode}` : undefined,
            };
        }).filter((e) => !e.action.startsWith("exec_"));
    }

    async close(): Promise<void> {
        // dockerode keeps no open connection between calls.
    }
}
