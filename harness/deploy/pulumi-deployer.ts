/**
 * Deploys a group with the Pulumi Automation API's inline program: `new PodGroup(...)` from
 * components/ with an explicit provider for the engine or cluster the group is meant for, in a
 * throwaway stack that is destroyed and removed afterwards. No Pulumi project on disk is needed,
 * so this works from an installed package as well as from this repository.
 *
 * Several deploys may run at once in one process: the Pulumi SDK (3.276) runs each inline
 * program in its own async-local runtime state (`withLocalStorage` in
 * automation/server.js), so concurrent `up`s do not share stack, config or resource registrations.
 */
import * as docker from "@pulumi/docker";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import * as path from "path";
import { PodGroup, PodGroupArgs } from "../../components/pod-group";
import { PodGroupSpec } from "../../components/spec";
import { DebugLog } from "../wait";
import { DockerEndpoint } from "./docker-endpoint";

/** Pulumi project of the harness's throwaway stacks (in the backend of PULUMI_BACKEND_URL). */
export const HARNESS_PROJECT = "podgroup-harness";

/** How the Pulumi CLI is run. */
export interface DeployerOptions {
    /**
     * Extra environment for the Pulumi CLI. PULUMI_* (PULUMI_HOME, PULUMI_BACKEND_URL,
     * PULUMI_CONFIG_PASSPHRASE, ...), PATH and HOME of this process are passed through.
     */
    envVars?: Record<string, string>;
    /** Receives the CLI's output lines. */
    log?: DebugLog;
}

/** Where a group is deployed: the backend, and the engine or cluster as its provider sees it. */
export type Destination =
    | {
        backend: "docker";
        /** The docker provider's connection: the engine the target's adapter talks to. */
        docker: DockerEndpoint;
        /** Hand restarts to the Docker sandbox supervisor (`podgroup.io/supervised=true`). */
        supervise: boolean;
    }
    | {
        backend: "kubernetes";
        /** Absolute path of the kubeconfig the target's adapter reads. */
        kubeconfig: string;
        namespace: string;
    };

/** One group to deploy. */
export interface GroupDeployment {
    /** The group's name (container name prefix on Docker, the Pod's name on Kubernetes). */
    groupName: string;
    spec: PodGroupSpec;
    destination: Destination;
    /** Do not wait for the group: `skipAwait` on either backend. */
    skipAwait?: boolean;
    /** The throwaway stack's name. Default: the group's name. */
    stackName?: string;
    /**
     * A failing `pulumi up` resolves (with {@link DeployedGroup.upError}) instead of throwing, and
     * the stack is kept until `destroy()`, so what was created can be inspected.
     */
    keepOnFailure?: boolean;
}

/** A deployed group: its stack, how long `up` took, its outputs, and how to destroy it. */
export interface DeployedGroup {
    stackName: string;
    groupName: string;
    upMs: number;
    outputs: Record<string, unknown>;
    /** The error of `pulumi up`, when it failed and the deployment asked to keep the stack. */
    upError?: string;
    /** `pulumi destroy` then `pulumi stack rm`; safe to call more than once. */
    destroy(): Promise<{ destroyMs: number }>;
}

/** The environment the Pulumi CLI needs (PULUMI_*, PATH, HOME) plus `extra`. */
export function cliEnv(extra: Record<string, string> | undefined): Record<string, string> {
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) {
        if (v !== undefined && (k.startsWith("PULUMI_") || k === "PATH" || k === "HOME")) {
            env[k] = v;
        }
    }
    return { ...env, ...extra };
}

/** The provider for `destination`: every resource of the group goes to that engine or cluster. */
export function providerFor(name: string, destination: Destination): pulumi.ProviderResource {
    if (destination.backend === "docker") {
        return new docker.Provider(`${name}-docker`, { ...destination.docker });
    }
    return new k8s.Provider(`${name}-kubernetes`, { kubeconfig: path.resolve(destination.kubeconfig) });
}

/** The inline program: one PodGroup on its destination's provider, with the group's outputs. */
export function groupProgram(deployment: GroupDeployment): () => Promise<Record<string, unknown>> {
    const { groupName, spec, destination } = deployment;
    return async () => {
        const provider = providerFor(groupName, destination);
        const args: PodGroupArgs = destination.backend === "docker"
            ? { backend: "docker", spec, groupName, docker: { supervise: destination.supervise, skipAwait: deployment.skipAwait ?? false } }
            : { backend: "kubernetes", spec, groupName, kubernetes: { namespace: destination.namespace, skipAwait: deployment.skipAwait ?? false } };
        // The provider by package (`providers`), not as every child's `provider`: a supervised group's
        // lifecycle resource is a dynamic resource (package pulumi-nodejs), which the docker provider
        // cannot serve ("unrecognized resource type (Check)").
        const group = new PodGroup(groupName, args, { providers: [provider] });
        return {
            backend: group.backend,
            groupName: group.groupName,
            members: group.members,
            containerNames: group.containerNames,
            ...(destination.backend === "docker" ? { pauseId: group.pauseId } : { podName: group.podName, namespace: group.namespace }),
        };
    };
}

/**
 * `pulumi up` of `deployment` in its own stack; on failure the stack is destroyed and removed
 * before the error is rethrown.
 */
export async function deployGroup(deployment: GroupDeployment, options: DeployerOptions = {}): Promise<DeployedGroup> {
    const { groupName } = deployment;
    const stackName = deployment.stackName ?? groupName;
    const log = options.log ?? (() => undefined);
    const onOutput = (s: string) => log(`[${stackName}] ${s.trimEnd()}`);
    const stack = await LocalWorkspace.createOrSelectStack(
        { projectName: HARNESS_PROJECT, stackName, program: groupProgram(deployment) },
        { envVars: cliEnv(options.envVars) });
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
        if (deployment.keepOnFailure === true) {
            return { stackName, groupName, upMs: Date.now() - t0, outputs: {}, upError: (e as Error).message, destroy };
        }
        await destroy().catch((d) => log(`[${stackName}] destroy after a failed up failed too: ${(d as Error).message}`));
        throw new Error(`pulumi up of ${stackName} failed: ${(e as Error).message}`);
    }
}

async function destroyStack(stack: Stack, onOutput: (s: string) => void): Promise<void> {
    // A stack whose destroy failed is kept, so that its resources can still be found and removed.
    await stack.destroy({ onOutput, color: "never" });
    await stack.workspace.removeStack(stack.name);
}
