/**
 * Deploys a fixture through the real program users run (`index.ts` at the repository root),
 * with the Pulumi Automation API: a throwaway stack per fixture and target, configured through
 * the same `podgroup:*` keys a user sets, destroyed and removed afterwards. The harness thus
 * tests the library as users get it, not a copy of its rendering.
 */
import { LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import * as path from "path";
import { PodGroupSpec } from "../../components/spec";
import { DebugLog } from "../wait";

/** Where and how to run the program. */
export interface DeployerOptions {
    /** Directory of Pulumi.yaml and index.ts. Default: the repository root of this package. */
    workDir?: string;
    /** Extra environment for the Pulumi CLI (PULUMI_HOME, PULUMI_BACKEND_URL, ...). Default: process.env. */
    envVars?: Record<string, string>;
    /** Receives the CLI's output lines. */
    log?: DebugLog;
}

/** A group deployed for one check run: its stack, its config and how long `up` took. */
export interface DeployedFixture {
    stackName: string;
    groupName: string;
    upMs: number;
    outputs: Record<string, unknown>;
    /** `pulumi destroy` then `pulumi stack rm`; safe to call once. */
    destroy(): Promise<{ destroyMs: number }>;
}

/** Stack config a target adds to the fixture's (backend, supervise, kubeconfig, ...). */
export type StackConfig = Record<string, string>;

export const REPO_ROOT = path.resolve(__dirname, "..", "..");

function cliEnv(extra: Record<string, string> | undefined): Record<string, string> {
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) {
        if (v !== undefined && (k.startsWith("PULUMI_") || k === "PATH" || k === "HOME" || k === "KUBECONFIG" || k === "DOCKER_HOST")) {
            env[k] = v;
        }
    }
    return { ...env, ...extra };
}

/**
 * `pulumi up` of `spec` as group `groupName` with `config`; on failure the stack is destroyed
 * and removed before the error is rethrown.
 */
export async function deployFixture(groupName: string, spec: PodGroupSpec, config: StackConfig, options: DeployerOptions = {}): Promise<DeployedFixture> {
    const workDir = options.workDir ?? REPO_ROOT;
    const envVars = cliEnv(options.envVars);
    const stackName = `conformance-${groupName}`;
    const log = options.log ?? (() => undefined);
    const onOutput = (s: string) => log(`[${stackName}] ${s.trimEnd()}`);
    const stack = await LocalWorkspace.createOrSelectStack({ stackName, workDir }, { envVars });
    await stack.setAllConfig({
        "podgroup:name": { value: groupName },
        "podgroup:group": { value: JSON.stringify(spec) },
        ...Object.fromEntries(Object.entries(config).map(([k, v]) => [k, { value: v }])),
    });
    let destroyed = false;
    const destroy = async () => {
        if (destroyed) return { destroyMs: 0 };
        destroyed = true;
        const t0 = Date.now();
        await destroyStack(stack, onOutput);
        return { destroyMs: Date.now() - t0 };
    };
    const t0 = Date.now();
    try {
        const up = await stack.up({ onOutput, color: "never" });
        const outputs = Object.fromEntries(Object.entries(up.outputs).map(([k, v]) => [k, v.value]));
        return { stackName, groupName, upMs: Date.now() - t0, outputs, destroy };
    } catch (e) {
        await destroy().catch((d) => log(`[${stackName}] destroy after a failed up failed too: ${(d as Error).message}`));
        throw new Error(`pulumi up of ${stackName} failed: ${(e as Error).message}`);
    }
}

async function destroyStack(stack: Stack, onOutput: (s: string) => void): Promise<void> {
    // A stack whose destroy failed is kept, so that its resources can still be found and removed.
    await stack.destroy({ onOutput, color: "never" });
    await stack.workspace.removeStack(stack.name);
}
