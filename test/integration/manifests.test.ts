/**
 * Pod manifests in, on both backends: the example manifests (examples/pods/, after the
 * Kubernetes documentation's pod examples) deployed through the repo's program with
 * `podgroup:manifest`, on the Docker engine and on the local cluster, and the same pod behaviour
 * read from the live containers on each: a volume shared by two containers, process namespace
 * sharing, init containers before the members, a logging sidecar (a Deployment's pod template),
 * and dependent env vars, which kubelet expands and the Docker backend must expand the same way.
 */
import * as k8s from "@kubernetes/client-node";
import Docker from "dockerode";
import { LABEL_GROUP } from "../../components/labels";
import { DockerAdapter, KubernetesAdapter } from "../../harness";
import { waitFor } from "../../harness/wait";
import { LOCAL_CLUSTER_KUBECONFIG } from "../../harness/targets";
import { RuntimeAdapter } from "../../harness/adapters/runtime-adapter";
import { removeLaidOutGroup } from "./rendered-group";
import { ThrowawayStack, uniqueStackName, upThrowawayStack } from "./throwaway-stack";

const KUBECONFIG = process.env.KUBECONFIG ?? LOCAL_CLUSTER_KUBECONFIG;
const MANIFESTS = ["two-container-pod", "share-process-namespace", "init-containers", "logging-sidecar", "dependent-envars"] as const;
/** metadata.name of each manifest: the group's name. */
const GROUPS: Record<(typeof MANIFESTS)[number], string> = {
    "two-container-pod": "two-containers", "share-process-namespace": "share-pid", "init-containers": "init-demo",
    "logging-sidecar": "counter", "dependent-envars": "dependent-envars-demo",
};

/** Polls `read` until `ok`, for up to `ms`; returns the last value read. */
async function eventually(read: () => Promise<string>, ok: (s: string) => boolean, ms = 30_000): Promise<string> {
    const until = Date.now() + ms;
    let last = "";
    for (;;) {
        last = await read().catch((e: Error) => `error: ${e.message}`);
        if (ok(last) || Date.now() > until) return last;
        await new Promise((r) => setTimeout(r, 500));
    }
}

/**
 * The manifests fix the groups' names, so a run killed before its afterAll (its Pulumi state is in
 * its own checkout) leaves containers and a volume, or a Pod and Secret, that the next run's
 * `pulumi up` collides with on the shared engine and cluster. Removes them first (found by the
 * group label), saying what it removed. Two runs of this suite at once on one engine collide
 * anyway (the same names): the test command is not meant to run twice at once.
 */
const removeLeftovers: Record<keyof typeof BACKENDS, (group: string) => Promise<string[]>> = {
    docker: (group) => removeLaidOutGroup(new Docker(), group),
    async kubernetes(group) {
        const kc = new k8s.KubeConfig();
        kc.loadFromFile(KUBECONFIG);
        const core = kc.makeApiClient(k8s.CoreV1Api);
        const byGroup = { namespace: "default", labelSelector: `${LABEL_GROUP}=${group}` };
        const left = async () => [
            ...(await core.listNamespacedPod(byGroup)).items.map((p) => `pod ${p.metadata?.name}`),
            ...(await core.listNamespacedSecret(byGroup)).items.map((x) => `secret ${x.metadata?.name}`),
        ];
        const removed = await left();
        if (removed.length === 0) return [];
        await core.deleteCollectionNamespacedPod({ ...byGroup, gracePeriodSeconds: 0 });
        await core.deleteCollectionNamespacedSecret(byGroup);
        await waitFor(`the leftovers of ${group} to go`, left, (still) => still.length === 0, { timeoutMs: 60_000, intervalMs: 500 });
        return removed;
    },
};

/** What each backend's deploy looks like: the adapter to exec with and the stack config. */
const BACKENDS = {
    docker: { adapter: () => new DockerAdapter() as RuntimeAdapter, config: { backend: "docker" } },
    kubernetes: { adapter: () => new KubernetesAdapter({ kubeconfig: KUBECONFIG }) as RuntimeAdapter, config: { backend: "kubernetes", kubeconfig: KUBECONFIG } },
};

/** The env values of dependent-envars-demo, per backend, to compare Docker with kubelet. */
const envSeen: Record<string, string> = {};

describe.each(["docker", "kubernetes"] as const)("the example manifests on %s", (backend) => {
    let adapter: RuntimeAdapter;
    const stacks: ThrowawayStack[] = [];
    const sh = (manifest: (typeof MANIFESTS)[number], container: string, script: string) =>
        adapter.exec({ name: GROUPS[manifest], namespace: "default" }, container, ["sh", "-c", script]).then((r) => r.stdout.trim());

    beforeAll(async () => {
        adapter = BACKENDS[backend].adapter();  // here, not at load: a missing kubeconfig fails this suite's tests, not the file
        await adapter.ping();
        for (const m of MANIFESTS) {
            const removed = await removeLeftovers[backend](GROUPS[m]);
            if (removed.length > 0) console.warn(`removed what an interrupted earlier run left of ${GROUPS[m]}: ${removed.join(", ")}`);
        }
        // One stack per manifest, deployed one after the other (two cores, shared).
        for (const m of MANIFESTS) {
            stacks.push(await upThrowawayStack(uniqueStackName(`it-manifest-${backend}`), { ...BACKENDS[backend].config, manifest: `examples/pods/${m}.yaml` }));
        }
    }, 900_000);

    afterAll(async () => {
        for (const s of stacks) await s.destroy();
    }, 600_000);

    test("the group takes the manifest's name and labels", () => {
        expect(stacks.map((s) => s.output<string>("groupName"))).toEqual(MANIFESTS.map((m) => GROUPS[m]));
    });

    test("two containers share a volume: web serves the page the writer wrote", async () => {
        const page = await eventually(() => sh("two-container-pod", "web", "cat /usr/share/www/index.html"), (s) => s.includes("Hello"));
        expect(page).toBe("Hello from the writer container");
        expect(await sh("two-container-pod", "writer", "wget -q -O - http://127.0.0.1:8080/")).toBe("Hello from the writer container");
    });

    test("shareProcessNamespace: true in the manifest shares PIDs: PID 1 is the pause and the shell sees httpd", async () => {
        const ps = await sh("share-process-namespace", "shell", "ps -o pid,args");
        expect(ps).toMatch(/^\s*1\s+\/pause(\s.*)?$/m);
        expect(ps).toMatch(/httpd -f -p 8080/);
    });

    test("without shareProcessNamespace (Kubernetes' default false) each container has its own PID 1", async () => {
        expect(await sh("init-containers", "web", "cat /proc/1/cmdline | tr '\\0' ' '")).toBe("httpd -f -p 8080 -h /usr/share/www");
    });

    test("the init container ran before the member: web serves what it wrote", async () => {
        expect(await sh("init-containers", "web", "wget -q -O - http://127.0.0.1:8080/")).toBe("written by the init container");
    });

    test("the logging sidecar of a Deployment's pod template reads the counter's log", async () => {
        const lines = await eventually(() => sh("logging-sidecar", "count-log", "wc -l < /var/log/1.log"), (s) => Number(s) >= 2);
        expect(Number(lines)).toBeGreaterThanOrEqual(2);
    });

    test("dependent env vars are expanded as kubelet does", async () => {
        const env = await sh("dependent-envars", "dependent-envars-demo",
            // The shell substitutes each value once: a "$(" inside a value is not run.
            "echo \"$SERVICE_ADDRESS\"; echo \"$ESCAPED_REFERENCE\"; echo \"$UNCHANGED_REFERENCE\"; echo \"$ARGS_SEE\"");
        expect(env.split("\n")).toEqual([
            "https://172.17.0.1:80",
            "$(PROTOCOL)://172.17.0.1:80",
            "$(PROTOCOL)://172.17.0.1:80",
            "https://172.17.0.1:80 in args: $(LATER)",
        ]);
        envSeen[backend] = env;
    });
});

test("Docker and the cluster show the same expanded env", () => {
    expect(envSeen.docker).toBeDefined();
    expect(envSeen.docker).toBe(envSeen.kubernetes);
});
