/**
 * The Docker sandbox supervisor (docs/supervisor.md): one container per Docker host that gives
 * supervised groups (`supervise: true`) kubelet's behaviour when a pause container dies or dockerd
 * restarts: kill what is left, start the pause, run the init containers again in order, start
 * the members; restart members per restartPolicy with kubelet's back-off.
 *
 * It is the ONLY container of the project that mounts the Docker socket. Whoever can use that
 * socket is root on the host: the container runs the project's own FROM scratch image, with no
 * network, no capabilities, a read-only root filesystem, and nothing mounted but the socket and
 * its state directory.
 */
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import images from "../images/images.json";

/** The component's type token. */
export const DOCKER_SUPERVISOR_TYPE = "podgroup:index:DockerSupervisor";

/** The supervisor image the project builds (images/images.json, images/supervisor/build.sh). */
export const DEFAULT_SUPERVISOR_IMAGE: string = (images as Record<string, string>).supervisor;

/** Docker name of the supervisor container (one per host). */
export const DEFAULT_SUPERVISOR_CONTAINER_NAME = "podgroup-supervisor";

/** Host directory mounted at /state: status files (`status/<group>.json`) and the lock. */
export const DEFAULT_SUPERVISOR_STATE_DIR = "/var/lib/podgroup/supervisor";

/** The host's Docker socket. */
export const DEFAULT_DOCKER_SOCKET = "/var/run/docker.sock";

/** Where the state directory is mounted inside the container. */
export const SUPERVISOR_STATE_MOUNT = "/state";

/** Label on the supervisor container (it is not part of any group). */
export const LABEL_SUPERVISOR = "podgroup.io/supervisor";

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
        ...[["stateDir", args.stateDir], ["dockerSocket", args.dockerSocket]]
            .filter(([, v]) => v !== undefined && !v.startsWith("/"))
            .map(([k, v]) => `${k} must be an absolute host path, got "${v}"`),
    ];
    if (problems.length > 0) {
        throw new pulumi.RunError(`DockerSupervisor: ${problems.join("; ")}`);
    }
    const envs = [`PODGROUP_SUPERVISOR_STATE=${SUPERVISOR_STATE_MOUNT}`];
    if (args.backoffBaseSeconds !== undefined) envs.push(`PODGROUP_SUPERVISOR_BACKOFF_BASE=${args.backoffBaseSeconds}s`);
    if (args.backoffMaxSeconds !== undefined) envs.push(`PODGROUP_SUPERVISOR_BACKOFF_MAX=${args.backoffMaxSeconds}s`);
    if (args.resyncSeconds !== undefined) envs.push(`PODGROUP_SUPERVISOR_RESYNC=${args.resyncSeconds}s`);
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
        restart: "always",
        mustRun: true,
        volumes: [
            // The one Docker socket mount of the project.
            { hostPath: r.dockerSocket, containerPath: DEFAULT_DOCKER_SOCKET },
            // hostPath volumes are binds: Docker creates the directory when it is missing.
            { hostPath: r.stateDir, containerPath: SUPERVISOR_STATE_MOUNT },
        ],
        // It talks to dockerd over the socket only.
        networkMode: "none",
        readOnly: true,
        capabilities: { drops: ["ALL"] },
        securityOpts: ["no-new-privileges"],
        logDriver: "json-file",
        logOpts: { "max-size": "10m", "max-file": "3" },
        // SIGTERM stops it at once; anything half done is finished by the next one.
        stopTimeout: 10,
        destroyGraceSeconds: 10,
    };
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
 * One per Docker host: the container that supervises every group deployed with
 * `supervise: true` on that host (found by their labels, whatever stack declared them).
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
        this.statusDir = pulumi.output(`${resolved.stateDir}/status`);
        this.registerOutputs({
            containerId: this.containerId,
            containerName: this.containerName,
            statusDir: this.statusDir,
        });
    }
}
