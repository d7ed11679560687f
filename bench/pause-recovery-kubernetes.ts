/**
 * The Kubernetes side of bench/pause-recovery.sh: kills one running Pod's sandbox (its pause) the
 * way the conformance harness does (KubernetesAdapter.kill: SIGKILL through the node's containerd)
 * and measures the time until the Pod API shows the whole group back in a new sandbox: every init
 * container run again (new container id, exited 0) and every container running with a new
 * container id. Prints one line: `<whole ms> <first container running ms> <kill call ms>`.
 *
 * Pod status timestamps (`startedAt`) have one-second resolution, so the end is found by polling
 * the Pod every POLL_MS instead; the start is the moment the kill call returned (the sandbox is dead
 * by then: `ctr tasks kill` returns once the signal is sent). The number therefore includes
 * kubelet's status update to the API, as a user watching the Pod sees it.
 *
 * Usage (bench/pause-recovery.sh compiles and runs it):
 *   node pause-recovery-kubernetes.js POD [NAMESPACE]
 * Environment: KUBECONFIG (default: the local cluster's), PODGROUP_CONTAINERD_ADDRESS (default: the
 * local cluster's containerd socket).
 */
import { KubernetesAdapter } from "../harness/adapters/kubernetes-adapter";
import { GroupRef, GroupStatus } from "../harness/adapters/runtime-adapter";
import { delay } from "../harness/wait";
import { LOCAL_CLUSTER_CONTAINERD, LOCAL_CLUSTER_KUBECONFIG } from "../harness/targets";

const POLL_MS = 50;
const TIMEOUT_MS = 120_000;

function describe(s: GroupStatus): string {
    return s.containers.map((c) => `${c.name}=${c.state}${c.reason !== undefined ? `(${c.reason})` : ""}/${c.id?.slice(0, 12) ?? "-"}`).join(" ");
}

/** Whole again: every container has a new id; init containers exited 0, members run. */
function wholeAgain(before: GroupStatus, now: GroupStatus): boolean {
    const old = new Set(before.containers.map((c) => c.id));
    return now.containers.length === before.containers.length && now.containers.every((c) =>
        c.id !== undefined && !old.has(c.id) &&
        (c.role === "init" ? c.state === "terminated" && c.exitCode === 0 : c.state === "running"));
}

async function main(): Promise<void> {
    const [name, namespace = "default"] = process.argv.slice(2);
    if (name === undefined) {
        throw new Error("usage: pause-recovery-kubernetes POD [NAMESPACE]");
    }
    const adapter = new KubernetesAdapter({
        kubeconfig: process.env.KUBECONFIG ?? LOCAL_CLUSTER_KUBECONFIG,
        containerdAddress: process.env.PODGROUP_CONTAINERD_ADDRESS ?? LOCAL_CLUSTER_CONTAINERD,
        namespace,
    });
    const group: GroupRef = { name, namespace };
    const before = await adapter.status(group);
    const members = before.containers.filter((c) => c.role === "member");
    if (members.length === 0 || !members.every((c) => c.state === "running")) {
        throw new Error(`pod ${name} is not running whole before the kill: ${describe(before)}`);
    }
    const k0 = Date.now();
    await adapter.kill(group, "pause");
    const died = Date.now();
    const old = new Set(before.containers.map((c) => c.id));
    let firstRunning: number | undefined;
    for (;;) {
        const now = await adapter.status(group);
        const t = Date.now();
        if (firstRunning === undefined && now.containers.some((c) => c.role === "member" && c.state === "running" && c.id !== undefined && !old.has(c.id))) {
            firstRunning = t;
        }
        if (wholeAgain(before, now)) {
            process.stdout.write(`${t - died} ${(firstRunning ?? t) - died} ${died - k0}\n`);
            return;
        }
        if (t - died > TIMEOUT_MS) {
            throw new Error(`pod ${name} not whole again ${TIMEOUT_MS} ms after its sandbox was killed: ${describe(now)}`);
        }
        await delay(POLL_MS);
    }
}

main().catch((e: unknown) => {
    process.stderr.write(`pause-recovery-kubernetes: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
});
