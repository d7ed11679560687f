import { Check, CheckContext, Fixture, Observation } from "../check";
import { sharedPodFixture } from "../fixtures/shared-pod";

/** Time limit for the killed member to come back (Kubernetes' first back-off is 10 s). */
export const MEMBER_RESTART_TIMEOUT_MS = 60_000;

/**
 * Testname: PodGroup, member death
 * Description: When one member is killed, the pause and the other members MUST keep running in
 * the same namespaces (not restarted); the killed member MUST be started again when the restart
 * policy is Always (or OnFailure, as SIGKILL is a failure) and MUST NOT be under Never.
 */
export function memberDeathCheck(fixture: Fixture = sharedPodFixture(), victim = "client", survivor = "web"): Check {
    return {
        id: "member-death",
        fixture,
        disruptive: 1,
        spec: {
            testname: "PodGroup, member death",
            description: "When one member is killed (SIGKILL), the pause and the other members MUST keep running in the same namespaces, not restarted; the killed member MUST be started again under restartPolicy Always or OnFailure, and MUST NOT be under Never.",
            references: ["kubelet computePodActions: a dead container is restarted per restartPolicy without touching the sandbox (TestComputePodActions)"],
        },
        async run(ctx: CheckContext): Promise<Observation> {
            const policy = ctx.fixture.spec.restartPolicy ?? "Always";
            const netBefore = await ctx.sh(survivor, "readlink /proc/self/ns/net");
            const before = await ctx.status("before the kill");
            const victimBefore = ctx.container(before, victim);
            const survivorBefore = ctx.container(before, survivor);
            ctx.expect(victimBefore.state === "running" && survivorBefore.state === "running", "members are not both running before the kill");

            await ctx.kill(victim);
            const restarts = policy !== "Never";
            let after;
            if (restarts) {
                after = await ctx.waitForStatus(`${victim} runs again (restartCount > ${victimBefore.restartCount})`, (s) => {
                    const v = s.containers.find((c) => c.name === victim);
                    return v !== undefined && v.state === "running" && v.restartCount > victimBefore.restartCount;
                }, MEMBER_RESTART_TIMEOUT_MS);
            } else {
                after = await ctx.waitForStatus(`${victim} is terminated`, (s) => s.containers.find((c) => c.name === victim)?.state === "terminated", 30_000);
            }
            const survivorAfter = ctx.container(after, survivor);
            ctx.expect(survivorAfter.state === "running" && survivorAfter.restartCount === survivorBefore.restartCount &&
                survivorAfter.startedAt?.getTime() === survivorBefore.startedAt?.getTime(),
            `${survivor} did not keep running: ${survivorAfter.state}, restarts ${survivorBefore.restartCount} -> ${survivorAfter.restartCount}`);
            const pauseBefore = before.containers.find((c) => c.role === "pause");
            const pauseAfter = after.containers.find((c) => c.role === "pause");
            if (pauseBefore !== undefined) {
                ctx.expect(pauseAfter?.state === "running" && pauseAfter.startedAt?.getTime() === pauseBefore.startedAt?.getTime(),
                    `the pause did not keep running: ${pauseAfter?.state}, started ${pauseBefore.startedAt?.toISOString()} -> ${pauseAfter?.startedAt?.toISOString()}`);
            }
            const netAfter = await ctx.sh(survivor, "readlink /proc/self/ns/net");
            ctx.expect(netAfter === netBefore, `the network namespace changed: ${netBefore} -> ${netAfter}`);
            const v = ctx.container(after, victim);
            if (restarts) {
                const netVictim = await ctx.sh(victim, "readlink /proc/self/ns/net");
                ctx.expect(netVictim === netBefore, `${victim} came back in another network namespace (${netVictim}, group's is ${netBefore})`);
            } else {
                ctx.expect(v.restartCount === victimBefore.restartCount, `${victim} was restarted under Never`);
            }
            return {
                summary: `${victim} killed: ${restarts ? `back running (restartCount ${victimBefore.restartCount} -> ${v.restartCount}) in the same namespace` : "stays terminated"}; ` +
                    `${pauseBefore !== undefined ? "pause and " : ""}${survivor} kept running in ${netBefore}`,
            };
        },
    };
}
