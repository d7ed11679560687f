/**
 * Label keys put on every Docker resource of a group (and on the Kubernetes Pod where they apply).
 *
 * They are the contract with the test harness and the supervisor (issue 6): those find a group's
 * containers by `podgroup.io/group`, tell the pause from init containers and members by
 * `podgroup.io/role`, and restart them in kubelet order (pause, then init containers by
 * `podgroup.io/init-index`, then members) when `podgroup.io/supervised=true`.
 */

/** Prefix of every PodGroup label key. */
export const LABEL_PREFIX = "podgroup.io/";

/** The group's name (the same on every container and volume of the group). */
export const LABEL_GROUP = "podgroup.io/group";
/** The container's role in the group: one of {@link Role}. */
export const LABEL_ROLE = "podgroup.io/role";
/** The container's name in the spec (`pause` for the infra container). */
export const LABEL_CONTAINER = "podgroup.io/container";
/** The group's Kubernetes restart policy (`Always`, `OnFailure`, `Never`), as written in the spec. */
export const LABEL_RESTART_POLICY = "podgroup.io/restart-policy";
/** Position of an init container in `spec.initContainers` (0-based, decimal). Init containers only. */
export const LABEL_INIT_INDEX = "podgroup.io/init-index";
/** `true` when members share the pause container's PID namespace, else `false`. */
export const LABEL_SHARE_PID = "podgroup.io/share-pid";
/** `true` when a supervisor, not Docker, restarts the group's containers, else `false`. */
export const LABEL_SUPERVISED = "podgroup.io/supervised";
/** Position of a member in `spec.containers` (0-based, decimal). Members only. */
export const LABEL_MEMBER_INDEX = "podgroup.io/member-index";

/** Roles a container can have in a group. */
export type Role = "pause" | "init" | "member";
/** Role of the pause (infra) container that owns the group's namespaces. */
export const ROLE_PAUSE: Role = "pause";
/** Role of an init container (runs to completion, in order, before the members). */
export const ROLE_INIT: Role = "init";
/** Role of a regular container (a member) of the group. */
export const ROLE_MEMBER: Role = "member";

/** True when `key` is one of the keys this library manages (users may not set them). */
export function isReservedLabelKey(key: string): boolean {
    return key.startsWith(LABEL_PREFIX);
}
