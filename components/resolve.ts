/**
 * A validated spec with every default filled in, so that both renderers read the same values.
 * The defaults are Kubernetes' own (core/v1 SetDefaults_*).
 */
import * as pulumi from "@pulumi/pulumi";
import { defaultPullPolicy } from "./image";
import {
    ContainerSpec, DEFAULT_RESTART_POLICY, DEFAULT_SHARE_PROCESS_NAMESPACE, DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS,
    ImagePullPolicy, PodGroupSpec, RestartPolicy, VolumeSpec,
} from "./spec";
import { CLUSTER_ONLY_POD_FIELDS } from "./fields";

/**
 * A container after defaults: pull policy set, `user` folded into securityContext, and no
 * `hostPort: 0` (Kubernetes reads 0 as not set: the port is not published on the host).
 */
export type ResolvedContainer = Omit<ContainerSpec, "user" | "imagePullPolicy"> & { imagePullPolicy: pulumi.Input<ImagePullPolicy> };

/** A volume after defaults: its emptyDir set. */
export type ResolvedVolume = VolumeSpec & { emptyDir: NonNullable<VolumeSpec["emptyDir"]> };

/** A spec after defaults: no optional group-level field left. */
export interface ResolvedSpec {
    groupName: string;
    containers: ResolvedContainer[];
    initContainers: ResolvedContainer[];
    volumes: ResolvedVolume[];
    restartPolicy: RestartPolicy;
    shareProcessNamespace: boolean;
    hostname: string;
    labels: Record<string, string>;
    terminationGracePeriodSeconds: number;
    /** Cluster-only scheduling fields as written (rendered on Kubernetes only). */
    scheduling: Record<string, unknown>;
}

/**
 * A copy of `spec` with image references found in `imageOverrides` (original -> replacement)
 * replaced: applied before validation, so the images validated are the images deployed. Leaves
 * anything that is not a well-formed container alone (validation reports it).
 */
export function applyImageOverrides(spec: unknown, imageOverrides: Record<string, string> | undefined): unknown {
    if (imageOverrides === undefined || typeof spec !== "object" || spec === null || Array.isArray(spec)) return spec;
    const s = spec as Record<string, unknown>;
    const swap = (list: unknown) => Array.isArray(list)
        ? list.map((c) => {
            if (typeof c !== "object" || c === null) return c;
            const image = (c as { image?: unknown }).image;
            if (typeof image === "string") return { ...c, image: imageOverrides[image] ?? image };
            // An image another resource computes: replaced when it resolves.
            if (pulumi.Output.isInstance(image)) return { ...c, image: (image as pulumi.Output<string>).apply((i) => imageOverrides[i] ?? i) };
            return c;
        })
        : list;
    return {
        ...s,
        ...(s.containers !== undefined ? { containers: swap(s.containers) } : {}),
        ...(s.initContainers !== undefined ? { initContainers: swap(s.initContainers) } : {}),
    };
}

function resolveContainer(c: ContainerSpec): ResolvedContainer {
    const { user, ...rest } = c;
    const pullPolicy = c.imagePullPolicy
        ?? (typeof c.image === "string" ? defaultPullPolicy(c.image) : pulumi.output(c.image).apply(defaultPullPolicy));
    const resolved: ResolvedContainer = { ...rest, imagePullPolicy: pullPolicy };
    if (c.ports !== undefined) {
        resolved.ports = c.ports.map(({ hostPort, ...port }) =>
            (hostPort === 0 || hostPort === undefined ? port : { ...port, hostPort }));
    }
    if (user !== undefined) {
        const [uid, gid] = String(user).split(":");
        resolved.securityContext = { runAsUser: Number(uid), ...(gid !== undefined ? { runAsGroup: Number(gid) } : {}) };
    }
    return resolved;
}

/** The grace period as Kubernetes applies it: 30 s by default, a negative one set to 1 s by the API server. */
function gracePeriod(seconds: number | undefined): number {
    if (seconds === undefined) return DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS;
    return seconds < 0 ? 1 : seconds;
}

/** Fills in the defaults of a validated spec (image overrides are already applied). */
export function resolveSpec(groupName: string, spec: PodGroupSpec): ResolvedSpec {
    const scheduling: Record<string, unknown> = {};
    for (const key of CLUSTER_ONLY_POD_FIELDS) {
        if (spec[key] !== undefined) scheduling[key] = spec[key];
    }
    return {
        groupName,
        containers: spec.containers.map(resolveContainer),
        initContainers: (spec.initContainers ?? []).map(resolveContainer),
        // A volume with no source is an emptyDir (Kubernetes' SetDefaults_Volume).
        volumes: (spec.volumes ?? []).map((v) => ({ ...v, emptyDir: v.emptyDir ?? {} })),
        restartPolicy: spec.restartPolicy ?? DEFAULT_RESTART_POLICY,
        shareProcessNamespace: spec.shareProcessNamespace ?? DEFAULT_SHARE_PROCESS_NAMESPACE,
        hostname: spec.hostname ?? groupName,
        labels: spec.labels ?? {},
        terminationGracePeriodSeconds: gracePeriod(spec.terminationGracePeriodSeconds),
        scheduling,
    };
}
