/**
 * The Docker sandbox supervisor (docs/supervisor.md): one container per Docker host that runs
 * supervised groups (the default) as kubelet runs Pods: start order, probes, hooks, restarts per
 * restartPolicy with kubelet's back-off, and the sandbox re-created when a pause container dies
 * or dockerd restarts. The first supervised group on an engine starts it on demand
 * ({@link onDemandSupervisorCreateOptions}); {@link DockerSupervisor} pins one in a stack.
 *
 * It is the ONLY container of the project that mounts the Docker socket. Whoever can use that
 * socket is root on the host: the container runs the project's own FROM scratch image, with no
 * network, no capabilities, a read-only root filesystem, and nothing mounted but the socket and
 * its state directory.
 */
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import type { ContainerCreateOptions } from "dockerode";
import images from "../images/images.json";
import { SUPERVISOR_CONTRACT as S, supervisorEnv, supervisorStatusDir } from "./contract";
import { LABEL_SUPERVISOR, LABEL_SUPERVISOR_ON_DEMAND } from "./labels";

export { LABEL_SUPERVISOR };

/** The component's type token. */
export const DOCKER_SUPERVISOR_TYPE = "podgroup:index:DockerSupervisor";

/** The supervisor image the project builds (images/images.json, images/supervisor/build.sh). */
export const DEFAULT_SUPERVISOR_IMAGE: string = (images as Record<string, string>)[S.imageKey];

/** Docker name of the supervisor container (one per host). */
export const DEFAULT_SUPERVISOR_CONTAINER_NAME = S.containerName;

/** Host directory mounted at /state: status files (`status/<group>.json`) and the lock. */
export const DEFAULT_SUPERVISOR_STATE_DIR = S.hostStateDir;

/** The host's Docker socket. */
export const DEFAULT_DOCKER_SOCKET = S.dockerSocket;

/** Where the state directory is mounted inside the container. */
export const SUPERVISOR_STATE_MOUNT = S.stateMount;

/** Arguments of {@link DockerSupervisor}. */
export interface DockerSupervisorArgs {
    /** Supervisor image. Default: images/images.json `supervisor` (podgroup/supervisor:1.0.0). */
    image?: string;
    /** Docker container name. Default `podgroup-supervisor`. */
    containerName?: string;
    /**
     * Host directory for the status files (mounted at /state); the harness reads
     * `<stateDir>/status/<group>.json`. Default /var/lib/podgroup/supervisor (Docker creates it).
     */
    stateDir?: string;
    /** Host path of the Docker socket. Default /var/run/docker.sock. */
    dockerSocket?: string;
    /**
     * Crash-loop back-off after a container's first (immediate) restart, doubling up to
     * `backoffMaxSeconds`. Default 10 (kubelet's). 0 disables back-off (benchmarks only).
     */
    backoffBaseSeconds?: number;
    /** Back-off ceiling. Default 300 (kubelet's). */
    backoffMaxSeconds?: number;
    /** Seconds between full resyncs of every group (events trigger work in between). Default 10. */
    resyncSeconds?: number;
    /**
     * Sandbox (pause) starts in flight at most, across every group: after a daemon restart or a
     * mass kill the supervisor does not flood the engine with one start per group at once.
     * Default: twice the CPUs the supervisor sees.
     */
    maxConcurrentSandboxStarts?: number;
    /**
     * Remove its own container once no supervised group has been left on the engine for this
     * many seconds. Default 0: never (a pinned supervisor, owned by the stack that declares it).
     * The supervisor a group starts on demand leaves after the contract's `onDemandExitWhenIdle`.
     */
    exitWhenIdleSeconds?: number;
    /** Docker provider of the host to supervise. */
    provider?: pulumi.ProviderResource;
}

/** What {@link createDockerSupervisor} resolves the arguments to. */
export interface ResolvedSupervisor {
    image: string;
    containerName: string;
    stateDir: string;
    dockerSocket: string;
    envs: string[];
}

function checkSeconds(field: string, value: number | undefined, min: number): string[] {
    if (value === undefined) return [];
    return Number.isFinite(value) && value >= min ? [] : [`${field} must be a number >= ${min}, got ${String(value)}`];
}

/** Validates the arguments (every problem at once) and fills in the defaults. */
export function resolveDockerSupervisor(args: DockerSupervisorArgs): ResolvedSupervisor {
    const problems = [
        ...checkSeconds("backoffBaseSeconds", args.backoffBaseSeconds, 0),
        ...checkSeconds("backoffMaxSeconds", args.backoffMaxSeconds, 1),
        ...checkSeconds("resyncSeconds", args.resyncSeconds, 1),
        ...checkSeconds("exitWhenIdleSeconds", args.exitWhenIdleSeconds, 0),
        ...(args.maxConcurrentSandboxStarts === undefined || (Number.isInteger(args.maxConcurrentSandboxStarts) && args.maxConcurrentSandboxStarts >= 1) ? []
            : [`maxConcurrentSandboxStarts must be a whole number >= 1, got ${String(args.maxConcurrentSandboxStarts)}`]),
        ...[["stateDir", args.stateDir], ["dockerSocket", args.dockerSocket]]
            .filter(([, v]) => v !== undefined && !v.startsWith("/"))
            .map(([k, v]) => `${k} must be an absolute host path, got "${v}"`),
    ];
    if (problems.length > 0) {
        throw new pulumi.RunError(`DockerSupervisor: ${problems.join("; ")}`);
    }
    const envs = [supervisorEnv("stateDir", SUPERVISOR_STATE_MOUNT)];
    if (args.backoffBaseSeconds !== undefined) envs.push(supervisorEnv("backoffBase", `${args.backoffBaseSeconds}s`));
    if (args.backoffMaxSeconds !== undefined) envs.push(supervisorEnv("backoffMax", `${args.backoffMaxSeconds}s`));
    if (args.resyncSeconds !== undefined) envs.push(supervisorEnv("resync", `${args.resyncSeconds}s`));
    if (args.maxConcurrentSandboxStarts !== undefined) envs.push(supervisorEnv("maxSandboxStarts", String(args.maxConcurrentSandboxStarts)));
    if (args.exitWhenIdleSeconds !== undefined) envs.push(supervisorEnv("exitWhenIdle", `${args.exitWhenIdleSeconds}s`));
    return {
        image: args.image ?? DEFAULT_SUPERVISOR_IMAGE,
        containerName: args.containerName ?? DEFAULT_SUPERVISOR_CONTAINER_NAME,
        stateDir: args.stateDir ?? DEFAULT_SUPERVISOR_STATE_DIR,
        dockerSocket: args.dockerSocket ?? DEFAULT_DOCKER_SOCKET,
        envs,
    };
}

/** The supervisor container's Docker inputs. */
export function supervisorContainerArgs(r: ResolvedSupervisor): docker.ContainerArgs {
    return {
        name: r.containerName,
        image: r.image,
        envs: r.envs,
        labels: [{ label: LABEL_SUPERVISOR, value: "true" }],
        // Docker brings it back after a crash and after dockerd restarts; it then brings the groups back.
        restart: S.restart,
        mustRun: true,
        volumes: [
            // The one Docker socket mount of the project.
            { hostPath: r.dockerSocket, containerPath: DEFAULT_DOCKER_SOCKET },
            // hostPath volumes are binds: Docker creates the directory when it is missing.
            { hostPath: r.stateDir, containerPath: SUPERVISOR_STATE_MOUNT },
        ],
        // It talks to dockerd over the socket only.
        networkMode: S.networkMode,
        readOnly: S.readOnlyRootfs,
        capabilities: { drops: S.capDrop },
        securityOpts: S.securityOpt,
        logDriver: "json-file",
        logOpts: { "max-size": "10m", "max-file": "3" },
        // SIGTERM stops it at once; anything half done is finished by the next one.
        stopTimeout: 10,
        destroyGraceSeconds: 10,
    };
}

/**
 * The same container as {@link supervisorContainerArgs}, as a Docker Engine API create body (for
 * tests and benchmarks that run the supervisor without Pulumi).
 */
export function supervisorCreateOptions(r: ResolvedSupervisor): ContainerCreateOptions {
    const a = supervisorContainerArgs(r);
    const volumes = a.volumes as { hostPath: string; containerPath: string }[];
    return {
        name: a.name as string,
        Image: a.image as string,
        Env: a.envs as string[],
        Labels: Object.fromEntries((a.labels as { label: string; value: string }[]).map((l) => [l.label, l.value])),
        StopTimeout: a.stopTimeout as number,
        HostConfig: {
            RestartPolicy: { Name: a.restart as string },
            Binds: volumes.map((v) => `${v.hostPath}:${v.containerPath}`),
            NetworkMode: a.networkMode as string,
            ReadonlyRootfs: a.readOnly as boolean,
            CapDrop: (a.capabilities as { drops: string[] }).drops,
            SecurityOpt: a.securityOpts as string[],
            LogConfig: { Type: a.logDriver as string, Config: a.logOpts as Record<string, string> },
        },
    };
}

/**
 * The supervisor a supervised group starts when none runs on its engine: the same hardened
 * container as {@link supervisorCreateOptions}, labelled as started on demand, leaving by itself
 * once no supervised group is left (after the contract's `onDemandExitWhenIdle`).
 */
export function onDemandSupervisorCreateOptions(stateDir?: string, dockerHost?: string): ContainerCreateOptions {
    const idle = parseSeconds(S.onDemandExitWhenIdle);
    // An engine reached by another unix socket on this host is supervised through that socket.
    const socket = dockerHost?.startsWith("unix://") ? dockerHost.slice("unix://".length) : dockerHost?.startsWith("/") ? dockerHost : undefined;
    const options = supervisorCreateOptions(resolveDockerSupervisor({ stateDir, exitWhenIdleSeconds: idle, dockerSocket: socket }));
    return { ...options, Labels: { ...options.Labels, [LABEL_SUPERVISOR_ON_DEMAND]: "true" } };
}

/** Seconds of a Go duration the contract writes as whole seconds ("15s"). */
function parseSeconds(duration: string): number {
    const m = /^(\d+)s$/.exec(duration);
    if (m === null) throw new Error(`contract: "${duration}" is not a whole number of seconds`);
    return Number(m[1]);
}

/** Registers the supervisor container under `opts.parent`. */
export function createDockerSupervisor(name: string, args: DockerSupervisorArgs, opts: pulumi.CustomResourceOptions): {
    resolved: ResolvedSupervisor;
    container: docker.Container;
} {
    const resolved = resolveDockerSupervisor(args);
    const container = new docker.Container(`${name}-supervisor`, supervisorContainerArgs(resolved), {
        ...opts,
        ...(args.provider !== undefined ? { provider: args.provider } : {}),
        // A fixed container name: the old one must go before the new one is created.
        deleteBeforeReplace: true,
    });
    return { resolved, container };
}

/**
 * The host's supervisor pinned in a stack (its settings, and it stays while the stack does):
 * it supervises every supervised group on that host, found by their labels, whatever stack
 * declared them. Without it, the first supervised group starts one on demand.
 */
export class DockerSupervisor extends pulumi.ComponentResource {
    /** Docker id of the supervisor container. */
    readonly containerId: pulumi.Output<string>;
    /** Docker name of the supervisor container. */
    readonly containerName: pulumi.Output<string>;
    /** Host directory holding `<group>.json` status files. */
    readonly statusDir: pulumi.Output<string>;
    /** The supervisor container. */
    readonly container: docker.Container;

    constructor(name: string, args: DockerSupervisorArgs = {}, opts?: pulumi.ComponentResourceOptions) {
        resolveDockerSupervisor(args); // reject bad arguments before registering anything
        super(DOCKER_SUPERVISOR_TYPE, name, {}, opts);
        const { resolved, container } = createDockerSupervisor(name, args, { parent: this });
        this.container = container;
        this.containerId = container.id;
        this.containerName = container.name;
        this.statusDir = pulumi.output(supervisorStatusDir(resolved.stateDir));
        this.registerOutputs({
            containerId: this.containerId,
            containerName: this.containerName,
            statusDir: this.statusDir,
        });
    }
}
