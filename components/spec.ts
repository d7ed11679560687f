/**
 * The one spec type behind both renderers: a typed subset of the Kubernetes PodSpec.
 *
 * Field names and meanings follow core/v1 PodSpec and Container, so users already know them.
 * Plain data only (no Pulumi Inputs), except secret env values, so that validation can run
 * before any resource is registered.
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

/** One environment variable. Exactly one of `value` and `secretValue` is set. */
export interface EnvVar {
    /** Variable name (a C identifier). */
    name: string;
    /** Plain value, stored as is in state. */
    value?: string;
    /** Secret value: kept secret in Pulumi state and never printed. */
    secretValue?: pulumi.Input<string>;
}

/** A port a container listens on inside the group's shared network namespace. */
export interface ContainerPort {
    /** Port inside the group (1-65535). */
    containerPort: number;
    /**
     * Optional port published on the Docker host (Docker backend only). Without it the Docker
     * backend publishes the port on an ephemeral host port of 127.0.0.1. The Kubernetes renderer
     * never sets a hostPort (use a Service): see docs/spec-support.md.
     */
    hostPort?: number;
    /** TCP (default) or UDP. */
    protocol?: "TCP" | "UDP";
    /** Optional DNS-1123 name. */
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

/** CPU and memory limits as Kubernetes quantities ("500m", "1", "64Mi", "1G"). */
export interface ResourceLimits {
    cpu?: string;
    memory?: string;
}

/** A probe handler: exactly one of exec, httpGet and tcpSocket. */
export interface Probe {
    exec?: { command: string[] };
    httpGet?: { path?: string; port: number; scheme?: "HTTP" | "HTTPS" };
    tcpSocket?: { port: number };
    initialDelaySeconds?: number;
    periodSeconds?: number;
    timeoutSeconds?: number;
    failureThreshold?: number;
    successThreshold?: number;
}

/** One container of the group: an init container or an app (member) container. */
export interface ContainerSpec {
    /** DNS-1123 label, unique across init and app containers. */
    name: string;
    /** Image reference with an explicit tag or digest (no `:latest` unless imagePullPolicy is set). */
    image: string;
    imagePullPolicy?: ImagePullPolicy;
    /** Entrypoint override (Docker `entrypoint`, Kubernetes `command`). */
    command?: string[];
    /** Arguments (Docker `command`, Kubernetes `args`). */
    args?: string[];
    env?: EnvVar[];
    ports?: ContainerPort[];
    volumeMounts?: VolumeMount[];
    resources?: { limits?: ResourceLimits };
    readinessProbe?: Probe;
    livenessProbe?: Probe;
    workingDir?: string;
    /** Numeric uid, or "uid:gid". */
    user?: string;
}

/** A volume shared by the group's containers. Only emptyDir is supported. */
export interface VolumeSpec {
    name: string;
    emptyDir: { medium?: "" | "Memory"; sizeLimit?: string };
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
    /** Members share the pause container's PID namespace. Default true (unlike Kubernetes' false). */
    shareProcessNamespace?: boolean;
    /** Hostname shared by every container of the group (DNS-1123 label). Default: the group's name. */
    hostname?: string;
    /** Extra labels on every resource of the group. */
    labels?: Record<string, string>;
    /** Seconds between SIGTERM and SIGKILL on stop. Default 30. */
    terminationGracePeriodSeconds?: number;
}

/** The name reserved for the infra container; no member may use it. */
export const PAUSE_NAME = "pause";

/** Defaults applied when a spec field is left out. */
export const DEFAULT_RESTART_POLICY: RestartPolicy = "Always";
export const DEFAULT_SHARE_PROCESS_NAMESPACE = true;
export const DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS = 30;
