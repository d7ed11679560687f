import { GroupStatus } from "../adapters/runtime-adapter";
import { Check, CheckContext, Fixture, Observation } from "../check";
import { sharedPodFixture } from "../fixtures/shared-pod";
import { orderProblems, parseOrderLog, splitRounds } from "./order-log";
import { DEFAULT_SHARE_PROCESS_NAMESPACE } from "../../components/spec";

/** How long the group gets to come back whole after its pause was killed. */
export const PAUSE_RECOVERY_TIMEOUT_MS = 60_000;

/**
 * Namespaces compared between members. Not uts: Docker gives each member its own UTS namespace
 * holding a copy of the hostname (the network check compares hostnames).
 */
const NAMESPACES = ["net", "ipc", "pid"] as const;
const MARKER = "/dev/shm/pause-death-marker";
/** Start time of PID 1 (field 22 of /proc/1/stat, clock ticks since boot). */
const PID1_START = "cut -d' ' -f22 /proc/1/stat";

/**
 * Testname: PodGroup, pause (sandbox) death
 * Description: When the pause is killed, the members MUST die with it; then the group MUST come
 * back whole: a fresh sandbox, the init containers run again in order to completion, and every
 * member running again in one new shared set of namespaces. The time from the kill to the whole
 * group running is measured.
 */
export function pauseDeathCheck(fixture: Fixture = sharedPodFixture()): Check {
    return {
        id: "pause-death",
        fixture,
        disruptive: 2,
        spec: {
            testname: "PodGroup, pause (sandbox) death",
            description: "When the pause is killed, the members MUST die with it; the group MUST then come back whole: a new sandbox, the init containers run again in order to completion, every member running again in one new shared set of namespaces (net, ipc, uts, pid). The time from the kill to the whole group running is measured.",
            references: ["kubelet SyncPod / computePodActions: sandbox not ready -> kill the pod, create a new sandbox, run init containers again, restart every container (TestComputePodActions, kuberuntime_manager_test.go)"],
        },
        async run(ctx: CheckContext): Promise<Observation> {
            const members = ctx.fixture.spec.containers.map((c) => c.name);
            const inits = (ctx.fixture.spec.initContainers ?? []).map((c) => c.name);
            const sharedPid = ctx.fixture.spec.shareProcessNamespace ?? DEFAULT_SHARE_PROCESS_NAMESPACE;
            const nsOf = async (m: string) => (await ctx.sh(m, NAMESPACES.map((n) => `readlink /proc/self/ns/${n}`).join("; "))).split("\n").join(" ");
            const nsBefore = await nsOf(members[0]);
            // Markers of the old sandbox: a file in its /dev/shm, and its pause's start time.
            await ctx.sh(members[0], `echo old-sandbox > ${MARKER}`);
            const pid1StartBefore = sharedPid ? Number(await ctx.sh(members[0], PID1_START)) : undefined;
            const before = await ctx.status("before the kill");
            const restarts = Object.fromEntries(before.containers.map((c) => [c.name, c.restartCount]));
            const killedAt = new Date();
            await ctx.kill("pause");

            // Whole again: every member running, started after the kill (or restarted), pause running (when visible).
            const killedSecond = Math.floor(killedAt.getTime() / 1000) * 1000;
            const whole = (s: GroupStatus) => members.every((m) => {
                const c = s.containers.find((x) => x.name === m);
                return c !== undefined && c.state === "running" && c.restartCount > (restarts[m] ?? 0) && (c.startedAt?.getTime() ?? 0) >= killedSecond;
            }) && s.containers.filter((c) => c.role === "pause").every((c) => c.state === "running");
            let recovered: GroupStatus | undefined;
            try {
                recovered = await ctx.waitForStatus("every member running again after the pause died", whole, PAUSE_RECOVERY_TIMEOUT_MS, 100);
            } catch {
                recovered = undefined;
            }
            const recoveryMs = Date.now() - killedAt.getTime();
            const events = await ctx.adapter.events(ctx.group, new Date(killedAt.getTime() - 1000));
            ctx.evidence.record("events", "runtime events since the kill",
                events.map((e) => `${e.time.toISOString()} ${e.container ?? "-"} ${e.action}${e.message !== undefined ? ` ${e.message}` : ""}`).join("\n"));
            if (recovered === undefined) {
                const s = await ctx.status("state when giving up");
                const states = s.containers.map((c) => `${c.name} ${c.state}${c.exitCode !== undefined ? ` (exit ${c.exitCode})` : ""}`).join(", ");
                ctx.expect(false, `the group did not come back whole within ${PAUSE_RECOVERY_TIMEOUT_MS / 1000} s: ${states}`);
            }
            // Members died with the pause: each was restarted (restartCount up) after the kill.
            const restartsAfter = members.map((m) => `${m} ${restarts[m]}->${ctx.container(recovered, m).restartCount}`).join(", ");

            // One fresh shared set of namespaces. (Namespace inode numbers are reused by the kernel once
            // the old namespace is gone, so freshness is shown by the old sandbox's markers instead.)
            const nsAfter = await Promise.all(members.map(nsOf));
            ctx.expect(nsAfter.every((n) => n === nsAfter[0]), `members are not in one set of namespaces: ${members.map((m, i) => `${m}: ${nsAfter[i]}`).join("; ")}`);
            ctx.note("namespaces before / after", `${nsBefore}\n${nsAfter[0]}`);
            const marker = await ctx.exec(members[0], ["cat", MARKER]);
            ctx.expect(marker.exitCode !== 0, `${MARKER} written before the kill is still there: the IPC namespace (/dev/shm) is the old sandbox's`);
            if (sharedPid) {
                const pid1 = await ctx.sh(members[0], "tr '\\0' ' ' < /proc/1/cmdline");
                ctx.expect(pid1.startsWith("/pause"), `PID 1 after recovery is "${pid1}", not the new pause`);
                const pid1StartAfter = Number(await ctx.sh(members[0], PID1_START));
                ctx.expect(pid1StartAfter > (pid1StartBefore ?? 0), `PID 1 started at tick ${pid1StartAfter}, not after the old pause (${pid1StartBefore}): not a new sandbox`);
            }

            // Init containers ran again, in order, before the members.
            if (inits.length > 0) {
                const rounds = splitRounds(parseOrderLog(await ctx.sh(members[0], "cat /log/order")), inits[0]);
                ctx.expect(rounds.length >= 2, `the init containers did not run again (${rounds.length} start-up round in the order log)`);
                const problems = orderProblems(rounds[rounds.length - 1], inits, members, sharedPid);
                ctx.expect(problems.length === 0, `the second start-up was out of order: ${problems.join("; ")}`);
            }
            return {
                summary: `group whole again after ${recoveryMs} ms: one new sandbox (new /dev/shm${sharedPid ? ", new /pause as PID 1" : ""}), init containers re-run in order, restarts ${restartsAfter}`,
                measurements: { recoveryMs },
            };
        },
    };
}
