/**
 * Restarts and retries: crash-loop-backoff, init-retry, init-failure-never,
 * finished-stays-finished, pod-status (fixtures in harness/fixtures/lifecycle.ts).
 */
import { conditionStatus, ContainerStatus, GroupStatus } from "../adapters/runtime-adapter";
import { Check, CheckContext, Fixture, Observation } from "../check";
import { backoffFixture, finishedFixture, initNeverFixture, initRetryFixture, statusFixture } from "../fixtures/lifecycle";

/**
 * kubelet's crash-loop back-off between starts: the first restart at once, then 10 s, then 20 s
 * (pkg/kubelet/kubelet.go initialCrashLoopBackOff), each plus up to a pod sync's delay (the
 * cluster showed 1.1 s, 16.5 s, 29 s): windows in seconds for the 1st, 2nd and 3rd gap.
 */
export const BACKOFF_WINDOWS = [{ min: 0, max: 7 }, { min: 9, max: 22 }, { min: 19, max: 40 }];

/** Parses the crasher's start times (node uptime seconds, one a line) and returns the gaps between starts. */
export function startGaps(log: string): number[] {
    const starts = log.split("\n").map((l) => Number(l.trim())).filter((n) => Number.isFinite(n) && n > 0);
    return starts.slice(1).map((t, i) => Math.round((t - starts[i]) * 100) / 100);
}

/**
 * Testname: PodGroup, crash-loop back-off
 * Description: A member that keeps failing MUST be restarted with kubelet's back-off: the
 * restart after the second failure about 10 s later, after the third about 20 s later, and be
 * reported waiting with reason CrashLoopBackOff in between.
 */
export function crashLoopBackoffCheck(fixture: Fixture = backoffFixture()): Check {
    return {
        id: "crash-loop-backoff",
        fixture,
        spec: {
            testname: "PodGroup, crash-loop back-off",
            description: `A member that exits 1 at once, under restartPolicy Always, MUST be restarted with kubelet's back-off: its 2nd start at once (within ${BACKOFF_WINDOWS[0].max} s), its 3rd ${BACKOFF_WINDOWS[1].min}-${BACKOFF_WINDOWS[1].max} s after the 2nd (10 s plus the sync delay), its 4th ${BACKOFF_WINDOWS[2].min}-${BACKOFF_WINDOWS[2].max} s after the 3rd (20 s), growing; and it MUST be reported waiting with reason CrashLoopBackOff while it waits.`,
            references: ["kubernetes test/e2e/common/node/pods.go: \"should have their auto-restart back-off timer reset on image update\", \"should cap back-off at MaxContainerBackOff\"",
                "pkg/kubelet/kubelet.go initialCrashLoopBackOff = 10 s, MaxContainerBackOff = 300 s; kuberuntime_manager.go doBackOff"],
        },
        async run(ctx: CheckContext): Promise<Observation> {
            let sawBackOff = false;
            const t0 = Date.now();
            let log = "";
            await ctx.waitForStatus("crasher started 4 times", (s) => {
                const c = s.containers.find((x) => x.name === "crasher");
                if (c?.state === "waiting" && c.reason === "CrashLoopBackOff") sawBackOff = true;
                return (c?.restartCount ?? 0) >= 3;
            }, 90_000, 500).catch(() => undefined);
            log = await ctx.sh("reader", "cat /log/starts");
            const gaps = startGaps(log);
            ctx.note("gaps between starts (s)", gaps.join(", "));
            ctx.expect(gaps.length >= 3, `crasher started ${gaps.length + 1} times in ${Math.round((Date.now() - t0) / 1000)} s, not 4 (gaps ${gaps.join(", ")} s)`);
            const [, second, third] = gaps;
            const inWindow = (g: number, w: { min: number; max: number }) => g >= w.min && g <= w.max;
            ctx.expect(gaps.slice(0, 3).every((g, i) => inWindow(g, BACKOFF_WINDOWS[i])) && third > second,
                `gaps between starts ${gaps.slice(0, 3).join(" s, ")} s: not kubelet's back-off (${BACKOFF_WINDOWS.map((w) => `${w.min}-${w.max} s`).join(", ")}, growing)`);
            ctx.expect(sawBackOff, "crasher was never reported waiting with reason CrashLoopBackOff");
            return {
                summary: `gaps between starts ${gaps.slice(0, 3).join(" s, ")} s; waiting CrashLoopBackOff in between`,
                measurements: { firstGapS: gaps[0], secondGapS: second, thirdGapS: third },
            };
        },
    };
}

/**
 * Testname: PodGroup, failed init container retried
 * Description: Under restartPolicy Always (or OnFailure), an init container that fails MUST be
 * run again until it succeeds, and then the members MUST start.
 */
export function initRetryCheck(fixture: Fixture = initRetryFixture()): Check {
    return {
        id: "init-retry",
        fixture,
        spec: {
            testname: "PodGroup, failed init container retried",
            description: "Under restartPolicy Always, an init container that fails on its first run MUST be run again (restartCount >= 1) until it exits 0; then the members MUST start and the group be Initialized and Running.",
            references: ["kubernetes test/e2e/common/node/init_container.go: \"should invoke init containers on a RestartAlways pod\", \"should not start app containers if init containers fail on a RestartAlways pod\"",
                "pkg/kubelet/kuberuntime/kuberuntime_container.go computeInitContainerActions (a failed init container is restarted with back-off unless restartPolicy is Never)"],
        },
        async run(ctx: CheckContext): Promise<Observation> {
            const t0 = Date.now();
            const s = await ctx.waitForStatus("app running after flaky succeeded", (st) => {
                const f = st.containers.find((c) => c.name === "flaky");
                // Failed: it will never get there.
                return st.phase === "Failed" || (st.containers.some((c) => c.name === "app" && c.state === "running") && f?.state === "terminated" && f.exitCode === 0);
            }, 60_000, 250).then((st) => st.phase === "Failed" ? undefined : st).catch(() => undefined);
            const upNote = ctx.upError !== undefined ? ` (pulumi up failed: ${ctx.upError.split("\n")[0].slice(0, 300)})` : "";
            if (s === undefined) {
                const last = await ctx.status("state when giving up").catch(() => undefined);
                const f = last?.containers.find((c) => c.name === "flaky");
                ctx.expect(false, `the members did not start after the init container failed once: flaky ${f?.state ?? "absent"} (exit ${f?.exitCode}, restartCount ${f?.restartCount}), app ${last?.containers.find((c) => c.name === "app")?.state ?? "absent"}${upNote}`);
            }
            const flaky = ctx.container(s, "flaky");
            ctx.expect(flaky.restartCount >= 1, `flaky completed with restartCount ${flaky.restartCount}: its failed first run was not counted`);
            ctx.expect(s.phase === "Running", `phase ${s.phase}, not Running`);
            const initialized = conditionStatus(s, "Initialized");
            ctx.expect(initialized === undefined || initialized === "True", `Initialized is ${initialized}`);
            return {
                summary: `flaky re-run (restartCount ${flaky.restartCount}, exit 0), app running ${Date.now() - t0} ms into the check, phase Running${upNote}`,
                measurements: { recoveredMs: Date.now() - t0 },
            };
        },
    };
}

const started = (c: ContainerStatus | undefined) => c !== undefined && (c.state !== "waiting" || c.restartCount > 0 || c.lastState !== undefined);

/**
 * Testname: PodGroup, failed init container under Never
 * Description: Under restartPolicy Never, when an init container fails the group MUST be Failed,
 * the failed init container MUST NOT be run again, and neither the later init containers nor the
 * members MUST ever start. On Docker, `pulumi up` MUST fail naming that container.
 */
export function initFailureNeverCheck(fixture: Fixture = initNeverFixture()): Check {
    return {
        id: "init-failure-never",
        fixture,
        spec: {
            testname: "PodGroup, failed init container under Never",
            description: "Under restartPolicy Never, an init container that exits 3 MUST leave the group Failed: it MUST NOT be re-run (restartCount 0, terminated exit 3), and the init containers after it and every member MUST never start. On Docker `pulumi up` MUST fail and name the container.",
            references: ["kubernetes test/e2e/common/node/init_container.go: \"should not start app containers and fail the pod if init containers fail on a RestartNever pod\"",
                "test/e2e_node/containers_lifecycle_test.go: \"should not launch regular containers if an init container fails\""],
        },
        async run(ctx: CheckContext): Promise<Observation> {
            // Stops early when init-fails is run again: the group will not fail then.
            const failed = await ctx.waitForStatus("phase Failed", (s) => s.phase === "Failed" ||
                (s.containers.find((c) => c.name === "init-fails")?.restartCount ?? 0) > 0, 60_000, 250);
            const held = await ctx.watch("the failed group", 4_000, 500);
            for (const s of [failed, ...held]) {
                ctx.expect(s.phase === "Failed", `phase went from Failed to ${s.phase}`);
                const f = s.containers.find((c) => c.name === "init-fails");
                ctx.expect(f !== undefined && f.state === "terminated" && f.exitCode === 3 && f.restartCount === 0,
                    `init-fails: ${f?.state} exit ${f?.exitCode} restartCount ${f?.restartCount} (want terminated, exit 3, not re-run)`);
                for (const name of ["never-runs", "app"]) {
                    ctx.expect(!started(s.containers.find((c) => c.name === name)), `${name} started although init-fails failed under Never`);
                }
            }
            if (ctx.kind === "docker") {
                ctx.expect(ctx.upError !== undefined, "pulumi up succeeded although an init container failed under restartPolicy Never");
                ctx.expect(ctx.upError.includes("init-fails"), `pulumi up failed without naming init-fails: ${ctx.upError.slice(0, 400)}`);
            }
            return { summary: `phase Failed; init-fails exit 3, not re-run; never-runs and app never started${ctx.upError !== undefined ? "; pulumi up failed naming init-fails" : ""}` };
        },
    };
}

/**
 * Testname: PodGroup, a finished group stays finished
 * Description: A restartPolicy Never group whose members all completed MUST stay Succeeded: when
 * its pause (sandbox) dies, no new sandbox is started and no member runs again.
 */
export function finishedStaysFinishedCheck(fixture: Fixture = finishedFixture()): Check {
    return {
        id: "finished-stays-finished",
        fixture,
        spec: {
            testname: "PodGroup, a finished group stays finished",
            description: "A restartPolicy Never group whose members all exited 0 MUST stay Succeeded: when its pause dies (or is already stopped), no new sandbox is started and no member runs again.",
            references: ["pkg/kubelet/kuberuntime/kuberuntime_manager.go computePodActions: no new sandbox for a RestartPolicy Never pod whose containers have all run (TestComputePodActions \"restartPolicy==Never; all containers exited: no sandbox\")",
                "kubernetes test/e2e/common/node/runtime.go \"should run with the expected status\" (Never: terminated, not restarted)"],
        },
        async run(ctx: CheckContext): Promise<Observation> {
            const done = await ctx.waitForStatus("phase Succeeded", (s) => s.phase === "Succeeded" ||
                (s.containers.find((c) => c.name === "job")?.restartCount ?? 0) > 0, 60_000, 250);
            const job0 = ctx.container(done, "job");
            const pause0 = done.containers.find((c) => c.role === "pause");
            ctx.expect(done.phase === "Succeeded" && job0.restartCount === 0, `job was run again (restartCount ${job0.restartCount}) instead of the group finishing: phase ${done.phase}`);
            let how: string;
            try {
                how = (await ctx.kill("pause")).how;
            } catch (e) {
                how = `no running pause to kill (${(e as Error).message.slice(0, 200)})`;
                ctx.note("pause kill", how);
            }
            const held = await ctx.watch("the finished group after its pause died", 6_000, 500);
            for (const s of held) {
                ctx.expect(s.phase === "Succeeded", `phase went from Succeeded to ${s.phase}`);
                const job = ctx.container(s, "job");
                ctx.expect(job.state === "terminated" && job.restartCount === job0.restartCount && job.startedAt?.getTime() === job0.startedAt?.getTime(),
                    `job ran again: ${job.state}, restartCount ${job0.restartCount} -> ${job.restartCount}`);
                // Running again = started after the kill (a read just after the kill may still show the old run).
                const pause = s.containers.find((c) => c.role === "pause");
                const again = pause !== undefined && pause.state === "running" &&
                    (pause.restartCount > (pause0?.restartCount ?? 0) || (pause.startedAt?.getTime() ?? 0) > (pause0?.startedAt?.getTime() ?? 0));
                ctx.expect(!again, `the pause runs again (restartCount ${pause?.restartCount}, started ${pause?.startedAt?.toISOString()}): a new sandbox for a finished group`);
            }
            return { summary: `Succeeded, pause killed (${how.slice(0, 80)}); 6 s later still Succeeded, job not re-run, no sandbox running` };
        },
    };
}

/** The Pod status the `status` fixture settles in (OnFailure), as kubelet reports it. */
export const EXPECTED_POD_STATUS = {
    phase: "Running",
    conditions: { PodReadyToStartContainers: "True", Initialized: "True", ContainersReady: "False", Ready: "False" } as Record<string, string>,
    containers: {
        setup: { state: "terminated", exitCode: 0, reason: "Completed", restartCount: 0, ready: true },
        done: { state: "terminated", exitCode: 0, reason: "Completed", restartCount: 0, ready: false },
        "crash-once": { state: "running", restartCount: 1, ready: true, lastExitCode: 3, lastReason: "Error" },
        runs: { state: "running", restartCount: 0, ready: true },
    } as Record<string, { state: string; exitCode?: number; reason?: string; restartCount: number; ready: boolean; lastExitCode?: number; lastReason?: string }>,
};

/** Differences between a status and {@link EXPECTED_POD_STATUS} (empty when it matches). */
export function podStatusDifferences(s: GroupStatus): string[] {
    const out: string[] = [];
    const want = EXPECTED_POD_STATUS;
    if (s.phase !== want.phase) out.push(`phase ${s.phase} (want ${want.phase})`);
    for (const [type, status] of Object.entries(want.conditions)) {
        const got = conditionStatus(s, type);
        if (got !== status) out.push(`condition ${type}=${got ?? "absent"} (want ${status})`);
    }
    for (const [name, w] of Object.entries(want.containers)) {
        const c = s.containers.find((x) => x.name === name);
        if (c === undefined) {
            out.push(`${name}: absent`);
            continue;
        }
        if (c.state !== w.state) out.push(`${name}: state ${c.state} (want ${w.state})`);
        if (w.exitCode !== undefined && c.exitCode !== w.exitCode) out.push(`${name}: exitCode ${c.exitCode} (want ${w.exitCode})`);
        if (w.reason !== undefined && c.reason !== w.reason) out.push(`${name}: reason ${c.reason} (want ${w.reason})`);
        if (c.restartCount !== w.restartCount) out.push(`${name}: restartCount ${c.restartCount} (want ${w.restartCount})`);
        if (c.ready !== w.ready) out.push(`${name}: ready ${c.ready} (want ${w.ready})`);
        if (w.lastExitCode !== undefined) {
            if (c.lastState?.exitCode !== w.lastExitCode || c.lastState.reason !== w.lastReason) {
                out.push(`${name}: lastState ${c.lastState === undefined ? "absent" : `exit ${c.lastState.exitCode} ${c.lastState.reason}`} (want terminated exit ${w.lastExitCode} ${w.lastReason})`);
            }
        } else if (c.lastState !== undefined) {
            out.push(`${name}: lastState exit ${c.lastState.exitCode} (want none)`);
        }
    }
    return out;
}

/**
 * Testname: PodGroup, Pod-like status
 * Description: The group's status MUST read as the Pod's: phase, the four Pod conditions, and per
 * container state, exit code, reason, restartCount, ready and lastState.
 */
export function podStatusCheck(fixture: Fixture = statusFixture()): Check {
    return {
        id: "pod-status",
        fixture,
        spec: {
            testname: "PodGroup, Pod-like status",
            description: "Under restartPolicy OnFailure, a group with an init container that completes, a member that completes, a member that failed once (exit 3) then runs, and a member that runs MUST report what the Pod reports: phase Running; PodReadyToStartContainers and Initialized True, ContainersReady and Ready False; setup terminated exit 0 Completed, ready (a completed init container is), restartCount 0; done terminated exit 0 Completed, not ready, restartCount 0; crash-once running, ready, restartCount 1, lastState terminated exit 3 Error; runs running, ready, restartCount 0, no lastState.",
            references: ["kubernetes test/e2e/common/node/runtime.go \"Container Runtime blackbox test ... should run with the expected status\"",
                "test/e2e_node/pod_conditions_test.go (PodReadyToStartContainers, Initialized, ContainersReady, Ready)",
                "pkg/kubelet/kubelet_pods.go getPhase, generateAPIPodStatus; pkg/kubelet/status/generate.go"],
        },
        async run(ctx: CheckContext): Promise<Observation> {
            let last: GroupStatus | undefined;
            const s = await ctx.waitForStatus("the status the fixture settles in", (st) => {
                last = st;
                return podStatusDifferences(st).length === 0;
            }, 40_000, 500).catch(() => undefined);
            if (s === undefined) {
                ctx.expect(false, `the status differs from the Pod's: ${last === undefined ? "no status read" : podStatusDifferences(last).join("; ")}`);
            }
            return { summary: "phase Running; conditions PodReadyToStartContainers/Initialized True, ContainersReady/Ready False; states, exit codes, reasons, restart counts, ready and lastState as the Pod's" };
        },
    };
}
