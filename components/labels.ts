/**
 * Label keys put on every Docker resource of a group (and on the Kubernetes Pod where they apply),
 * as defined in contract/docker-contract.json.
 *
 * They are the contract with the test harness and the supervisor: those find a group's
 * containers by `podgroup.io/group`, tell the pause from init containers and members by
 * `podgroup.io/role`, and restart them in kubelet order (pause, then init containers by
 * `podgroup.io/init-index`, then members) when `podgroup.io/supervised=true`.
 */
import { DOCKER_CONTRACT } from "./contract";

const LABELS = DOCKER_CONTRACT.labels;

/** Prefix of every PodGroup label key. */
export const LABEL_PREFIX = LABELS.prefix;

/** The group's name (the same on every container and volume of the group). */
export const LABEL_GROUP = LABELS.group;
/**
 * The Pulumi project and stack that declared the group (`<project>/<stack>`), on every container
 * and volume: what a killed `pulumi up` left behind is found by it, whatever labels the spec has.
 */
export const LABEL_STACK = LABELS.stack;
/** The container's role in the group: one of {@link Role}. */
export const LABEL_ROLE = LABELS.role;
/** The container's name in the spec (`pause` for the infra container). */
export const LABEL_CONTAINER = LABELS.container;
/** The group's Kubernetes restart policy (`Always`, `OnFailure`, `Never`), as written in the spec. */
export const LABEL_RESTART_POLICY = LABELS.restartPolicy;
/** Position of an init container in `spec.initContainers` (0-based, decimal). Init containers only. */
export const LABEL_INIT_INDEX = LABELS.initIndex;
/** `true` when members share the pause container's PID namespace, else `false`. */
export const LABEL_SHARE_PID = LABELS.sharePid;
/** `true` when a supervisor, not Docker, restarts the group's containers, else `false`. */
export const LABEL_SUPERVISED = LABELS.supervised;
/** Position of a member in `spec.containers` (0-based, decimal). Members only. */
export const LABEL_MEMBER_INDEX = LABELS.memberIndex;
/** "Always" on a native sidecar (an init container with restartPolicy Always). Role stays "init". */
export const LABEL_CONTAINER_RESTART_POLICY = LABELS.containerRestartPolicy;
/** On the pause of a supervised group: how many init containers (sidecars included) the spec declares (decimal). */
export const LABEL_INIT_COUNT = LABELS.initCount;
/** On the pause of a supervised group: how many members (spec.containers) the spec declares (decimal). */
export const LABEL_MEMBER_COUNT = LABELS.memberCount;
/** Supervised containers with probes: `{"startup"?,"liveness"?,"readiness"?}` as JSON, defaults written out, named ports resolved. */
export const LABEL_PROBES = LABELS.probes;
/** Supervised containers with hooks: `{"postStart"?,"preStop"?}` as JSON (exec, httpGet or sleep handlers). */
export const LABEL_LIFECYCLE = LABELS.lifecycle;
/** Every supervised init container, sidecar and member: `{"path","policy"}` as JSON, defaults filled in. */
export const LABEL_TERMINATION_MESSAGE = LABELS.terminationMessage;
/** On the supervisor container (it is not part of any group). */
export const LABEL_SUPERVISOR = LABELS.supervisor;
/** On a supervisor that a supervised group started on demand (no stack owns it; it leaves when idle): "true". */
export const LABEL_SUPERVISOR_ON_DEMAND = LABELS.supervisorOnDemand;

/** Roles a container can have in a group (each role's label value is its name). */
export type Role = keyof typeof DOCKER_CONTRACT.roles;
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
