/**
 * Makes sure a Docker sandbox supervisor (issue 6) runs on the Docker host before the
 * `docker+supervisor` target's fixtures are deployed. When one is already running (a container
 * labelled `podgroup.io/supervisor=true`), it is used as is; otherwise one is declared with the
 * library's own `DockerSupervisor` component in a throwaway inline stack, and destroyed after the
 * target's checks.
 */
import { LocalWorkspace } from "@pulumi/pulumi/automation";
import Docker from "dockerode";
import { DockerSupervisor, LABEL_SUPERVISOR } from "../../components/supervisor";
import { DebugLog } from "../wait";

export interface SupervisorHandle {
    description: string;
    tearDown(): Promise<void>;
}

export async function ensureSupervisor(log: DebugLog, docker = new Docker()): Promise<SupervisorHandle> {
    const running = await docker.listContainers({ filters: { label: [`${LABEL_SUPERVISOR}=true`], status: ["running"] } });
    if (running.length > 0) {
        return { description: `supervisor already running: ${running[0].Names.join(",")} (${running[0].Image})`, tearDown: async () => undefined };
    }
    const stackName = `conformance-supervisor-${process.pid}`;
    const onOutput = (s: string) => log(`[${stackName}] ${s.trimEnd()}`);
    const stack = await LocalWorkspace.createOrSelectStack({
        stackName,
        projectName: "podgroup-conformance-supervisor",
        program: async () => {
            const s = new DockerSupervisor("supervisor", {});
            return { containerName: s.containerName };
        },
    });
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
