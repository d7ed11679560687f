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

/** The group's status file, or undefined when the supervisor has written none (yet). */
export async function readSupervisorStatus(dir: string, group: string): Promise<SupervisorGroupStatus | undefined> {
    let text: string;
    try {
        text = await fs.readFile(supervisorStatusFile(dir, group), "utf8");
    } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "ENOENT") {
            return undefined;
        }
        throw e;
    }
    const parsed = JSON.parse(text) as SupervisorGroupStatus;
    return { ...parsed, containers: parsed.containers ?? {} };
}
