/**
 * Renders a group on plain Docker the way kubelet builds a pod sandbox: a pause container owns
 * the network, IPC and UTS namespaces (and the PID namespace when processes are shared); init
 * containers run inside it one at a time, in order, to completion; then every member joins it
 * with `container:<pause id>` modes.
 */
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import images from "../images/images.json";
import { toDockerHealthcheck } from "./healthcheck";
import {
    LABEL_CONTAINER, LABEL_GROUP, LABEL_INIT_INDEX, LABEL_MEMBER_INDEX, LABEL_RESTART_POLICY, LABEL_ROLE,
    LABEL_SHARE_PID, LABEL_SUPERVISED, Role,
} from "./labels";
import { dockerContainerName, dockerPauseName, dockerVolumeName } from "./naming";
import { formatDockerCpus, parseCpu, parseMemory, toDockerMemoryMb } from "./quantity";
import { PodGroupRendering, PublishedPort } from "./rendering";
import { ResolvedSpec } from "./resolve";
import { ContainerSpec, EnvVar, PAUSE_NAME, RestartPolicy } from "./spec";

/** The pause image the project builds (images/images.json). */
export const DEFAULT_PAUSE_IMAGE: string = images.pause;

/** Docker-only options. */
export interface DockerRenderOptions {
    /**
     * A supervisor (DockerSupervisor) restarts the group's containers in kubelet order: Docker's own
     * restart policy is then "no" on the pause and every member, and containers carry
     * `podgroup.io/supervised=true`. Default false: Docker restarts them (see docs/spec-support.md
     * for what Docker alone cannot do).
     */
    supervise?: boolean;
    /** Image of the pause container. Default podgroup/pause:1.0.0. */
    pauseImage?: string;
    /**
     * Wait, during `pulumi up`, for members that have a readiness (or liveness) probe to report
     * healthy. Default false.
     */
    waitForReadiness?: boolean;
    /** Seconds to wait for health when `waitForReadiness` is set. Default 60. */
    readinessTimeoutSeconds?: number;
}

/** The Docker resources of a rendered group, for tests and advanced users. */
export interface DockerGroupResources {
    pause: docker.Container;
    initContainers: docker.Container[];
    members: docker.Container[];
    volumes: Record<string, docker.Volume>;
    /** Per init container: resolves to 0 once it exited 0, rejects if it failed. */
    initGates: pulumi.Output<number>[];
    /** The members' `container:<pause id>` mode; resolves only after every init gate. */
    memberJoinMode: pulumi.Output<string>;
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

/** How many log lines a failed init container's error shows. */
export const INIT_LOG_TAIL_LINES = 20;

/** Thrown (inside the update) when an init container exits with a non-zero code. */
export class InitContainerFailedError extends pulumi.RunError {
    constructor(readonly groupName: string, readonly container: string, readonly index: number,
        readonly exitCode: number | undefined, readonly logTail: string[]) {
        const code = exitCode === undefined || exitCode === null ? "without reporting an exit code" : `with exit code ${exitCode}`;
        const logs = logTail.length === 0 ? "  (no output)" : logTail.map((l) => `  | ${l}`).join("\n");
        super(`PodGroup "${groupName}": init container "${container}" (spec.initContainers[${index}]) exited ${code}; ` +
            `the later init containers and the members were not started. Fix the init container, then run \`pulumi up\` again ` +
            `(or \`pulumi up --replace\` its container to re-run it unchanged). Last ${INIT_LOG_TAIL_LINES} log lines:\n${logs}`);
        this.name = "InitContainerFailedError";
    }
}

/** Returns the exit code when it is 0; throws {@link InitContainerFailedError} with the log tail otherwise. */
export function checkInitExit(groupName: string, container: string, index: number,
    exitCode: number | undefined, logs: string | undefined): number {
    if (exitCode === 0) {
        return exitCode;
    }
    const lines = (logs ?? "").replace(/\r/g, "").split("\n").filter((l, i, all) => !(l === "" && i === all.length - 1));
    throw new InitContainerFailedError(groupName, container, index, exitCode, lines.slice(-INIT_LOG_TAIL_LINES));
}

/**
 * An init container's gate: resolves to 0 once it has exited 0, rejects with
 * {@link InitContainerFailedError} otherwise. Later init containers and members join the pause
 * through an input derived from every earlier gate, so a failing init container fails their
 * registration, hence the update, and they are never created.
 */
export function initGate(groupName: string, container: string, index: number,
    init: Pick<docker.Container, "exitCode" | "containerLogs">): pulumi.Output<number> {
    return pulumi.all([init.exitCode, init.containerLogs])
        .apply(([code, logs]) => checkInitExit(groupName, container, index, code, logs));
}

function toLabelList(labels: Record<string, string>): docker.types.input.ContainerLabel[] {
    return Object.entries(labels).map(([label, value]) => ({ label, value }));
}

/** `NAME=value` strings; the whole list is a secret when any value is. */
function dockerEnvs(env: EnvVar[] | undefined): pulumi.Input<string[]> | undefined {
    if (env === undefined || env.length === 0) {
        return undefined;
    }
    if (env.every((e) => e.secretValue === undefined)) {
        return env.map((e) => `${e.name}=${e.value ?? ""}`);
    }
    const parts = env.map((e) => e.secretValue === undefined
        ? pulumi.output(`${e.name}=${e.value ?? ""}`)
        : pulumi.output(e.secretValue).apply((v) => `${e.name}=${v}`));
    return pulumi.secret(pulumi.all(parts));
}

/** Mounts of every Memory emptyDir into the pause, under /.podgroup/volumes/<name>. */
function memoryVolumesHeldByPause(spec: ResolvedSpec, volumes: Record<string, docker.Volume>): docker.types.input.ContainerVolume[] | undefined {
    const held = spec.volumes.filter((v) => v.emptyDir.medium === "Memory").map((v) => ({
        volumeName: volumes[v.name].name,
        containerPath: `/.podgroup/volumes/${v.name}`,
        readOnly: true,
    }));
    return held.length > 0 ? held : undefined;
}

/** The Docker inputs every container of the group shares with its spec (image, process, limits, mounts). */
function containerInputs(c: ContainerSpec, volumes: Record<string, docker.Volume>): docker.ContainerArgs {
    const limits = c.resources?.limits;
    const memoryMb = limits?.memory !== undefined ? toDockerMemoryMb(parseMemory(limits.memory)) : undefined;
    return {
        image: c.image,
        entrypoints: c.command,
        command: c.args,
        envs: dockerEnvs(c.env),
        workingDir: c.workingDir,
        user: c.user,
        memory: memoryMb,
        // No swap on top of the limit, as on Kubernetes (Docker's default would allow 2x memory).
        memorySwap: memoryMb,
        cpus: limits?.cpu !== undefined ? formatDockerCpus(parseCpu(limits.cpu)) : undefined,
        volumes: c.volumeMounts?.map((m) => ({
            volumeName: volumes[m.name].name,
            containerPath: m.mountPath,
            readOnly: m.readOnly ?? false,
        })),
    };
}

/**
 * Registers the group's Docker resources, parented by `opts.parent`. `spec` must be validated.
 */
export function renderDocker(name: string, spec: ResolvedSpec, options: DockerRenderOptions,
    opts: pulumi.CustomResourceOptions): { rendering: PodGroupRendering; resources: DockerGroupResources } {
    const group = spec.groupName;
    const supervise = options.supervise ?? false;
    const shared: Record<string, string> = {
        ...spec.labels,
        [LABEL_GROUP]: group,
        [LABEL_RESTART_POLICY]: spec.restartPolicy,
        [LABEL_SHARE_PID]: String(spec.shareProcessNamespace),
        [LABEL_SUPERVISED]: String(supervise),
    };
    const labelsFor = (role: Role, container: string, extra: Record<string, string> = {}) =>
        toLabelList({ ...shared, [LABEL_ROLE]: role, [LABEL_CONTAINER]: container, ...extra });
    const grace = spec.terminationGracePeriodSeconds;

    // emptyDir volumes: Docker volumes owned by the group, named after it.
    const volumes: Record<string, docker.Volume> = {};
    for (const v of spec.volumes) {
        const sizeBytes = v.emptyDir.sizeLimit !== undefined ? parseMemory(v.emptyDir.sizeLimit) : undefined;
        volumes[v.name] = new docker.Volume(`${name}-volume-${v.name}`, {
            name: dockerVolumeName(group, v.name),
            driver: "local",
            // medium: Memory -> one tmpfs shared by every container that mounts the volume.
            driverOpts: v.emptyDir.medium === "Memory"
                ? { type: "tmpfs", device: "tmpfs", ...(sizeBytes !== undefined ? { o: `size=${sizeBytes}` } : {}) }
                : undefined,
            labels: toLabelList(shared),
        }, { ...opts, deleteBeforeReplace: true });
    }
    const volumeList = Object.values(volumes);

    // Every declared member port is published on the pause, which owns the network namespace.
    const portOwners = new Map<string, { container: string; name?: string }>();
    const pausePorts: docker.types.input.ContainerPort[] = [];
    for (const c of spec.containers) {
        for (const p of c.ports ?? []) {
            const protocol = (p.protocol ?? "TCP").toLowerCase() as "tcp" | "udp";
            portOwners.set(`${p.containerPort}/${protocol}`, { container: c.name, name: p.name });
            pausePorts.push({
                internal: p.containerPort,
                external: p.hostPort,
                // Without a hostPort: an ephemeral port on loopback only, for the host's own clients.
                ip: p.hostPort !== undefined ? "0.0.0.0" : "127.0.0.1",
                protocol,
            });
        }
    }
    pausePorts.sort((a, b) => (a.internal as number) - (b.internal as number) || String(a.protocol).localeCompare(String(b.protocol)));

    const pause = new docker.Container(`${name}-pause`, {
        name: dockerPauseName(group),
        image: options.pauseImage ?? DEFAULT_PAUSE_IMAGE,
        hostname: spec.hostname,
        networkMode: "bridge",
        ipcMode: "shareable",
        ports: pausePorts.length > 0 ? pausePorts : undefined,
        labels: labelsFor("pause", PAUSE_NAME),
        // Docker mounts a tmpfs volume only while some container uses it: a member restarting
        // alone would get a fresh, empty one. The pause holds every Memory emptyDir for the
        // group's whole life, as kubelet keeps a pod's emptyDir across container restarts.
        volumes: memoryVolumesHeldByPause(spec, volumes),
        restart: supervise ? "no" : "always",
        mustRun: true,
        stopTimeout: grace,
        destroyGraceSeconds: grace,
    }, { ...opts, deleteBeforeReplace: true });

    // `container:<full id>`: exactly what `docker inspect` reads back, so no perpetual diff;
    // a new pause id changes it, and these properties force replacement of the joiners.
    const modeAfter = (gates: pulumi.Output<number>[]): pulumi.Output<string> =>
        pulumi.all([pause.id, pulumi.all(gates)]).apply(([id]) => `container:${id}`);

    // What every init container and member shares: the pause's namespaces, and being replaced
    // with it (a new pause id changes the modes, which force replacement) after the earlier
    // containers and the volumes exist.
    const joinPause = (mode: pulumi.Output<string>) => ({
        networkMode: mode,
        ipcMode: mode,
        pidMode: spec.shareProcessNamespace ? mode : undefined,
    });
    const joinerOptions = (): pulumi.CustomResourceOptions => ({
        ...opts,
        dependsOn: [pause, ...initContainers, ...volumeList],
        deleteBeforeReplace: true,
        replaceOnChanges: NAMESPACE_MODE_PROPERTIES,
    });

    // Init containers: one at a time, in order, to completion, inside the pause's namespaces.
    const initContainers: docker.Container[] = [];
    const gates: pulumi.Output<number>[] = [];
    spec.initContainers.forEach((c, index) => {
        const mode = modeAfter([...gates]);
        const init = new docker.Container(`${name}-init-${c.name}`, {
            ...containerInputs(c, volumes),
            name: dockerContainerName(group, c.name),
            ...joinPause(mode),
            labels: labelsFor("init", c.name, { [LABEL_INIT_INDEX]: String(index) }),
            // attach: `pulumi up` waits for the exit; mustRun false: exiting is success, not drift.
            attach: true,
            logs: true,
            mustRun: false,
            rm: false,
            restart: "no",
            stopTimeout: grace,
            destroyGraceSeconds: grace,
        }, joinerOptions());
        initContainers.push(init);
        gates.push(initGate(group, c.name, index, init));
    });

    // Members: join the pause's namespaces once every init container has exited 0.
    const memberMode = modeAfter(gates);
    const restartPolicy = spec.restartPolicy;
    const members = spec.containers.map((c, index) => {
        const probe = c.readinessProbe ?? c.livenessProbe;
        const wait = (options.waitForReadiness ?? false) && probe !== undefined;
        return new docker.Container(`${name}-member-${c.name}`, {
            ...containerInputs(c, volumes),
            name: dockerContainerName(group, c.name),
            ...joinPause(memberMode),
            labels: labelsFor("member", c.name, { [LABEL_MEMBER_INDEX]: String(index) }),
            healthcheck: probe !== undefined ? toDockerHealthcheck(probe) : undefined,
            restart: supervise ? "no" : dockerRestartPolicy(restartPolicy),
            // Only "Always" members must be running; a member that completed under OnFailure/Never,
            // or one the supervisor owns, is not drift to be "fixed" by the next `pulumi up`.
            mustRun: !supervise && restartPolicy === "Always",
            wait: wait ? true : undefined,
            waitTimeout: wait ? options.readinessTimeoutSeconds ?? 60 : undefined,
            stopTimeout: grace,
            destroyGraceSeconds: grace,
        }, joinerOptions());
    });

    const idsOf = (cs: docker.Container[], specs: ContainerSpec[]) =>
        pulumi.all(Object.fromEntries(specs.map((c, i) => [c.name, cs[i].id]))) as pulumi.Output<Record<string, string>>;
    const ports: pulumi.Output<PublishedPort[]> = pause.ports.apply((ps) => (ps ?? []).map((p) => {
        const protocol = (p.protocol ?? "tcp") as "tcp" | "udp";
        const owner = portOwners.get(`${p.internal}/${protocol}`);
        return {
            container: owner?.container ?? "",
            ...(owner?.name !== undefined ? { name: owner.name } : {}),
            containerPort: p.internal,
            protocol,
            hostIp: p.ip,
            hostPort: p.external,
        };
    }));
    const containerNames: Record<string, string> = { [PAUSE_NAME]: dockerPauseName(group) };
    for (const c of [...spec.initContainers, ...spec.containers]) {
        containerNames[c.name] = dockerContainerName(group, c.name);
    }

    return {
        rendering: {
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
        },
        resources: { pause, initContainers, members, volumes, initGates: gates, memberJoinMode: memberMode },
    };
}
