/**
 * The program behind `pulumi up`: stack config -> one PodGroup -> its outputs.
 *
 * Config keys (namespace `podgroup`, documented in README.md):
 *   backend     docker | kubernetes (default docker)
 *   name        the group's name (default "sample")
 *   group       the group's spec, a PodGroupSpec object (default: the sample group)
 *   namespace   Kubernetes namespace (default "default")
 *   kubeconfig  kubeconfig contents or path for the Kubernetes provider (default: ambient)
 *   supervise   Docker: hand restarts to the supervisor (default false)
 *   supervisor  Docker: also declare this host's DockerSupervisor in this stack (default false;
 *               one stack per Docker host sets it: docs/supervisor.md)
 *   skipAwait   Kubernetes: do not wait for the Pod to be Ready (default false)
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Backend, BACKENDS, DockerSupervisor, PodGroup, PodGroupSpec, sampleGroupSpec } from "./components";

const config = new pulumi.Config("podgroup");
const selectedBackend = (config.get("backend") ?? "docker") as Backend;
if (!BACKENDS.includes(selectedBackend)) {
    throw new pulumi.RunError(`podgroup:backend is "${selectedBackend}"; set it to "docker" or "kubernetes" (pulumi config set podgroup:backend docker)`);
}
const name = config.get("name") ?? "sample";
const spec = config.getObject<PodGroupSpec>("group") ?? sampleGroupSpec();
const kubeconfig = config.get("kubeconfig");

const provider = selectedBackend === "kubernetes" && kubeconfig !== undefined
    ? new k8s.Provider("kubernetes", { kubeconfig })
    : undefined;

const group = new PodGroup(name, {
    backend: selectedBackend,
    spec,
    namespace: config.get("namespace"),
    supervise: config.getBoolean("supervise") ?? false,
    skipAwait: config.getBoolean("skipAwait") ?? false,
    provider,
});

// The host's supervisor (the only container that mounts the Docker socket), when asked for.
const supervisor = selectedBackend === "docker" && (config.getBoolean("supervisor") ?? false)
    ? new DockerSupervisor("supervisor", {})
    : undefined;

export const backend = group.backend;
export const groupName = group.groupName;
export const pauseId = group.pauseId;
export const podName = group.podName;
export const namespace = group.namespace;
export const memberIds = group.memberIds;
export const initIds = group.initIds;
export const members = group.members;
export const containerNames = group.containerNames;
export const ports = group.ports;
export const supervisorContainer = supervisor?.containerName;
