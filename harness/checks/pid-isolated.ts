import { Check, CheckContext, Fixture, Observation } from "../check";
import { ISOLATED_SLEEPS, isolatedPodFixture } from "../fixtures/isolated-pod";

/**
 * Testname: PodGroup, PID namespace isolated
 * Description: With shareProcessNamespace false, each member's own main process MUST be its
 * PID 1, and no member MUST see another member's processes (nor the pause).
 */
export function pidIsolatedCheck(fixture: Fixture = isolatedPodFixture()): Check {
    return {
        id: "pid-isolated",
        fixture,
        spec: {
            testname: "PodGroup, PID namespace isolated",
            description: "With shareProcessNamespace false, each member's own main process MUST be its PID 1, and a member MUST NOT see another member's processes nor the pause.",
            references: ["kubernetes test/e2e_node/security_context_test.go \"should show its pid in the non-hostpid containers\" (pidof returns 1 with isolation)"],
        },
        async run(ctx: CheckContext): Promise<Observation> {
            const seen: string[] = [];
            for (const [name, own] of Object.entries(ISOLATED_SLEEPS)) {
                const ps = await ctx.processes(name);
                const pid1 = ps.find((p) => p.pid === 1)?.args ?? "(none)";
                ctx.expect(pid1 === own, `in ${name}, PID 1 is "${pid1}", not its own "${own}"`);
                const foreign = ps.filter((p) => p.args.startsWith("/pause") || Object.entries(ISOLATED_SLEEPS).some(([n, s]) => n !== name && p.args === s));
                ctx.expect(foreign.length === 0, `${name} sees processes of others: ${foreign.map((p) => `${p.pid} ${p.args}`).join("; ")}`);
                seen.push(`${name}: PID 1 = ${pid1}, ${ps.length} processes`);
            }
            return { summary: seen.join("; ") };
        },
    };
}
