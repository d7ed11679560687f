/**
 * Your own group on one target: deployed with the harness's deployer on the engine or cluster
 * the target observes, then driven through the target's adapter (exec, processes, kill, status),
 * the same way the suite's checks drive its fixtures. Framework-free: the jest helper
 * ({@link describeOnTargets}) is built on it, and any Node program can use it directly.
 */
import { ExecResult, GroupRef, GroupStatus, KillResult, ProcessInfo, RuntimeAdapter } from "../adapters/runtime-adapter";
import { formatStatus } from "../check";
import { PodGroupSpec } from "../../components/spec";
import { deployGroup, DeployedGroup, DeployerOptions } from "../deploy/pulumi-deployer";
import { Target } from "../targets";
import { DebugLog, waitFor } from "../wait";

/** A group of yours: its name and its spec. */
export interface OwnGroup {
    /**
     * Base of the group's name: on each target the group is `<groupName>-<target suffix>`
     * (`-d`, `-s`, `-k`), so that targets sharing one engine keep their groups apart.
     */
    groupName: string;
    spec: PodGroupSpec;
    /** Its members are meant to exit: no waiting for them to run (nor, on Kubernetes, for readiness). */
    membersExit?: boolean;
}

/** How your group is deployed and awaited. */
export interface OwnGroupOptions {
    /** How the Pulumi CLI is run. */
    deployer?: DeployerOptions;
    /** Time for every member to run after `pulumi up`. Default 120 s. */
    readyTimeoutMs?: number;
    /** Debug lines (CLI output, every poll). */
    debug?: DebugLog;
}

/** Your group, deployed on one target, with the target's adapter at hand. */
export interface GroupOnTarget {
    readonly target: Target;
    readonly adapter: RuntimeAdapter;
    /** The group as the adapter names it (name, and namespace on Kubernetes). */
    readonly ref: GroupRef;
    /** Its stack, outputs and `up` time. */
    readonly deployed: DeployedGroup;
    /** Runs `argv` in a container of the group; resolves with the exit code even when non-zero. */
    exec(container: string, argv: string[]): Promise<ExecResult>;
    /** The processes a container sees. */
    processes(container: string): Promise<ProcessInfo[]>;
    /** SIGKILLs a member, an init container, or the sandbox (`"pause"`), as a crash would. */
    kill(container: string): Promise<KillResult>;
    /** Every container's state, exit code and restart count, and the group's phase. */
    status(): Promise<GroupStatus>;
    /** Polls the status until `done` holds (default limit 60 s). */
    waitForStatus(what: string, done: (s: GroupStatus) => boolean, timeoutMs?: number): Promise<GroupStatus>;
    /** Destroys the group, undoes the target's set-up and closes the adapter. */
    stop(): Promise<void>;
}

/** Undo steps, run last first; every one runs even when another fails. */
async function undoAll(steps: (() => Promise<unknown>)[]): Promise<void> {
    const errors: string[] = [];
    for (const step of [...steps].reverse()) {
        await step().catch((e) => errors.push((e as Error).message));
    }
    if (errors.length > 0) throw new Error(`clean-up failed: ${errors.join("; ")}`);
}

function handle(target: Target, adapter: RuntimeAdapter, ref: GroupRef, deployed: DeployedGroup,
    undo: (() => Promise<unknown>)[], log: DebugLog): GroupOnTarget {
    return {
        target, adapter, ref, deployed,
        exec: (container, argv) => adapter.exec(ref, container, argv),
        processes: (container) => adapter.processes(ref, container),
        kill: (container) => adapter.kill(ref, container),
        status: () => adapter.status(ref),
        waitForStatus: (what, done, timeoutMs = 60_000) => waitFor(what, () => adapter.status(ref), done, { timeoutMs, log }),
        stop: () => undoAll(undo),
    };
}

/**
 * Reaches `target`, sets it up (e.g. the supervisor), deploys `group` on it and waits until
 * every member runs. On any failure what was already done is undone before the error is thrown.
 */
export async function startGroupOnTarget(target: Target, group: OwnGroup, options: OwnGroupOptions = {}): Promise<GroupOnTarget> {
    const log = options.debug ?? (() => undefined);
    const adapter = target.createAdapter(log);
    const undo: (() => Promise<unknown>)[] = [() => adapter.close()];
    try {
        await adapter.ping();
        const prepared = await target.setUp?.(log);
        if (prepared !== undefined) undo.push(() => prepared.tearDown());
        const name = `${group.groupName}-${target.suffix}`;
        const deployed = await deployGroup({
            groupName: name, spec: group.spec, destination: await target.destination(), skipAwait: group.membersExit ?? false,
        }, { ...options.deployer, log: options.deployer?.log ?? log });
        undo.push(() => deployed.destroy());
        const ref: GroupRef = { name, ...(target.namespace !== undefined ? { namespace: target.namespace } : {}) };
        if (!(group.membersExit ?? false)) {
            const members = group.spec.containers.map((c) => c.name);
            const s = await waitFor(`every member of ${name} on ${target.id} running`, () => adapter.status(ref),
                (st) => members.every((m) => st.containers.some((c) => c.name === m && c.state === "running")),
                { timeoutMs: options.readyTimeoutMs ?? 120_000, intervalMs: 250, log });
            log(`${name} on ${target.id} ready:\n${formatStatus(s)}`);
        }
        return handle(target, adapter, ref, deployed, undo, log);
    } catch (e) {
        await undoAll(undo).catch((u) => log(`after a failed start of ${group.groupName} on ${target.id}: ${(u as Error).message}`));
        throw e;
    }
}
