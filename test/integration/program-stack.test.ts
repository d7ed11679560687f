/**
 * The repository's program as a new user meets it through the Pulumi CLI and the project's own
 * language host: a stack with no config at all, the outputs each backend exports, and the command
 * named when the kubernetes provider plugin has not been built. Previews only: nothing is created.
 */
import { LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { REPO_ROOT, uniqueStackName } from "./throwaway-stack";

async function preview(stackName: string, config: Record<string, string>, envVars?: Record<string, string>): Promise<{ stack: Stack; output: string; error?: Error }> {
    const stack = await LocalWorkspace.createOrSelectStack({ stackName, workDir: REPO_ROOT }, envVars ? { envVars } : {});
    await stack.setAllConfig(Object.fromEntries(Object.entries(config).map(([k, v]) => [k, { value: v }])));
    let output = "";
    try {
        await stack.preview({ onOutput: (s) => { output += s; }, color: "never", diff: true });
        return { stack, output };
    } catch (e) {
        return { stack, output, error: e as Error };
    }
}

async function remove(stack: Stack): Promise<void> {
    await stack.workspace.removeStack(stack.name);
    fs.rmSync(path.join(REPO_ROOT, "stacks", `Pulumi.${stack.name}.yaml`), { force: true });
}

test("a stack with no config at all previews the sample group on Docker (supervised: a lifecycle resource), with no warning", async () => {
    const { stack, output, error } = await preview(uniqueStackName("it-noconfig"), {});
    try {
        expect(error).toBeUndefined();
        expect(output).toMatch(/\+ 6 to create/);
        expect(output).not.toMatch(/warning|Undefined value/i);
        expect(output).toMatch(/pauseId/);
        expect(output).not.toMatch(/podName|supervisorContainer/);
    } finally {
        await remove(stack);
    }
}, 300_000);

test("the kubernetes stack names the set-up command when its provider plugin is not installed", async () => {
    const emptyHome = fs.mkdtempSync(path.join(os.tmpdir(), "podgroup-empty-pulumi-home-"));
    const { stack, error } = await preview(uniqueStackName("it-noplugin"), { "podgroup:backend": "kubernetes" },
        { PULUMI_HOME: emptyHome });
    try {
        expect(error?.message).toMatch(/kubernetes provider plugin \S+ is not installed in .*run 'bash scripts\/setup.sh --kubernetes'/);
    } finally {
        await remove(stack);
        fs.rmSync(emptyHome, { recursive: true, force: true });
    }
}, 300_000);
