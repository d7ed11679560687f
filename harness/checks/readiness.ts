/** Readiness and emptyDir checks on the `readiness` fixture (harness/fixtures/lifecycle.ts). */
import { conditionStatus, GroupStatus } from "../adapters/runtime-adapter";
import { Check, CheckContext, Fixture, Observation } from "../check";
import { NON_ROOT_UID, READINESS_DELAY_SECONDS, readinessFixture } from "../fixtures/lifecycle";

const PROBED = "probed";
/** Slack for "Ready after the delay": one probe period, the status sync, and the poll. */
const READY_SLACK_MS = 5_000;

function probedReady(s: GroupStatus): boolean {
    const c = s.containers.find((x) => x.name === PROBED);
    return c?.state === "running" && c.ready === true && conditionStatus(s, "Ready") === "True";
}

/**
 * Testname: PodGroup, readiness probe initial delay
 * Description: A member with a readiness probe MUST NOT be ready, nor the group's Ready and
 * ContainersReady conditions True, before initialDelaySeconds have passed since it started; once
 * the delay has passed and the probe succeeds it MUST become ready and the group Ready.
 */
export function readinessTimingCheck(fixture: Fixture = readinessFixture()): Check {
    const delaySeconds = fixture.spec.containers.find((c) => c.name === PROBED)?.readinessProbe?.initialDelaySeconds ?? READINESS_DELAY_SECONDS;
    return {
        id: "readiness-timing",
        fixture,
        spec: {
            testname: "PodGroup, readiness probe initial delay",
            description: `A member whose readiness probe succeeds MUST NOT be ready (nor the group's ContainersReady/Ready conditions True) before initialDelaySeconds (${delaySeconds} s) after it started, and MUST be ready, with the group Ready, within one period and the status sync after that.`,
            references: ["kubernetes test/e2e/common/node/container_probe.go: \"with readiness probe should not be ready before initial delay and never restart [NodeConformance] [Conformance]\"",
                "pkg/kubelet/prober/worker.go (nothing runs before startedAt + initialDelaySeconds; readiness starts at Failure)"],
        },
        async run(ctx: CheckContext): Promise<Observation> {
            const running = await ctx.waitRunning([PROBED], 200);
            const startedAt = ctx.container(running, PROBED).startedAt;
            ctx.expect(startedAt !== undefined, `${PROBED} is running but the runtime gives no start time`);
            const notBefore = startedAt.getTime() + delaySeconds * 1000;
            let earlyReads = 0;
            let early: string | undefined;
            const ready = await ctx.waitForStatus(`${PROBED} ready and the group Ready`, (s) => {
                const c = s.containers.find((x) => x.name === PROBED);
                if (s.observedAt.getTime() < notBefore - 500) {
                    earlyReads++;
                    if (c?.ready === true || conditionStatus(s, "ContainersReady") === "True" || conditionStatus(s, "Ready") === "True") {
                        early = `${PROBED} ready before its initialDelaySeconds: ${s.observedAt.getTime() - startedAt.getTime()} ms after it started, ` +
                            `ready=${c?.ready}, ContainersReady=${conditionStatus(s, "ContainersReady")}, Ready=${conditionStatus(s, "Ready")}`;
                        return true;
                    }
                }
                return probedReady(s);
            }, delaySeconds * 1000 + 20_000, 200).catch(() => undefined);
            ctx.expect(early === undefined, early ?? "");
            ctx.expect(earlyReads > 0, `no status was read before ${delaySeconds} s after ${PROBED} started (the check began too late to see the delay)`);
            ctx.expect(ready !== undefined, `${PROBED} did not become ready (with the group Ready) after its initial delay`);
            const readyAfterMs = ready.observedAt.getTime() - startedAt.getTime();
            ctx.expect(readyAfterMs <= delaySeconds * 1000 + READY_SLACK_MS,
                `${PROBED} became ready ${readyAfterMs} ms after it started: later than the delay (${delaySeconds} s) + ${READY_SLACK_MS} ms`);
            return {
                summary: `not ready in ${earlyReads} reads before ${delaySeconds} s; ready (group Ready) ${readyAfterMs} ms after start`,
                measurements: { readyAfterMs },
            };
        },
    };
}

/**
 * Testname: PodGroup, failing readiness probe does not restart
 * Description: When a running member's readiness probe starts failing, the member MUST become
 * not ready and the group's Ready condition False, and it MUST NOT be restarted; when the probe
 * succeeds again it MUST be ready again.
 */
export function readinessNoRestartCheck(fixture: Fixture = readinessFixture()): Check {
    return {
        id: "readiness-no-restart",
        fixture,
        disruptive: 1,
        spec: {
            testname: "PodGroup, failing readiness probe does not restart",
            description: "When a ready member's readiness probe fails, the member MUST become not ready and the group's Ready condition False, MUST keep running with the same restartCount (readiness never restarts), and MUST be ready again once the probe succeeds.",
            references: ["kubernetes test/e2e/common/node/container_probe.go: \"with readiness probe that fails should never be ready and never restart [NodeConformance] [Conformance]\""],
        },
        async run(ctx: CheckContext): Promise<Observation> {
            const before = await ctx.waitForStatus(`${PROBED} ready`, probedReady, 60_000, 250);
            const b = ctx.container(before, PROBED);
            await ctx.sh(PROBED, "rm -f /tmp/ready");
            const t0 = Date.now();
            const unready = await ctx.waitForStatus(`${PROBED} not ready and the group not Ready`, (s) =>
                s.containers.find((c) => c.name === PROBED)?.ready === false && conditionStatus(s, "Ready") === "False", 30_000, 250);
            const unreadyMs = Date.now() - t0;
            // Long enough for a liveness kill and restart to show (kubelet: up to ~7 s with a 2 s grace).
            const held = await ctx.watch(`${PROBED} while its probe fails`, 8_000, 500);
            for (const s of [unready, ...held]) {
                const c = ctx.container(s, PROBED);
                ctx.expect(c.state === "running" && c.restartCount === b.restartCount && c.startedAt?.getTime() === b.startedAt?.getTime(),
                    `${PROBED} was restarted or stopped by a failing readiness probe: ${c.state}, restartCount ${b.restartCount} -> ${c.restartCount}`);
                ctx.expect(c.ready !== true, `${PROBED} reported ready while its readiness probe failed`);
            }
            await ctx.sh(PROBED, "touch /tmp/ready");
            const again = await ctx.waitForStatus(`${PROBED} ready again`, probedReady, 30_000, 250);
            return {
                summary: `probe failing: not ready (group Ready=False) after ${unreadyMs} ms, kept running, restartCount ${ctx.container(again, PROBED).restartCount}; ready again once it passed`,
                measurements: { unreadyMs },
            };
        },
    };
}

/**
 * Testname: PodGroup, emptyDir permissions
 * Description: A default-medium emptyDir MUST be a directory of mode 0777, a Memory one of mode
 * 1777 (as kubelet's tmpfs), so that a member running as a non-root user can create files in them.
 */
export function emptyDirPermissionsCheck(fixture: Fixture = readinessFixture(), writer = "writer"): Check {
    return {
        id: "emptydir-permissions",
        fixture,
        spec: {
            testname: "PodGroup, emptyDir permissions",
            description: `A default-medium emptyDir MUST be a directory of mode 0777 and a Memory one a tmpfs of mode 1777 (what kubelet gives on the cluster), and a member running as a non-root user (uid ${NON_ROOT_UID}) MUST be able to create a file in each.`,
            references: ["kubernetes test/e2e/common/storage/empty_dir.go: \"volume on default medium should have the correct mode\", \"volume on tmpfs should have the correct mode\", \"should support (non-root,0777,default)\", \"should support (non-root,0777,tmpfs)\" [NodeConformance] [Conformance]"],
        },
        async run(ctx: CheckContext): Promise<Observation> {
            await ctx.waitRunning([writer]);
            const uid = await ctx.sh(writer, "id -u");
            ctx.expect(uid === String(NON_ROOT_UID), `${writer} runs as uid ${uid}, not ${NON_ROOT_UID}: the fixture does not test a non-root member`);
            const found: string[] = [];
            for (const [dir, want] of [["/work", "777"], ["/mem", "1777"]]) {
                const mode = await ctx.sh(writer, `stat -c '%a' ${dir}`);
                const write = await ctx.exec(writer, ["sh", "-c", `echo x > ${dir}/by-uid-${NON_ROOT_UID} && echo written`]);
                found.push(`${dir}: mode ${mode}, write as uid ${uid} ${write.exitCode === 0 ? "ok" : `failed (${write.stderr.trim()})`}`);
                ctx.expect(mode === want, `${dir} has mode ${mode}, not ${want} (${found.join("; ")})`);
                ctx.expect(write.exitCode === 0, `uid ${uid} cannot write into ${dir}: ${write.stderr.trim()}`);
            }
            return { summary: found.join("; ") };
        },
    };
}
