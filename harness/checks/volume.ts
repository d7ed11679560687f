import { randomBytes } from "crypto";
import { Check, CheckContext, Fixture, Observation } from "../check";
import { sharedPodFixture } from "../fixtures/shared-pod";

/**
 * Testname: PodGroup, shared emptyDir volume
 * Description: A file written by one member to an emptyDir volume MUST be readable by another
 * member that mounts the same volume.
 */
export function volumeCheck(fixture: Fixture = sharedPodFixture()): Check {
    return {
        id: "volume",
        fixture,
        spec: {
            testname: "PodGroup, shared emptyDir volume",
            description: "A file written by one member to an emptyDir volume MUST be readable by another member that mounts the same volume.",
            references: ["kubernetes test/e2e/common/storage/empty_dir.go \"pod should support shared volumes between containers\""],
        },
        async run(ctx: CheckContext): Promise<Observation> {
            const token = randomBytes(6).toString("hex");
            const file = `/data/conformance-${token}`;
            await ctx.sh("client", `echo ${token} > ${file}`);
            try {
                const read = await ctx.exec("web", ["cat", file]);
                ctx.expect(read.exitCode === 0 && read.stdout.trim() === token,
                    `web cannot read ${file} written by client (exit ${read.exitCode}: ${read.stderr.trim() || read.stdout.trim()})`);
                return { summary: `${file} written by client, read by web` };
            } finally {
                await ctx.exec("client", ["rm", "-f", file]);
            }
        },
    };
}
