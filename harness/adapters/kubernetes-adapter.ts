/**
 * The runtime adapter for a Kubernetes cluster, through @kubernetes/client-node: exec (the
 * `pods/exec` subresource, as `kubectl exec`), pod status and Events.
 *
 * Killing a container has no API verb: the API can only delete the Pod, which is not what a
 * crash is. So kills go to the node's container runtime, like a crash or the OOM killer would:
 * `ctr -n k8s.io tasks kill --signal SIGKILL <id>` against the cluster's containerd socket. A
 * member's containerd id is in the Pod status (`containerStatuses[].containerID`); the pause is
 * the sandbox container, found by the labels the CRI plugin puts on it
 * (`io.kubernetes.pod.uid=<pod uid>`, `io.cri-containerd.kind=sandbox`). When `ctr` cannot be run
 * (no access to the socket), the pause is found instead through /proc: the process whose
 * command line is `/pause` and whose cgroup path carries the Pod's UID, and it gets SIGKILL from
 * here. Both need the harness to run on the node, as root (as with a local cluster or in CI).
 */
import * as k8s from "@kubernetes/client-node";
import { execFile } from "child_process";
import { promises as fs } from "fs";
import { Writable } from "stream";
import { promisify } from "util";
import {
    ContainerRole, ContainerState, ContainerStatus, ExecResult, GroupRef, GroupStatus, KillResult, LogFollower, parsePs,
    POD_CONDITION_TYPES, PodCondition, PodPhase, ProcessInfo, PS_COMMAND, RuntimeAdapter, RuntimeEvent, TerminatedState,
} from "./runtime-adapter";
import { DebugLog } from "../wait";

const execFileAsync = promisify(execFile);


/** Options of {@link KubernetesAdapter}. */
export interface KubernetesAdapterOptions {
    /** Path of a kubeconfig file. Default: KUBECONFIG or ~/.kube/config. */
    kubeconfig?: string;
    /** Default namespace of groups that name none. Default "default". */
    namespace?: string;
    /** containerd socket of the node (for kills). Default: PODGROUP_CONTAINERD_ADDRESS or /run/containerd/containerd.sock. */
    containerdAddress?: string;
    /** The `ctr` binary. Default "ctr". */
    ctr?: string;
    log?: DebugLog;
}

function toDate(d: Date | string | undefined): Date | undefined {
    return d === undefined ? undefined : new Date(d);
}

function stripRuntime(id: string | undefined): string | undefined {
    return id?.replace(/^[a-z]+:\/\//, "");
}

/** Collects what a stream writes. */
class Collector extends Writable {
    private readonly parts: Buffer[] = [];
    override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
        this.parts.push(Buffer.from(chunk));
        done();
    }
    text(): string {
        return Buffer.concat(this.parts).toString("utf8");
    }
}

/** The runtime adapter for a Kubernetes cluster: its API for status and exec, the node's containerd for kills. */
export class KubernetesAdapter implements RuntimeAdapter {
    readonly kind = "kubernetes" as const;
    readonly description: string;
    private readonly kc: k8s.KubeConfig;
    private readonly core: k8s.CoreV1Api;
    private readonly execApi: k8s.Exec;
    private readonly namespace: string;
    private readonly containerd: string;
    private readonly ctr: string;
    private readonly log: DebugLog;

    constructor(options: KubernetesAdapterOptions = {}) {
        this.kc = new k8s.KubeConfig();
        if (options.kubeconfig !== undefined) {
            this.kc.loadFromFile(options.kubeconfig);
        } else {
            this.kc.loadFromDefault();
        }
        this.core = this.kc.makeApiClient(k8s.CoreV1Api);
        this.execApi = new k8s.Exec(this.kc);
        this.namespace = options.namespace ?? "default";
        this.containerd = options.containerdAddress ?? process.env.PODGROUP_CONTAINERD_ADDRESS ?? "/run/containerd/containerd.sock";
        this.ctr = options.ctr ?? "ctr";
        this.log = options.log ?? (() => undefined);
        this.description = `kubernetes (${this.kc.getCurrentCluster()?.server ?? "no cluster"})`;
    }

    private ns(group: GroupRef): string {
        return group.namespace ?? this.namespace;
    }

    async ping(): Promise<string> {
        try {
            const v = await this.kc.makeApiClient(k8s.VersionApi).getCode();
            return `Kubernetes ${v.gitVersion}`;
        } catch (e) {
            throw new Error(`Kubernetes API at ${this.description} does not answer: ${(e as Error).message}. ` +
                "Start the local cluster with `bash scripts/cluster.sh up`.");
        }
    }

    private pod(group: GroupRef): Promise<k8s.V1Pod> {
        return this.core.readNamespacedPod({ name: group.name, namespace: this.ns(group) });
    }

    async exec(group: GroupRef, container: string, command: string[]): Promise<ExecResult> {
        const out = new Collector();
        const err = new Collector();
        let status: k8s.V1Status | undefined;
        const ws = await this.execApi.exec(this.ns(group), group.name, container, command, out, err, null, false, (s) => {
            status = s;
        });
        await new Promise<void>((resolve, reject) => {
            if (ws.readyState === ws.CLOSED) {
                resolve();
                return;
            }
            ws.on("close", () => resolve());
            ws.on("error", reject);
        });
        let exitCode = -1;
        if (status?.status === "Success") {
            exitCode = 0;
        } else {
            const cause = status?.details?.causes?.find((c) => c.reason === "ExitCode");
            if (cause?.message !== undefined) {
                exitCode = Number(cause.message);
            }
        }
        if (status === undefined) {
            throw new Error(`exec in ${group.name}/${container} ended without a status (stderr: ${err.text()})`);
        }
        if (exitCode === -1 && status.status !== "Success") {
            // Not an exit code: the exec itself failed (container not running, ...).
            return { stdout: out.text(), stderr: err.text() + (status.message ?? ""), exitCode: 126 };
        }
        this.log(`kubectl exec ${group.name} -c ${container} ${JSON.stringify(command)} -> ${exitCode}`);
        return { stdout: out.text(), stderr: err.text(), exitCode };
    }

    async processes(group: GroupRef, container: string): Promise<ProcessInfo[]> {
        const r = await this.exec(group, container, PS_COMMAND);
        if (r.exitCode !== 0) {
            throw new Error(`ps in ${group.name}/${container} exited ${r.exitCode}: ${r.stderr}`);
        }
        return parsePs(r.stdout);
    }

    private async runCtr(args: string[]): Promise<string> {
        const full = ["--address", this.containerd, "--namespace", "k8s.io", ...args];
        const { stdout } = await execFileAsync(this.ctr, full, { timeout: 20_000 });
        this.log(`ctr ${full.join(" ")}`);
        return stdout;
    }

    async kill(group: GroupRef, container: string): Promise<KillResult> {
        const pod = await this.pod(group);
        if (container !== "pause") {
            const all = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
            const id = stripRuntime(all.find((c) => c.name === container)?.containerID);
            if (id === undefined) {
                throw new Error(`pod ${group.name} has no containerID for "${container}" yet`);
            }
            await this.runCtr(["tasks", "kill", "--signal", "SIGKILL", id]);
            return { how: `ctr --address ${this.containerd} -n k8s.io tasks kill --signal SIGKILL ${id.slice(0, 12)} (${container})` };
        }
        const uid = pod.metadata?.uid;
        if (uid === undefined) {
            throw new Error(`pod ${group.name} has no uid`);
        }
        try {
            const ids = (await this.runCtr(["containers", "list", "--quiet",
                `labels."io.kubernetes.pod.uid"==${uid},labels."io.cri-containerd.kind"==sandbox`]))
                .split("\n").map((s) => s.trim()).filter((s) => s !== "");
            const tasks = await this.runCtr(["tasks", "list"]);
            const running = ids.filter((id) => tasks.split("\n").some((l) => l.startsWith(id) && /\bRUNNING\b/.test(l)));
            if (running.length !== 1) {
                throw new Error(`expected one running sandbox for pod uid ${uid}, found ${running.length} (sandboxes: ${ids.join(", ")})`);
            }
            await this.runCtr(["tasks", "kill", "--signal", "SIGKILL", running[0]]);
            return { how: `ctr --address ${this.containerd} -n k8s.io tasks kill --signal SIGKILL ${running[0].slice(0, 12)} (sandbox of pod uid ${uid})` };
        } catch (e) {
            this.log(`ctr could not kill the sandbox (${(e as Error).message}); falling back to /proc`);
            const pid = await findPauseProcess(uid);
            process.kill(pid, "SIGKILL");
            return { how: `kill -KILL ${pid} (the /pause process whose cgroup names pod ${uid}, found via /proc; ctr failed: ${(e as Error).message})` };
        }
    }

    async status(group: GroupRef): Promise<GroupStatus> {
        const pod = await this.pod(group);
        const sidecars = new Set((pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === "Always").map((c) => c.name));
        const terminated = (t: k8s.V1ContainerStateTerminated | undefined): TerminatedState | undefined => t === undefined ? undefined : {
            exitCode: t.exitCode,
            ...(t.reason !== undefined ? { reason: t.reason } : {}),
            ...(t.message !== undefined ? { message: t.message } : {}),
            ...(t.startedAt !== undefined ? { startedAt: toDate(t.startedAt) } : {}),
            ...(t.finishedAt !== undefined ? { finishedAt: toDate(t.finishedAt) } : {}),
        };
        const toStatus = (role: ContainerRole) => (c: k8s.V1ContainerStatus): ContainerStatus => {
            const s = c.state ?? {};
            const state: ContainerState = s.running !== undefined ? "running" : s.terminated !== undefined ? "terminated" : "waiting";
            const last = terminated(c.lastState?.terminated);
            return {
                name: c.name,
                role,
                state,
                exitCode: s.terminated?.exitCode ?? c.lastState?.terminated?.exitCode,
                reason: s.terminated?.reason ?? s.waiting?.reason,
                restartCount: c.restartCount,
                startedAt: toDate(s.running?.startedAt ?? s.terminated?.startedAt),
                finishedAt: toDate(s.terminated?.finishedAt),
                id: stripRuntime(c.containerID),
                ...(sidecars.has(c.name) ? { sidecar: true } : {}),
                ready: c.ready,
                started: c.started ?? false,
                ...(last !== undefined ? { lastState: last } : {}),
                ...(s.terminated?.message !== undefined ? { message: s.terminated.message } : {}),
                ...(s.waiting?.message !== undefined ? { waitingMessage: s.waiting.message } : {}),
            };
        };
        const order = (names: string[]) => (a: k8s.V1ContainerStatus, b: k8s.V1ContainerStatus) => names.indexOf(a.name) - names.indexOf(b.name);
        const initNames = (pod.spec?.initContainers ?? []).map((c) => c.name);
        const memberNames = (pod.spec?.containers ?? []).map((c) => c.name);
        return {
            group: group.name,
            phase: (pod.status?.phase ?? "Unknown") as PodPhase,
            containers: [
                ...[...(pod.status?.initContainerStatuses ?? [])].sort(order(initNames)).map(toStatus("init")),
                ...[...(pod.status?.containerStatuses ?? [])].sort(order(memberNames)).map(toStatus("member")),
            ],
            restartCountSource: "pod .status.containerStatuses[].restartCount",
            conditions: (pod.status?.conditions ?? [])
                .filter((c) => (POD_CONDITION_TYPES as readonly string[]).includes(c.type))
                .sort((a, b) => POD_CONDITION_TYPES.indexOf(a.type as typeof POD_CONDITION_TYPES[number]) - POD_CONDITION_TYPES.indexOf(b.type as typeof POD_CONDITION_TYPES[number]))
                .map((c) => ({ type: c.type, status: c.status as PodCondition["status"], ...(c.reason !== undefined ? { reason: c.reason } : {}), ...(c.message !== undefined ? { message: c.message } : {}) })),
            observedAt: new Date(),
        };
    }

    async followLogs(group: GroupRef, container: string): Promise<LogFollower> {
        const out = new Collector();
        let resolveDone: (text: string) => void = () => undefined;
        const done = new Promise<string>((resolve) => { resolveDone = resolve; });
        out.on("finish", () => resolveDone(out.text()));
        const abort = await new k8s.Log(this.kc).log(this.ns(group), group.name, container, out, { follow: true, timestamps: true });
        return {
            done,
            text: () => out.text(),
            stop: () => {
                abort.abort();
                resolveDone(out.text());
            },
        };
    }

    async events(group: GroupRef, since: Date): Promise<RuntimeEvent[]> {
        const list = await this.core.listNamespacedEvent({
            namespace: this.ns(group),
            fieldSelector: `involvedObject.kind=Pod,involvedObject.name=${group.name}`,
        });
        return list.items.map((e) => {
            const m = /\{(.+)\}/.exec(e.involvedObject.fieldPath ?? "");
            return {
                time: new Date((e.eventTime as unknown as string | undefined) ?? e.lastTimestamp ?? e.firstTimestamp ?? 0),
                container: m?.[1],
                action: e.reason ?? "",
                message: e.message,
            };
        }).filter((e) => e.time.getTime() >= since.getTime() - 1000).sort((a, b) => a.time.getTime() - b.time.getTime());
    }

    async close(): Promise<void> {
        // The client keeps no connection open between calls.
    }
}

/** The host pid of the sandbox's `/pause` process of the Pod with this UID, via /proc. */
export async function findPauseProcess(podUid: string): Promise<number> {
    const uidForms = [podUid, podUid.replace(/-/g, "_")];
    const found: number[] = [];
    for (const entry of await fs.readdir("/proc")) {
        if (!/^\d+$/.test(entry)) continue;
        try {
            const cmd = (await fs.readFile(`/proc/${entry}/cmdline`, "utf8")).split("\0")[0];
            if (cmd !== "/pause") continue;
            const cgroup = await fs.readFile(`/proc/${entry}/cgroup`, "utf8");
            if (uidForms.some((u) => cgroup.includes(u))) {
                found.push(Number(entry));
            }
        } catch {
            // The process ended while we looked.
        }
    }
    if (found.length !== 1) {
        throw new Error(`expected one /pause process in the cgroup of pod ${podUid}, found ${found.length}`);
    }
    return found[0];
}
