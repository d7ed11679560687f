/**
 * The PodGroup library (`import { PodGroup } from "podgroup"`): one spec (a Kubernetes PodSpec
 * subset), validated, rendered on Docker (a pause container and members joining its namespaces)
 * or as a Kubernetes Pod. Named exports only: what is not listed here is internal.
 */

// The components.
export { PodGroup, POD_GROUP_TYPE } from "./pod-group";
export type { PodGroupArgs, PodGroupResources } from "./pod-group";
export { DockerSupervisor, DOCKER_SUPERVISOR_TYPE, DEFAULT_SUPERVISOR_IMAGE } from "./supervisor";
export type { DockerSupervisorArgs } from "./supervisor";

// The spec.
export { BACKENDS } from "./spec";
export type {
    Backend, ContainerPort, ContainerSpec, EnvVar, ExecAction, HttpGetAction, ImagePullPolicy, IntOrString, Lifecycle, LifecycleHandler,
    PodGroupSpec, Probe, Quantity, ResourceLimits, RestartPolicy, TcpSocketAction, VolumeMount, VolumeSpec,
} from "./spec";
export { collectFindings, validatePodGroupSpec, PodGroupValidationError } from "./validate";
export type { SpecFindings, ValidationContext, ValidationProblem } from "./validate";
export { STRICTER_RULES } from "./stricter";
export type { StricterRule, StricterRuleId } from "./stricter";

// Pod manifests in, and $(VAR) expansion as kubelet does it.
export { podGroupSpecFromManifest, ManifestError } from "./manifest";
export type { ManifestGroup } from "./manifest";
export { expandVars } from "./expand";
export { sampleGroupSpec, SAMPLE_WEB_BODY, SAMPLE_WEB_PORT } from "./sample";

// What a rendered group is made of.
export { DEFAULT_PAUSE_IMAGE, InitContainerFailedError } from "./render-docker";
export type { DockerGroupResources, DockerRenderOptions } from "./render-docker";
export { DockerGroupLifecycle } from "./group-lifecycle";
export { DEFAULT_NAMESPACE } from "./render-kubernetes";
export type { KubernetesGroupResources, KubernetesRenderOptions } from "./render-kubernetes";
export type { PublishedPort } from "./rendering";

// The Docker-side contract: the labels every container of a group carries, and its names.
export {
    LABEL_CONTAINER, LABEL_CONTAINER_RESTART_POLICY, LABEL_GROUP, LABEL_INIT_COUNT, LABEL_INIT_INDEX, LABEL_LIFECYCLE, LABEL_MEMBER_COUNT,
    LABEL_MEMBER_INDEX, LABEL_PROBES, LABEL_RESTART_POLICY, LABEL_ROLE, LABEL_SHARE_PID, LABEL_SUPERVISED, LABEL_TERMINATION_MESSAGE,
    ROLE_INIT, ROLE_MEMBER, ROLE_PAUSE,
} from "./labels";
export type { Role } from "./labels";
export { dockerContainerName, dockerPauseName, dockerVolumeName } from "./naming";
