/**
 * A check: one named property of pod semantics, with a written specification in the style of
 * Kubernetes' conformance tests (Testname, Description with MUST), the fixture group it runs
 * against, and a body that runs on any {@link RuntimeAdapter}.
 */
import { PodGroupSpec } from "../components/spec";
import {
    containerStatus, ContainerStatus, ExecResult, GroupRef, GroupStatus, KillResult, ProcessInfo, RuntimeAdapter, RuntimeKind,
} from "./adapters/runtime-adapter";
import { Evidence } from "./model/evidence";
import { DebugLog, delay, waitFor, WaitTimeoutError } from "./wait";

/** A group a check deploys (a PodGroup, through Pulumi) before it runs. */
export interface Fixture {
    /** Short DNS-1123 id, part of the group's name (`pgc-<id>-<target>`). */
    id: string;
    /** What the group is for. */
    description: string;
    spec: PodGroupSpec;
    /**
     * Its members are meant to exit (restart-policy rows): the deploy does not wait for
     * readiness, and the runner does not wait for every member to run.
     */
    membersExit?: boolean;
    /**
     * Its members are not meant to be running (or ready) right after the deploy (a postStart hook
     * that takes time, a startup probe, a crash loop): as {@link membersExit}, the deploy does not
     * wait for readiness and the runner does not wait for every member to run.
     */
    noWait?: boolean;
    /**
     * `pulumi up` is meant to fail (an init container failing under restartPolicy Never): the
     * stack is kept, the check gets the error as {@link CheckContext.upError} and inspects what
     * was created; the runner destroys it afterwards.
     */
    upMayFail?: boolean;
}

/** Whether the deploy waits for the fixture's members (readiness on Kubernetes, running everywhere). */
export function waitsForMembers(fixture: Fixture): boolean {
    return !(fixture.membersExit ?? false) && !(fixture.noWait ?? false) && !(fixture.upMayFail ?? false);
}

/** The written specification of a check, as Kubernetes' conformance tests carry one. */
export interface CheckSpecification {
    /** `Area, property` e.g. "PodGroup, PID namespace shared". */
    testname: string;
    /** What the group MUST do. */
    description: string;
    /** Kubernetes sources the expectation comes from. */
    references: string[];
}

/** What a passing (or failing) check observed, in one line, plus numbers worth reporting. */
export interface Observation {
    summary: string;
    measurements?: Record<string, number>;
}

/** A property did not hold: the check fails (as opposed to erroring). */
export class CheckFailure extends Error {
    constructor(message: string, readonly observation?: Observation) {
        super(message);
        this.name = "CheckFailure";
    }
}

/** A check: its id (the matrix row), written specification, fixture, and body. */
export interface Check {
    /** Kebab-case id, the row of the matrix. */
    id: string;
    spec: CheckSpecification;
    fixture: Fixture;
    /**
     * Kills or restarts containers: runs after the non-disruptive checks sharing its fixture,
     * in this order (lower first).
     */
    disruptive?: number;
    run(ctx: CheckContext): Promise<Observation>;
}

/** What a check body gets: the adapter and group, plus helpers that record evidence. */
export class CheckContext {
    constructor(readonly adapter: RuntimeAdapter, readonly group: GroupRef, readonly fixture: Fixture,
        readonly targetId: string, readonly evidence: Evidence, readonly log: DebugLog,
        /** Scale for time limits (e.g. 2 on a slow machine). */
        readonly timeScale = 1,
        /** Terminates the group as its users do (`pulumi destroy` of its stack); the runner's own destroy then does nothing. */
        private readonly destroyGroup: () => Promise<number> = async () => { throw new Error("this run cannot terminate the group"); },
        /** The error of `pulumi up` when it failed ({@link Fixture.upMayFail}). */
        readonly upError?: string) {}

    /** Terminates the group (`pulumi destroy`); resolves with how long it took (ms). */
    async terminate(): Promise<number> {
        const t0 = Date.now();
        try {
            const ms = await this.destroyGroup();
            this.evidence.record("note", "terminate the group (pulumi destroy)", `done in ${ms} ms`);
            return ms;
        } catch (e) {
            this.evidence.record("note", "terminate the group (pulumi destroy)", `FAILED after ${Date.now() - t0} ms: ${(e as Error).message}`);
            throw e;
        }
    }

    get kind(): RuntimeKind {
        return this.adapter.kind;
    }

    /** Runs a command in a container and records it. */
    async exec(container: string, command: string[]): Promise<ExecResult> {
        const r = await this.adapter.exec(this.group, container, command);
        this.evidence.record("exec", `exec ${container}: ${command.join(" ")}`,
            `exit ${r.exitCode}${r.stdout !== "" ? `\nstdout: ${r.stdout.trimEnd()}` : ""}${r.stderr !== "" ? `\nstderr: ${r.stderr.trimEnd()}` : ""}`);
        return r;
    }

    /** Runs a shell script in a container; fails the check when it exits non-zero. */
    async sh(container: string, script: string): Promise<string> {
        const r = await this.exec(container, ["sh", "-c", script]);
        if (r.exitCode !== 0) {
            throw new CheckFailure(`\`${script}\` in ${container} exited ${r.exitCode}: ${r.stderr.trim() || r.stdout.trim()}`);
        }
        return r.stdout.trim();
    }

    async processes(container: string): Promise<ProcessInfo[]> {
        const ps = await this.adapter.processes(this.group, container);
        this.evidence.record("exec", `exec ${container}: ps -o pid,args`, ps.map((p) => `${p.pid} ${p.args}`).join("\n"));
        return ps;
    }

    async kill(container: string): Promise<KillResult> {
        const r = await this.adapter.kill(this.group, container);
        this.evidence.record("kill", `kill ${container} (SIGKILL)`, r.how);
        return r;
    }

    /** Reads the group's status and records a compact rendering of it. */
    async status(label = "status"): Promise<GroupStatus> {
        const s = await this.adapter.status(this.group);
        this.evidence.record("status", label, formatStatus(s));
        return s;
    }

    /** Polls the group's status until `done` holds; records the final (or last) state. */
    async waitForStatus(what: string, done: (s: GroupStatus) => boolean, timeoutMs: number, intervalMs = 250): Promise<GroupStatus> {
        const t0 = Date.now();
        try {
            const s = await waitFor(what, () => this.adapter.status(this.group), done,
                { timeoutMs: timeoutMs * this.timeScale, intervalMs, log: this.log });
            this.evidence.record("wait", `wait until ${what}`, `after ${Date.now() - t0} ms:\n${formatStatus(s)}`);
            return s;
        } catch (e) {
            this.evidence.record("wait", `wait until ${what}`, `FAILED after ${Date.now() - t0} ms: ${(e as Error).message}`);
            // The state the property needs never came: the property does not hold (unless the runtime stopped answering).
            if (e instanceof WaitTimeoutError && e.lastError === undefined) {
                throw new CheckFailure(`${what}: not reached in ${Math.round(e.timeoutMs / 1000)} s; last state: ${e.lastValue === undefined ? "none" : formatStatus(e.lastValue as GroupStatus).replace(/\n/g, "; ")}`);
            }
            throw e;
        }
    }

    /** Waits (up to 60 s) until every container in `names` is running; returns that status. */
    async waitRunning(names: string[], intervalMs = 250): Promise<GroupStatus> {
        return this.waitForStatus(`${names.join(", ")} running`,
            (s) => names.every((n) => s.containers.some((c) => c.name === n && c.state === "running")), 60_000, intervalMs);
    }

    /**
     * Reads the status every `intervalMs` for `ms` (scaled); records the first and last; returns
     * every read, at least one (else the check fails: a property "held" over no read is unchecked).
     */
    async watch(what: string, ms: number, intervalMs = 500): Promise<GroupStatus[]> {
        const seen: GroupStatus[] = [];
        const until = Date.now() + ms * this.timeScale;
        while (Date.now() < until) {
            try {
                seen.push(await this.adapter.status(this.group));
            } catch (e) {
                this.log(`watch ${what}: ${(e as Error).message}`);
            }
            await delay(intervalMs);
        }
        this.evidence.record("wait", `watch ${what} for ${ms} ms (${seen.length} reads)`,
            seen.length === 0 ? "no read succeeded" : `first:\n${formatStatus(seen[0])}\nlast:\n${formatStatus(seen[seen.length - 1])}`);
        this.expect(seen.length > 0, `no status read succeeded while watching ${what} (${ms} ms)`);
        return seen;
    }

    note(text: string, result = ""): void {
        this.evidence.record("note", text, result);
    }

    /** Fails the check with `message` unless `condition` holds. */
    expect(condition: boolean, message: string): asserts condition {
        if (!condition) {
            throw new CheckFailure(message);
        }
    }

    container(s: GroupStatus, name: string): ContainerStatus {
        return containerStatus(s, name);
    }
}

/** One line per container: `name role state exit=.. restarts=.. started=..`. */
export function formatStatus(s: GroupStatus): string {
    const lines = s.containers.map((c) =>
        `${c.name} (${c.role}${c.sidecar === true ? ", sidecar" : ""}): ${c.state}${c.reason !== undefined ? ` [${c.reason}]` : ""}` +
        `${c.exitCode !== undefined ? ` exit=${c.exitCode}` : ""} restarts=${c.restartCount}` +
        `${c.ready !== undefined ? ` ready=${c.ready}` : ""}${c.started !== undefined ? ` started=${c.started}` : ""}` +
        `${c.startedAt !== undefined ? ` startedAt=${c.startedAt.toISOString()}` : ""}` +
        `${c.finishedAt !== undefined ? ` finishedAt=${c.finishedAt.toISOString()}` : ""}` +
        `${c.message !== undefined ? ` message=${JSON.stringify(c.message)}` : ""}` +
        `${c.lastState !== undefined ? ` lastState=terminated(exit ${c.lastState.exitCode}${c.lastState.reason !== undefined ? ` ${c.lastState.reason}` : ""}${c.lastState.finishedAt !== undefined ? ` at ${c.lastState.finishedAt.toISOString()}` : ""})` : ""}`);
    const conditions = s.conditions === undefined ? "" : ` conditions: ${s.conditions.map((c) => `${c.type}=${c.status}`).join(" ")}`;
    return [`phase=${s.phase}${conditions} (restart counts: ${s.restartCountSource})`, ...lines].join("\n");
}
