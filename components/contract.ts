/**
 * The Docker-side contract (contract/docker-contract.json): label keys, roles, the supervisor's
 * run options and its status file. The JSON is the one place these are spelled; the supervisor
 * reads it through generated Go constants (supervisor/internal/contract), shell scripts through
 * bench/lib/contract.sh. test/unit/contract.test.ts fails when a copy drifts.
 */
import * as path from "path";
import contract from "../contract/docker-contract.json";

export const DOCKER_CONTRACT = contract;

/** The supervisor's settings (container, mounts, hardening, options). */
export const SUPERVISOR_CONTRACT = contract.supervisor;

/** Names of the supervisor's run options (`backoffBase`, ...). */
export type SupervisorOption = keyof typeof SUPERVISOR_CONTRACT.options;

/** `ENV=value` for one of the supervisor's run options. */
export function supervisorEnv(option: SupervisorOption, value: string): string {
    return `${contract.supervisor.options[option].env}=${value}`;
}

/** The status files' directory under a supervisor state directory (host or container side). */
export function supervisorStatusDir(stateDir: string): string {
    return path.posix.join(stateDir, contract.supervisor.statusSubdir);
}

/** A group's status file in a status directory. */
export function supervisorStatusFile(statusDir: string, group: string): string {
    return path.join(statusDir, `${group}${contract.supervisor.statusSuffix}`);
}

/**
 * A supervised group's termination-message directory on the Docker host:
 * `<state dir>/termination/<group>` (one file per container, named after it). The state dir is
 * the supervisor's on the host (DockerSupervisor `stateDir`, default /var/lib/podgroup/supervisor).
 */
export function supervisorTerminationDir(hostStateDir: string | undefined, group: string): string {
    const dir = hostStateDir ?? contract.supervisor.hostStateDir;
    if (!path.posix.isAbsolute(dir)) {
        throw new Error(`docker.supervisorStateDir: "${dir}" (string) is not an absolute path; give the supervisor's state directory on the Docker host, e.g. ${contract.supervisor.hostStateDir}`);
    }
    return path.posix.join(dir, contract.supervisor.terminationSubdir, group);
}
