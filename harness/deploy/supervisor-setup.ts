/**
 * Makes sure a Docker sandbox supervisor runs on the Docker host before the
 * `docker+supervisor` target's fixtures are deployed. When one is already running (a container
 * labelled `podgroup.io/supervisor=true`), it is used as is; otherwise one is declared with the
 * library's own `DockerSupervisor` component in a throwaway inline stack, on that same engine,
 * and destroyed after the target's checks.
 */
import * as docker from "@pulumi/docker";
import { LocalWorkspace } from "@pulumi/pulumi/automation";
import Docker from "dockerode";
import { DockerSupervisor, LABEL_SUPERVISOR } from "../../components/supervisor";
import { DebugLog } from "../wait";
import { dockerEndpoint } from "./docker-endpoint";
import { cliEnv, HARNESS_PROJECT } from "./pulumi-deployer";

/** A supervisor the target can rely on, and how to remove it if the harness deployed it. */
export interface SupervisorHandle {
    description: string;
    tearDown(): Promise<void>;
}

/** Finds or deploys the supervisor on the engine `dockerOptions` connect to (dockerode options). */
export async function ensureSupervisor(log: DebugLog, dockerOptions: Docker.DockerOptions = {}): Promise<SupervisorHandle> {
    const running = await new Docker(dockerOptions).listContainers({ filters: { label: [`${LABEL_SUPERVISOR}=true`], status: ["running"] } });
    if (running.length > 0) {
        return { description: `supervisor already running: ${running[0].Names.join(",")} (${running[0].Image})`, tearDown: async () => undefined };
    }
    const stackName = `conformance-supervisor-${process.pid}`;
    const onOutput = (s: string) => log(`[${stackName}] ${s.trimEnd()}`);
    const endpoint = await dockerEndpoint(dockerOptions);
    const stack = await LocalWorkspace.createOrSelectStack({
        stackName,
        projectName: HARNESS_PROJECT,
        program: async () => {
            const provider = new docker.Provider("supervisor-docker", { ...endpoint });
            const s = new DockerSupervisor("supervisor", {}, { providers: [provider] });
            return { containerName: s.containerName };
        },
    }, { envVars: cliEnv(undefined) });
    try {
        await stack.up({ onOutput, color: "never" });
    } catch (e) {
        await stack.destroy({ onOutput, color: "never" }).then(() => stack.workspace.removeStack(stackName)).catch(() => undefined);
        throw new Error(`deploying the supervisor failed: ${(e as Error).message}`);
    }
    return {
        description: `supervisor deployed by the harness (stack ${stackName})`,
        tearDown: async () => {
            await stack.destroy({ onOutput, color: "never" });
            await stack.workspace.removeStack(stackName);
        },
    };
}
