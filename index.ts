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
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Backend, BACKENDS, DockerSupervisor, PodGroup, PodGroupSpec, sampleGroupSpec } from "./components";

const config = new pulumi.Config("podgroup");
const selectedBackend = (config.get("backend") ?? "docker") as Backend;
if (!BACKENDS.includes(selectedBackend)) {
    throw new pulumi.RunError(`podgroup:backend is "${selectedBackend}"; set it to "docker" or "kubernetes" (pulumi config set podgroup:backend docker)`);
}
if (selectedBackend === "kubernetes") requireKubernetesPlugin();
const name = config.get("name") ?? "sample";
const spec = config.getObject<PodGroupSpec>("group") ?? sampleGroupSpec();
const kubeconfig = config.get("kubeconfig");

const provider = selectedBackend === "kubernetes" && kubeconfig !== undefined
    ? new k8s.Provider("kubernetes", { kubeconfig })
    : undefined;

const group = new PodGroup(name, {
    backend: selectedBackend,
    spec,
    ...(selectedBackend === "docker"
        ? { docker: { supervise: config.getBoolean("supervise") ?? false } }
        : { kubernetes: { namespace: config.get("namespace"), skipAwait: config.getBoolean("skipAwait") ?? false } }),
    provider,
});

// The host's supervisor (the only container that mounts the Docker socket), when asked for.
const supervisor = selectedBackend === "docker" && (config.getBoolean("supervisor") ?? false)
    ? new DockerSupervisor("supervisor", {})
    : undefined;

// Stack outputs: only what the chosen backend has (an undefined output is a warning on every up).
const common = {
    backend: group.backend,
    groupName: group.groupName,
    memberIds: group.memberIds,
    initIds: group.initIds,
    members: group.members,
    containerNames: group.containerNames,
    ports: group.ports,
};
export = selectedBackend === "docker"
    ? { ...common, pauseId: group.pauseId, ...(supervisor ? { supervisorContainer: supervisor.containerName } : {}) }
    : { ...common, podName: group.podName, namespace: group.namespace };

/**
 * With automatic plugin downloads off (scripts/lib/common.sh: this machine reaches no plugin
 * server), a missing kubernetes provider plugin would fail later with Pulumi's advice to run
 * `pulumi plugin install`, which downloads; name the command that builds it here instead.
 */
function requireKubernetesPlugin(): void {
    if (process.env.PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION !== "true") return;
    // Unit tests run the program on Pulumi's mocks (no engine, no plugins). By name: jest's
    // isolated module registries hold other copies of the class.
    if (pulumi.runtime.getMonitor()?.constructor.name === "MockMonitor") return;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const version = (require("@pulumi/kubernetes/package.json") as { version: string }).version;
    const home = process.env.PULUMI_HOME ?? path.join(os.homedir(), ".pulumi");
    if (!fs.existsSync(path.join(home, "plugins", `resource-kubernetes-v${version}`))) {
        throw new pulumi.RunError(`podgroup:backend is "kubernetes", but the kubernetes provider plugin ${version} is not ` +
            `installed in ${home} and automatic plugin downloads are off: run 'bash scripts/setup.sh --kubernetes' ` +
            "(builds it offline from Go modules), then retry");
    }
}
