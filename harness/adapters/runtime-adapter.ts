/**
 * The one small interface every check talks to, whatever runs the group: plain Docker (with or
 * without the supervisor) or a Kubernetes cluster. A check never imports dockerode or the
 * Kubernetes client; it gets an adapter and a {@link GroupRef}.
 */

/** Which kind of runtime an adapter drives. */
export type RuntimeKind = "docker" | "kubernetes";

/** Names one deployed group: the PodGroup name (= Pod name on Kubernetes) and its namespace. */
export interface GroupRef {
    /** The group's name (`podgroup.io/group` label on Docker, the Pod's name on Kubernetes). */
    name: string;
    /** Kubernetes namespace (ignored on Docker). */
    namespace?: string;
}

/** What a command run in a container returned. */
export interface ExecResult {
    stdout: string;
    stderr: string;
    exitCode: number;
}

/** One process as `ps` in a container shows it. */
export interface ProcessInfo {
    pid: number;
    args: string;
}

/** Role of a container in a group (labels `podgroup.io/role` on Docker; the Pod spec on Kubernetes). */
export type ContainerRole = "pause" | "init" | "member";

/** Kubernetes' three container states, which Docker's states map onto. */
export type ContainerState = "running" | "waiting" | "terminated";

/** One container's observed state. */
export interface ContainerStatus {
    /** Name in the spec (`pause` for the sandbox). */
    name: string;
    role: ContainerRole;
    state: ContainerState;
    /** Exit code of the last terminated run (current one when state is terminated). */
    exitCode?: number;
    /** Runtime's reason (Completed, Error, CrashLoopBackOff, restarting, ...). */
    reason?: string;
    /** Restarts as the runtime (or the supervisor) counts them. */
    restartCount: number;
    /** When the current (or last) run started. */
    startedAt?: Date;
    /** When the last run finished (terminated containers). */
    finishedAt?: Date;
    /** Runtime id of the container (Docker id, or containerd id on Kubernetes). */
    id?: string;
    /** An init container with restartPolicy Always (a native sidecar). */
    sidecar?: boolean;
    /** Readiness as the Pod status gives it (undefined when the runtime does not say). */
    ready?: boolean;
    /** Started: running and startupProbe passed, postStart returned (undefined when the runtime does not say). */
    started?: boolean;
    /** The previous run, when there was one (Pod status `lastState.terminated`). */
    lastState?: TerminatedState;
    /** Termination message of the current terminated run (Pod status `state.terminated.message`). */
    message?: string;
    /** Message of the waiting state (e.g. the back-off delay), when the runtime gives one. */
    waitingMessage?: string;
}

/** A finished run of a container, as `state.terminated` / `lastState.terminated` of a Pod. */
export interface TerminatedState {
    exitCode: number;
    reason?: string;
    message?: string;
    startedAt?: Date;
    finishedAt?: Date;
}

/** A Pod condition (PodReadyToStartContainers, Initialized, ContainersReady, Ready). */
export interface PodCondition {
    type: string;
    status: "True" | "False" | "Unknown";
    reason?: string;
    message?: string;
}

/** The Pod conditions a group reports, in kubelet's order. */
export const POD_CONDITION_TYPES = ["PodReadyToStartContainers", "Initialized", "ContainersReady", "Ready"] as const;

/** Pod phases, as Kubernetes defines them. */
export type PodPhase = "Pending" | "Running" | "Succeeded" | "Failed" | "Unknown";

/** A group's observed state at one moment. */
export interface GroupStatus {
    group: string;
    /** The Pod's phase (Kubernetes), or the same rule applied to Docker's states. */
    phase: PodPhase;
    /** Init containers (spec order), then members (spec order); `pause` first when the runtime shows it. */
    containers: ContainerStatus[];
    /** Where restart counts came from (docker inspect, supervisor status file, pod status). */
    restartCountSource: string;
    /** Pod conditions, when the runtime reports them (Kubernetes, the supervisor's status file). */
    conditions?: PodCondition[];
    observedAt: Date;
}

/** One runtime event about the group (Docker events, Kubernetes Events). */
export interface RuntimeEvent {
    time: Date;
    container?: string;
    action: string;
    message?: string;
}

/** A container's log, followed (with timestamps) until the container stops or {@link LogFollower.stop}. */
export interface LogFollower {
    /** Resolves with the whole text when the stream ends. */
    done: Promise<string>;
    /** What arrived so far. */
    text(): string;
    /** Stops following; `done` resolves with what arrived. */
    stop(): void;
}

/** How a kill was done, for the evidence. */
export interface KillResult {
    /** The command or API call that did it, e.g. `docker kill --signal SIGKILL x`. */
    how: string;
}

/**
 * Drives one runtime. Methods take the group and a container's spec name (`pause` for the
 * sandbox's infra container).
 */
export interface RuntimeAdapter {
    readonly kind: RuntimeKind;
    /** Human-readable description of the endpoint, e.g. `docker (unix:///var/run/docker.sock)`. */
    readonly description: string;
    /** Throws an Error with a clear message when the runtime does not answer; returns its version. */
    ping(): Promise<string>;
    /** Runs `command` in a running container; resolves with the exit code even when non-zero. */
    exec(group: GroupRef, container: string, command: string[]): Promise<ExecResult>;
    /** Processes the container sees (runs `ps` inside it). */
    processes(group: GroupRef, container: string): Promise<ProcessInfo[]>;
    /** Kills a member, an init container or the pause (`container` = "pause") with SIGKILL. */
    kill(group: GroupRef, container: string): Promise<KillResult>;
    /** States, exit codes, restart counts and start/finish times of every container of the group. */
    status(group: GroupRef): Promise<GroupStatus>;
    /** Events about the group since `since`, oldest first (empty when the runtime keeps none). */
    events(group: GroupRef, since: Date): Promise<RuntimeEvent[]>;
    /** Follows a container's log (stdout and stderr, each line prefixed by the runtime's RFC 3339 timestamp). */
    followLogs(group: GroupRef, container: string): Promise<LogFollower>;
    /** Releases connections. */
    close(): Promise<void>;
}

/** Parses `ps -o pid,args` output (busybox or procps) into {@link ProcessInfo}s. */
export function parsePs(stdout: string): ProcessInfo[] {
    return stdout.split("\n").slice(1).map((l) => l.trim()).filter((l) => l !== "").map((l) => {
        const m = /^(\d+)\s+(.*)$/.exec(l);
        return m === null ? undefined : { pid: Number(m[1]), args: m[2] };
    }).filter((p): p is ProcessInfo => p !== undefined);
}

/** The command {@link RuntimeAdapter.processes} runs in a container. */
export const PS_COMMAND = ["ps", "-o", "pid,args"];

/** The status ("True", "False", "Unknown") of a condition, or undefined when not reported. */
export function conditionStatus(status: GroupStatus, type: string): string | undefined {
    return status.conditions?.find((c) => c.type === type)?.status;
}

/** Finds one container's status by spec name, or throws with what the group has. */
export function containerStatus(status: GroupStatus, name: string): ContainerStatus {
    const found = status.containers.find((c) => c.name === name);
    if (found === undefined) {
        throw new Error(`group ${status.group} has no container "${name}" (has: ${status.containers.map((c) => c.name).join(", ")})`);
    }
    return found;
}
