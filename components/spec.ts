/**
 * The one spec type behind both renderers: a typed subset of the Kubernetes PodSpec.
 *
 * Field names and meanings follow core/v1 PodSpec and Container, so users already know them.
 * Plain data, except where a user passes what another resource computes: the image, env values
 * and command/args items may be Pulumi Inputs (an image built by `docker.Image`, a database
 * endpoint). Plain values are validated before any resource is registered; an Output is checked
 * with the same rules when it resolves, and a bad value fails the deploy with the same message.
 */
import * as pulumi from "@pulumi/pulumi";

/** Where a group is rendered. */
export type Backend = "docker" | "kubernetes";

/** The backends, in the order the docs list them. */
export const BACKENDS: readonly Backend[] = ["docker", "kubernetes"];

/** Kubernetes restart policy of a pod (applies to every app container). */
export type RestartPolicy = "Always" | "OnFailure" | "Never";

/** Kubernetes image pull policy. */
export type ImagePullPolicy = "Always" | "IfNotPresent" | "Never";

/** One environment variable. At most one of `value` and `secretValue` is set (neither: the empty string). */
export interface EnvVar {
    /** Variable name: printable ASCII except '=' (Kubernetes 1.34), e.g. `spring.profiles.active`. */
    name: string;
    /**
     * Plain value, stored as is in state. `$(NAME)` refers to an earlier variable of the
     * container and is expanded as kubelet does (`$$` gives `$`; unknown references stay).
     * A secret Output here is an error when it resolves: use `secretValue`.
     */
    value?: pulumi.Input<string>;
    /** Secret value: kept secret in Pulumi state and never printed. */
    secretValue?: pulumi.Input<string>;
}

/** A port a container listens on inside the group's shared network namespace. */
export interface ContainerPort {
    /** Port inside the group (1-65535). */
    containerPort: number;
    /**
     * Optional port published on the host: on every address of the Docker host, or rendered as
     * written on Kubernetes (see docs/spec-support.md). Left out or 0 (as in Kubernetes): no host
     * port; the Docker backend then publishes the port on an ephemeral port of 127.0.0.1 only, for
     * the host's own clients (the `ports` output says which).
     */
    hostPort?: number;
    /** TCP (default), UDP, or SCTP (Kubernetes only). */
    protocol?: "TCP" | "UDP" | "SCTP";
    /** Optional IANA service name (at most 15 characters, at least one letter), unique in the container. */
    name?: string;
}

/** Mounts a declared volume into a container. */
export interface VolumeMount {
    /** Name of a volume declared in `spec.volumes`. */
    name: string;
    /** Absolute path inside the container. */
    mountPath: string;
    /** Mount read-only. */
    readOnly?: boolean;
}

/** A Kubernetes quantity: a string ("500m", "64Mi", "1G") or a number (1, 0.5), as the API server takes it. */
export type Quantity = string | number;

/** CPU and memory limits as Kubernetes quantities ("500m", "1", 1, "64Mi", "1G"). */
export interface ResourceLimits {
    cpu?: Quantity;
    memory?: Quantity;
}

/** A port number, or the name of a port the container declares (Kubernetes' int-or-string). */
export type IntOrString = number | string;

/** Run a command in the container (probes, lifecycle hooks). */
export interface ExecAction { command: string[] }
/** An HTTP GET to the pod's own address (probes, lifecycle hooks); a status from 200 to 399 is success. */
export interface HttpGetAction { path?: string; port: IntOrString; scheme?: "HTTP" | "HTTPS" }
/** Open a TCP connection to the pod's own address (probes). */
export interface TcpSocketAction { port: IntOrString }

/** A probe handler: exactly one of exec, httpGet and tcpSocket. */
export interface Probe {
    exec?: ExecAction;
    httpGet?: HttpGetAction;
    tcpSocket?: TcpSocketAction;
    initialDelaySeconds?: number;
    periodSeconds?: number;
    timeoutSeconds?: number;
    failureThreshold?: number;
    successThreshold?: number;
}

/** A lifecycle hook handler: exactly one of exec, httpGet and sleep (Kubernetes' LifecycleHandler). */
export interface LifecycleHandler {
    exec?: ExecAction;
    httpGet?: HttpGetAction;
    /** Wait this many seconds (Kubernetes' PodLifecycleSleepAction). */
    sleep?: { seconds: number };
}

/** Hooks kubelet runs around a container's life (Kubernetes' Lifecycle). */
export interface Lifecycle {
    /** Runs right after the container starts; the container is not running (nor ready) until it returns; a failure kills it. */
    postStart?: LifecycleHandler;
    /** Runs before SIGTERM when the container is stopped; counts against terminationGracePeriodSeconds. */
    preStop?: LifecycleHandler;
}

/** One container of the group: an init container or an app (member) container. */
export interface ContainerSpec {
    /** DNS-1123 label, unique across init and app containers. */
    name: string;
    /** Image reference. Without a tag it means `:latest`, which Kubernetes pulls by default (imagePullPolicy Always). */
    image: pulumi.Input<string>;
    /** Default as Kubernetes: Always for `:latest` or no tag, IfNotPresent otherwise. */
    imagePullPolicy?: ImagePullPolicy;
    /**
     * Entrypoint override (Docker `entrypoint`, Kubernetes `command`). Plain values: a secret
     * goes in an env entry's `secretValue`, referred to here as `$(NAME)`.
     */
    command?: pulumi.Input<string>[];
    /** Arguments (Docker `command`, Kubernetes `args`); plain values, as `command`. */
    args?: pulumi.Input<string>[];
    env?: EnvVar[];
    ports?: ContainerPort[];
    volumeMounts?: VolumeMount[];
    resources?: { limits?: ResourceLimits };
    readinessProbe?: Probe;
    livenessProbe?: Probe;
    /** Liveness and readiness wait until it succeeds; a failure restarts the container as liveness does. */
    startupProbe?: Probe;
    lifecycle?: Lifecycle;
    /** File the container writes its termination message to. Default /dev/termination-log. */
    terminationMessagePath?: string;
    /** File (default): the message is the file's content; FallbackToLogsOnError: the last log lines when the file is empty and the container failed. */
    terminationMessagePolicy?: "File" | "FallbackToLogsOnError";
    workingDir?: string;
    /** Numeric uid (a number or a string), or "uid:gid" (PodGroup's shorthand for securityContext.runAsUser/runAsGroup). */
    user?: string | number;
    /** The user and group the container runs as (0 to 2147483647). */
    securityContext?: { runAsUser?: number; runAsGroup?: number };
    /**
     * Init containers only: "Always" makes it a native sidecar: started in init order, the next
     * init container and the members start once it has started (and its startupProbe passed), it
     * is restarted whenever it exits whatever the group's restartPolicy, does not hold up the
     * group's completion, and is stopped after the members, in reverse order.
     */
    restartPolicy?: "Always";
}

/** A volume shared by the group's containers. Only emptyDir is supported. */
export interface VolumeSpec {
    name: string;
    /** The only volume type PodGroup implements; a volume without a source is an emptyDir, as in Kubernetes. */
    emptyDir?: { medium?: "" | "Memory"; sizeLimit?: Quantity };
}

/** The group: what a Kubernetes Pod would declare. */
export interface PodGroupSpec {
    /** App containers (the members); at least one. */
    containers: ContainerSpec[];
    /** Run one at a time, in order, each to completion, before the members start. */
    initContainers?: ContainerSpec[];
    volumes?: VolumeSpec[];
    /** Default "Always". */
    restartPolicy?: RestartPolicy;
    /** Members share the pause container's PID namespace. Default false, as in Kubernetes. */
    shareProcessNamespace?: boolean;
    /** Hostname shared by every container of the group (DNS-1123 label). Default: the group's name. */
    hostname?: string;
    /** Extra labels on every resource of the group. */
    labels?: Record<string, string>;
    /** Seconds between SIGTERM and SIGKILL on stop. Default 30. */
    terminationGracePeriodSeconds?: number;

    // Cluster-only scheduling fields: passed unchanged to the Kubernetes Pod, a warning on Docker.
    nodeSelector?: Record<string, string>;
    affinity?: Record<string, unknown>;
    tolerations?: Record<string, unknown>[];
    serviceAccountName?: string;
    priorityClassName?: string;
    schedulerName?: string;
    topologySpreadConstraints?: Record<string, unknown>[];
    imagePullSecrets?: { name: string }[];
}

/** The infra container's role and label value (a member may also be named "pause": Docker names cannot collide). */
export const PAUSE_NAME = "pause";

/** Defaults applied when a spec field is left out: Kubernetes' own. */
export const DEFAULT_RESTART_POLICY: RestartPolicy = "Always";
export const DEFAULT_SHARE_PROCESS_NAMESPACE = false;
export const DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS = 30;
