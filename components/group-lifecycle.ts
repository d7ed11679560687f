/**
 * A supervised group's life as `pulumi up` and `pulumi destroy` see it (docs/supervisor.md):
 *
 * - up: Pulumi only declares the containers; the supervisor starts them in kubelet's order. The
 *   {@link DockerGroupLifecycle} resource, which depends on every container of the group, makes
 *   sure the engine's supervisor runs, then waits through its status file as the kubernetes
 *   provider waits on a Pod: until the group is Initialized and Ready, or Succeeded (with
 *   `waitForReadiness: false`, initialized with every member running; with `skipAwait`, not at
 *   all), and fails with one clear message otherwise.
 * - destroy: it is deleted before the containers, and stops the group as kubelet terminates a
 *   pod: the regular containers in parallel (preStop hook, then SIGTERM with the grace left,
 *   SIGKILL at its end), then the native sidecars in reverse spec order; the pause goes last,
 *   stopped and removed by Pulumi after every container that joins it.
 *   {@link terminateDockerGroup} is the same code for callers that hold a Docker client.
 *
 * The dynamic provider's code is serialised into the Pulumi state (Pulumi's closure
 * serialisation): everything it runs is in this file, it takes every name it needs from its
 * inputs, and requires its modules (dockerode, fs) inside its functions.
 */
import * as pulumi from "@pulumi/pulumi";
import type Docker from "dockerode";
import type { ContainerCreateOptions } from "dockerode";
import { DOCKER_CONTRACT } from "./contract";
import { LABEL_SUPERVISOR, LABEL_SUPERVISOR_ON_DEMAND } from "./labels";
import { onDemandSupervisorCreateOptions } from "./supervisor";
import { dockerContainerName, dockerPauseName } from "./naming";
import { RestartPolicy } from "./spec";

/** The labels and paths the lifecycle code reads (taken from the contract, passed as inputs). */
interface LifecycleContract {
    labels: {
        group: string; role: string; container: string; initIndex: string; memberIndex: string; containerRestartPolicy: string;
        lifecycle: string; supervisor: string; supervisorOnDemand: string;
    };
    roles: { pause: string; init: string; member: string };
    stateMount: string;
    defaultStateDir: string;
    statusSubdir: string;
    statusSuffix: string;
}

function lifecycleContract(): LifecycleContract {
    const l = DOCKER_CONTRACT.labels;
    const s = DOCKER_CONTRACT.supervisor;
    return {
        labels: { group: l.group, role: l.role, container: l.container, initIndex: l.initIndex, memberIndex: l.memberIndex,
            containerRestartPolicy: l.containerRestartPolicy, lifecycle: l.lifecycle, supervisor: LABEL_SUPERVISOR,
            supervisorOnDemand: LABEL_SUPERVISOR_ON_DEMAND },
        roles: { ...DOCKER_CONTRACT.roles },
        stateMount: s.stateMount, defaultStateDir: s.hostStateDir, statusSubdir: s.statusSubdir, statusSuffix: s.statusSuffix,
    };
}

/** What the lifecycle resource is given (plain values once resolved). */
export interface GroupLifecycleInputs {
    groupName: string;
    restartPolicy: RestartPolicy;
    waitForReadiness: boolean;
    /** Only make sure the supervisor runs; do not wait for the group (the kubernetes backend's skipAwait). */
    skipAwait?: boolean;
    timeoutSeconds: number;
    pauseId: string;
    /** Ids of the init containers and members: a replaced container makes `pulumi up` wait again. */
    containerIds: string[];
    /** Spec name -> Docker name (the pause under "POD"). */
    dockerNames: Record<string, string>;
    contract: LifecycleContract;
    /** Unix socket or tcp:// address of the engine; default DOCKER_HOST, else the local socket. */
    dockerHost?: string;
    /** The Engine API create body of the supervisor the group starts when none runs on the engine. */
    supervisor: ContainerCreateOptions;
}

type Inputs<T> = { [K in keyof T]: pulumi.Input<T[K]> };

/** The lifecycle resource's inputs for a group (the contract's names filled in). */
export function groupLifecycleInputs(args: {
    groupName: string; restartPolicy: RestartPolicy; waitForReadiness: boolean; skipAwait?: boolean; timeoutSeconds: number;
    pauseId: pulumi.Input<string>; containerIds: pulumi.Input<string>[]; containerNames?: string[]; dockerHost?: string;
    supervisorStateDir?: string;
}): Inputs<GroupLifecycleInputs> {
    return {
        groupName: args.groupName,
        restartPolicy: args.restartPolicy,
        waitForReadiness: args.waitForReadiness,
        ...(args.skipAwait === true ? { skipAwait: true } : {}),
        timeoutSeconds: args.timeoutSeconds,
        pauseId: args.pauseId,
        containerIds: pulumi.all(args.containerIds),
        dockerNames: groupDockerNames(args.groupName, args.containerNames ?? []),
        contract: lifecycleContract(),
        ...(args.dockerHost !== undefined ? { dockerHost: args.dockerHost } : {}),
        supervisor: onDemandSupervisorCreateOptions(args.supervisorStateDir, args.dockerHost),
    };
}

// ---------------------------------------------------------------------------------------------
// Everything below runs inside the dynamic provider: no imports, only same-file functions.

/** How many log lines a failure shows. */
const LOG_TAIL_LINES = 20;
/** kubelet's minimum grace for the stop after a preStop hook (minimumGracePeriodInSeconds). */
const MINIMUM_STOP_SECONDS = 2;

export interface StatusContainer {
    name: string;
    containerID?: string;
    ready?: boolean;
    started?: boolean;
    restartCount?: number;
    state?: { waiting?: { reason?: string; message?: string }; running?: { startedAt?: string }; terminated?: { exitCode?: number; reason?: string; message?: string } };
    lastState?: StatusContainer["state"];
}

export interface GroupStatusFile {
    group?: string;
    phase?: string;
    message?: string;
    sandbox?: { id?: string; state?: string };
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
    initContainerStatuses?: StatusContainer[];
    containerStatuses?: StatusContainer[];
    containers?: Record<string, { role?: string; state?: string; restartCount?: number; lastExitCode?: number; lastReason?: string; id?: string }>;
}

function dockerClient(host: string | undefined): Docker {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const Dockerode = require("dockerode") as typeof Docker;
    const where = host ?? process.env.DOCKER_HOST;
    if (where === undefined || where === "") return new Dockerode();
    if (where.startsWith("unix://")) return new Dockerode({ socketPath: where.slice("unix://".length) });
    if (where.startsWith("/")) return new Dockerode({ socketPath: where });
    const url = new URL(where.replace(/^tcp:/, "http:"));
    return new Dockerode({ host: url.hostname, port: Number(url.port || 2375) });
}

function sleepMs(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Docker's multiplexed log stream (8-byte frame headers, no TTY) as text. */
export function demuxDockerStream(buf: Buffer): string {
    const parts: string[] = [];
    let i = 0;
    while (i + 8 <= buf.length && (buf[i] === 1 || buf[i] === 2 || buf[i] === 0) && buf[i + 1] === 0 && buf[i + 2] === 0 && buf[i + 3] === 0) {
        const size = buf.readUInt32BE(i + 4);
        parts.push(buf.subarray(i + 8, i + 8 + size).toString("utf8"));
        i += 8 + size;
    }
    return i === 0 ? buf.toString("utf8") : parts.join("");
}

/** The last log lines of a container ("" when it has none or is gone). */
async function logTail(docker: Docker, container: string, lines: number): Promise<string[]> {
    try {
        const raw = await docker.getContainer(container).logs({ stdout: true, stderr: true, tail: lines, follow: false }) as unknown as Buffer;
        const text = demuxDockerStream(Buffer.isBuffer(raw) ? raw : Buffer.from(String(raw)));
        return text.replace(/\r/g, "").split("\n").filter((l, i, all) => !(l === "" && i === all.length - 1)).slice(-lines);
    } catch {
        return [];
    }
}

/** The host path of the group's status file: under the supervisor container's state mount, else the contract's default. */
async function statusFilePath(docker: Docker, group: string, c: LifecycleContract): Promise<{ path: string; supervisorRunning: boolean }> {
    let stateDir = c.defaultStateDir;
    let supervisorRunning = false;
    try {
        const found = await docker.listContainers({ all: true, filters: JSON.stringify({ label: [`${c.labels.supervisor}=true`] }) });
        const running = found.find((f) => f.State === "running") ?? found[0];
        if (running !== undefined) {
            supervisorRunning = running.State === "running";
            const mount = (running.Mounts ?? []).find((m) => m.Destination === c.stateMount);
            if (mount?.Source) stateDir = mount.Source;
        }
    } catch {
        // the default path
    }
    return { path: `${stateDir}/${c.statusSubdir}/${group}${c.statusSuffix}`, supervisorRunning };
}

function readStatusFile(path: string): GroupStatusFile | undefined {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const fs = require("fs") as typeof import("fs");
    try {
        return JSON.parse(fs.readFileSync(path, "utf8")) as GroupStatusFile;
    } catch {
        return undefined;  // not written yet, or caught mid-write
    }
}

/** "done", "failed" (terminal), or "waiting" with what is missing. */
export function judgeStatus(s: GroupStatusFile, waitForReadiness: boolean): { verdict: "done" | "failed" | "waiting"; missing: string } {
    if (s.phase === "Failed") return { verdict: "failed", missing: "" };
    if (s.phase === "Succeeded") return { verdict: "done", missing: "" };
    if (s.conditions !== undefined && s.containerStatuses !== undefined) {
        const cond = (t: string) => s.conditions?.find((c) => c.type === t)?.status === "True";
        if (!cond("Initialized")) return { verdict: "waiting", missing: "not Initialized" };
        const notRunning = s.containerStatuses.filter((c) => c.state?.running === undefined).map((c) => c.name);
        if (notRunning.length > 0) return { verdict: "waiting", missing: `not running: ${notRunning.join(", ")}` };
        if (waitForReadiness && !cond("Ready")) {
            const notReady = [...(s.initContainerStatuses ?? []), ...s.containerStatuses].filter((c) => c.ready === false).map((c) => c.name);
            return { verdict: "waiting", missing: `not Ready${notReady.length > 0 ? `: ${notReady.join(", ")}` : ""}` };
        }
        return { verdict: "done", missing: "" };
    }
    // A supervisor that writes only the per-container map: every member running.
    const members = Object.entries(s.containers ?? {}).filter(([, c]) => c.role === "member");
    const notRunning = members.filter(([, c]) => c.state !== "running").map(([n]) => n);
    if (members.length === 0 || notRunning.length > 0) return { verdict: "waiting", missing: `not running: ${notRunning.join(", ") || "members"}` };
    return { verdict: "done", missing: "" };
}

interface Culprit { name: string; kind: "init container" | "member"; dockerId?: string; exitCode?: number; reason?: string; restartCount: number; message?: string }

/** The container the failure is about: one that exited non-zero (now or last time) or is crash-looping. */
export function findCulprit(s: GroupStatusFile): Culprit | undefined {
    const lists: [Culprit["kind"], StatusContainer[]][] = [["init container", s.initContainerStatuses ?? []], ["member", s.containerStatuses ?? []]];
    for (const [kind, list] of lists) {
        for (const c of list) {
            const now = c.state?.terminated;
            const last = c.lastState?.terminated;
            const crash = c.state?.waiting?.reason === "CrashLoopBackOff";
            const failed = now !== undefined && now.exitCode !== 0 ? now : crash && last !== undefined ? last : undefined;
            if (failed !== undefined || crash) {
                return {
                    name: c.name, kind, dockerId: c.containerID?.replace(/^docker:\/\//, ""), exitCode: failed?.exitCode,
                    reason: crash ? `CrashLoopBackOff (last: ${failed?.reason ?? "Error"})` : failed?.reason, restartCount: c.restartCount ?? 0,
                    message: failed?.message,
                };
            }
        }
    }
    for (const [name, c] of Object.entries(s.containers ?? {})) {
        if (c.lastExitCode !== undefined && c.lastExitCode !== 0 && c.state !== "running") {
            return {
                name, kind: c.role === "init" ? "init container" : "member", dockerId: c.id, exitCode: c.lastExitCode,
                reason: c.lastReason || "Error", restartCount: c.restartCount ?? 0,
            };
        }
    }
    return undefined;
}

/** The one message a user sees when `pulumi up` gives up on a supervised group. */
async function groupFailure(docker: Docker, inputs: GroupLifecycleInputs, status: GroupStatusFile | undefined, terminal: boolean,
    statusPath: string, supervisorRunning: boolean, missing: string): Promise<Error> {
    const g = inputs.groupName;
    if (status === undefined) {
        return new Error(`PodGroup "${g}": no status from the supervisor after ${inputs.timeoutSeconds}s (expected ${statusPath}). ` +
            (supervisorRunning
                ? "The supervisor runs but has not reported this group: see `docker logs` of the supervisor container."
                : `No supervisor container runs on this Docker host although this group started one: see \`docker logs ${inputs.supervisor.name ?? "podgroup-supervisor"}\` ` +
                  "and `docker ps -a --filter label=" + inputs.contract.labels.supervisor + "=true`."));
    }
    const culprit = findCulprit(status);
    const retrying = !terminal && inputs.restartPolicy !== "Never"
        ? ` The supervisor keeps retrying with back-off (restartPolicy ${inputs.restartPolicy}): the group may still come up; \`pulumi up\` gave up after ${inputs.timeoutSeconds}s (docker.readinessTimeoutSeconds).`
        : "";
    if (culprit === undefined) {
        return new Error(`PodGroup "${g}" is not up after ${inputs.timeoutSeconds}s: phase ${status.phase ?? "unknown"}` +
            `${status.message ? ` (${status.message})` : ""}, ${missing}.${retrying}`);
    }
    const lines = await logTail(docker, culprit.dockerId ?? inputs.dockerNames[culprit.name] ?? `${g}_${culprit.name}`, LOG_TAIL_LINES);
    const exit = culprit.exitCode === undefined ? "failed" : `exited with code ${culprit.exitCode}`;
    const what = terminal
        ? ` The group is ${status.phase ?? "Failed"} (restartPolicy ${inputs.restartPolicy})${culprit.kind === "init container" ? ": no member was started" : ""}. Fix the container, then run \`pulumi up --replace\` on the group (or change it).`
        : retrying;
    return new Error(`PodGroup "${g}": ${culprit.kind} "${culprit.name}" ${exit} (reason ${culprit.reason ?? "Error"}, restartCount ${culprit.restartCount})` +
        `${culprit.message ? `, termination message: ${culprit.message}` : ""}.${what} Last ${LOG_TAIL_LINES} log lines:\n` +
        (lines.length === 0 ? "  (no output)" : lines.map((l) => `  | ${l}`).join("\n")));
}

function statusCode(e: unknown): number | undefined {
    return (e as { statusCode?: number }).statusCode;
}

/**
 * Makes sure a supervisor of the current image runs on the engine, as testcontainers' reaper is
 * started by the first test that needs it: one that runs the image `create.Image` now names is
 * used; a pinned one (declared by a stack, not labelled on demand) is used whatever its image,
 * and started when it is not running;
 * an on-demand one of another image (an older build) or one that is not running is stopped
 * (SIGTERM: the next one finishes what it left half done) and removed; then one is created from
 * `create`. Two groups that get here at once both try; Docker's unique container name lets one
 * win and the other use it. The groups keep running meanwhile: the supervisor only adopts them.
 */
export async function ensureSupervisor(docker: Docker, create: ContainerCreateOptions, c: LifecycleContract,
    log: (m: string) => void): Promise<void> {
    const image = create.Image ?? "";
    let want: string;
    try {
        want = (await docker.getImage(image).inspect()).Id;
    } catch (e) {
        if (statusCode(e) !== 404) throw e;
        throw new Error(`the supervisor image ${image} is not on this Docker engine, so no supervisor can start the group's ` +
            "containers: build or load it (the project's images), or deploy with docker: { supervise: false }");
    }
    let lastError = "";
    for (let attempt = 0; attempt < 20; attempt++) {
        const found = await docker.listContainers({ all: true, filters: JSON.stringify({ label: [`${c.labels.supervisor}=true`] }) });
        const pinned = (f: Docker.ContainerInfo) => f.Labels?.[c.labels.supervisorOnDemand] !== "true";
        const running = found.filter((f) => f.State === "running");
        if (running.some((f) => f.ImageID === want || pinned(f))) return;
        // A pinned one that is not running (stopped by hand) is its stack's: started again, never replaced.
        const stopped = found.find(pinned);
        if (stopped !== undefined) {
            log(`supervisor ${stopped.Names.join(",")} (pinned by a stack) is ${stopped.State}: starting it`);
            await docker.getContainer(stopped.Id).start().catch((e: unknown) => {
                if (statusCode(e) !== 304) throw e;
            });
            return;
        }
        for (const old of found) {
            log(`supervisor ${old.Names.join(",")} (${old.State}, image ${old.ImageID.slice(0, 19)}): replaced by one of ${image}`);
            try {
                await docker.getContainer(old.Id).stop({ t: 10 });
            } catch (e) {
                if (statusCode(e) !== 304 && statusCode(e) !== 404) throw e;
            }
            await docker.getContainer(old.Id).remove({ force: true }).catch((e: unknown) => {
                if (statusCode(e) !== 404 && statusCode(e) !== 409) throw e;  // gone, or its removal already under way
            });
        }
        try {
            const created = await docker.createContainer(create);
            await created.start();
            log(`supervisor ${create.name ?? created.id} started on demand (${image})`);
            return;
        } catch (e) {
            // 409: another group created it at this moment, or the old one is still being removed.
            if (statusCode(e) !== 409) throw e;
            lastError = (e as Error).message;
        }
        await sleepMs(500);
    }
    throw new Error(`could not start the supervisor ${create.name ?? ""} on demand: ${lastError}`);
}

/** Waits until the supervisor reports the group up (see the module's comment); throws one clear error otherwise. */
async function waitForGroup(inputs: GroupLifecycleInputs): Promise<void> {
    const docker = dockerClient(inputs.dockerHost);
    const log = (m: string) => console.log(m);
    await ensureSupervisor(docker, inputs.supervisor, inputs.contract, log);
    if (inputs.skipAwait === true) return;
    const deadline = Date.now() + inputs.timeoutSeconds * 1000;
    let last: GroupStatusFile | undefined;
    let missing = "no status yet";
    let where = await statusFilePath(docker, inputs.groupName, inputs.contract);
    for (let round = 0; ; round++) {
        if (round % 10 === 9) {
            where = await statusFilePath(docker, inputs.groupName, inputs.contract);
            // An on-demand supervisor that left, idle, just before this group's containers appeared.
            if (!where.supervisorRunning) await ensureSupervisor(docker, inputs.supervisor, inputs.contract, log);
        }
        const s = readStatusFile(where.path);
        // A status of an earlier sandbox (a replaced pause) is not this deployment's.
        if (s !== undefined && (s.sandbox?.id === undefined || s.sandbox.id === "" || s.sandbox.id === inputs.pauseId)) {
            last = s;
            const j = judgeStatus(s, inputs.waitForReadiness);
            if (j.verdict === "done") return;
            missing = j.missing;
            if (j.verdict === "failed") throw await groupFailure(docker, inputs, s, true, where.path, where.supervisorRunning, missing);
        }
        if (Date.now() >= deadline) throw await groupFailure(docker, inputs, last, false, where.path, where.supervisorRunning, missing);
        await sleepMs(500);
    }
}

/** Runs `cmd` in a container (docker exec); resolves with the exit code, rejects after `timeoutMs`. */
async function execIn(docker: Docker, container: string, cmd: string[], timeoutMs: number): Promise<{ exitCode: number; output: string }> {
    const exec = await docker.getContainer(container).exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
    const stream = await exec.start({ hijack: true, stdin: false });
    const chunks: Buffer[] = [];
    const done = new Promise<void>((resolve, reject) => {
        stream.on("data", (d: Buffer) => chunks.push(d));
        stream.on("end", () => resolve());
        stream.on("close", () => resolve());
        stream.on("error", reject);
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out after ${Math.round(timeoutMs / 1000)}s`)), timeoutMs); });
    try {
        await Promise.race([done, timeout]);
    } finally {
        if (timer !== undefined) clearTimeout(timer);
        (stream as unknown as { destroy?: () => void }).destroy?.();
    }
    const info = await exec.inspect();
    return { exitCode: info.ExitCode ?? -1, output: demuxDockerStream(Buffer.concat(chunks)) };
}

type Hook = { exec?: { command: string[] }; httpGet?: { path: string; port: number; scheme: string }; sleep?: { seconds: number } };

/** A preStop handler, bounded by `budgetMs`: exec in the container, httpGet from the pause's network namespace, sleep. */
async function runPreStop(docker: Docker, containerId: string, pauseId: string | undefined, hook: Hook, budgetMs: number): Promise<string> {
    if (hook.sleep !== undefined) {
        await sleepMs(Math.min(hook.sleep.seconds * 1000, budgetMs));
        return "slept";
    }
    if (hook.exec !== undefined) {
        const r = await execIn(docker, containerId, hook.exec.command, budgetMs);
        return `exec exited ${r.exitCode}`;
    }
    if (hook.httpGet !== undefined) {
        if (pauseId === undefined) return "no pause to run the httpGet hook from";
        const seconds = Math.max(1, Math.floor(budgetMs / 1000));
        const r = await execIn(docker, pauseId, ["/pause", "-probe-http", String(hook.httpGet.port), hook.httpGet.path, String(seconds)], budgetMs);
        return `httpGet: ${r.output.trim()} (exit ${r.exitCode})`;
    }
    return "no handler";
}

type Inspected = Awaited<ReturnType<Docker.Container["inspect"]>>;

/**
 * Stops one container as kubelet's killContainer: its preStop hook (if running and the grace is
 * > 0), then SIGTERM with the grace left (at least 2 s after a hook), SIGKILL at its end.
 */
async function stopContainer(docker: Docker, info: Inspected, pauseId: string | undefined, c: LifecycleContract, log: (m: string) => void): Promise<void> {
    if (!info.State.Running) return;
    const name = info.Name.replace(/^\//, "");
    const grace = (info.Config as { StopTimeout?: number }).StopTimeout ?? 30;
    const started = Date.now();
    let hook: Hook | undefined;
    try {
        hook = (JSON.parse(info.Config.Labels?.[c.labels.lifecycle] ?? "{}") as { preStop?: Hook }).preStop;
    } catch {
        hook = undefined;
    }
    let t = grace;
    if (hook !== undefined && grace > 0) {
        try {
            log(`${name}: preStop ${await runPreStop(docker, info.Id, pauseId, hook, grace * 1000)}`);
        } catch (e) {
            log(`${name}: preStop failed: ${e instanceof Error ? e.message : String(e)}`);
        }
        t = Math.max(MINIMUM_STOP_SECONDS, Math.ceil(grace - (Date.now() - started) / 1000));
    }
    try {
        await docker.getContainer(info.Id).stop({ t });
    } catch (e) {
        const code = (e as { statusCode?: number }).statusCode;
        if (code !== 304 && code !== 404) throw e;
    }
    log(`${name}: stopped after ${Date.now() - started} ms`);
}

/**
 * kubelet's termination order for a group on `docker`: members (and a running regular init
 * container) in parallel, then native sidecars in reverse spec order, then the pause. Only the
 * containers of the sandbox `pauseId` (default: the group's running pause, else its newest).
 */
async function terminateGroup(docker: Docker, group: string, pauseId: string | undefined, c: LifecycleContract, log: (m: string) => void,
    stopPause: boolean): Promise<void> {
    const listed = await docker.listContainers({ all: true, filters: JSON.stringify({ label: [`${c.labels.group}=${group}`] }) });
    const infos: Inspected[] = [];
    for (const l of listed) {
        try {
            infos.push(await docker.getContainer(l.Id).inspect());
        } catch {
            // removed meanwhile
        }
    }
    const role = (i: Inspected) => i.Config.Labels?.[c.labels.role];
    const pauses = infos.filter((i) => role(i) === c.roles.pause)
        .sort((a, b) => Number(b.State.Running) - Number(a.State.Running) || b.Created.localeCompare(a.Created));
    const pause = pauseId !== undefined ? pauses.find((p) => p.Id === pauseId) : pauses[0];
    const sandbox = pause?.Id ?? pauseId;
    const joins = (i: Inspected) => sandbox !== undefined && i.HostConfig.NetworkMode === `container:${sandbox}`;
    const index = (i: Inspected, label: string) => Number(i.Config.Labels?.[label] ?? 0);
    const isSidecar = (i: Inspected) => role(i) === c.roles.init && i.Config.Labels?.[c.labels.containerRestartPolicy] === "Always";
    const regular = infos.filter((i) => joins(i) && !isSidecar(i) && (role(i) === c.roles.member || role(i) === c.roles.init));
    const sidecars = infos.filter((i) => joins(i) && isSidecar(i)).sort((a, b) => index(b, c.labels.initIndex) - index(a, c.labels.initIndex));
    await Promise.all(regular.map((i) => stopContainer(docker, i, sandbox, c, log)));
    for (const s of sidecars) await stopContainer(docker, s, sandbox, c, log);
    if (pause !== undefined && stopPause) await stopContainer(docker, pause, undefined, c, log);
}

/** The dynamic provider (its methods are what Pulumi serialises). */
const groupLifecycleProvider: pulumi.dynamic.ResourceProvider = {
    async create(inputs: GroupLifecycleInputs) {
        await waitForGroup(inputs);
        return { id: `${inputs.groupName}/${inputs.pauseId}`, outs: inputs };
    },
    async update(_id: string, _olds: GroupLifecycleInputs, news: GroupLifecycleInputs) {
        await waitForGroup(news);
        return { outs: news };
    },
    async delete(_id: string, props: GroupLifecycleInputs) {
        const docker = dockerClient(props.dockerHost);
        // The pause is left to Pulumi, which removes it after every container that joins it (they
        // depend on it): by then the group has fewer containers than it declares, and the
        // supervisor leaves it alone instead of re-creating a stopped sandbox.
        await terminateGroup(docker, props.groupName, props.pauseId, props.contract, (m) => console.log(m), false);
    },
};

/**
 * One per supervised group: `pulumi up` waits for the supervisor to bring the group up; `pulumi
 * destroy` stops it in kubelet's termination order before the containers are removed.
 */
export class DockerGroupLifecycle extends pulumi.dynamic.Resource {
    constructor(name: string, args: Inputs<GroupLifecycleInputs>, opts?: pulumi.CustomResourceOptions) {
        // The plain dynamic type (pulumi-nodejs:dynamic:Resource): a module/type of our own is
        // "unrecognized resource type" to the dynamic provider host a consumer's project runs.
        super(groupLifecycleProvider, name, args, opts);
    }
}

/** Whether the program runs on Pulumi's mocks (unit tests): nothing is deployed, no engine answers. */
export function underPulumiMocks(): boolean {
    // By name: jest's isolated module registries hold other copies of the class.
    return pulumi.runtime.getMonitor()?.constructor.name === "MockMonitor";
}

/**
 * Declares a group's lifecycle resource. Under Pulumi's mocks it is registered with the same
 * type, name, inputs and options but without its provider's code: Pulumi serialises a dynamic
 * provider asynchronously, loading modules as it goes, which outlives a short jest test file and
 * fails it ("require ... after the Jest environment has been torn down"); mocks run nothing.
 */
export function declareGroupLifecycle(name: string, args: Inputs<GroupLifecycleInputs>,
    opts?: pulumi.CustomResourceOptions): pulumi.CustomResource {
    if (!underPulumiMocks()) return new DockerGroupLifecycle(name, args, opts);
    return new LifecycleUnderMocks(name, { ...args, __provider: NOT_SERIALISED_UNDER_MOCKS }, opts);
}

/** A lifecycle resource's registration under Pulumi's mocks (see {@link declareGroupLifecycle}). */
class LifecycleUnderMocks extends pulumi.CustomResource {
    constructor(name: string, props: pulumi.Inputs, opts?: pulumi.CustomResourceOptions) {
        super(DYNAMIC_RESOURCE_TYPE, name, props, opts);
    }
}

/** The type of every dynamic resource (the provider host that runs them answers to it). */
const DYNAMIC_RESOURCE_TYPE = "pulumi-nodejs:dynamic:Resource";
/** The `__provider` input of a lifecycle resource registered under Pulumi's mocks. */
export const NOT_SERIALISED_UNDER_MOCKS = "(the lifecycle provider is not serialised under Pulumi's mocks)";

/** Options of {@link terminateDockerGroup}. */
export interface TerminateOptions {
    /** Only the containers of this sandbox (default: the group's running pause, else its newest). */
    pauseId?: string;
    /** Progress lines (hook results, stop durations). */
    log?: (line: string) => void;
    /**
     * Stop the pause last (default true). A supervisor re-creates a stopped sandbox whose
     * containers are all still there: remove them before the pause, or stop the supervisor first.
     */
    stopPause?: boolean;
}

/**
 * Stops a group on a Docker engine as kubelet terminates a pod: regular containers in parallel
 * (preStop, then SIGTERM with the grace left, SIGKILL at the end of the container's
 * terminationGracePeriodSeconds), then native sidecars in reverse spec order, then the pause.
 * Removes nothing. What `pulumi destroy` of a supervised group runs before removing it.
 */
export async function terminateDockerGroup(docker: Docker, groupName: string, options: TerminateOptions = {}): Promise<void> {
    await terminateGroup(docker, groupName, options.pauseId, lifecycleContract(), options.log ?? (() => undefined), options.stopPause ?? true);
}

/** Docker names of a group's containers, for error messages. */
export function groupDockerNames(groupName: string, containers: string[]): Record<string, string> {
    return { POD: dockerPauseName(groupName), ...Object.fromEntries(containers.map((c) => [c, dockerContainerName(groupName, c)])) };
}
