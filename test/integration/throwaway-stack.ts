/**
 * A throwaway stack of the repository's own program (index.ts), driven by the Automation API:
 * the same code path as `pulumi up` on a user's stack. Each test file makes its own stack with a
 * unique name and destroys and removes it in afterAll, even when a test failed.
 */
import { ConfigMap, LocalWorkspace, OutputMap, Stack } from "@pulumi/pulumi/automation";
import * as path from "path";

export const REPO_ROOT = path.resolve(__dirname, "../..");

export interface ThrowawayStack {
    stack: Stack;
    outputs: OutputMap;
    /** Value of one stack output (throws when it is missing). */
    output<T>(name: string): T;
    destroy(): Promise<void>;
}

/** Logs Pulumi's output only when PODGROUP_TEST_VERBOSE is set; errors carry it anyway. */
const onOutput = process.env.PODGROUP_TEST_VERBOSE ? (s: string) => process.stdout.write(s) : undefined;

/** Creates the stack `name` with `config` (keys without the `podgroup:` prefix) and runs `up`. */
export async function upThrowawayStack(name: string, config: Record<string, string>): Promise<ThrowawayStack> {
    const stack = await LocalWorkspace.createOrSelectStack({ stackName: name, workDir: REPO_ROOT });
    const cfg: ConfigMap = {};
    for (const [key, value] of Object.entries(config)) cfg[`podgroup:${key}`] = { value };
    await stack.setAllConfig(cfg);
    const destroy = async () => {
        await stack.destroy({ onOutput });
        await stack.workspace.removeStack(name);
    };
    try {
        const result = await stack.up({ onOutput });
        const outputs = result.outputs;
        return {
            stack,
            outputs,
            output<T>(key: string): T {
                const o = outputs[key];
                if (o === undefined || o.value === undefined) throw new Error(`stack ${name} has no output ${key}`);
                return o.value as T;
            },
            destroy,
        };
    } catch (err) {
        await destroy().catch((e) => console.error(`cleanup of ${name} failed: ${String(e)}`));
        throw err;
    }
}

/** A stack name unique to this run. */
export function uniqueStackName(prefix: string): string {
    return `${prefix}-${process.pid}-${Date.now().toString(36)}`;
}
