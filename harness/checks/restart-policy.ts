import { RestartPolicy } from "../../components/spec";
import { PodPhase } from "../adapters/runtime-adapter";
import { Check, CheckContext, Fixture, Observation } from "../check";
import { restartPolicyFixture, TERMINATE_CONTAINER } from "../fixtures/restart-policy-pod";

/** The table of Kubernetes' conformance test "Container Runtime, Restart Policy, Pod Phases". */
export const RESTART_POLICY_TABLE: Record<RestartPolicy, { restartCount: number; phase: PodPhase; state: "running" | "terminated" }> = {
    Always: { restartCount: 2, phase: "Running", state: "running" },
    OnFailure: { restartCount: 1, phase: "Succeeded", state: "terminated" },
    Never: { restartCount: 0, phase: "Failed", state: "terminated" },
};

/** Kubernetes' back-off is 10 s then 20 s: Always needs about 30 s on a cluster. */
export const RESTART_POLICY_TIMEOUT_MS = 120_000;

/**
 * Testname: PodGroup, restart policy and phases (one row per policy)
 * Description: A container that fails on its first run, succeeds on its second and then keeps
 * running MUST end, under Always, with restartCount 2, running, phase Running; under OnFailure
 * with restartCount 1, terminated, phase Succeeded; under Never with restartCount 0, terminated,
 * phase Failed.
 */
export function restartPolicyCheck(policy: RestartPolicy, fixture: Fixture = restartPolicyFixture(policy)): Check {
    const want = RESTART_POLICY_TABLE[policy];
    return {
        id: `restart-policy-${policy.toLowerCase()}`,
        fixture,
        spec: {
            testname: `PodGroup, restart policy ${policy}, pod phases`,
            description: `A container that fails on its first run, succeeds on its second and then keeps running MUST, under restartPolicy ${policy}, reach restartCount ${want.restartCount}, state ${want.state} and phase ${want.phase}, and stay there.`,
            references: ["kubernetes test/e2e/common/node/runtime.go, conformance \"Container Runtime, Restart Policy, Pod Phases\" (should run with the expected status)"],
        },
        async run(ctx: CheckContext): Promise<Observation> {
            const matches = (s: Awaited<ReturnType<CheckContext["status"]>>) => {
                const c = s.containers.find((x) => x.name === TERMINATE_CONTAINER);
                return c !== undefined && c.restartCount === want.restartCount && c.state === want.state && s.phase === want.phase;
            };
            let reached;
            try {
                reached = await ctx.waitForStatus(`restartCount ${want.restartCount}, ${want.state}, phase ${want.phase}`, matches,
                    RESTART_POLICY_TIMEOUT_MS, 500);
            } catch {
                const s = await ctx.status("final state");
                const c = s.containers.find((x) => x.name === TERMINATE_CONTAINER);
                ctx.expect(false, `expected restartCount ${want.restartCount}, ${want.state}, phase ${want.phase}; ` +
                    `saw restartCount ${c?.restartCount}, ${c?.state} (exit ${c?.exitCode}), phase ${s.phase}`);
            }
            const t0 = Date.now();
            // It must stay there: one more look after the next restart would have happened (Docker's first back-off is 100 ms).
            const again = await ctx.waitForStatus("state held for 3 s", () => Date.now() - t0 >= 3000, 10_000, 1000);
            const c2 = again.containers.find((x) => x.name === TERMINATE_CONTAINER);
            ctx.expect(matches(again), `the state did not hold: 3 s later restartCount ${c2?.restartCount}, ${c2?.state} (exit ${c2?.exitCode}), phase ${again.phase}`);
            const c = ctx.container(reached, TERMINATE_CONTAINER);
            return { summary: `restartCount ${c.restartCount}, ${c.state}${c.exitCode !== undefined ? ` (last exit ${c.exitCode})` : ""}, phase ${reached.phase}` };
        },
    };
}
