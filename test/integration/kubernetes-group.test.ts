/**
 * The kubernetes stack on the local cluster (scripts/cluster.sh): `pulumi up` of the same group
 * as on Docker, as one Pod, then the same pod properties read from the live containers, the
 * sandbox being the project's pause image, a second preview with no changes, and no Pod left
 * after destroy.
 */
import * as k8s from "@kubernetes/client-node";
import * as fs from "fs";
import { KubernetesAdapter } from "../../harness";
import { upThrowawayStack, uniqueStackName, ThrowawayStack } from "./throwaway-stack";
import { groupSpecUnderTest, GROUP_PORT, SHM_FILE, SHM_TEXT } from "./group-under-test";

const KUBECONFIG = process.env.KUBECONFIG ?? "/var/lib/podgroup-cluster/admin.kubeconfig";
const NAMESPACE = "default";
const groupName = `itk${Date.now().toString(36)}`;
const stackName = uniqueStackName("it-kubernetes");
const kc = new k8s.KubeConfig();
let core: k8s.CoreV1Api;
let deployed: ThrowawayStack | undefined;

let adapter: KubernetesAdapter;
/** Runs a command in one container of the Pod, through the harness's Kubernetes adapter. */
const execIn = (container: string, cmd: string[]) => adapter.exec({ name: groupName, namespace: NAMESPACE }, container, cmd);

beforeAll(async () => {
    if (!fs.existsSync(KUBECONFIG)) {
        throw new Error(`no kubeconfig at ${KUBECONFIG}: run 'bash scripts/cluster.sh up' (or set KUBECONFIG)`);
    }
    kc.loadFromFile(KUBECONFIG);
    core = kc.makeApiClient(k8s.CoreV1Api);
    adapter = new KubernetesAdapter({ kubeconfig: KUBECONFIG, namespace: NAMESPACE });
    await adapter.ping(); // says how to start the cluster when it does not answer
    deployed = await upThrowawayStack(stackName, {
        backend: "kubernetes",
        name: groupName,
        namespace: NAMESPACE,
        kubeconfig: KUBECONFIG,
        group: JSON.stringify(groupSpecUnderTest()),
    });
}, 600_000);

afterAll(async () => {
    await deployed?.destroy();
}, 300_000);

test("the Pod runs and is Ready, with process namespace sharing on", async () => {
    const pod = await core.readNamespacedPod({ name: groupName, namespace: NAMESPACE });
    expect(pod.status?.phase).toBe("Running");
    expect(pod.status?.conditions?.find((c) => c.type === "Ready")?.status).toBe("True");
    expect(pod.spec?.shareProcessNamespace).toBe(true);
    expect(pod.spec?.containers.map((c) => c.name)).toEqual(["web", "sidecar"]);
});

test("PID 1 seen from a container is the project's /pause, and each container sees the other's processes", async () => {
    const fromSidecar = await execIn("sidecar", ["ps", "-o", "pid,args"]);
    expect(fromSidecar.stdout).toMatch(/^\s*1\s+\/pause\s*$/m);
    expect(fromSidecar.stdout).toMatch(/httpd -f -p 8080/);
    const fromWeb = await execIn("web", ["ps", "-o", "pid,args"]);
    expect(fromWeb.stdout).toMatch(/^\s*1\s+\/pause\s*$/m);
    expect(fromWeb.stdout).toMatch(/sleep 3601/);
    // The sandbox is the project's pause: it runs as uid 65535.
    const users = await execIn("web", ["ps", "-o", "user,args"]);
    // (the toolbox's /etc/passwd names uid 65535 "pause")
    expect(users.stdout).toMatch(/^\s*(65535|pause)\s+\/pause\s*$/m);
});

test("a container reaches another over localhost, and all share one hostname", async () => {
    expect(await execIn("sidecar", ["wget", "-qO-", `http://127.0.0.1:${GROUP_PORT}/`])).toMatchObject({ stdout: "hello from web\n", exitCode: 0 });
    expect((await execIn("web", ["hostname"])).stdout.trim()).toBe(groupName);
    expect((await execIn("sidecar", ["hostname"])).stdout.trim()).toBe(groupName);
});

test("a file in /dev/shm written by one container is read by the other", async () => {
    expect(await execIn("sidecar", ["cat", SHM_FILE])).toMatchObject({ stdout: `${SHM_TEXT}\n`, exitCode: 0 });
});

test("a second preview right after up shows no changes", async () => {
    const preview = await deployed!.stack.preview({ expectNoChanges: true });
    expect(Object.keys(preview.changeSummary).filter((k) => k !== "same")).toEqual([]);
}, 180_000);

test("destroy leaves no Pod or Secret of the group", async () => {
    await deployed!.destroy();
    deployed = undefined;
    const selector = `podgroup.io/group=${groupName}`;
    const pods = await core.listNamespacedPod({ namespace: NAMESPACE, labelSelector: selector });
    expect(pods.items.filter((p) => p.metadata?.deletionTimestamp === undefined)).toEqual([]);
    const secrets = await core.listNamespacedSecret({ namespace: NAMESPACE, labelSelector: selector });
    expect(secrets.items).toEqual([]);
}, 300_000);
