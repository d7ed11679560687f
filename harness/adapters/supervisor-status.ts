/**
 * Reads the status file the Docker sandbox supervisor writes per supervised group:
 * `<dir>/<group>.json` = `{ group, sandboxGeneration, containers: { <name>: { restartCount,
 * lastReason, state, lastExitCode } }, updatedAt, phase, ... }` (the keys are listed in
 * contract/docker-contract.json, "status"). Docker's own RestartCount does not count the
 * supervisor's restarts (it starts containers again with `docker start`), so restart counts of
 * supervised groups come from here.
 */
import { promises as fs } from "fs";
import { DOCKER_CONTRACT, supervisorStatusDir, supervisorStatusFile } from "../../components/contract";

/** Default host directory of the supervisor's status files. */
export const DEFAULT_SUPERVISOR_STATUS_DIR = supervisorStatusDir(DOCKER_CONTRACT.supervisor.hostStateDir);

export interface SupervisorContainerStatus {
    restartCount?: number;
    lastReason?: string;
    state?: string;
    lastExitCode?: number | null;
}

export interface SupervisorGroupStatus {
    group: string;
    sandboxGeneration?: number;
    containers: Record<string, SupervisorContainerStatus>;
    updatedAt?: string;
    phase?: string;
}

/** A container state as core/v1 ContainerState (times as RFC 3339 strings). */
export interface SupervisorPodContainerState {
    waiting?: { reason?: string; message?: string };
    running?: { startedAt?: string };
    terminated?: { exitCode: number; reason?: string; message?: string; startedAt?: string; finishedAt?: string };
}

/** One entry of `initContainerStatuses` / `containerStatuses`: named as core/v1 ContainerStatus. */
export interface SupervisorPodContainerStatus {
    name: string;
    containerID?: string;
    image?: string;
    ready?: boolean;
    started?: boolean;
    restartCount?: number;
    state?: SupervisorPodContainerState;
    lastState?: SupervisorPodContainerState;
}

/** The Pod-like part of the status file: conditions and per-container statuses as core/v1 PodStatus. */
export interface SupervisorPodStatus {
    conditions?: { type: string; status: "True" | "False" | "Unknown"; reason?: string; message?: string; lastTransitionTime?: string }[];
    initContainerStatuses?: SupervisorPodContainerStatus[];
    containerStatuses?: SupervisorPodContainerStatus[];
}

/**
 * The keys this reader uses, per object of the file: test/unit/contract.test.ts checks them
 * against the contract's lists (which the supervisor's Go test checks against what it writes).
 */
export const SUPERVISOR_STATUS_KEYS_READ: {
    group: Record<keyof SupervisorGroupStatus, true>;
    container: Record<keyof SupervisorContainerStatus, true>;
} = {
    group: { group: true, sandboxGeneration: true, containers: true, updatedAt: true, phase: true },
    container: { restartCount: true, lastReason: true, state: true, lastExitCode: true },
};

/**
 * The Pod-like keys this reader uses: test/unit/harness-lifecycle.test.ts checks them
 * against the contract's lists ("status" groupFields and podContainerStatusFields).
 */
export const SUPERVISOR_POD_STATUS_KEYS_READ: {
    group: Record<keyof SupervisorPodStatus, true>;
    podContainer: Record<keyof SupervisorPodContainerStatus, true>;
} = {
    group: { conditions: true, initContainerStatuses: true, containerStatuses: true },
    podContainer: { name: true, containerID: true, image: true, ready: true, started: true, restartCount: true, state: true, lastState: true },
};

/** The group's status file, or undefined when the supervisor has written none (yet). */
export async function readSupervisorStatus(dir: string, group: string): Promise<(SupervisorGroupStatus & SupervisorPodStatus) | undefined> {
    let text: string;
    try {
        text = await fs.readFile(supervisorStatusFile(dir, group), "utf8");
    } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "ENOENT") {
            return undefined;
        }
        throw e;
    }
    const parsed = JSON.parse(text) as SupervisorGroupStatus & SupervisorPodStatus;
    return { ...parsed, containers: parsed.containers ?? {} };
}
