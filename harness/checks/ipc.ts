import { randomBytes } from "crypto";
import { Check, CheckContext, Fixture, Observation } from "../check";
import { sharedPodFixture } from "../fixtures/shared-pod";

/**
 * Testname: PodGroup, shared IPC namespace
 * Description: A file written to /dev/shm (POSIX shared memory) by one member MUST be readable
 * by another member, and both MUST be in the same IPC namespace.
 */
export function ipcCheck(fixture: Fixture = sharedPodFixture()): Check {
    return {
        id: "ipc",
        fixture,
        spec: {
            testname: "PodGroup, shared IPC namespace",
            description: "A file written to /dev/shm by one member MUST be readable by another member, and both MUST be in the same IPC namespace.",
            references: ["kubernetes docs: Pods (containers in a Pod share IPC: SystemV semaphores and POSIX shared memory)", "podman test/system/200-pod.bats (/dev/shm shared in a pod)"],
        },
        async run(ctx: CheckContext): Promise<Observation> {
            const token = randomBytes(6).toString("hex");
            const file = `/dev/shm/conformance-${token}`;
            await ctx.sh("web", `echo ${token} > ${file}`);
            try {
                const read = await ctx.exec("client", ["cat", file]);
                ctx.expect(read.exitCode === 0 && read.stdout.trim() === token,
                    `client cannot read ${file} written by web (exit ${read.exitCode}: ${read.stderr.trim() || read.stdout.trim()})`);
                const ns = { web: await ctx.sh("web", "readlink /proc/self/ns/ipc"), client: await ctx.sh("client", "readlink /proc/self/ns/ipc") };
                ctx.expect(ns.web === ns.client, `IPC namespaces differ: web ${ns.web}, client ${ns.client}`);
                return { summary: `${file} written by web, read by client; both in ${ns.web}` };
            } finally {
                await ctx.exec("web", ["rm", "-f", file]);
            }
        },
    };
}
