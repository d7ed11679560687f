import { Check, CheckContext, Fixture, Observation } from "../check";
import { sharedPodFixture } from "../fixtures/shared-pod";
import { orderProblems, parseOrderLog, splitRounds } from "./order-log";
import { DEFAULT_SHARE_PROCESS_NAMESPACE } from "../../components/spec";

/**
 * Testname: PodGroup, start order
 * Description: The pause MUST be running before the first init container starts; init
 * containers MUST run one at a time, in spec order, each to completion; members MUST start only
 * after the last init container completed.
 */
export function startOrderCheck(fixture: Fixture = sharedPodFixture()): Check {
    return {
        id: "start-order",
        fixture,
        spec: {
            testname: "PodGroup, start order",
            description: "The pause MUST be running before the first init container starts; init containers MUST run one at a time, in spec order, each to completion (exit 0); members MUST start only after the last init container completed.",
            references: ["kubelet SyncPod (pkg/kubelet/kuberuntime/kuberuntime_manager.go): sandbox, then init containers one by one, then containers", "kubernetes test/e2e/common/node/init_container.go"],
        },
        async run(ctx: CheckContext): Promise<Observation> {
            const inits = (ctx.fixture.spec.initContainers ?? []).map((c) => c.name);
            const members = ctx.fixture.spec.containers.map((c) => c.name);
            const log = await ctx.sh(members[0], "cat /log/order");
            const rounds = splitRounds(parseOrderLog(log), inits[0]);
            ctx.expect(rounds.length >= 1, "the order log is empty");
            const problems = orderProblems(rounds[0], inits, members, ctx.fixture.spec.shareProcessNamespace ?? DEFAULT_SHARE_PROCESS_NAMESPACE);
            ctx.expect(problems.length === 0, problems.join("; "));

            // The runtime's own timestamps must tell the same story.
            const s = await ctx.status("container start/finish times");
            const initStatus = inits.map((n) => ctx.container(s, n));
            for (const c of initStatus) {
                ctx.expect(c.state === "terminated" && c.exitCode === 0, `init container ${c.name} is ${c.state} (exit ${c.exitCode}), not completed`);
            }
            const pause = s.containers.find((c) => c.role === "pause");
            const ms = (d: Date | undefined) => d?.getTime() ?? NaN;
            if (pause !== undefined && initStatus.length > 0) {
                ctx.expect(ms(pause.startedAt) <= ms(initStatus[0].startedAt), `pause started at ${pause.startedAt?.toISOString()}, after ${inits[0]} (${initStatus[0].startedAt?.toISOString()})`);
            }
            for (let i = 1; i < initStatus.length; i++) {
                ctx.expect(ms(initStatus[i - 1].finishedAt) <= ms(initStatus[i].startedAt),
                    `${initStatus[i].name} started (${initStatus[i].startedAt?.toISOString()}) before ${initStatus[i - 1].name} finished (${initStatus[i - 1].finishedAt?.toISOString()})`);
            }
            const lastInit = initStatus[initStatus.length - 1];
            for (const m of members.map((n) => ctx.container(s, n))) {
                if (lastInit !== undefined && m.restartCount === 0) {
                    ctx.expect(ms(lastInit.finishedAt) <= ms(m.startedAt), `${m.name} started (${m.startedAt?.toISOString()}) before ${lastInit.name} finished (${lastInit.finishedAt?.toISOString()})`);
                }
            }
            const r = rounds[0];
            const span = (r[r.length - 1].t - r[0].t).toFixed(2);
            return {
                summary: `${pause !== undefined ? "pause, " : "pause (PID 1 seen by init), "}${inits.join(" -> ")} (each to exit 0), then ${members.join(" + ")}; log spans ${span} s`,
            };
        },
    };
}
