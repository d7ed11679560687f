/**
 * The measuring side of bench/mass-recovery.sh: creates many supervised groups on Docker exactly
 * as the Docker renderer lays them out (test/integration/rendered-group.ts), kills every sandbox
 * at once (Docker's pauses, or the cluster's Pod sandboxes: SIGKILL to every `/pause` process in
 * one go), and waits until every group is whole again, sampling the supervisor's CPU and memory.
 * Prints one JSON object per command on stdout.
 *
 * Usage (bench/mass-recovery.sh compiles and runs it):
 *   node mass-recovery.js supervisor NAME STATE_DIR        creates (does not start) a supervisor
 *   node mass-recovery.js docker-create PREFIX N            N supervised groups PREFIX-0.. (pause + web + side1)
 *   node mass-recovery.js docker-snapshot PREFIX            the groups' pauses and their StartedAt
 *   node mass-recovery.js docker-kill-wait PREFIX SUP       SIGKILL every pause at once, wait until whole
 *   node mass-recovery.js docker-wait PREFIX SUP SNAPSHOT SINCE_MS
 *                                                           wait until whole in a new sandbox (after a daemon restart)
 *   node mass-recovery.js k8s-snapshot PREFIX               the Pods' container ids
 *   node mass-recovery.js k8s-kill-wait PREFIX              SIGKILL every Pod sandbox at once, wait until whole
 *   node mass-recovery.js k8s-wait PREFIX SNAPSHOT SINCE_MS wait until every Pod is Ready (after a containerd/kubelet restart)
 * SUP is the supervisor's container name. Environment: KUBECONFIG (default: the local cluster's).
 */
import * as k8s from "@kubernetes/client-node";
import Docker from "dockerode";
import * as fs from "fs";
import { LABEL_CONTAINER, LABEL_GROUP, LABEL_ROLE, ROLE_PAUSE } from "../components/labels";
import { resolveDockerSupervisor, supervisorCreateOptions } from "../components/supervisor";
import { findPauseProcess } from "../harness/adapters/kubernetes-adapter";
import { LOCAL_CLUSTER_KUBECONFIG } from "../harness/targets";
import { delay, waitFor } from "../harness/wait";
import { createLaidOutGroup, layoutOf } from "../test/integration/rendered-group";
import { BENCH_KEY, scaleSpec } from "./scale/spec";

const POLL_MS = 100;
const TIMEOUT_MS = 300_000;
const docker = new Docker();
const ms = (iso: string | undefined) => iso === undefined || iso.startsWith("0001-") ? 0 : Date.parse(iso);

function percentiles(xs: number[]): { median: number; p90: number; max: number } {
    const s = [...xs].sort((a, b) => a - b);
    const h = Math.floor(s.length / 2);
    const k = Math.max(0, Math.ceil(0.9 * s.length) - 1);
    return { median: s.length % 2 ? s[h] : Math.round((s[h - 1] + s[h]) / 2), p90: s[k], max: s[s.length - 1] };
}

/** CPU (from /proc/<pid>/stat) and peak RSS of the supervisor while a wait runs; follows its restarts. */
class SupervisorSampler {
    /** Last utime+stime seen per pid; the pid running when sampling began, and its ticks then. */
    private ticks = new Map<number, number>();
    private initial: { pid: number; ticks: number } | undefined;
    peakRssKiB = 0;
    private timer: NodeJS.Timeout | undefined;
    private readonly t0 = Date.now();
    /** Wall-clock start of the window when it began before sampling (the daemon restart). */
    since: number | undefined;
    /**
     * `wholeFirst`: the supervisor process seen first started during the window (it was restarted
     * with dockerd), so all of its CPU time counts, not only what it used after the first sample.
     */
    constructor(private readonly container: string, private readonly wholeFirst = false) {}
    start(): this {
        const tick = async () => {
            try {
                const pid = (await docker.getContainer(this.container).inspect()).State.Pid;
                if (pid > 0) {
                    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
                    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
                    const t = Number(f[11]) + Number(f[12]); // utime + stime, clock ticks
                    if (this.initial === undefined) this.initial = { pid, ticks: t };
                    this.ticks.set(pid, t);
                    const rss = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
                    if (rss) this.peakRssKiB = Math.max(this.peakRssKiB, Number(rss[1]));
                }
            } catch {
                // restarting, or dockerd down
            }
        };
        void tick();
        this.timer = setInterval(() => void tick(), 200);
        return this;
    }
    stop(): { cpuSeconds: number; wallSeconds: number; cpuPercent: number; peakRssKiB: number; processes: number } {
        if (this.timer) clearInterval(this.timer);
        // A supervisor process started during the window (after a daemon restart) counts whole.
        let total = 0;
        for (const [pid, t] of this.ticks) total += t - (pid === this.initial?.pid && !this.wholeFirst ? this.initial.ticks : 0);
        const cpu = total / 100; // USER_HZ
        const wall = (Date.now() - (this.since ?? this.t0)) / 1000;
        return { cpuSeconds: Number(cpu.toFixed(2)), wallSeconds: Number(wall.toFixed(1)), cpuPercent: Number((100 * cpu / wall).toFixed(1)), peakRssKiB: this.peakRssKiB, processes: this.ticks.size };
    }
}

interface DockerGroupState { group: string; pauseId: string; pauseStartedAt: number; pauseFinishedAt: number; pauseRunning: boolean; pausePid: number; members: { name: string; running: boolean; startedAt: number }[] }

async function dockerGroups(prefix: string): Promise<DockerGroupState[]> {
    const list = await docker.listContainers({ all: true, filters: { label: [`${BENCH_KEY}=${prefix}`] } });
    const byGroup = new Map<string, DockerGroupState>();
    const inspected = await Promise.all(list.map((c) => docker.getContainer(c.Id).inspect()));
    for (const c of inspected) {
        const g = c.Config.Labels[LABEL_GROUP];
        const s = byGroup.get(g) ?? { group: g, pauseId: "", pauseStartedAt: 0, pauseFinishedAt: 0, pauseRunning: false, pausePid: 0, members: [] };
        if (c.Config.Labels[LABEL_ROLE] === ROLE_PAUSE) {
            Object.assign(s, { pauseId: c.Id, pauseStartedAt: ms(c.State.StartedAt), pauseFinishedAt: ms(c.State.FinishedAt), pauseRunning: c.State.Running, pausePid: c.State.Pid });
        } else {
            s.members.push({ name: c.Config.Labels[LABEL_CONTAINER], running: c.State.Running, startedAt: ms(c.State.StartedAt) });
        }
        byGroup.set(g, s);
    }
    return [...byGroup.values()].sort((a, b) => a.group.localeCompare(b.group));
}

/** Whole in a new sandbox: the pause runs, started after `before`, and every member runs, started after it. */
function dockerWhole(g: DockerGroupState, before: Map<string, number>): number | undefined {
    if (!g.pauseRunning || g.pauseStartedAt === before.get(g.group)) return undefined;
    if (!g.members.every((m) => m.running && m.startedAt >= g.pauseStartedAt)) return undefined;
    return Math.max(g.pauseStartedAt, ...g.members.map((m) => m.startedAt));
}

async function waitDocker(prefix: string, before: Map<string, number>, since: number, sampler: SupervisorSampler) {
    const t0 = Date.now();
    let state: DockerGroupState[] = [];
    for (;;) {
        try {
            state = await dockerGroups(prefix);
            const whole = state.map((g) => dockerWhole(g, before));
            if (state.length === before.size && whole.every((w) => w !== undefined)) {
                const sup = sampler.stop();
                const wholeAt = whole as number[];
                return {
                    groups: state.length,
                    wholeAfterMs: Math.max(...wholeAt) - since,
                    perGroupMs: percentiles(wholeAt.map((w) => w - since)),
                    pausesBackAfterMs: percentiles(state.map((g) => g.pauseStartedAt - since)),
                    supervisor: sup,
                };
            }
        } catch {
            // dockerd not answering yet
        }
        if (Date.now() - t0 > TIMEOUT_MS) {
            const sup = sampler.stop();
            const missing = state.filter((g) => dockerWhole(g, before) === undefined).map((g) => `${g.group}: pause ${g.pauseRunning ? "running" : "down"}, ${g.members.map((m) => `${m.name}=${m.running ? "running" : "down"}`).join(" ")}`);
            throw new Error(`not every group whole ${TIMEOUT_MS} ms after the event (supervisor ${JSON.stringify(sup)}): ${missing.slice(0, 5).join("; ")}`);
        }
        await delay(POLL_MS);
    }
}

function core(): k8s.CoreV1Api {
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(process.env.KUBECONFIG ?? LOCAL_CLUSTER_KUBECONFIG);
    return kc.makeApiClient(k8s.CoreV1Api);
}

async function pods(api: k8s.CoreV1Api, prefix: string): Promise<k8s.V1Pod[]> {
    return (await api.listNamespacedPod({ namespace: "default", labelSelector: `${BENCH_KEY}=${prefix}` })).items;
}

const containerIds = (p: k8s.V1Pod) => (p.status?.containerStatuses ?? []).map((c) => c.containerID ?? "");
const podReady = (p: k8s.V1Pod) => (p.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True");

async function main(args: string[]): Promise<unknown> {
    const [command, prefix] = args;
    switch (command) {
        case "supervisor": {
            // PODGROUP_RECOVERY_MAX_SANDBOX_STARTS: the supervisor's bound on sandbox starts in flight (default: its own).
            const bound = process.env.PODGROUP_RECOVERY_MAX_SANDBOX_STARTS;
            const options = supervisorCreateOptions(resolveDockerSupervisor({
                containerName: prefix, stateDir: args[2], ...(bound ? { maxConcurrentSandboxStarts: Number(bound) } : {}),
            }));
            await docker.createContainer({ ...options, Labels: { ...options.Labels, [BENCH_KEY]: "supervisor" } });
            return { created: prefix };
        }
        case "docker-create": {
            const n = Number(args[2]);
            const names = Array.from({ length: n }, (_, i) => `${prefix}-${i}`);
            // A few at a time: the measurement is the recovery, not the creation.
            for (let i = 0; i < names.length; i += 5) {
                await Promise.all(names.slice(i, i + 5).map((g) => createLaidOutGroup(docker, layoutOf(g, scaleSpec(2, { [BENCH_KEY]: prefix }), true))));
            }
            // Supervised: the pauses run; the supervisor starts the members (as after `pulumi up`).
            await waitFor(`the supervisor to start all ${n} groups`,
                async () => (await dockerGroups(prefix)).filter((g) => g.pauseRunning && g.members.every((m) => m.running)).length,
                (whole) => whole === n, { timeoutMs: TIMEOUT_MS, intervalMs: POLL_MS });
            return { created: n };
        }
        case "docker-snapshot":
            return Object.fromEntries((await dockerGroups(prefix)).map((g) => [g.group, g.pauseStartedAt]));
        case "docker-kill-wait": {
            const groups = await dockerGroups(prefix);
            if (!groups.every((g) => g.pauseRunning && g.members.every((m) => m.running))) throw new Error("not every group runs before the kill");
            const before = new Map(groups.map((g) => [g.group, g.pauseStartedAt]));
            const sampler = new SupervisorSampler(args[2]).start();
            await delay(300);
            const killedAt = Date.now();
            for (const g of groups) process.kill(g.pausePid, "SIGKILL");
            const result = await waitDocker(prefix, before, killedAt, sampler);
            const after = await dockerGroups(prefix);
            // Docker's own clock: the first pause's death.
            const died = Math.min(...after.map((g) => g.pauseFinishedAt).filter((t) => t > 0));
            return { ...result, killedAtMs: killedAt, firstDeathAfterKillMs: died - killedAt };
        }
        case "docker-wait": {
            const before = new Map(Object.entries(JSON.parse(fs.readFileSync(args[3], "utf8")) as Record<string, number>));
            const sampler = new SupervisorSampler(args[2], true).start();
            sampler.since = Number(args[4]);
            return waitDocker(prefix, before, Number(args[4]), sampler);
        }
        case "k8s-snapshot": {
            const list = await pods(core(), prefix);
            return Object.fromEntries(list.map((p) => [p.metadata!.name!, { ids: containerIds(p), restarts: (p.status?.containerStatuses ?? []).reduce((a, c) => a + c.restartCount, 0) }]));
        }
        case "k8s-kill-wait": {
            const api = core();
            const before = await pods(api, prefix);
            if (!before.every(podReady)) throw new Error("not every Pod is Ready before the kill");
            const old = new Set(before.flatMap(containerIds));
            const pids = await Promise.all(before.map((p) => findPauseProcess(p.metadata!.uid!)));
            const killedAt = Date.now();
            for (const pid of pids) process.kill(pid, "SIGKILL");
            const wholeAt = new Map<string, number>();
            for (;;) {
                const now = await pods(api, prefix);
                const t = Date.now();
                for (const p of now) {
                    const cs = p.status?.containerStatuses ?? [];
                    if (!wholeAt.has(p.metadata!.name!) && cs.length > 0 && cs.every((c) => c.state?.running !== undefined && c.containerID !== undefined && !old.has(c.containerID))) {
                        wholeAt.set(p.metadata!.name!, t);
                    }
                }
                if (wholeAt.size === before.length) {
                    const times = [...wholeAt.values()].map((w) => w - killedAt);
                    return { groups: before.length, wholeAfterMs: Math.max(...times), perGroupMs: percentiles(times), killedAtMs: killedAt };
                }
                if (t - killedAt > TIMEOUT_MS) throw new Error(`${before.length - wholeAt.size} of ${before.length} Pods not whole ${TIMEOUT_MS} ms after their sandboxes were killed`);
                await delay(POLL_MS);
            }
        }
        case "k8s-wait": {
            const api = core();
            const snapshot = JSON.parse(fs.readFileSync(args[2], "utf8")) as Record<string, { ids: string[]; restarts: number }>;
            const since = Number(args[3]);
            let notReadySeen = false;
            for (;;) {
                let now: k8s.V1Pod[] = [];
                try {
                    now = await pods(api, prefix);
                } catch {
                    // the API server is fine; a transient error is retried
                }
                const t = Date.now();
                if (now.length > 0 && !now.every(podReady)) notReadySeen = true;
                if (now.length === Object.keys(snapshot).length && now.every(podReady) && t - since > 2000) {
                    const changed = now.filter((p) => JSON.stringify(containerIds(p)) !== JSON.stringify(snapshot[p.metadata!.name!]?.ids)).length;
                    const restarts = now.reduce((a, p) => a + (p.status?.containerStatuses ?? []).reduce((b, c) => b + c.restartCount, 0) - (snapshot[p.metadata!.name!]?.restarts ?? 0), 0);
                    return { groups: now.length, allReadyAfterMs: t - since, podsWithNewContainers: changed, restartsAdded: restarts, notReadySeen };
                }
                if (t - since > TIMEOUT_MS) throw new Error(`Pods not all Ready ${TIMEOUT_MS} ms after the restart`);
                await delay(POLL_MS);
            }
        }
        default:
            throw new Error("usage: mass-recovery.js supervisor|docker-create|docker-snapshot|docker-kill-wait|docker-wait|k8s-snapshot|k8s-kill-wait|k8s-wait ...");
    }
}

main(process.argv.slice(2)).then((r) => {
    process.stdout.write(`${JSON.stringify(r)}\n`);
    process.exit(0);
}, (e: unknown) => {
    process.stderr.write(`mass-recovery: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
});
