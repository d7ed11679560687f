/**
 * The docker stack on the real engine: `pulumi up` of a two-member group through the repo's
 * program, then the pod properties read from the live containers, a second preview with no
 * changes, and nothing of the group left after destroy.
 */
import Docker from "dockerode";
import { DockerAdapter } from "../../harness";
import { upThrowawayStack, uniqueStackName, ThrowawayStack } from "./throwaway-stack";
import { groupSpecUnderTest, GROUP_PORT, SHM_FILE, SHM_TEXT } from "./group-under-test";

const docker = new Docker();
const groupName = `itd${Date.now().toString(36)}`;
const stackName = uniqueStackName("it-docker");
let deployed: ThrowawayStack | undefined;

const adapter = new DockerAdapter();
/** Runs a command in one container of the group, through the harness's Docker adapter. */
const execIn = (container: string, cmd: string[]) => adapter.exec({ name: groupName }, container, cmd);

beforeAll(async () => {
    await adapter.ping(); // says how to start the engine when none answers
    deployed = await upThrowawayStack(stackName, {
        backend: "docker",
        name: groupName,
        group: JSON.stringify(groupSpecUnderTest()),
    });
}, 300_000);

afterAll(async () => {
    await deployed?.destroy();
}, 300_000);

function ids(): { pause: string; web: string; sidecar: string } {
    const members = deployed!.output<Record<string, string>>("memberIds");
    return { pause: deployed!.output<string>("pauseId"), web: members.web, sidecar: members.sidecar };
}

test("every member joins the pause container's network, IPC and PID namespaces, spelled as Docker reads them back", async () => {
    const { pause, web, sidecar } = ids();
    for (const id of [web, sidecar]) {
        const hc = (await docker.getContainer(id).inspect()).HostConfig;
        expect({ net: hc.NetworkMode, ipc: hc.IpcMode, pid: hc.PidMode }).toEqual({
            net: `container:${pause}`, ipc: `container:${pause}`, pid: `container:${pause}`,
        });
    }
    expect((await docker.getContainer(pause).inspect()).HostConfig.IpcMode).toBe("shareable");
});

test("PID 1 seen from a member is /pause, and each member sees the other's processes", async () => {
    const fromSidecar = await execIn("sidecar", ["ps", "-o", "pid,args"]);
    expect(fromSidecar.stdout).toMatch(/^\s*1\s+\/pause\s*$/m);
    expect(fromSidecar.stdout).toMatch(/httpd -f -p 8080/);
    const fromWeb = await execIn("web", ["ps", "-o", "pid,args"]);
    expect(fromWeb.stdout).toMatch(/^\s*1\s+\/pause\s*$/m);
    expect(fromWeb.stdout).toMatch(/sleep 3601/);
});

test("a member reaches another over localhost, and all share one hostname", async () => {
    const got = await execIn("sidecar", ["wget", "-qO-", `http://127.0.0.1:${GROUP_PORT}/`]);
    expect(got).toMatchObject({ stdout: "hello from web\n", exitCode: 0 });
    const h1 = await execIn("web", ["hostname"]);
    const h2 = await execIn("sidecar", ["hostname"]);
    expect(h1.stdout.trim()).toBe(groupName);
    expect(h2.stdout.trim()).toBe(groupName);
});

test("a file in /dev/shm written by one member is read by the other", async () => {
    expect(await execIn("sidecar", ["cat", SHM_FILE])).toMatchObject({ stdout: `${SHM_TEXT}\n`, exitCode: 0 });
});

test("a second preview right after up shows no changes", async () => {
    const preview = await deployed!.stack.preview({ expectNoChanges: true });
    expect(preview.changeSummary.same).toBeGreaterThanOrEqual(4);
    expect(Object.keys(preview.changeSummary).filter((k) => k !== "same")).toEqual([]);
}, 180_000);

test("destroy leaves no container, volume or network of the group", async () => {
    const filters = JSON.stringify({ label: [`podgroup.io/group=${groupName}`] });
    expect((await docker.listContainers({ all: true, filters })).length).toBeGreaterThanOrEqual(3);
    await deployed!.destroy();
    deployed = undefined;
    expect(await docker.listContainers({ all: true, filters })).toEqual([]);
    expect((await docker.listVolumes({ filters })).Volumes ?? []).toEqual([]);
    expect(await docker.listNetworks({ filters })).toEqual([]);
}, 300_000);
