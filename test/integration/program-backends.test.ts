/**
 * The repository's program on each backend: `pulumi up` of the same two-member group through a
 * throwaway stack (Docker engine, then the local cluster of scripts/cluster.sh), the same pod
 * properties read from the live containers through the harness's adapters, a second preview with
 * no changes, and nothing of the group left after destroy. What only one backend has (Docker's
 * namespace modes, the Pod's status) is asserted in that backend's own block.
 */
import * as k8s from "@kubernetes/client-node";
import Docker from "dockerode";
import * as fs from "fs";
import { DockerAdapter, KubernetesAdapter, RuntimeAdapter } from "../../harness";
import { LOCAL_CLUSTER_KUBECONFIG } from "../../harness/targets";
import { LABEL_GROUP } from "../../components";
import { upThrowawayStack, uniqueStackName, ThrowawayStack } from "./throwaway-stack";
import { groupSpecUnderTest, GROUP_PORT, SHM_FILE, SHM_TEXT } from "./group-under-test";

const KUBECONFIG = process.env.KUBECONFIG ?? LOCAL_CLUSTER_KUBECONFIG;
const NAMESPACE = "default";

interface BackendUnderTest {
    backend: "docker" | "kubernetes";
    /** Stack config beyond backend, name and group. */
    config: Record<string, string>;
    /** The adapter (its ping says how to start the runtime when it does not answer). */
    adapter(): RuntimeAdapter;
    /** What of the group is still there (containers, volumes, networks / Pods, Secrets). */
    leftovers(groupName: string): Promise<string[]>;
    /** How many objects of the group exist while it runs (so that `leftovers` is seen to find them). */
    minimumWhileUp: number;
}

const docker = new Docker();
function kubeCore(): k8s.CoreV1Api {
    if (!fs.existsSync(KUBECONFIG)) throw new Error(`no kubeconfig at ${KUBECONFIG}: run 'bash scripts/cluster.sh up' (or set KUBECONFIG)`);
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(KUBECONFIG);
    return kc.makeApiClient(k8s.CoreV1Api);
}

const BACKENDS: BackendUnderTest[] = [
    {
        backend: "docker",
        config: {},
        adapter: () => new DockerAdapter(),
        minimumWhileUp: 3,
        async leftovers(groupName) {
            const filters = JSON.stringify({ label: [`${LABEL_GROUP}=${groupName}`] });
            return [
                ...(await docker.listContainers({ all: true, filters })).map((c) => `container ${c.Names.join(",")}`),
                ...((await docker.listVolumes({ filters })).Volumes ?? []).map((v) => `volume ${v.Name}`),
                ...(await docker.listNetworks({ filters })).map((n) => `network ${n.Name}`),
            ];
        },
    },
    {
        backend: "kubernetes",
        config: { namespace: NAMESPACE, kubeconfig: KUBECONFIG },
        adapter: () => new KubernetesAdapter({ kubeconfig: KUBECONFIG, namespace: NAMESPACE }),
        minimumWhileUp: 1,
        async leftovers(groupName) {
            const core = kubeCore();
            const labelSelector = `${LABEL_GROUP}=${groupName}`;
            const pods = (await core.listNamespacedPod({ namespace: NAMESPACE, labelSelector })).items
                .filter((p) => p.metadata?.deletionTimestamp === undefined);
            const secrets = (await core.listNamespacedSecret({ namespace: NAMESPACE, labelSelector })).items;
            return [...pods.map((p) => `pod ${p.metadata?.name}`), ...secrets.map((s) => `secret ${s.metadata?.name}`)];
        },
    },
];

describe.each(BACKENDS)("the $backend stack", (b) => {
    const groupName = `it${b.backend[0]}${Date.now().toString(36)}`;
    let adapter: RuntimeAdapter;
    const group = { name: groupName, ...(b.backend === "kubernetes" ? { namespace: NAMESPACE } : {}) };
    const execIn = (container: string, cmd: string[]) => adapter.exec(group, container, cmd);
    let deployed: ThrowawayStack | undefined;

    beforeAll(async () => {
        adapter = b.adapter();
        await adapter.ping();
        deployed = await upThrowawayStack(uniqueStackName(`it-${b.backend}`), {
            backend: b.backend, name: groupName, group: JSON.stringify(groupSpecUnderTest()), ...b.config,
        });
    }, 600_000);

    afterAll(async () => {
        await deployed?.destroy();
        await adapter?.close();
    }, 300_000);

    test("PID 1 seen from a member is the project's /pause (uid 65535), and each member sees the other's processes", async () => {
        const fromSidecar = await execIn("sidecar", ["ps", "-o", "pid,user,args"]);
        // (the toolbox's /etc/passwd names uid 65535 "pause")
        expect(fromSidecar.stdout).toMatch(/^\s*1\s+(65535|pause)\s+\/pause(\s.*)?$/m);
        expect(fromSidecar.stdout).toMatch(/httpd -f -p 8080/);
        const fromWeb = await execIn("web", ["ps", "-o", "pid,args"]);
        expect(fromWeb.stdout).toMatch(/^\s*1\s+\/pause(\s.*)?$/m);
        expect(fromWeb.stdout).toMatch(/sleep 3601/);
    });

    test("a member reaches another over localhost, and all share one hostname", async () => {
        expect(await execIn("sidecar", ["wget", "-qO-", `http://127.0.0.1:${GROUP_PORT}/`])).toMatchObject({ stdout: "hello from web\n", exitCode: 0 });
        expect((await execIn("web", ["hostname"])).stdout.trim()).toBe(groupName);
        expect((await execIn("sidecar", ["hostname"])).stdout.trim()).toBe(groupName);
    });

    test("a file in /dev/shm written by one member is read by the other", async () => {
        expect(await execIn("sidecar", ["cat", SHM_FILE])).toMatchObject({ stdout: `${SHM_TEXT}\n`, exitCode: 0 });
    });

    if (b.backend === "docker") {
        test("every member joins the pause container's network, IPC and PID namespaces, spelled as Docker reads them back", async () => {
            const pause = deployed!.output<string>("pauseId");
            for (const id of Object.values(deployed!.output<Record<string, string>>("memberIds"))) {
                const hc = (await docker.getContainer(id).inspect()).HostConfig;
                expect({ net: hc.NetworkMode, ipc: hc.IpcMode, pid: hc.PidMode }).toEqual({
                    net: `container:${pause}`, ipc: `container:${pause}`, pid: `container:${pause}`,
                });
            }
            expect((await docker.getContainer(pause).inspect()).HostConfig.IpcMode).toBe("shareable");
        });
    } else {
        test("the Pod runs and is Ready, with process namespace sharing on", async () => {
            const pod = await kubeCore().readNamespacedPod({ name: groupName, namespace: NAMESPACE });
            expect(pod.status?.phase).toBe("Running");
            expect(pod.status?.conditions?.find((c) => c.type === "Ready")?.status).toBe("True");
            expect(pod.spec?.shareProcessNamespace).toBe(true);
            expect(pod.spec?.containers.map((c) => c.name)).toEqual(["web", "sidecar"]);
        });
    }

    test("a second preview right after up shows no changes", async () => {
        const preview = await deployed!.stack.preview({ expectNoChanges: true });
        expect(Object.keys(preview.changeSummary).filter((k) => k !== "same")).toEqual([]);
    }, 180_000);

    test("destroy leaves nothing of the group", async () => {
        expect((await b.leftovers(groupName)).length).toBeGreaterThanOrEqual(b.minimumWhileUp);
        await deployed!.destroy();
        deployed = undefined;
        expect(await b.leftovers(groupName)).toEqual([]);
    }, 300_000);
});
