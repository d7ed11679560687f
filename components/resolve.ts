/**
 * A validated spec with every default filled in, so that both renderers read the same values.
 */
import {
    ContainerSpec, DEFAULT_RESTART_POLICY, DEFAULT_SHARE_PROCESS_NAMESPACE,
    DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS, PodGroupSpec, RestartPolicy, VolumeSpec,
} from "./spec";

/** A spec after defaults: no optional group-level field left. */
export interface ResolvedSpec {
    groupName: string;
    containers: ContainerSpec[];
    initContainers: ContainerSpec[];
    volumes: VolumeSpec[];
    restartPolicy: RestartPolicy;
    shareProcessNamespace: boolean;
    hostname: string;
    labels: Record<string, string>;
    terminationGracePeriodSeconds: number;
}

/**
 * Fills in the defaults of a validated spec, and replaces image references found in
 * `imageOverrides` (original reference -> replacement).
 */
export function resolveSpec(groupName: string, spec: PodGroupSpec, imageOverrides: Record<string, string> = {}): ResolvedSpec {
    const withImage = (c: ContainerSpec): ContainerSpec => ({ ...c, image: imageOverrides[c.image] ?? c.image });
    return {
        groupName,
        containers: spec.containers.map(withImage),
        initContainers: (spec.initContainers ?? []).map(withImage),
        volumes: spec.volumes ?? [],
        restartPolicy: spec.restartPolicy ?? DEFAULT_RESTART_POLICY,
        shareProcessNamespace: spec.shareProcessNamespace ?? DEFAULT_SHARE_PROCESS_NAMESPACE,
        hostname: spec.hostname ?? groupName,
        labels: spec.labels ?? {},
        terminationGracePeriodSeconds: spec.terminationGracePeriodSeconds ?? DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS,
    };
}
