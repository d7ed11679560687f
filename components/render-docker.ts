/**
 * Renders a group on plain Docker the way kubelet builds a pod sandbox: a pause container owns
 * the network, IPC and UTS namespaces (and the PID namespace when processes are shared); init
 * containers run inside it one at a time, in order, to completion; then every member joins it
 * with `container:<pause id>` modes.
 */
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import type { ContainerCreateOptions } from "dockerode";
import images from "../images/images.json";
import { supervisorTerminationDir } from "./contract";
import { declareGroupLifecycle, groupLifecycleInputs } from "./group-lifecycle";
import { DockerInitGate, initFailureMessage } from "./init-gate";
import { isSupervised } from "./docker-mode";
import { handlerLabel, HandlerLabel, probeLabel, ProbeLabel, toDockerHealthcheck } from "./healthcheck";
import {
    LABEL_CONTAINER, LABEL_CONTAINER_RESTART_POLICY, LABEL_GROUP, LABEL_INIT_COUNT, LABEL_INIT_INDEX, LABEL_LIFECYCLE,
    LABEL_MEMBER_COUNT, LABEL_MEMBER_INDEX, LABEL_PROBES, LABEL_RESTART_POLICY, LABEL_ROLE, LABEL_SHARE_PID, LABEL_STACK, LABEL_SUPERVISED,
    LABEL_TERMINATION_MESSAGE, Role, ROLE_INIT, ROLE_MEMBER, ROLE_PAUSE,
} from "./labels";
import { expandArgs, expandEnv, expandProbeCommand, mayExpand } from "./expand";
import { DOCKER_PAUSE_SUFFIX, dockerContainerName, dockerPauseName, dockerVolumeName } from "./naming";
import { formatDockerCpus, parseCpu, parseMemory, toDockerMemoryMb } from "./quantity";
import { PodGroupRendering, PublishedPort } from "./rendering";
import { ResolvedContainer, ResolvedSpec } from "./resolve";
import { ContainerSpec, PAUSE_NAME, Probe, RestartPolicy } from "./spec";

/** The pause image the project builds (images/images.json). */
export const DEFAULT_PAUSE_IMAGE: string = images.pause;

/** Docker-only options. */
export interface DockerRenderOptions {
    /**
     * Default true: the engine's supervisor runs the group as kubelet runs a Pod (start order,
     * restarts with back-off, probes, hooks, sandbox re-creation); the first supervised group on
     * an engine starts the supervisor when none runs there. `false` asks for the bare mode: a
     * pause and members under Docker's own restart policies (docs/spec-support.md says what
     * Docker alone does not do).
     */
    supervise?: boolean;
    /** Image of the pause container. Default podgroup/pause:1.0.0. */
    pauseImage?: string;
    /**
     * Supervised (default true): `pulumi up` waits as the kubernetes provider waits on a Pod, until
     * the group is Initialized and Ready (every member and sidecar ready) or Succeeded; false: until
     * it is initialized with every member running. Bare mode (default false): wait for members
     * that have a readiness (or liveness) probe to report healthy.
     */
    waitForReadiness?: boolean;
    /**
     * Seconds `pulumi up` waits: for a supervised group (see `waitForReadiness`); for health when
     * `waitForReadiness` is set in the bare mode. Default 60.
     */
    readinessTimeoutSeconds?: number;
    /**
     * Do not wait for the group, as the kubernetes backend's `skipAwait`: for groups whose
     * containers are meant to finish or fail. Supervised: `pulumi up` makes sure the supervisor runs
     * and returns; the supervisor still runs the group. Bare mode: no health wait. Default false.
     */
    skipAwait?: boolean;
    /**
     * Supervised groups: the Docker engine the lifecycle resource talks to (to wait for the group
     * and to stop it in kubelet's order), as the docker provider's `host` is written
     * (`unix:///path/docker.sock`, `tcp://host:2375`). Default: DOCKER_HOST, else the local socket.
     * Set it when the group's docker provider points at another engine.
     */
    host?: string;
    /**
     * Supervised groups: the host directory the supervisor keeps its state in (DockerSupervisor's
     * `stateDir`, on the Docker engine's host). Each container's termination-message file is
     * `<dir>/termination/<group>/<container>`. Default /var/lib/podgroup/supervisor.
     */
    supervisorStateDir?: string;
}

/** The Docker resources of a rendered group, for tests and advanced users. */
export interface DockerGroupResources {
    pause: docker.Container;
    initContainers: docker.Container[];
    members: docker.Container[];
    volumes: Record<string, docker.Volume>;
    /** Plain Docker, per init container: the gate that fails the update when it exited non-zero (members and later init containers depend on it). Supervised: none. */
    initGates: DockerInitGate[];
    /** The members' `container:<pause id>` mode. */
    memberJoinMode: pulumi.Output<string>;
    /**
     * Supervised groups: the resource that waits, during `pulumi up`, for the supervisor to bring
     * the group up, and on `pulumi destroy` stops it in kubelet's order before the containers go
     * (a DockerGroupLifecycle; under Pulumi's mocks the same registration without provider code).
     */
    lifecycle?: pulumi.CustomResource;
}

/** Properties of a member or init container that, when changed, replace it (they follow the pause's id). */
export const NAMESPACE_MODE_PROPERTIES = ["networkMode", "ipcMode", "pidMode"];

/** Docker restart policy for a Kubernetes restart policy. */
export function dockerRestartPolicy(policy: RestartPolicy): "always" | "on-failure" | "no" {
    switch (policy) {
        case "Always": return "always";
        case "OnFailure": return "on-failure";
        case "Never": return "no";
    }
}

/**
 * A failed init container's error, with the message `pulumi up` reports. The gate
 * ({@link DockerInitGate}) fails with a plain error of the same message: a dynamic provider's
 * error reaches the program as its message only, so `pulumi up` never throws this class itself.
 */
export class InitContainerFailedError extends pulumi.RunError {
    constructor(readonly groupName: string, readonly container: string, readonly index: number,
        readonly exitCode: number | undefined, logs: string | undefined) {
        super(initFailureMessage(groupName, container, index, exitCode, logs) ?? `init container "${container}" exited 0`);
        this.name = "InitContainerFailedError";
    }
}

/** Returns the exit code when it is 0; throws {@link InitContainerFailedError} with the log tail otherwise. */
export function checkInitExit(groupName: string, container: string, index: number,
    exitCode: number | undefined, logs: string | undefined): number {
    if (exitCode === 0) return exitCode;
    throw new InitContainerFailedError(groupName, container, index, exitCode, logs);
}

function toLabelList(labels: Record<string, string>): docker.types.input.ContainerLabel[] {
    return Object.entries(labels).map(([label, value]) => ({ label, value }));
}

/** The process of a container as Docker takes it: env, entrypoint and command after kubelet's `$(VAR)` expansion. */
interface DockerProcess {
    envs?: pulumi.Input<string[]>;
    entrypoints?: pulumi.Input<string[]>;
    command?: pulumi.Input<string[]>;
}

/**
 * `NAME=value` strings, entrypoint (`command`) and command (`args`), expanded as kubelet does
 * (components/expand.ts). Plain values give plain strings. When a value is a Pulumi Input (an
 * Output of another resource, or a secret) everything is expanded once it resolves; with a secret
 * value the env is a Pulumi secret, and so are command and args when they refer to any variable
 * (they might reveal it).
 */
export function dockerProcess(c: Pick<ContainerSpec, "env" | "command" | "args">): DockerProcess {
    const env = c.env ?? [];
    const build = (values: (string | undefined)[], secrets: (string | undefined)[], command?: string[], args?: string[]) => {
        const { values: expanded, final } = expandEnv(env.map((e, i) => ({ name: e.name, value: e.secretValue === undefined ? values[i] ?? "" : undefined, secret: secrets[i] })));
        return {
            envs: env.length > 0 ? env.map((e, i) => `${e.name}=${expanded[i]}`) : undefined,
            entrypoints: expandArgs(command, final),
            command: expandArgs(args, final),
        };
    };
    const plain = (v: unknown): v is string | undefined => v === undefined || typeof v === "string";
    if (env.every((e) => e.secretValue === undefined && plain(e.value)) && (c.command ?? []).every(plain) && (c.args ?? []).every(plain)) {
        return build(env.map((e) => e.value as string | undefined), [], c.command as string[] | undefined, c.args as string[] | undefined);
    }
    const built = pulumi.all([
        pulumi.all(env.map((e) => e.value ?? "")),
        pulumi.all(env.map((e) => e.secretValue ?? pulumi.output(undefined as string | undefined))),
        pulumi.all(c.command ?? []),
        pulumi.all(c.args ?? []),
    ]).apply(([values, secrets, command, args]) =>
        build(values, secrets, c.command !== undefined ? command : undefined, c.args !== undefined ? args : undefined));
    const secret = env.some((e) => e.secretValue !== undefined);
    const refers = (list?: pulumi.Input<string>[]) => list !== undefined && list.some((a) => typeof a !== "string" || mayExpand(a));
    const process = (list: pulumi.Input<string>[] | undefined, pick: (b: ReturnType<typeof build>) => string[] | undefined) => {
        if (list === undefined) return undefined;
        if (!refers(list)) return list as string[];
        const out = built.apply((b) => pick(b) ?? []);
        return secret ? pulumi.secret(out) : out;
    };
    const envs = built.apply((b) => b.envs ?? []);
    return {
        envs: env.length === 0 ? undefined : secret ? pulumi.secret(envs) : envs,
        entrypoints: process(c.command, (b) => b.entrypoints),
        command: process(c.args, (b) => b.command),
    };
}

/** Docker's `user`: "uid" or "uid:gid" from securityContext. */
function dockerUser(c: ResolvedContainer | undefined): string | undefined {
    const sc = c?.securityContext;
    if (sc?.runAsUser === undefined) return undefined;
    return sc.runAsGroup !== undefined ? `${sc.runAsUser}:${sc.runAsGroup}` : String(sc.runAsUser);
}

/** Docker volume mounts of a laid-out container (the Docker volumes are declared first). */
function dockerMounts(c: DockerContainerLayout, volumes: Record<string, docker.Volume>): docker.types.input.ContainerVolume[] | undefined {
    const mounts: docker.types.input.ContainerVolume[] = c.mounts.map((m) => ({ volumeName: volumes[m.volume].name, containerPath: m.target, readOnly: m.readOnly }));
    // A host directory: a bind (Docker's `Binds`) creates it on the engine's host when missing.
    for (const h of c.hostMounts ?? []) if (h.kind === "directory") mounts.push({ hostPath: h.source, containerPath: h.target });
    return mounts.length > 0 ? mounts : undefined;
}

/** A host file: a bind mount (Docker's `Mounts`), whose source must exist (the pause created it). */
function hostMountInputs(c: DockerContainerLayout): Pick<docker.ContainerArgs, "mounts"> {
    const files = (c.hostMounts ?? []).filter((h) => h.kind === "file");
    return files.length > 0 ? { mounts: files.map((h) => ({ type: "bind", source: h.source, target: h.target })) } : {};
}

/** The Docker inputs of a laid-out container: name, image, labels, restart, mounts, and its spec's process and limits. */
function containerInputs(c: DockerContainerLayout, volumes: Record<string, docker.Volume>): docker.ContainerArgs {
    const limits = c.spec?.resources?.limits;
    const memoryMb = limits?.memory !== undefined ? toDockerMemoryMb(parseMemory(limits.memory)) : undefined;
    return {
        name: c.dockerName,
        image: c.image,
        labels: toLabelList(c.labels),
        restart: c.restart,
        stopTimeout: c.stopTimeout,
        destroyGraceSeconds: c.stopTimeout,
        volumes: dockerMounts(c, volumes),
        ...hostMountInputs(c),
        ...(c.spec !== undefined ? dockerProcess(c.spec) : {}),
        ...(c.args !== undefined ? { command: c.args } : {}),
        workingDir: c.spec?.workingDir,
        user: dockerUser(c.spec),
        memory: memoryMb,
        // No swap on top of the limit, as on Kubernetes (Docker's default would allow 2x memory).
        memorySwap: memoryMb,
        cpus: limits?.cpu !== undefined ? formatDockerCpus(parseCpu(limits.cpu)) : undefined,
    };
}

/** The pause's own network (it owns the group's network namespace) and IPC mode. */
export const PAUSE_NETWORK_MODE = "bridge";
export const PAUSE_IPC_MODE = "shareable";

/** A port published on the pause for a member. */
export interface DockerPortLayout {
    container: string;
    name?: string;
    containerPort: number;
    /** Without a hostPort: an ephemeral port on loopback only, for the host's own clients. */
    hostPort?: number;
    hostIp: string;
    protocol: "tcp" | "udp";
}

/** A Docker volume mount of a container of the group. */
export interface DockerMountLayout { volume: string; dockerVolume: string; target: string; readOnly: boolean }

/**
 * A read-write bind mount of a path on the engine's host: a directory (created by Docker when
 * missing) or a file (which must exist when the container is created).
 */
export interface DockerHostMountLayout { source: string; target: string; kind: "directory" | "file" }

/**
 * One container of a rendered group in plain values: what the Pulumi renderer declares and what
 * {@link dockerCreateOptions} gives Docker's Engine API, so that both build the same container.
 */
export interface DockerContainerLayout {
    /** The container's name in the spec (`pause` for the pause). */
    name: string;
    role: Role;
    dockerName: string;
    /** A Pulumi Input when the spec's image is one (dockerCreateOptions takes plain values only). */
    image: pulumi.Input<string>;
    labels: Record<string, string>;
    /** The spec of an init container or member; undefined for the pause. */
    spec?: ResolvedContainer;
    /** Index in spec.initContainers or spec.containers (0 for the pause). */
    index: number;
    /** Init containers and members join the pause: network, IPC (and PID when shared) `container:<pause id>`. */
    joinsPause: boolean;
    sharePid: boolean;
    /** The pause only. */
    hostname?: string;
    restart: "no" | "always" | "on-failure";
    /** Started by the deployer (Pulumi); false: created only, the supervisor starts it. */
    start: boolean;
    stopTimeout: number;
    mounts: DockerMountLayout[];
    /** Supervised groups: the termination-message directory (pause) or file (every other container). */
    hostMounts?: DockerHostMountLayout[];
    /** The pause only: its arguments (supervised: `-termination-files <dir> <name>...`). */
    args?: string[];
    /** The pause only: every member's declared port. */
    ports: DockerPortLayout[];
}

/** A group as Docker objects, in plain values. */
export interface DockerGroupLayout {
    pause: DockerContainerLayout;
    initContainers: DockerContainerLayout[];
    members: DockerContainerLayout[];
    /** emptyDir volumes: spec name -> Docker name, tmpfs options for medium Memory. */
    volumes: { name: string; dockerName: string; tmpfs: boolean; sizeBytes?: number }[];
    /** Labels every object of the group carries (volumes too). */
    sharedLabels: Record<string, string>;
}

function pausePortsOf(spec: ResolvedSpec): DockerPortLayout[] {
    const ports = spec.containers.flatMap((c) => (c.ports ?? []).map((p): DockerPortLayout => ({
        container: c.name,
        ...(p.name !== undefined ? { name: p.name } : {}),
        containerPort: p.containerPort,
        ...(p.hostPort !== undefined ? { hostPort: p.hostPort } : {}),
        hostIp: p.hostPort !== undefined ? "0.0.0.0" : "127.0.0.1",
        protocol: (p.protocol ?? "TCP").toLowerCase() as "tcp" | "udp",
    })));
    return ports.sort((a, b) => a.containerPort - b.containerPort || a.protocol.localeCompare(b.protocol));
}

/** Kubernetes' termination message defaults (core/v1 SetDefaults_Container). */
export const TERMINATION_MESSAGE_DEFAULTS = { path: "/dev/termination-log", policy: "File" } as const;

/**
 * The labels the supervisor reads from a supervised init container, sidecar or member: probes
 * (startup, liveness, readiness) and hooks (postStart, preStop) as JSON with Kubernetes' defaults
 * written out and named ports resolved, and the termination message's path and policy.
 */
export function supervisedContainerLabels(c: ResolvedContainer): Record<string, string> {
    const ports = c.ports ?? [];
    // kubelet's prober expands $(VAR) in an exec probe's command against the env values as written
    // (a secret is the empty string there); a value only known at deploy time (an Output) is left
    // as the reference.
    const written = (c.env ?? []).flatMap((e) => e.secretValue !== undefined ? [{ name: e.name, value: "" }]
        : typeof e.value === "string" || e.value === undefined ? [{ name: e.name, value: e.value }] : []);
    const probe = (p: Probe): ProbeLabel => {
        const label = probeLabel(p, ports);
        return label.exec !== undefined ? { ...label, exec: { command: expandProbeCommand(label.exec.command, written) } } : label;
    };
    const probes: { startup?: ProbeLabel; liveness?: ProbeLabel; readiness?: ProbeLabel } = {
        ...(c.startupProbe !== undefined ? { startup: probe(c.startupProbe) } : {}),
        ...(c.livenessProbe !== undefined ? { liveness: probe(c.livenessProbe) } : {}),
        ...(c.readinessProbe !== undefined ? { readiness: probe(c.readinessProbe) } : {}),
    };
    const hooks: { postStart?: HandlerLabel; preStop?: HandlerLabel } = {
        ...(c.lifecycle?.postStart !== undefined ? { postStart: handlerLabel(c.lifecycle.postStart, ports) } : {}),
        ...(c.lifecycle?.preStop !== undefined ? { preStop: handlerLabel(c.lifecycle.preStop, ports) } : {}),
    };
    return {
        ...(Object.keys(probes).length > 0 ? { [LABEL_PROBES]: JSON.stringify(probes) } : {}),
        ...(Object.keys(hooks).length > 0 ? { [LABEL_LIFECYCLE]: JSON.stringify(hooks) } : {}),
        [LABEL_TERMINATION_MESSAGE]: JSON.stringify({
            path: c.terminationMessagePath ?? TERMINATION_MESSAGE_DEFAULTS.path,
            policy: c.terminationMessagePolicy ?? TERMINATION_MESSAGE_DEFAULTS.policy,
        }),
    };
}

/** Where the pause mounts each emptyDir (sup's pause chmods 0777 every directory under it at start). */
export const PAUSE_VOLUMES_DIR = "/.podgroup/volumes";

/** Where a supervised group's pause mounts the group's termination-message directory. */
export const PAUSE_TERMINATION_DIR = "/.podgroup/termination";

/**
 * Lays a validated, resolved group out as Docker containers and volumes: names, labels, the
 * pause's network, what joins it, restart policies, mounts and ports. The Pulumi renderer
 * ({@link renderDocker}) declares exactly this; tests and benchmarks create it directly with
 * {@link dockerCreateOptions}.
 */
export function dockerGroupLayout(spec: ResolvedSpec,
    options: Pick<DockerRenderOptions, "supervise" | "pauseImage" | "supervisorStateDir"> & { stack?: string }): DockerGroupLayout {
    const group = spec.groupName;
    const supervise = isSupervised(options.supervise);
    // Supervised: kubelet's termination-message file per container, on the host (the pause
    // creates them 0666; the supervisor reads, empties and removes them). Docker's /dev is a tmpfs
    // that is gone once the container stopped, so a path there cannot be read afterwards.
    const terminationDir = supervise ? supervisorTerminationDir(options.supervisorStateDir, group) : undefined;
    const sharedLabels: Record<string, string> = {
        ...spec.labels,
        [LABEL_GROUP]: group,
        ...(options.stack !== undefined ? { [LABEL_STACK]: options.stack } : {}),
        [LABEL_RESTART_POLICY]: spec.restartPolicy,
        [LABEL_SHARE_PID]: String(spec.shareProcessNamespace),
        [LABEL_SUPERVISED]: String(supervise),
    };
    const volumes = spec.volumes.map((v) => ({
        name: v.name,
        dockerName: dockerVolumeName(group, v.name),
        tmpfs: v.emptyDir.medium === "Memory",
        ...(v.emptyDir.sizeLimit !== undefined ? { sizeBytes: parseMemory(v.emptyDir.sizeLimit) } : {}),
    }));
    const base = { sharePid: spec.shareProcessNamespace, stopTimeout: spec.terminationGracePeriodSeconds, ports: [] };
    const joiner = (role: Role, c: ResolvedContainer, index: number, indexLabel: string, restart: DockerContainerLayout["restart"]): DockerContainerLayout => ({
        ...base, name: c.name, role, dockerName: dockerContainerName(group, c.name), image: c.image, spec: c, index,
        labels: {
            ...sharedLabels, [LABEL_ROLE]: role, [LABEL_CONTAINER]: c.name, [indexLabel]: String(index),
            ...(c.restartPolicy === "Always" ? { [LABEL_CONTAINER_RESTART_POLICY]: "Always" } : {}),
            ...(supervise ? supervisedContainerLabels(c) : {}),
        },
        // Supervised: Pulumi declares, the supervisor starts them in kubelet's order.
        joinsPause: true, restart, start: !supervise,
        mounts: (c.volumeMounts ?? []).map((m) => ({
            volume: m.name, dockerVolume: dockerVolumeName(group, m.name), target: m.mountPath, readOnly: m.readOnly ?? false,
        })),
        ...(terminationDir !== undefined ? { hostMounts: [{
            source: `${terminationDir}/${c.name}`, target: c.terminationMessagePath ?? TERMINATION_MESSAGE_DEFAULTS.path, kind: "file" as const,
        }] } : {}),
    });
    return {
        pause: {
            ...base, name: PAUSE_NAME, role: ROLE_PAUSE, dockerName: dockerPauseName(group), index: 0,
            image: options.pauseImage ?? DEFAULT_PAUSE_IMAGE,
            labels: {
                ...sharedLabels, [LABEL_ROLE]: ROLE_PAUSE, [LABEL_CONTAINER]: PAUSE_NAME,
                // The supervisor waits until every declared container exists before it starts any.
                ...(supervise ? { [LABEL_INIT_COUNT]: String(spec.initContainers.length), [LABEL_MEMBER_COUNT]: String(spec.containers.length) } : {}),
            },
            // Plain Docker restarts the pause as the group's policy says (a finished Never group
            // stays finished); a supervisor re-creates the sandbox itself.
            joinsPause: false, hostname: spec.hostname, restart: supervise ? "no" : dockerRestartPolicy(spec.restartPolicy), start: true,
            // Every emptyDir is mounted on the pause first: at start it makes each directory under
            // /.podgroup/volumes mode 0777, as kubelet makes an emptyDir, so a non-root member can
            // write into it. A Memory volume is read-only there (tmpfs is already 1777) and the
            // pause holds it for the group's whole life: Docker mounts a tmpfs volume only while
            // some container uses it, and a member restarting alone would get a fresh, empty one.
            mounts: volumes.map((v) => ({
                volume: v.name, dockerVolume: v.dockerName, target: `${PAUSE_VOLUMES_DIR}/${v.name}`, readOnly: v.tmpfs,
            })),
            ports: pausePortsOf(spec),
            ...(terminationDir !== undefined ? {
                hostMounts: [{ source: terminationDir, target: PAUSE_TERMINATION_DIR, kind: "directory" as const }],
                // Created at the pause's start, before any container that mounts one is created.
                args: ["-termination-files", PAUSE_TERMINATION_DIR, ...[...spec.initContainers, ...spec.containers].map((c) => c.name)],
            } : {}),
        },
        initContainers: spec.initContainers.map((c, i) => joiner(ROLE_INIT, c, i, LABEL_INIT_INDEX, "no")),
        members: spec.containers.map((c, i) =>
            joiner(ROLE_MEMBER, c, i, LABEL_MEMBER_INDEX, supervise ? "no" : dockerRestartPolicy(spec.restartPolicy))),
        volumes,
        sharedLabels,
    };
}

/** The Engine API's process and resource fields of a member or init container. */
function engineProcess(c: DockerContainerLayout, where: string): Partial<ContainerCreateOptions> {
    const s = c.spec;
    if (s === undefined) return {};
    // Supervised: probes are labels the supervisor runs; plain Docker: a Pulumi-rendered healthcheck.
    if ((s.readinessProbe !== undefined || s.livenessProbe !== undefined) && c.labels[LABEL_SUPERVISED] !== "true") {
        throw new Error(`${where}: probes are rendered through Pulumi only (healthcheck); dockerCreateOptions cannot create them`);
    }
    (s.env ?? []).forEach((e, i) => {
        if (e.secretValue !== undefined) {
            throw new Error(`${where}.env[${i}].secretValue: a secret exists only inside Pulumi; dockerCreateOptions takes plain values`);
        }
        if (e.value !== undefined && typeof e.value !== "string") {
            throw new Error(`${where}.env[${i}].value: an Output exists only inside Pulumi; dockerCreateOptions takes plain values`);
        }
    });
    for (const field of ["command", "args"] as const) {
        const i = (s[field] ?? []).findIndex((a) => typeof a !== "string");
        if (i >= 0) throw new Error(`${where}.${field}[${i}]: an Output exists only inside Pulumi; dockerCreateOptions takes plain values`);
    }
    // No secret and no Output: the expanded process is plain values.
    const p = dockerProcess(s) as { envs?: string[]; entrypoints?: string[]; command?: string[] };
    const env = p.envs ?? [];
    const user = dockerUser(s);
    const limits = s.resources?.limits;
    const memory = limits?.memory !== undefined ? toDockerMemoryMb(parseMemory(limits.memory)) * 1024 * 1024 : undefined;
    return {
        ...(p.entrypoints !== undefined ? { Entrypoint: p.entrypoints } : {}),
        ...(p.command !== undefined ? { Cmd: p.command } : {}),
        ...(env.length > 0 ? { Env: env } : {}),
        ...(s.workingDir !== undefined ? { WorkingDir: s.workingDir } : {}),
        ...(user !== undefined ? { User: user } : {}),
        HostConfig: {
            ...(memory !== undefined ? { Memory: memory, MemorySwap: memory } : {}),
            ...(limits?.cpu !== undefined ? { NanoCpus: Math.round(Number(formatDockerCpus(parseCpu(limits.cpu))) * 1e9) } : {}),
        },
    };
}

/**
 * The Docker Engine API create body of one container of a {@link dockerGroupLayout}: the same
 * name, image, labels, namespaces, restart policy, mounts and ports the Pulumi renderer declares.
 * Joiners need the running pause's id. Secret env values and probes exist only in the Pulumi
 * rendering: they are refused here, with the field's path.
 */
export function dockerCreateOptions(c: DockerContainerLayout, pauseId?: string): ContainerCreateOptions {
    const where = c.role === ROLE_PAUSE ? "pause" : `spec.${c.role === ROLE_INIT ? "initContainers" : "containers"}[${c.index}]`;
    if (c.joinsPause && pauseId === undefined) {
        throw new Error(`${where} (${c.name}) joins the pause: give the pause's id`);
    }
    const join = `container:${pauseId}`;
    if (typeof c.image !== "string") {
        throw new Error(`${where}.image: an Output exists only inside Pulumi; dockerCreateOptions takes plain values`);
    }
    const proc = engineProcess(c, where);
    const files = (c.hostMounts ?? []).filter((h) => h.kind === "file");
    const dirs = (c.hostMounts ?? []).filter((h) => h.kind === "directory");
    const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
    for (const p of c.ports) {
        bindings[`${p.containerPort}/${p.protocol}`] = [{ HostIp: p.hostIp, HostPort: p.hostPort !== undefined ? String(p.hostPort) : "" }];
    }
    return {
        ...proc,
        name: c.dockerName,
        Image: c.image,
        Labels: c.labels,
        StopTimeout: c.stopTimeout,
        ...(c.hostname !== undefined ? { Hostname: c.hostname } : {}),
        ...(c.args !== undefined ? { Cmd: c.args } : {}),
        ...(c.ports.length > 0 ? { ExposedPorts: Object.fromEntries(Object.keys(bindings).map((k) => [k, {}])) } : {}),
        HostConfig: {
            ...proc.HostConfig,
            NetworkMode: c.joinsPause ? join : PAUSE_NETWORK_MODE,
            IpcMode: c.joinsPause ? join : PAUSE_IPC_MODE,
            ...(c.joinsPause && c.sharePid ? { PidMode: join } : {}),
            RestartPolicy: { Name: c.restart },
            ...(c.mounts.length > 0 || files.length > 0 ? {
                Mounts: [
                    ...c.mounts.map((m) => ({ Type: "volume" as const, Source: m.dockerVolume, Target: m.target, ReadOnly: m.readOnly })),
                    ...files.map((h) => ({ Type: "bind" as const, Source: h.source, Target: h.target })),
                ],
            } : {}),
            ...(dirs.length > 0 ? { Binds: dirs.map((h) => `${h.source}:${h.target}`) } : {}),
            ...(c.ports.length > 0 ? { PortBindings: bindings } : {}),
        },
    };
}

/**
 * Registers the group's Docker resources, parented by `opts.parent`. `spec` must be validated.
 */
export function renderDocker(name: string, spec: ResolvedSpec, options: DockerRenderOptions,
    opts: pulumi.CustomResourceOptions): { rendering: PodGroupRendering; resources: DockerGroupResources } {
    // `<project>/<stack>` of the program that declares the group, on every object it makes.
    const layout = dockerGroupLayout(spec, { ...options, stack: `${pulumi.getProject()}/${pulumi.getStack()}` });
    const volumes = declareVolumes(name, layout, opts);
    const pause = declarePause(name, layout, volumes, opts);
    const { initContainers, gates, members, memberMode } = declareJoiners(name, spec, layout, options, pause, volumes, opts);
    const lifecycle = isSupervised(options.supervise)
        ? declareGroupLifecycle(`${name}-lifecycle`, groupLifecycleInputs({
            groupName: spec.groupName,
            restartPolicy: spec.restartPolicy,
            waitForReadiness: options.waitForReadiness ?? true,
            skipAwait: options.skipAwait ?? false,
            timeoutSeconds: options.readinessTimeoutSeconds ?? 60,
            pauseId: pause.id,
            containerIds: [...initContainers, ...members].map((c) => c.id),
            containerNames: [...spec.initContainers, ...spec.containers].map((c) => c.name),
            dockerHost: options.host,
            supervisorStateDir: options.supervisorStateDir,
        }), { ...lifecycleOptions(opts), dependsOn: [pause, ...initContainers, ...members, ...Object.values(volumes)] })
        : undefined;
    return {
        rendering: dockerRendering(spec, layout, pause, initContainers, members),
        resources: { pause, initContainers, members, volumes, initGates: gates, memberJoinMode: memberMode, ...(lifecycle !== undefined ? { lifecycle } : {}) },
    };
}

/**
 * The lifecycle resource's options: the group's, without the docker provider (a dynamic resource
 * given it would be sent to that provider, which answers "unrecognized resource type").
 */
function lifecycleOptions(opts: pulumi.CustomResourceOptions): pulumi.CustomResourceOptions {
    // eslint-disable-next-line @typescript-eslint/no-unused-vars
    const { provider, ...rest } = opts;
    return rest;
}

/** emptyDir volumes: Docker volumes owned by the group, named after it. */
function declareVolumes(name: string, layout: DockerGroupLayout, opts: pulumi.CustomResourceOptions): Record<string, docker.Volume> {
    const volumes: Record<string, docker.Volume> = {};
    for (const v of layout.volumes) {
        volumes[v.name] = new docker.Volume(`${name}-volume-${v.name}`, {
            name: v.dockerName,
            driver: "local",
            // medium: Memory -> one tmpfs shared by every container that mounts the volume.
            driverOpts: v.tmpfs
                ? { type: "tmpfs", device: "tmpfs", ...(v.sizeBytes !== undefined ? { o: `size=${v.sizeBytes}` } : {}) }
                : undefined,
            labels: toLabelList(layout.sharedLabels),
        }, { ...opts, deleteBeforeReplace: true });
    }
    return volumes;
}

/** The pause: owns the hostname, the IPC namespace and the network, on which every member port is published. */
function declarePause(name: string, layout: DockerGroupLayout, volumes: Record<string, docker.Volume>,
    opts: pulumi.CustomResourceOptions): docker.Container {
    const pausePorts: docker.types.input.ContainerPort[] = layout.pause.ports.map((p) => ({
        internal: p.containerPort, external: p.hostPort, ip: p.hostIp, protocol: p.protocol,
    }));
    return new docker.Container(`${name}-pause`, {
        ...containerInputs(layout.pause, volumes),
        hostname: layout.pause.hostname,
        networkMode: PAUSE_NETWORK_MODE,
        ipcMode: PAUSE_IPC_MODE,
        ports: pausePorts.length > 0 ? pausePorts : undefined,
        mustRun: true,
    }, { ...opts, deleteBeforeReplace: true });
}

/**
 * The containers that join the pause's namespaces. Plain Docker: init containers one at a time,
 * in order, to completion, then the members once every init container has exited 0. Supervised:
 * every container is only created (the supervisor starts them in kubelet's order, re-runs a
 * failed init container, restarts sidecars), so members do not wait on init exit codes. Each is
 * replaced with the pause (a new pause id changes its modes, which force replacement) and
 * depends on the pause, the earlier init containers and the volumes.
 */
function declareJoiners(name: string, spec: ResolvedSpec, layout: DockerGroupLayout, options: DockerRenderOptions,
    pause: docker.Container, volumes: Record<string, docker.Volume>, opts: pulumi.CustomResourceOptions) {
    // `container:<full id>`: exactly what `docker inspect` reads back, so no perpetual diff.
    const modeAfter = (): pulumi.Output<string> => pause.id.apply((id) => `container:${id}`);
    const joinPause = (mode: pulumi.Output<string>) => ({
        networkMode: mode, ipcMode: mode, pidMode: spec.shareProcessNamespace ? mode : undefined,
    });
    const initContainers: docker.Container[] = [];
    // Plain Docker: each init container's gate fails the update when it exited non-zero; later
    // init containers and the members depend on every earlier gate, so they are not created.
    const gates: DockerInitGate[] = [];
    const joinerOptions = (): pulumi.CustomResourceOptions => ({
        ...opts,
        dependsOn: [pause, ...initContainers, ...gates, ...Object.values(volumes)],
        deleteBeforeReplace: true,
        replaceOnChanges: NAMESPACE_MODE_PROPERTIES,
    });
    const supervise = isSupervised(options.supervise);
    // Created, not started (the supervisor starts them); mustRun false: not running is not drift.
    const supervised = { start: false, mustRun: false };
    layout.initContainers.forEach((c, index) => {
        const init = new docker.Container(`${name}-init-${c.name}`, {
            ...containerInputs(c, volumes),
            ...joinPause(modeAfter()),
            // attach: `pulumi up` waits for the exit; mustRun false: exiting is success, not drift.
            ...(supervise ? supervised : { attach: true, logs: true, mustRun: false, rm: false }),
        }, joinerOptions());
        initContainers.push(init);
        if (!supervise) {
            gates.push(new DockerInitGate(`${name}-init-${c.name}-exit`, {
                groupName: spec.groupName, container: c.name, index, containerId: init.id, exitCode: init.exitCode, logs: init.containerLogs,
            }, { ...lifecycleOptions(opts), dependsOn: [init] }));
        }
    });
    const memberMode = modeAfter();
    const members = layout.members.map((c) => {
        if (supervise) {
            // No Docker healthcheck: the supervisor runs the probes (podgroup.io/probes).
            return new docker.Container(`${name}-member-${c.name}`, {
                ...containerInputs(c, volumes), ...joinPause(memberMode), ...supervised,
            }, joinerOptions());
        }
        const probe = c.spec?.readinessProbe ?? c.spec?.livenessProbe;
        const wait = (options.waitForReadiness ?? false) && !(options.skipAwait ?? false) && probe !== undefined;
        return new docker.Container(`${name}-member-${c.name}`, {
            ...containerInputs(c, volumes),
            ...joinPause(memberMode),
            healthcheck: probe !== undefined ? toDockerHealthcheck(probe, c.spec?.ports) : undefined,
            // Only "Always" members must be running; a member that completed under OnFailure/Never,
            // or one the supervisor owns, is not drift to be "fixed" by the next `pulumi up`.
            mustRun: spec.restartPolicy === "Always",
            wait: wait ? true : undefined,
            waitTimeout: wait ? options.readinessTimeoutSeconds ?? 60 : undefined,
        }, joinerOptions());
    });
    return { initContainers, gates, members, memberMode };
}

/** The group's outputs on Docker: the pause's id, container ids and names, and the published ports by member. */
function dockerRendering(spec: ResolvedSpec, layout: DockerGroupLayout, pause: docker.Container,
    initContainers: docker.Container[], members: docker.Container[]): PodGroupRendering {
    const group = spec.groupName;
    const idsOf = (cs: docker.Container[], specs: { name: string }[]) =>
        pulumi.all(Object.fromEntries(specs.map((c, i) => [c.name, cs[i].id]))) as pulumi.Output<Record<string, string>>;
    const portOwners = new Map(layout.pause.ports.map((p) => [`${p.containerPort}/${p.protocol}`, p]));
    const ports: pulumi.Output<PublishedPort[]> = pause.ports.apply((ps) => (ps ?? []).map((p) => {
        const protocol = (p.protocol ?? "tcp") as "tcp" | "udp";
        const owner = portOwners.get(`${p.internal}/${protocol}`);
        return {
            container: owner?.container ?? "",
            ...(owner?.name !== undefined ? { name: owner.name } : {}),
            containerPort: p.internal, protocol, hostIp: p.ip, hostPort: p.external,
        };
    }));
    // The pause under "POD", a key no container name can be (a member may be called "pause").
    const containerNames: Record<string, string> = { [DOCKER_PAUSE_SUFFIX]: dockerPauseName(group) };
    for (const c of [...spec.initContainers, ...spec.containers]) {
        containerNames[c.name] = dockerContainerName(group, c.name);
    }
    return {
        backend: "docker",
        groupName: group,
        pauseId: pause.id.apply((id) => id as string | undefined),
        podName: pulumi.output(undefined),
        namespace: pulumi.output(undefined),
        memberIds: idsOf(members, spec.containers),
        initIds: idsOf(initContainers, spec.initContainers),
        members: spec.containers.map((c) => c.name),
        containerNames,
        ports,
    };
}
