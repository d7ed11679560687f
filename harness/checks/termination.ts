/**
 * Termination and hooks: termination-order, pre-stop-hook, post-start-hook, termination-message
 * (fixtures in harness/fixtures/lifecycle.ts). Termination is observed by following each
 * container's log while the group is terminated as its users do (`pulumi destroy`: on Docker +
 * supervisor the PodGroup's termination, on Kubernetes the Pod's deletion).
 */
import { LogFollower } from "../adapters/runtime-adapter";
import { Check, CheckContext, Fixture, Observation } from "../check";
import { hooksFixture, POST_START_SECONDS, preStopFixture, terminationFixture, terminationMessageFixture, TERMINATION_MESSAGES } from "../fixtures/lifecycle";

/** One `<name> <EVENT> <uptime>` line of a termination-aware container's log. */
export interface LifecycleEvent {
    who: string;
    what: "START" | "TERM" | "EXIT" | "PRESTOP";
    uptime: number;
}

/** Parses the lifecycle lines of container logs (runtime timestamps in front are ignored). */
export function parseLifecycleLog(text: string): LifecycleEvent[] {
    return text.split("\n").map((l) => /(\S+) (START|TERM|EXIT|PRESTOP) ([\d.]+)\s*$/.exec(l.trim())).filter((m) => m !== null)
        .map((m) => ({ who: m[1], what: m[2] as LifecycleEvent["what"], uptime: Number(m[3]) }));
}

/**
 * Problems with a termination (empty when right): every member got SIGTERM and exited before the
 * last sidecar got SIGTERM, sidecars in reverse spec order (each exited before the previous one's
 * SIGTERM), and, for containers with a preStop hook, the hook before SIGTERM.
 */
export function terminationProblems(events: LifecycleEvent[], members: string[], sidecars: string[], withPreStop: string[] = []): string[] {
    const problems: string[] = [];
    const at = (who: string, what: LifecycleEvent["what"]) => events.find((e) => e.who === who && e.what === what)?.uptime;
    for (const c of [...members, ...sidecars]) {
        if (at(c, "TERM") === undefined) problems.push(`${c} got no SIGTERM (or did not log it)`);
    }
    for (const c of withPreStop) {
        const pre = at(c, "PRESTOP");
        const term = at(c, "TERM");
        if (pre === undefined) problems.push(`${c}: its preStop hook did not run`);
        else if (term !== undefined && term < pre) problems.push(`${c}: SIGTERM (${term}) before its preStop hook (${pre})`);
    }
    const membersDone = Math.max(...members.map((m) => at(m, "EXIT") ?? at(m, "TERM") ?? 0));
    const reversed = [...sidecars].reverse();
    let previousDone = membersDone;
    let previousName = "the members";
    for (const s of reversed) {
        const start = at(s, "PRESTOP") ?? at(s, "TERM");
        if (start !== undefined && start < previousDone) {
            problems.push(`sidecar ${s} was stopped (${start}) before ${previousName} had exited (${previousDone})`);
        }
        previousDone = at(s, "EXIT") ?? at(s, "TERM") ?? previousDone;
        previousName = s;
    }
    return problems;
}

async function followAll(ctx: CheckContext, names: string[]): Promise<Map<string, LogFollower>> {
    const out = new Map<string, LogFollower>();
    for (const n of names) out.set(n, await ctx.adapter.followLogs(ctx.group, n));
    return out;
}

/** Terminates the group while following the logs of `names`; returns every container's log. */
async function terminateAndCollect(ctx: CheckContext, names: string[]): Promise<{ logs: Record<string, string>; terminateMs: number }> {
    await ctx.waitRunning(names);
    const followers = await followAll(ctx, names);
    const terminateMs = await ctx.terminate();
    const logs: Record<string, string> = {};
    await Promise.all([...followers.entries()].map(async ([n, f]) => {
        const timer = setTimeout(() => f.stop(), 15_000);
        logs[n] = await f.done;
        clearTimeout(timer);
    }));
    ctx.evidence.record("logs", "container logs during termination", Object.entries(logs).map(([n, t]) => `--- ${n}\n${t.trimEnd()}`).join("\n"));
    return { logs, terminateMs };
}

/**
 * Testname: PodGroup, termination order
 * Description: When the group is terminated, every member MUST get SIGTERM first (in parallel),
 * and only after they exited the native sidecars, in reverse spec order, each after the one after
 * it exited.
 */
export function terminationOrderCheck(fixture: Fixture = terminationFixture(), members = ["m1", "m2"], sidecars = ["side-1", "side-2"]): Check {
    return {
        id: "termination-order",
        fixture,
        disruptive: 9,
        spec: {
            testname: "PodGroup, termination order",
            description: "When the group is terminated (pulumi destroy; the Pod's deletion), members m1 and m2 MUST get SIGTERM first; the native sidecars MUST get it only after every member exited, in reverse spec order: side-2, and side-1 after side-2 exited. Each container's SIGTERM handler MUST have run (within terminationGracePeriodSeconds).",
            references: ["kubernetes test/e2e_node/containers_lifecycle_test.go, restartable init containers: \"should terminate sidecars in reverse order after all main containers have exited\"",
                "pkg/kubelet/kuberuntime/kuberuntime_termination_order.go"],
        },
        async run(ctx: CheckContext): Promise<Observation> {
            const { logs, terminateMs } = await terminateAndCollect(ctx, [...members, ...sidecars]);
            const events = parseLifecycleLog(Object.values(logs).join("\n"));
            const problems = terminationProblems(events, members, sidecars);
            ctx.expect(problems.length === 0, problems.join("; "));
            const order = events.filter((e) => e.what === "TERM").sort((a, b) => a.uptime - b.uptime).map((e) => `${e.who}@${e.uptime}`);
            return { summary: `SIGTERM order ${order.join(", ")}; terminated in ${terminateMs} ms`, measurements: { terminateMs } };
        },
    };
}

/**
 * Testname: PodGroup, preStop hook
 * Description: When the group is terminated, a member's preStop hook MUST run, and the member MUST
 * get SIGTERM only after the hook returned.
 */
export function preStopHookCheck(fixture: Fixture = preStopFixture(), container = "stopper"): Check {
    return {
        id: "pre-stop-hook",
        fixture,
        disruptive: 9,
        spec: {
            testname: "PodGroup, preStop hook",
            description: "When the group is terminated, the preStop exec hook of a member MUST run in that container and the member MUST get SIGTERM only after the hook returned (the hook takes 1 s and logs before it sleeps).",
            references: ["kubernetes test/e2e/common/node/lifecycle_hook.go: \"should execute prestop exec hook properly [NodeConformance] [Conformance]\"",
                "pkg/kubelet/kuberuntime/kuberuntime_container.go killContainer (executePreStopHook, then StopContainer with the grace left)"],
        },
        async run(ctx: CheckContext): Promise<Observation> {
            const { logs, terminateMs } = await terminateAndCollect(ctx, [container]);
            const events = parseLifecycleLog(logs[container]);
            const problems = terminationProblems(events, [container], [], [container]);
            ctx.expect(problems.length === 0, problems.join("; "));
            const pre = events.find((e) => e.what === "PRESTOP")!.uptime;
            const term = events.find((e) => e.what === "TERM")!.uptime;
            return { summary: `preStop at ${pre}, SIGTERM ${Math.round((term - pre) * 100) / 100} s later; terminated in ${terminateMs} ms`, measurements: { preStopToTermS: term - pre } };
        },
    };
}

/**
 * Testname: PodGroup, postStart hook
 * Description: A member MUST NOT be reported started nor ready until its postStart hook returned;
 * a member whose postStart hook fails MUST be killed and restarted (restartPolicy Always), never ready.
 */
export function postStartHookCheck(fixture: Fixture = hooksFixture(), container = "hooked", bad = "bad-hook"): Check {
    return {
        id: "post-start-hook",
        fixture,
        spec: {
            testname: "PodGroup, postStart hook",
            description: `A member whose postStart exec hook takes ${POST_START_SECONDS} s MUST NOT be reported started or ready before the hook returned; a member whose postStart hook exits non-zero MUST be killed and restarted (restartCount >= 1, the killed run in lastState) and never be ready.`,
            references: ["kubernetes test/e2e/common/node/lifecycle_hook.go: \"should execute poststart exec hook properly [NodeConformance] [Conformance]\"",
                "test/e2e_node/containers_lifecycle_test.go: \"should run Init container to completion before call to PostStart of regular container\"; kuberuntime_container.go startContainer (a failed postStart kills the container: PostStartHookError)"],
        },
        async run(ctx: CheckContext): Promise<Observation> {
            const ready = await ctx.waitForStatus(`${container} started and ready`, (s) => {
                const c = s.containers.find((x) => x.name === container);
                return c?.state === "running" && c.started === true && c.ready === true;
            }, 60_000, 200);
            const readySeen = ready.observedAt.getTime();
            const end = Number(await ctx.sh(container, "cat /tmp/poststart-end"));
            const begin = Number(await ctx.sh(container, "cat /tmp/poststart-begin"));
            ctx.expect(end - begin >= POST_START_SECONDS - 1, `the postStart hook ran ${end - begin} s, not ${POST_START_SECONDS} s`);
            ctx.expect(readySeen >= end * 1000, `${container} was reported started and ready at ${new Date(readySeen).toISOString()}, before its postStart hook returned (${new Date(end * 1000).toISOString()})`);
            const restarted = await ctx.waitForStatus(`${bad} restarted after its postStart hook failed`, (s) => (s.containers.find((c) => c.name === bad)?.restartCount ?? 0) >= 1, 40_000, 500);
            const b = ctx.container(restarted, bad);
            ctx.expect(b.ready !== true, `${bad} reported ready although its postStart hook failed`);
            ctx.expect(b.lastState !== undefined, `${bad} was restarted but its status has no lastState`);
            return {
                summary: `${container} ready ${Math.round(readySeen / 1000 - end)} s after its ${end - begin} s postStart returned; ${bad} killed and restarted (restartCount ${b.restartCount}, last exit ${b.lastState.exitCode})`,
            };
        },
    };
}

/**
 * Testname: PodGroup, termination message
 * Description: A terminated member's status MUST carry its termination message: the content of
 * terminationMessagePath (default /dev/termination-log, or a path of its own), or with
 * FallbackToLogsOnError and an empty file and a failure, the end of its log.
 */
export function terminationMessageCheck(fixture: Fixture = terminationMessageFixture()): Check {
    return {
        id: "termination-message",
        fixture,
        spec: {
            testname: "PodGroup, termination message",
            description: `Terminated members MUST report their termination message in state.terminated.message: "${TERMINATION_MESSAGES.file}" written to /dev/termination-log (exit 0); "${TERMINATION_MESSAGES.path}" written to terminationMessagePath /tmp/custom-msg (exit 1); with terminationMessagePolicy FallbackToLogsOnError, nothing written and exit 2, the end of the log ("${TERMINATION_MESSAGES.logs}").`,
            references: ["kubernetes test/e2e/common/node/runtime.go, \"Container Runtime blackbox test on terminated container\": \"should report termination message if TerminationMessagePath is set [NodeConformance]\", \"should report termination message from log output if TerminationMessagePolicy FallbackToLogsOnError is set [NodeConformance] [Conformance]\", \"should report termination message as empty when pod succeeds and TerminationMessagePolicy FallbackToLogsOnError is set\""],
        },
        async run(ctx: CheckContext): Promise<Observation> {
            const names = ["msg-file", "msg-path", "msg-logs"];
            const s = await ctx.waitForStatus("every member terminated", (st) => names.every((n) => st.containers.find((c) => c.name === n)?.state === "terminated"), 60_000, 250);
            const msg = (n: string) => ctx.container(s, n).message;
            const got = names.map((n) => `${n}: ${JSON.stringify(msg(n))}`).join(", ");
            ctx.expect(msg("msg-file") === TERMINATION_MESSAGES.file, `msg-file's message is not the file's content: ${got}`);
            ctx.expect(msg("msg-path") === TERMINATION_MESSAGES.path, `msg-path's message is not /tmp/custom-msg's content: ${got}`);
            ctx.expect((msg("msg-logs") ?? "").trimEnd().endsWith(TERMINATION_MESSAGES.logs), `msg-logs's message is not the end of its log: ${got}`);
            return { summary: got };
        },
    };
}
