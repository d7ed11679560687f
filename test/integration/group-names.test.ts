/**
 * Group names through the Automation API, as a long-lived process uses it: inline programs run
 * in this process, one after the other and at once. Each program run takes its own group names:
 * two stacks may each have a group called "twin"; one program may not have two. Previews only:
 * nothing is created.
 */
import * as pulumi from "@pulumi/pulumi";
import { LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import { PodGroup, sampleGroupSpec } from "../../components";
import { cliEnv } from "../../harness/deploy/pulumi-deployer";
import { uniqueStackName } from "./throwaway-stack";

const PROJECT = "podgroup-group-names";

/** An inline program declaring one plain Docker group called "twin" per resource name. */
function twins(...resourceNames: string[]): () => Promise<Record<string, unknown>> {
    return async () => {
        for (const name of resourceNames) {
            const spec = sampleGroupSpec();
            new PodGroup(name, { backend: "docker", groupName: "twin", spec, docker: { supervise: false } });
        }
        return {};
    };
}

async function previewOf(stack: Stack): Promise<{ output: string; error?: Error }> {
    let output = "";
    try {
        await stack.preview({ onOutput: (s) => { output += s; }, color: "never" });
        return { output };
    } catch (e) {
        return { output, error: e as Error };
    }
}

const stacks: Stack[] = [];

async function inlineStack(prefix: string, program: () => Promise<Record<string, unknown>>): Promise<Stack> {
    const stack = await LocalWorkspace.createOrSelectStack(
        { projectName: PROJECT, stackName: uniqueStackName(prefix), program }, { envVars: cliEnv(undefined) });
    stacks.push(stack);
    return stack;
}

afterAll(async () => {
    for (const stack of stacks) await stack.workspace.removeStack(stack.name).catch(() => undefined);
});

test("two inline programs in one process each have a group of one name, one after the other and at once", async () => {
    const first = await inlineStack("it-twin-a", twins("twin-in-a"));
    const second = await inlineStack("it-twin-b", twins("twin-in-b"));
    for (const stack of [first, second]) {
        const { output, error } = await previewOf(stack);
        expect([stack.name, error?.message]).toEqual([stack.name, undefined]);
        expect(output).toMatch(/\+ \d+ to create/);
    }
    const atOnce = await Promise.all([previewOf(first), previewOf(second)]);
    expect(atOnce.map((r) => r.error?.message)).toEqual([undefined, undefined]);
}, 600_000);

test("one inline program with two groups of one name is refused, naming the first", async () => {
    // The program reports the error it gets (a program that throws would fail the preview as well,
    // but its rejected promises would also reach jest, which runs the language server).
    const program = async () => {
        await twins("twin-first")();
        try {
            await twins("twin-second")();
        } catch (e) {
            await pulumi.log.warn(`refused: ${(e as Error).message}`);
        }
        return {};
    };
    const { output, error } = await previewOf(await inlineStack("it-twin-twice", program));
    expect(error).toBeUndefined();
    expect(output).toMatch(new RegExp('refused: PodGroup "twin": the spec has 1 problem, nothing was created:\\s+'
        + '- groupName: group name "twin" is already used by the PodGroup "twin-first" of this program on docker'));
}, 300_000);
