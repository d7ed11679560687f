import { Check, CheckContext, Fixture, Observation } from "../check";
import { CLIENT_SLEEP, sharedPodFixture } from "../fixtures/shared-pod";

/**
 * Testname: PodGroup, PID namespace shared
 * Description: With shareProcessNamespace true, PID 1 in every member MUST be the pause process
 * (`/pause`), and every member MUST see the other members' processes under the same PIDs.
 */
export function pidSharedCheck(fixture: Fixture = sharedPodFixture()): Check {
    return {
        id: "pid-shared",
        fixture,
        spec: {
            testname: "PodGroup, PID namespace shared",
            description: "With shareProcessNamespace true, PID 1 in every member MUST be the pause process (/pause), and every member MUST see the other members' processes under the same PIDs.",
            references: ["kubernetes test/e2e_node/security_context_test.go \"Container PID namespace sharing\"", "KEP-1145 shareProcessNamespace"],
        },
        async run(ctx: CheckContext): Promise<Observation> {
            const web = await ctx.processes("web");
            const client = await ctx.processes("client");
            const pid1 = (ps: typeof web) => ps.find((p) => p.pid === 1)?.args ?? "(none)";
            ctx.expect(pid1(web).startsWith("/pause") && pid1(client).startsWith("/pause"),
                `PID 1 is not the pause: web sees "${pid1(web)}", client sees "${pid1(client)}"`);
            const httpdInWeb = web.find((p) => p.args.startsWith("httpd"));
            const httpdInClient = client.find((p) => p.args.startsWith("httpd"));
            const sleepInWeb = web.find((p) => p.args === CLIENT_SLEEP);
            const sleepInClient = client.find((p) => p.args === CLIENT_SLEEP);
            ctx.expect(httpdInClient !== undefined, "client does not see web's httpd");
            ctx.expect(sleepInWeb !== undefined, `web does not see client's "${CLIENT_SLEEP}"`);
            ctx.expect(httpdInWeb?.pid === httpdInClient.pid && sleepInWeb.pid === sleepInClient?.pid,
                `PIDs differ between members: httpd ${httpdInWeb?.pid}/${httpdInClient.pid}, sleep ${sleepInWeb.pid}/${sleepInClient?.pid}`);
            return { summary: `PID 1 = ${pid1(web)} in both; httpd pid ${httpdInClient.pid} and sleep pid ${sleepInWeb.pid} seen by both members` };
        },
    };
}
