/** Native sidecars: sidecar-start-order and sidecar-restart on the `sidecar` fixture (harness/fixtures/lifecycle.ts). */
import { conditionStatus } from "../adapters/runtime-adapter";
import { Check, CheckContext, Fixture, Observation } from "../check";
import { sidecarFixture } from "../fixtures/lifecycle";
import { parseOrderLog } from "./order-log";

const SIDE = "side";
const APP = "app";

/**
 * Testname: PodGroup, native sidecar start order
 * Description: A native sidecar (an init container with restartPolicy Always) MUST start after
 * the init containers before it completed, and MUST be running before the next init container
 * starts; the members start after the last init container completed, and the sidecar MUST keep
 * running alongside them.
 */
export function sidecarStartOrderCheck(fixture: Fixture = sidecarFixture()): Check {
    return {
        id: "sidecar-start-order",
        fixture,
        spec: {
            testname: "PodGroup, native sidecar start order",
            description: "With init containers init-a, side (restartPolicy Always) and init-b: side MUST start after init-a completed and before init-b starts, init-b MUST complete before the member starts, and side MUST keep running alongside the member (reported as a started init container, the group Initialized).",
            references: ["kubernetes test/e2e_node/containers_lifecycle_test.go, restartable init containers: \"should launch restartable init containers before regular containers\", \"should run both restartable init containers and third init container together\"",
                "pkg/kubelet/kuberuntime/kuberuntime_container.go computeInitContainerActions"],
        },
        async run(ctx: CheckContext): Promise<Observation> {
            const s = await ctx.waitRunning([APP]);
            const entries = parseOrderLog(await ctx.sh(APP, "cat /log/order"));
            const at = (who: string, what: string) => entries.find((e) => e.who === who && e.what === what)?.t;
            const t = { aEnd: at("init-a", "end"), side: at(SIDE, "start"), bStart: at("init-b", "start"), bEnd: at("init-b", "end"), app: at(APP, "start") };
            ctx.expect(Object.values(t).every((v) => v !== undefined), `the order log misses steps: ${JSON.stringify(t)}`);
            ctx.expect(t.aEnd! <= t.side!, `${SIDE} started (${t.side}) before init-a completed (${t.aEnd})`);
            ctx.expect(t.side! <= t.bStart!, `init-b started (${t.bStart}) before ${SIDE} (${t.side})`);
            ctx.expect(t.bEnd! <= t.app!, `${APP} started (${t.app}) before init-b completed (${t.bEnd})`);
            const side = ctx.container(s, SIDE);
            ctx.expect(side.role === "init" && side.sidecar === true, `${SIDE} is not reported as a native sidecar (role ${side.role}, sidecar ${side.sidecar})`);
            ctx.expect(side.state === "running" && side.restartCount === 0, `${SIDE} does not keep running alongside ${APP}: ${side.state}, restartCount ${side.restartCount}`);
            const initialized = conditionStatus(s, "Initialized");
            ctx.expect(initialized === "True", `Initialized is ${initialized} with the sidecar started and every other init container completed`);
            return { summary: `init-a end ${t.aEnd} <= side start ${t.side} <= init-b start ${t.bStart}; init-b end ${t.bEnd} <= app start ${t.app}; side running alongside app` };
        },
    };
}

/**
 * Testname: PodGroup, native sidecar restart and completion
 * Description: A native sidecar that dies MUST be restarted even when the group's restartPolicy
 * is Never, without touching the members; when every member has completed, the group MUST be
 * Succeeded and the sidecar stopped.
 */
export function sidecarRestartCheck(fixture: Fixture = sidecarFixture()): Check {
    return {
        id: "sidecar-restart",
        fixture,
        disruptive: 1,
        spec: {
            testname: "PodGroup, native sidecar restart and completion",
            description: "Under restartPolicy Never, a killed native sidecar MUST be started again (restartCount + 1) while the member keeps running; once the member exits 0 the group MUST be Succeeded and the sidecar MUST be stopped (terminated), not restarted again.",
            references: ["kubernetes test/e2e_node/containers_lifecycle_test.go, restartable init containers: \"should restart a restartable init container even if the pod has restartPolicy Never\" (\"when a restartable init container exits\"), \"should terminate sidecars ... after all main containers have exited\"",
                "KEP-753; pkg/kubelet/kubelet_pods.go getPhase (sidecars do not count)"],
        },
        async run(ctx: CheckContext): Promise<Observation> {
            const before = await ctx.waitRunning([SIDE, APP]);
            const side0 = ctx.container(before, SIDE);
            const app0 = ctx.container(before, APP);
            await ctx.kill(SIDE);
            const t0 = Date.now();
            const back = await ctx.waitForStatus(`${SIDE} running again`, (s) => {
                const c = s.containers.find((x) => x.name === SIDE);
                return c !== undefined && c.state === "running" && c.restartCount > side0.restartCount;
            }, 40_000, 250);
            const restartMs = Date.now() - t0;
            const app1 = ctx.container(back, APP);
            ctx.expect(app1.state === "running" && app1.restartCount === app0.restartCount, `${APP} was touched by the sidecar's restart: ${app1.state}, restartCount ${app1.restartCount}`);
            await ctx.sh(APP, "touch /log/done");
            const done = await ctx.waitForStatus("phase Succeeded with the sidecar stopped", (s) =>
                s.phase === "Succeeded" && s.containers.find((c) => c.name === SIDE)?.state === "terminated", 60_000, 250).catch(() => undefined);
            if (done === undefined) {
                const s = await ctx.status("state when giving up");
                const side = s.containers.find((c) => c.name === SIDE);
                const app = s.containers.find((c) => c.name === APP);
                ctx.expect(false, `after ${APP} completed: phase ${s.phase}, ${SIDE} ${side?.state}, ${APP} ${app?.state} exit ${app?.exitCode}`);
            }
            const app2 = ctx.container(done, APP);
            ctx.expect(app2.exitCode === 0 && app2.restartCount === 0, `${APP}: exit ${app2.exitCode}, restartCount ${app2.restartCount}`);
            const held = await ctx.watch("the completed group", 3_000, 500);
            for (const s of held) {
                ctx.expect(s.phase === "Succeeded" && s.containers.find((c) => c.name === SIDE)?.state !== "running", `the sidecar was started again after the group completed (phase ${s.phase})`);
            }
            return {
                summary: `killed sidecar back in ${restartMs} ms under Never (restartCount ${ctx.container(back, SIDE).restartCount}), ${APP} untouched; after ${APP} exited 0: Succeeded, sidecar stopped`,
                measurements: { sidecarRestartMs: restartMs },
            };
        },
    };
}
