/**
 * A supervised group's life as `pulumi up` and `pulumi destroy` see it (docs/supervisor.md):
 *
 * - up: Pulumi only declares the containers; the supervisor starts them in kubelet's order. The
 *   {@link DockerGroupLifecycle} resource, which depends on every container of the group, makes
 *   sure the engine's supervisor runs, then waits through its status file as the kubernetes
 *   provider waits on a Pod: until the group is Initialized and Ready, or Succeeded (with
 *   `waitForReadiness: false`, initialized with every member running; with `skipAwait`, not at
 *   all), and fails with one clear message otherwise.
 * - destroy: it is deleted before the containers, and hands the group's deletion to the
 *   supervisor, as the kubernetes provider deletes a Pod and kubelet terminates it: it runs the
 *   supervisor's terminate subcommand (`docker exec` in the supervisor's container, which has no
 *   network) and waits for it, logging its lines. The supervisor marks the group as being deleted
 *   (it restarts nothing of it from then on) and stops it in kubelet's order (docs/supervisor.md);
 *   the pause goes last, removed by Pulumi after every container that joins it. No lifecycle
 *   rule lives here: kubelet's rules are the supervisor's only.
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

/** The labels, paths and commands the lifecycle code uses (taken from the contract, passed as inputs). */
interface LifecycleContract {
    labels: { supervisor: string; supervisorOnDemand: string };
    stateMount: string;
    defaultStateDir: string;
    statusSubdir: string;
    statusSuffix: string;
    /** The supervisor's subcommand that deletes one group: its binary in the image and its flags. */
    terminate: { binary: string; flag: string; sandboxFlag: string };
}

function lifecycleContract(): LifecycleContract {
    const s = DOCKER_CONTRACT.supervisor;
    return {
        labels: { supervisor: LABEL_SUPERVISOR, supervisorOnDemand: LABEL_SUPERVISOR_ON_DEMAND },
        stateMount: s.stateMount, defaultStateDir: s.hostStateDir, statusSubdir: s.statusSubdir, statusSuffix: s.statusSuffix,
        terminate: { binary: s.binary, flag: s.terminate.flag, sandboxFlag: s.terminate.sandboxFlag },
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
/**
 * How long `pulumi destroy` waits for the supervisor's terminate subcommand at most (it ends by
 * itself once every container is stopped: each within its terminationGracePeriodSeconds).
 */
const TERMINATE_TIMEOUT_MS = 30 * 60 * 1000;
/** The code of ensureSupervisor's error when the engine has no supervisor image. */
const SUPERVISOR_IMAGE_MISSING = "PODGROUP_SUPERVISOR_IMAGE_MISSING";

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
        const missing = new Error(`the supervisor image ${image} is not on this Docker engine, so no supervisor ` +
            "can start the group's containers: build or load it (the project's images), or deploy with " +
            "docker: { supervise: false }");
        throw Object.assign(missing, { code: SUPERVISOR_IMAGE_MISSING });
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

/**
 * Runs `cmd` in a container (docker exec); resolves with the exit code and the output, rejects
 * after `timeoutMs`. `onLine` gets each line of output as it comes.
 */
async function execIn(docker: Docker, container: string, cmd: string[], timeoutMs: number,
    onLine?: (line: string) => void): Promise<{ exitCode: number; output: string }> {
    const exec = await docker.getContainer(container).exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
    const stream = await exec.start({ hijack: true, stdin: false });
    const chunks: Buffer[] = [];
    let pending = Buffer.alloc(0);
    let partial = "";
    const emit = (text: string, flush: boolean) => {
        const lines = (partial + text).split("\n");
        partial = flush ? "" : lines.pop() ?? "";
        for (const l of lines) if (l !== "" && onLine !== undefined) onLine(l.replace(/\r$/, ""));
    };
    const done = new Promise<void>((resolve, reject) => {
        stream.on("data", (d: Buffer) => {
            chunks.push(d);
            // Docker's multiplexed frames (8-byte headers), each emitted once whole.
            pending = Buffer.concat([pending, d]);
            while (pending.length >= 8 && pending[1] === 0 && pending[2] === 0 && pending[3] === 0) {
                const size = pending.readUInt32BE(4);
                if (pending.length < 8 + size) break;
                emit(pending.subarray(8, 8 + size).toString("utf8"), false);
                pending = pending.subarray(8 + size);
            }
        });
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
    emit(pending.length > 0 ? pending.toString("utf8") : "", true);
    const info = await exec.inspect();
    return { exitCode: info.ExitCode ?? -1, output: demuxDockerStream(Buffer.concat(chunks)) };
}

/**
 * Deletes the group's sandbox through the engine's supervisor (see the module's comment): its
 * terminate subcommand, run in the supervisor's container, stops the group in kubelet's order and
 * exits 0 once every container of the sandbox is stopped; its lines are logged, its failure fails
 * the delete. When no supervisor can run (no image on the engine, or a pinned supervisor of a
 * version without the subcommand), a warning: Pulumi then removes the containers, Docker stopping
 * each with its own StopTimeout, without kubelet's order or preStop hooks.
 */
export async function terminateGroup(docker: Docker, inputs: GroupLifecycleInputs,
    log: (m: string) => void): Promise<void> {
    const c = inputs.contract;
    const g = inputs.groupName;
    const unordered = "its containers are stopped without kubelet's termination order (no preStop hooks): " +
        "Docker stops each with its own StopTimeout as Pulumi removes it";
    try {
        await ensureSupervisor(docker, inputs.supervisor, c, log);
    } catch (e) {
        if ((e as { code?: string }).code !== SUPERVISOR_IMAGE_MISSING) throw e;
        log(`warning: PodGroup "${g}": ${(e as Error).message}; ${unordered}`);
        return;
    }
    const found = await docker.listContainers({
        filters: JSON.stringify({ label: [`${c.labels.supervisor}=true`], status: ["running"] }),
    });
    if (found.length === 0) {
        throw new Error(`PodGroup "${g}": no supervisor runs on this Docker host to terminate the group: see ` +
            `\`docker ps -a --filter label=${c.labels.supervisor}=true\``);
    }
    const cmd = [c.terminate.binary, `-${c.terminate.flag}`, g, `-${c.terminate.sandboxFlag}`, inputs.pauseId];
    log(`PodGroup "${g}": terminating through the supervisor ${found[0].Names.join(",")}: ${cmd.join(" ")}`);
    const r = await execIn(docker, found[0].Id, cmd, TERMINATE_TIMEOUT_MS, (line) => log(`PodGroup "${g}": ${line}`));
    if (r.exitCode === 0) return;
    const output = r.output.trim();
    if (/flag provided but not defined: -/.test(output)) {
        log(`warning: PodGroup "${g}": the supervisor ${found[0].Names.join(",")} predates its terminate subcommand; ` +
            unordered);
        return;
    }
    throw new Error(`PodGroup "${g}": the supervisor could not terminate the group (exit code ${r.exitCode}): ` +
        (output.split("\n").slice(-LOG_TAIL_LINES).join("\n") || "no output"));
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
        // The pause is left to Pulumi, which removes it after every container that joins it (they
        // depend on it); the supervisor re-creates no sandbox of a group being deleted.
        await terminateGroup(dockerClient(props.dockerHost), props, (m) => console.log(m));
    },
};

/**
 * One per supervised group: `pulumi up` waits for the supervisor to bring the group up; `pulumi
 * destroy` has the supervisor terminate it (kubelet's termination order) before the containers
 * are removed.
 */
export class DockerGroupLifecycle extends pulumi.dynamic.Resource {
    constructor(name: string, args: Inputs<GroupLifecycleInputs>, opts?: pulumi.CustomResourceOptions) {
        // The plain dynamic type (pulumi-nodejs:dynamic:Resource): a module/type of our own is
        // "unrecognized resource type" to the dynamic provider host a consumer's project runs.
        super(groupLifecycleProvider, name, args, opts);
    }
}

/** The type of every dynamic resource (the provider host that runs them answers to it). */
const DYNAMIC_RESOURCE_TYPE = "pulumi-nodejs:dynamic:Resource";
/** The `__provider` input of a lifecycle resource registered under Pulumi's mocks. */
export const NOT_SERIALISED_UNDER_MOCKS = "(the lifecycle provider is not serialised under Pulumi's mocks)";

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


/** Docker names of a group's containers, for error messages. */
export function groupDockerNames(groupName: string, containers: string[]): Record<string, string> {
    return { POD: dockerPauseName(groupName), ...Object.fromEntries(containers.map((c) => [c, dockerContainerName(groupName, c)])) };
}
