/**
 * Names derived from the group's name, so that two groups never collide on one Docker engine.
 */
import { PAUSE_NAME } from "./spec";

/** Docker container name of a container of the group: `<group>-<container>`. */
export function dockerContainerName(group: string, container: string): string {
    return `${group}-${container}`;
}

/** Docker container name of the group's pause container: `<group>-pause`. */
export function dockerPauseName(group: string): string {
    return dockerContainerName(group, PAUSE_NAME);
}

/** Docker volume name of an emptyDir volume of the group: `<group>-<volume>`. */
export function dockerVolumeName(group: string, volume: string): string {
    return `${group}-${volume}`;
}

/** Name of the Kubernetes Secret holding the group's secret env values: `<group>-env`. */
export function kubernetesEnvSecretName(group: string): string {
    return `${group}-env`;
}

/** Key, inside that Secret, of one container's secret env variable: `<container>.<VAR>`. */
export function kubernetesEnvSecretKey(container: string, variable: string): string {
    return `${container}.${variable}`;
}
