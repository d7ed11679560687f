/**
 * Faults that lose nothing, on the real Docker engine and the local cluster: what a CI host does to
 * a deployment (many up/destroy rounds, a `pulumi up` killed halfway, two stacks at once, the
 * daemon restarting under a deploy, kubelet restarting under running Pods) must neither leave
 * objects behind nor lose any.
 *
 * - Rounds: 10 x (up, destroy) of one stack holding a Docker group (init container, emptyDir,
 *   secret env) and a Kubernetes group (secret env -> a Secret): after each destroy, zero
 *   containers, volumes, networks, Pods and Secrets carry the groups' label.
 * - SIGKILL: `pulumi up` of bench/scale's program (5 groups) killed with SIGKILL once some but not
 *   all containers exist; then `podgroup recover` (cli/recover.ts: torn state files repaired, the
 *   lock released, pending operations cleared, orphans = objects carrying the stack's label that the
 *   state does not hold, reported and removed); then `pulumi up` converges with every container in
 *   the state (test/integration/recover.test.ts kills at more points and runs the command as a process).
 *   Every CLI stack is cleaned up whatever a failing test left: destroyed (recovered first if it
 *   cannot be), then whatever still carries its labels removed, then the stack removed.
 * - Two stacks of the same program, different groups, `pulumi up` at the same time on one engine.
 * - dockerd restarted (no live-restore) during `pulumi up`, on a private engine of its own
 *   (test/integration/supervisor-engine.ts) so that nothing else on the host is stopped.
 * - kubelet restarted (bench/lib/restart.sh, the way scripts/cluster.sh runs it) while Pods run:
 *   same container ids, no restarts, Ready again, and `pulumi preview` sees nothing to change.
 */
import * as k8s from "@kubernetes/client-node";
import * as docker from "@pulumi/docker";
import * as kubernetes from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import { ChildProcess, execFile, spawn } from "child_process";
import Docker from "dockerode";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import images from "../../images/images.json";
import { LABEL_GROUP, PodGroup } from "../../components";
import { DEFAULT_SUPERVISOR_CONTAINER_NAME, LABEL_SUPERVISOR } from "../../components/supervisor";
import type { PodGroupSpec } from "../../components/spec";
import { dockerEndpoint } from "../../harness/deploy/docker-endpoint";
import { cliEnv } from "../../harness/deploy/pulumi-deployer";
import { LOCAL_CLUSTER_KUBECONFIG } from "../../harness/targets";
import { BENCH_KEY } from "../../bench/scale/spec";
import { dockerPauseName } from "../../components/naming";
import { LABEL_STACK } from "../../components/labels";
import { formatReport, recover, RecoveryReport } from "../../cli/recover";
import { recoverDeps } from "../../cli/recover-command";
import { descendants, removeLabelled, stopPlugins } from "./interrupted-up";
import { PrivateEngine, waitFor } from "./supervisor-engine";

const execFileAsync = promisify(execFile);
const REPO = path.resolve(__dirname, "../..");
const SCALE_PROGRAM = path.join(REPO, "bench/scale");
/** bench/scale's Pulumi project (its Pulumi.yaml). */
const SCALE_PROJECT = "podgroup-bench-scale";
const KUBECONFIG = process.env.KUBECONFIG ?? LOCAL_CLUSTER_KUBECONFIG;
const NAMESPACE = "default";
const PROJECT = "podgroup-faults";
/** Short and unique per run: group names are DNS labels. */
const RUN = `${process.pid.toString(36)}${Date.now().toString(36).slice(-3)}`;
/** The programs are type-checked by `tsc --noEmit`; ts-node need not do it again at every up. */
const CLI_ENV = { ...process.env, PULUMI_NODEJS_TRANSPILE_ONLY: "true" } as Record<string, string>;

const engine = new Docker();
function kubeCore(): k8s.CoreV1Api {
    if (!fs.existsSync(KUBECONFIG)) throw new Error(`no kubeconfig at ${KUBECONFIG}: run 'bash scripts/cluster.sh up' (or set KUBECONFIG)`);
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(KUBECONFIG);
    return kc.makeApiClient(k8s.CoreV1Api);
}

/** Everything of the groups still on the engine and the cluster, as readable lines. */
async function leftovers(groups: string[], dockerApi: Docker = engine): Promise<string[]> {
    const found: string[] = [];
    for (const g of groups) {
        const filters = JSON.stringify({ label: [`${LABEL_GROUP}=${g}`] });
        found.push(...(await dockerApi.listContainers({ all: true, filters })).map((c) => `container ${c.Names.join(",")}`));
        found.push(...((await dockerApi.listVolumes({ filters })).Volumes ?? []).map((v) => `volume ${v.Name}`));
        found.push(...(await dockerApi.listNetworks({ filters })).map((n) => `network ${n.Name}`));
        if (dockerApi === engine) {
            const core = kubeCore();
            const labelSelector = `${LABEL_GROUP}=${g}`;
            found.push(...(await core.listNamespacedPod({ namespace: NAMESPACE, labelSelector })).items.map((p) => `pod ${p.metadata?.name}`));
            found.push(...(await core.listNamespacedSecret({ namespace: NAMESPACE, labelSelector })).items.map((s) => `secret ${s.metadata?.name}`));
        }
    }
    return found;
}

function faultSpec(): PodGroupSpec {
    return {
        initContainers: [{ name: "seed", image: images.toolbox, command: ["sh", "-c", "echo seeded > /scratch/seed"], volumeMounts: [{ name: "scratch", mountPath: "/scratch" }] }],
        containers: [{
            name: "app", image: images.toolbox, command: ["sleep", "100000"],
            env: [{ name: "TOKEN", secretValue: pulumi.secret("not-in-the-clear") }],
            volumeMounts: [{ name: "scratch", mountPath: "/scratch" }],
        }],
        volumes: [{ name: "scratch", emptyDir: {} }],
        restartPolicy: "Always",
        shareProcessNamespace: true,
        terminationGracePeriodSeconds: 1,
    };
}

async function inlineStack(stackName: string, program: () => Promise<Record<string, unknown>>): Promise<Stack> {
    return LocalWorkspace.createOrSelectStack({ projectName: PROJECT, stackName, program }, { envVars: cliEnv(undefined) });
}

async function removeStack(stack: Stack): Promise<void> {
    await stack.destroy({ color: "never" }).catch(() => undefined);
    await stack.workspace.removeStack(stack.name).catch(() => undefined);
}

// ---- bench/scale's program through the CLI, as a user runs `pulumi up` ----------------------------

interface CliStack { name: string; prefix: string; configFile: string; dir: string }

async function pulumiCli(args: string[], stack: CliStack, timeoutMs = 180_000): Promise<string> {
    const { stdout, stderr } = await execFileAsync("pulumi", ["-C", SCALE_PROGRAM, "--non-interactive", ...args, "--stack", stack.name],
        { env: CLI_ENV, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }).catch((e: { stdout?: string; stderr?: string; message: string }) => {
        throw new Error(`pulumi ${args.join(" ")} (stack ${stack.name}) failed: ${e.message}\n${e.stdout ?? ""}\n${e.stderr ?? ""}`);
    });
    return stdout + stderr;
}

/** A stack of bench/scale's program: `groups` groups of 2 members, bare unless `supervise`. */
async function cliStack(prefix: string, groups: number, supervise = false): Promise<CliStack> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pgfaults-"));
    const stack = { name: `faults-${prefix}`, prefix, configFile: path.join(dir, "Pulumi.yaml"), dir };
    fs.writeFileSync(stack.configFile, `config:\n  scale:groups: "${groups}"\n  scale:members: "2"\n  scale:prefix: ${prefix}\n` +
        `  scale:supervise: "${supervise}"\n`);
    await execFileAsync("pulumi", ["-C", SCALE_PROGRAM, "--non-interactive", "stack", "init", stack.name], { env: CLI_ENV });
    return stack;
}

const upArgs = (s: CliStack) => ["up", "--yes", "--skip-preview", "--config-file", s.configFile];

/** `podgroup recover` of the stack (cli/recover.ts), with what the command recovers with, from bench/scale. */
async function recoverStack(s: CliStack): Promise<RecoveryReport> {
    const options = { stack: s.name, cwd: SCALE_PROGRAM, dryRun: false, force: false };
    return recover(options, recoverDeps(SCALE_PROGRAM, CLI_ENV));
}

/**
 * Whatever the stack left, whatever state a failing test left it in: the killed CLI's plugins,
 * the stack's objects (destroyed; a stack that cannot be destroyed, torn or locked, is recovered
 * first; what still carries its labels is removed), the stack and its files.
 */
async function removeCliStack(s: CliStack, plugins: number[] = []): Promise<void> {
    await stopPlugins(plugins, 0);
    const destroy = () => pulumiCli(["destroy", "--yes", "--skip-preview", "--config-file", s.configFile], s)
        .then(() => true, () => false);
    if (!(await destroy())) {
        await recoverStack(s).catch(() => undefined);
        await destroy();
    }
    const left = [...await removeLabelled(engine, `${LABEL_STACK}=${SCALE_PROJECT}/${s.name}`),
        ...await removeLabelled(engine, `${BENCH_KEY}=${s.prefix}`)];
    if (left.length > 0) console.log(`clean-up of stack ${s.name} removed what destroy left: ${left.join(", ")}`);
    await pulumiCli(["stack", "rm", "--yes", "--force"], s).catch(() => undefined);
    // stack init wrote bench/scale/Pulumi.<stack>.yaml (the encryption salt): stack rm removes it, this makes sure.
    fs.rmSync(path.join(SCALE_PROGRAM, `Pulumi.${s.name}.yaml`), { force: true });
    fs.rmSync(s.dir, { recursive: true, force: true });
}

/** Container ids the stack's state holds (docker:index/container:Container). */
async function stateContainerIds(s: CliStack): Promise<Set<string>> {
    const exported = JSON.parse(await pulumiCli(["stack", "export"], s)) as { deployment: { resources?: { type: string; id?: string }[] } };
    return new Set((exported.deployment.resources ?? []).filter((r) => r.type === "docker:index/container:Container" && r.id).map((r) => r.id!));
}

/** The stack holds every container of its groups, each running, and nothing else carries its label. */
async function expectConverged(s: CliStack, groups: number): Promise<void> {
    const known = await stateContainerIds(s);
    const labelled = await engine.listContainers({ all: true, filters: JSON.stringify({ label: [`${BENCH_KEY}=${s.prefix}`] }) });
    expect(labelled.map((c) => `${c.Names[0]} ${c.State}`).sort()).toEqual(labelled.map((c) => `${c.Names[0]} running`).sort());
    expect(labelled).toHaveLength(groups * 3);
    expect(labelled.filter((c) => !known.has(c.Id)).map((c) => c.Names[0])).toEqual([]);
    expect(known.size).toBe(groups * 3);
}

describe("faults that lose nothing", () => {
    it("10 rounds of up and destroy leave no container, volume, network, Pod or Secret", async () => {
        const dockerGroup = `fr-d-${RUN}`;
        const kubeGroup = `fr-k-${RUN}`;
        const stack = await inlineStack(`faults-rounds-${RUN}`, async () => {
            // The engine `engine` (dockerode) queries: DOCKER_HOST or the default socket.
            const engineProvider = new docker.Provider("engine", await dockerEndpoint());
            const cluster = new kubernetes.Provider("cluster", { kubeconfig: KUBECONFIG });
            const d = new PodGroup(dockerGroup, { backend: "docker", spec: faultSpec(), provider: engineProvider });
            const k = new PodGroup(kubeGroup, { backend: "kubernetes", spec: faultSpec(), provider: cluster, kubernetes: { namespace: NAMESPACE } });
            return { pause: d.pauseId, pod: k.podName };
        });
        try {
            for (let round = 1; round <= 10; round++) {
                await stack.up({ color: "never" });
                // While up, the same queries find the groups' objects (so that "none" below means gone).
                const up = await leftovers([dockerGroup, kubeGroup]);
                expect(up.filter((l) => l.startsWith("container")).length).toBe(3);
                expect(up.filter((l) => l.startsWith("volume")).length).toBe(1);
                expect(up.filter((l) => l.startsWith("pod")).length).toBe(1);
                expect(up.filter((l) => l.startsWith("secret")).length).toBe(1);
                await stack.destroy({ color: "never" });
                expect({ round, left: await leftovers([dockerGroup, kubeGroup]) }).toEqual({ round, left: [] });
            }
        } finally {
            await removeStack(stack);
        }
    }, 300_000);

    it("pulumi up killed with SIGKILL halfway, then pulumi up again, converges with no orphan container", async () => {
        const groups = 5;
        const s = await cliStack(`fk-${RUN}`, groups);
        let cli: ChildProcess | undefined;
        let children: number[] = [];
        try {
            cli = spawn("pulumi", ["-C", SCALE_PROGRAM, "--non-interactive", ...upArgs(s), "--stack", s.name],
                { env: CLI_ENV, detached: true, stdio: "ignore" });
            const cliPid = cli.pid!;
            const filters = JSON.stringify({ label: [`${BENCH_KEY}=${s.prefix}`] });
            const seen = await waitFor("some but not all containers", async () => {
                const n = (await engine.listContainers({ all: true, filters })).length;
                return n >= Math.ceil((groups * 3) / 2) ? n : undefined;
            }, 120_000);
            children = await descendants(cliPid);
            process.kill(cliPid, "SIGKILL");
            expect(seen).toBeLessThan(groups * 3);
            // The CLI's plugins (language host, program, docker provider) run in process groups of
            // their own and outlive it: they are waited for 10 s, then killed by pid (this test
            // started them), so that nothing creates containers behind the recovery's back.
            const stragglers = await stopPlugins(children, 10_000);
            const report = await recoverStack(s);
            if (!report.ok) throw new Error(`podgroup recover failed:\n${formatReport(report).join("\n")}`);
            const lock = report.wasLocked ? "released by pulumi cancel" : "none";
            const orphans = report.orphans.map((o) => `${o.name} (${o.state ?? o.kind})`);
            const files = report.fileActions.map((a) => a.description);
            console.log(`after SIGKILL at ${seen} of ${groups * 3} containers: lock ${lock}; ` +
                `files repaired ${JSON.stringify(files)}; ` +
                `pending operations ${JSON.stringify(report.pending)}; orphans removed ${JSON.stringify(orphans)}; ` +
                `of the CLI's ${children.length} descendants, ${stragglers.length} still ran 10 s after it was killed`);
            await pulumiCli(upArgs(s), s);
            await expectConverged(s, groups);
        } finally {
            // Failed before the kill: the CLI still runs; its plugins are found before it goes.
            if (cli?.pid !== undefined && cli.exitCode === null && cli.signalCode === null) {
                if (children.length === 0) children = await descendants(cli.pid);
                cli.kill("SIGKILL");
            }
            await removeCliStack(s, children);
        }
        expect(await engine.listContainers({ all: true, filters: JSON.stringify({ label: [`${BENCH_KEY}=${s.prefix}`] }) })).toEqual([]);
        expect(await removeLabelled(engine, `${LABEL_STACK}=${SCALE_PROJECT}/${s.name}`)).toEqual([]);
    }, 240_000);

    it("two stacks deploying supervised groups on one host at the same time both converge with one supervisor, and destroying one leaves the other", async () => {
        const [a, b] = await Promise.all([cliStack(`fa-${RUN}`, 2, true), cliStack(`fb-${RUN}`, 2, true)]);
        try {
            await Promise.all([pulumiCli(upArgs(a), a), pulumiCli(upArgs(b), b)]);
            await expectConverged(a, 2);
            await expectConverged(b, 2);
            // Both stacks' groups started a supervisor on demand if none ran: Docker's unique name leaves one.
            const supervisors = await engine.listContainers({ filters: JSON.stringify({ label: [`${LABEL_SUPERVISOR}=true`] }) });
            expect(supervisors.map((c) => `${c.Names[0]} ${c.State}`)).toEqual([`/${DEFAULT_SUPERVISOR_CONTAINER_NAME} running`]);
            const bIds = [...await stateContainerIds(b)].sort();
            await pulumiCli(["destroy", "--yes", "--skip-preview", "--config-file", a.configFile], a);
            expect(await engine.listContainers({ all: true, filters: JSON.stringify({ label: [`${BENCH_KEY}=${a.prefix}`] }) })).toEqual([]);
            await expectConverged(b, 2);
            expect([...await stateContainerIds(b)].sort()).toEqual(bIds);
        } finally {
            await Promise.all([removeCliStack(a), removeCliStack(b)]);
        }
    }, 240_000);

    describe("on a private engine", () => {
        const privateEngine = new PrivateEngine();
        beforeAll(async () => {
            await privateEngine.start({ liveRestore: false });
            privateEngine.loadImages([images.pause, images.toolbox]);
        }, 120_000);
        afterAll(async () => privateEngine.destroy(), 120_000);

        it("dockerd restarted during pulumi up: pulumi up --refresh again converges, every group whole and nothing orphaned", async () => {
            const groups = Array.from({ length: 4 }, (_, i) => `fd-${RUN}-${i}`);
            const spec = (): PodGroupSpec => ({
                containers: [{ name: "web", image: images.toolbox, command: ["sleep", "100000"] }, { name: "side", image: images.toolbox, command: ["sleep", "100000"] }],
                restartPolicy: "Always", shareProcessNamespace: true, terminationGracePeriodSeconds: 1,
            });
            const stack = await inlineStack(`faults-dockerd-${RUN}`, async () => {
                const provider = new docker.Provider("private", { host: `unix://${privateEngine.socket}` });
                // The bare mode: this checks what Pulumi's state and Docker make of a daemon restart
                // under `pulumi up`; the supervisor's recovery from one is in supervisor.test.ts.
                for (const g of groups) new PodGroup(g, { backend: "docker", spec: spec(), provider, docker: { supervise: false } });
                return {};
            });
            try {
                const first = stack.up({ color: "never" }).then(() => "succeeded", (e: Error) => `failed: ${e.message.split("\n").filter((l) => /error/i.test(l)).slice(0, 3).join(" | ")}`);
                await waitFor("the first containers", async () => ((await privateEngine.docker.listContainers({ all: true })).length >= 3 ? true : undefined), 120_000);
                await privateEngine.restart({ liveRestore: false });
                const outcome = await first;
                // Orphans: containers of the groups the state does not hold.
                const state = await stack.exportStack();
                const known = new Set((state.deployment.resources ?? []).filter((r: { type: string }) => r.type === "docker:index/container:Container").map((r: { id?: string }) => r.id));
                const before = await privateEngine.docker.listContainers({ all: true });
                const orphans = before.filter((c) => !known.has(c.Id));
                await Promise.all(orphans.map((c) => privateEngine.docker.getContainer(c.Id).remove({ force: true })));
                console.log(`first pulumi up, dockerd restarted under it: ${outcome}; containers then ${before.map((c) => `${c.Names[0]}=${c.State}`).join(" ")}; ` +
                    `pending operations ${JSON.stringify(state.deployment.pending_operations ?? [])}; orphans removed ${JSON.stringify(orphans.map((c) => c.Names[0]))}`);
                if ((state.deployment.pending_operations ?? []).length > 0) await stack.refresh({ color: "never", clearPendingCreates: true } as Parameters<Stack["refresh"]>[0]);
                await stack.up({ color: "never", refresh: true });
                const after = await privateEngine.docker.listContainers({ all: true });
                expect(after.map((c) => `${c.Names[0]} ${c.State}`).sort()).toEqual(after.map((c) => `${c.Names[0]} running`).sort());
                expect(after).toHaveLength(groups.length * 3);
                // Every member joins its group's current pause.
                for (const g of groups) {
                    const cs = await Promise.all(after.filter((c) => c.Labels[LABEL_GROUP] === g).map((c) => privateEngine.docker.getContainer(c.Id).inspect()));
                    const pause = cs.find((c) => c.Name === `/${dockerPauseName(g)}`);
                    expect(pause?.State.Running).toBe(true);
                    expect(cs.filter((c) => c !== pause).map((c) => c.HostConfig.NetworkMode)).toEqual([`container:${pause!.Id}`, `container:${pause!.Id}`]);
                }
                const exported = await stack.exportStack();
                const ids = new Set((exported.deployment.resources ?? []).filter((r: { type: string }) => r.type === "docker:index/container:Container").map((r: { id?: string }) => r.id));
                expect(after.filter((c) => !ids.has(c.Id)).map((c) => c.Names[0])).toEqual([]);
                await stack.destroy({ color: "never" });
                expect(await leftovers(groups, privateEngine.docker)).toEqual([]);
            } finally {
                await removeStack(stack);
            }
        }, 300_000);
    });

    it("kubelet restarted with Pods running: same containers, no restarts, Ready again, nothing for pulumi to change", async () => {
        const group = `fl-${RUN}`;
        const stack = await inlineStack(`faults-kubelet-${RUN}`, async () => {
            const cluster = new kubernetes.Provider("cluster", { kubeconfig: KUBECONFIG });
            const k = new PodGroup(group, { backend: "kubernetes", spec: faultSpec(), provider: cluster, kubernetes: { namespace: NAMESPACE } });
            return { pod: k.podName };
        });
        try {
            await stack.up({ color: "never" });
            const core = kubeCore();
            const read = async () => (await core.readNamespacedPod({ name: group, namespace: NAMESPACE })).status!;
            const before = await read();
            const ids = (st: k8s.V1PodStatus) => (st.containerStatuses ?? []).map((c) => `${c.name}=${c.containerID} restarts=${c.restartCount}`);
            const restartedAt = Date.now();
            await execFileAsync("bash", ["-c", `. scripts/lib/common.sh && . bench/lib/restart.sh && restart_cluster_component kubelet`], { cwd: REPO, env: process.env as Record<string, string> });
            // Ready again after kubelet has re-registered and looked at its Pods (its first status sync).
            await waitFor("kubelet healthy again", async () => {
                const r = await fetch("http://127.0.0.1:10248/healthz").catch(() => undefined);
                return r?.ok ? true : undefined;
            }, 60_000);
            const after = await waitFor("the Pod Ready, as seen after the restart", async () => {
                const st = await read();
                const ready = (st.conditions ?? []).find((c) => c.type === "Ready");
                return ready?.status === "True" && Date.now() - restartedAt > 3000 ? st : undefined;
            }, 90_000);
            expect(ids(after)).toEqual(ids(before));
            const preview = await stack.preview({ color: "never" });
            expect(Object.keys(preview.changeSummary).filter((k) => k !== "same")).toEqual([]);
            await stack.destroy({ color: "never" });
            expect(await leftovers([group])).toEqual([]);
        } finally {
            await removeStack(stack);
        }
    }, 240_000);
});
