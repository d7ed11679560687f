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
import { DebugLog, waitFor } from "./wait";

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
        readonly timeScale = 1) {}

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
            throw e;
        }
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
        `${c.name} (${c.role}): ${c.state}${c.reason !== undefined ? ` [${c.reason}]` : ""}` +
        `${c.exitCode !== undefined ? ` exit=${c.exitCode}` : ""} restarts=${c.restartCount}` +
        `${c.startedAt !== undefined ? ` started=${c.startedAt.toISOString()}` : ""}` +
        `${c.finishedAt !== undefined ? ` finished=${c.finishedAt.toISOString()}` : ""}`);
    return [`phase=${s.phase} (restart counts: ${s.restartCountSource})`, ...lines].join("\n");
}
