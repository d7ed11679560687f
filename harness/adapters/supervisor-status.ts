/**
 * Reads the status file the Docker sandbox supervisor (issue 6) writes per supervised group:
 * `<dir>/<group>.json` = `{ group, sandboxGeneration, containers: { <name>: { restartCount,
 * lastReason, state, lastExitCode } }, updatedAt }`. Docker's own RestartCount does not count
 * the supervisor's restarts (it starts containers again with `docker start`), so restart counts of
 * supervised groups come from here.
 */
import { promises as fs } from "fs";
import * as path from "path";

/** Default host directory of the supervisor's status files. */
export const DEFAULT_SUPERVISOR_STATUS_DIR = "/var/lib/podgroup/supervisor/status";

export interface SupervisorContainerStatus {
    restartCount?: number;
    lastReason?: string;
    state?: string;
    lastExitCode?: number;
}

export interface SupervisorGroupStatus {
    group: string;
    sandboxGeneration?: number;
    containers: Record<string, SupervisorContainerStatus>;
    updatedAt?: string;
}

/** The group's status file, or undefined when the supervisor has written none (yet). */
export async function readSupervisorStatus(dir: string, group: string): Promise<SupervisorGroupStatus | undefined> {
    const file = path.join(dir, `${group}.json`);
    let text: string;
    try {
        text = await fs.readFile(file, "utf8");
    } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "ENOENT") {
            return undefined;
        }
        throw e;
    }
    const parsed = JSON.parse(text) as SupervisorGroupStatus;
    return { ...parsed, containers: parsed.containers ?? {} };
}
