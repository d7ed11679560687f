import { Check, CheckContext, Fixture, Observation } from "../check";
import { SHARED_HOSTNAME, sharedPodFixture, WEB_BODY, WEB_PORT } from "../fixtures/shared-pod";

/**
 * Testname: PodGroup, shared network and hostname
 * Description: A member MUST reach a server of another member on localhost, and every member
 * MUST report the same hostname, the one the spec sets.
 */
export function networkCheck(fixture: Fixture = sharedPodFixture()): Check {
    return {
        id: "network",
        fixture,
        spec: {
            testname: "PodGroup, shared network and hostname",
            description: "A member MUST reach a server of another member on localhost, and every member MUST report the same hostname, the one the spec sets (UTS namespace shared).",
            references: ["kubernetes docs: Pods - Networking inside a Pod (containers share the network namespace and communicate over localhost)", "podman test/e2e/pod_create_test.go (curl localhost)"],
        },
        async run(ctx: CheckContext): Promise<Observation> {
            // busybox nc rather than wget: Debian's static busybox wget crashes (SIGSEGV) in the toolbox image.
            const response = await ctx.sh("client", `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 5 localhost ${WEB_PORT}`);
            const body = response.split("\n").map((l) => l.trim()).filter((l) => l !== "").pop() ?? "";
            ctx.expect(body === WEB_BODY, `client got "${body}" from localhost:${WEB_PORT}, expected "${WEB_BODY}"`);
            const names = { web: await ctx.sh("web", "hostname"), client: await ctx.sh("client", "hostname") };
            const expected = ctx.fixture.spec.hostname ?? SHARED_HOSTNAME;
            ctx.expect(names.web === names.client, `hostnames differ: web "${names.web}", client "${names.client}"`);
            ctx.expect(names.web === expected, `hostname is "${names.web}", the spec sets "${expected}"`);
            // Recorded, not asserted: Docker copies the hostname into each member's own UTS namespace,
            // Kubernetes shares the sandbox's (only `sethostname` at run time would tell them apart).
            const uts = { web: await ctx.sh("web", "readlink /proc/self/ns/uts"), client: await ctx.sh("client", "readlink /proc/self/ns/uts") };
            ctx.note("UTS namespaces (recorded, not asserted)", `web ${uts.web}, client ${uts.client}: ${uts.web === uts.client ? "one shared" : "one each"}`);
            return { summary: `client GET http://localhost:${WEB_PORT}/ -> "${body}"; hostname "${names.web}" in both; UTS namespace ${uts.web === uts.client ? "shared" : "one per member (hostname copied)"}` };
        },
    };
}
