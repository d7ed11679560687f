/** Probes that act: startup-probe and liveness-restart on the `probes` fixture (harness/fixtures/lifecycle.ts). */
import { GroupStatus } from "../adapters/runtime-adapter";
import { Check, CheckContext, Fixture, Observation } from "../check";
import { probesFixture } from "../fixtures/lifecycle";

const STARTER = "starter";
const NEVER = "never-starts";
const LIVE = "live";
const OTHER = "other";

/**
 * Testname: PodGroup, startup probe
 * Description: Until its startupProbe succeeds a member MUST NOT be started nor ready, and its
 * livenessProbe MUST NOT run (a liveness probe that would fail does not restart it); once the
 * startup probe succeeds it MUST be started and ready without a restart. A member whose startup
 * probe keeps failing MUST be restarted (failureThreshold x periodSeconds), never started.
 */
export function startupProbeCheck(fixture: Fixture = probesFixture()): Check {
    return {
        id: "startup-probe",
        fixture,
        spec: {
            testname: "PodGroup, startup probe",
            description: "Until its startupProbe succeeds a member MUST NOT be started nor ready, and its livenessProbe MUST NOT act (one that would fail does not restart it); once the startup probe succeeds the member MUST be started and ready with no restart. A member whose startupProbe keeps failing MUST be killed and restarted after failureThreshold periods, and never be started.",
            references: ["kubernetes test/e2e/common/node/container_probe.go: \"should *not* be restarted by liveness probe because startup probe delays it\", \"should be restarted startup probe fails\", \"should be ready immediately after startupProbe succeeds\""],
        },
        async run(ctx: CheckContext): Promise<Observation> {
            await ctx.waitRunning([STARTER]);
            const waiting = await ctx.watch(`${STARTER} before its startup probe can pass`, 4_000, 400);
            for (const s of waiting) {
                const c = ctx.container(s, STARTER);
                ctx.expect(c.started !== true && c.ready !== true, `${STARTER} reported started=${c.started} ready=${c.ready} before its startup probe passed`);
                ctx.expect(c.restartCount === 0, `${STARTER} was restarted (restartCount ${c.restartCount}) before its startup probe passed: liveness ran too early`);
            }
            await ctx.sh(STARTER, "touch /tmp/started");
            const t0 = Date.now();
            const started = await ctx.waitForStatus(`${STARTER} started and ready`, (s) => {
                const c = s.containers.find((x) => x.name === STARTER);
                return c?.started === true && c.ready === true;
            }, 20_000, 250);
            const startedMs = Date.now() - t0;
            ctx.expect(ctx.container(started, STARTER).restartCount === 0, `${STARTER} was restarted on its way to started`);
            const restarted = await ctx.waitForStatus(`${NEVER} restarted by its failing startup probe`, (s) => {
                const c = s.containers.find((x) => x.name === NEVER);
                return c !== undefined && c.restartCount >= 1;
            }, 45_000, 500);
            const n = ctx.container(restarted, NEVER);
            ctx.expect(n.started !== true && n.ready !== true, `${NEVER} reported started=${n.started} ready=${n.ready} although its startup probe never passed`);
            ctx.expect(n.lastState !== undefined, `${NEVER} was restarted but its status has no lastState (the killed run)`);
            return {
                summary: `${STARTER}: not started, not restarted while its startup probe failed; started and ready ${startedMs} ms after it passed. ` +
                    `${NEVER}: restarted (restartCount ${n.restartCount}, last exit ${n.lastState.exitCode}), never started`,
                measurements: { startedAfterProbeMs: startedMs },
            };
        },
    };
}

/**
 * Testname: PodGroup, liveness probe restarts the member
 * Description: When a member's livenessProbe fails (failureThreshold times), that member MUST be
 * killed and started again (restartCount + 1, the previous run in lastState) in the same group;
 * the other members MUST NOT be restarted.
 */
export function livenessRestartCheck(fixture: Fixture = probesFixture()): Check {
    return {
        id: "liveness-restart",
        fixture,
        disruptive: 1,
        spec: {
            testname: "PodGroup, liveness probe restarts the member",
            description: "When a member's livenessProbe fails failureThreshold times in a row, that member MUST be killed and started again under restartPolicy Always (restartCount + 1, the killed run in lastState), and the other members MUST keep running, not restarted.",
            references: ["kubernetes test/e2e/common/node/container_probe.go: \"should be restarted with a exec \\\"cat /tmp/health\\\" liveness probe [NodeConformance] [Conformance]\""],
        },
        async run(ctx: CheckContext): Promise<Observation> {
            const before = await ctx.waitRunning([LIVE, OTHER]);
            const live0 = ctx.container(before, LIVE);
            const other0 = ctx.container(before, OTHER);
            await ctx.sh(LIVE, "rm -f /tmp/alive");
            const t0 = Date.now();
            const after = await ctx.waitForStatus(`${LIVE} restarted and running`, (s: GroupStatus) => {
                const c = s.containers.find((x) => x.name === LIVE);
                return c !== undefined && c.restartCount > live0.restartCount && c.state === "running";
            }, 40_000, 250);
            const restartMs = Date.now() - t0;
            const live1 = ctx.container(after, LIVE);
            ctx.expect(live1.lastState !== undefined, `${LIVE} was restarted but its status has no lastState`);
            const other1 = ctx.container(after, OTHER);
            ctx.expect(other1.state === "running" && other1.restartCount === other0.restartCount && other1.startedAt?.getTime() === other0.startedAt?.getTime(),
                `${OTHER} was touched: ${other1.state}, restartCount ${other0.restartCount} -> ${other1.restartCount}`);
            const again = await ctx.exec(LIVE, ["test", "-f", "/tmp/alive"]);
            ctx.expect(again.exitCode === 0, `${LIVE} runs again but /tmp/alive is missing: not a fresh run of its command`);
            return {
                summary: `${LIVE} restarted ${restartMs} ms after its probe began failing (restartCount ${live0.restartCount} -> ${live1.restartCount}, last exit ${live1.lastState.exitCode}); ${OTHER} untouched`,
                measurements: { livenessRestartMs: restartMs },
            };
        },
    };
}
