/**
 * Names derived from the group's name, unambiguous by construction: group, container and volume
 * names are DNS-1123 labels, which never contain '_', so `<group>_<container>` splits back in
 * exactly one way, and the pause's `<group>_POD` (upper case, as dockershim's `k8s_POD_...`) is
 * a name no container can have. Two groups on one Docker engine never collide, and a member may
 * be called `pause`. Everything that computes a Docker name (renderers, harness, tests) calls
 * these; the bench scripts read the two constants from docker-naming.json (bench/naming.sh;
 * not naming.json: Node would resolve "./naming" to it before naming.ts).
 */
import naming from "./docker-naming.json";

/** Separator between the group's name and the container or volume name: not allowed in either. */
export const DOCKER_NAME_SEPARATOR: string = naming.separator;
/** What stands for the pause in its Docker name: upper case, so no container name can equal it. */
export const DOCKER_PAUSE_SUFFIX: string = naming.pauseSuffix;

/** Docker container name of a container of the group: `<group>_<container>`. */
export function dockerContainerName(group: string, container: string): string {
    return `${group}${DOCKER_NAME_SEPARATOR}${container}`;
}

/** Docker container name of the group's pause container: `<group>_POD`. */
export function dockerPauseName(group: string): string {
    return `${group}${DOCKER_NAME_SEPARATOR}${DOCKER_PAUSE_SUFFIX}`;
}

/** Docker volume name of an emptyDir volume of the group: `<group>_<volume>`. */
export function dockerVolumeName(group: string, volume: string): string {
    return `${group}${DOCKER_NAME_SEPARATOR}${volume}`;
}

/** Name of the Kubernetes Secret holding the group's secret env values: `<group>-env`. */
export function kubernetesEnvSecretName(group: string): string {
    return `${group}-env`;
}

/** Key, inside that Secret, of one container's secret env variable: `<container>.<VAR>` (container names hold no '.'). */
export function kubernetesEnvSecretKey(container: string, variable: string): string {
    return `${container}.${variable}`;
}
