/**
 * The program behind `pulumi up`: stack config -> one PodGroup -> its outputs.
 *
 * Config keys (namespace `podgroup`, documented in README.md):
 *   backend     docker | kubernetes (default docker)
 *   name        the group's name (default "sample")
 *   group       the group's spec, a PodGroupSpec object (default: the sample group)
 *   manifest    a Kubernetes Pod manifest (or a controller's pod template), a path relative to
 *               the project; instead of group (its metadata.name and namespace are used)
 *   namespace   Kubernetes namespace (default "default")
 *   kubeconfig  kubeconfig contents or path for the Kubernetes provider (default: ambient)
 *   supervise   Docker: the supervisor runs the group as kubelet runs a Pod (default true; false
 *               asks for the bare mode under Docker's restart policies)
 *   supervisor  Docker: pin this host's supervisor in this stack (default false: the first
 *               supervised group starts it on demand and it leaves with the last one)
 *   skipAwait   do not wait for the group to be Ready (default false), on either backend
 *
 * Every key and the group's spec are validated together (components/stack-config.ts) before
 * anything is registered, the Kubernetes provider included: all problems at once.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { DockerSupervisor, PodGroup } from "./components";
import { podgroupConfig, readStackConfig } from "./components/stack-config";
import { underPulumiMocks } from "./components/group-lifecycle";

const settings = readStackConfig(podgroupConfig(), __dirname);
for (const w of settings.warnings) void pulumi.log.warn(`${w.propertyPath}: ${w.reason}`);
const selectedBackend = settings.backend;
if (selectedBackend === "kubernetes") requireKubernetesPlugin();

const provider = selectedBackend === "kubernetes" && settings.kubeconfig !== undefined
    ? new k8s.Provider("kubernetes", { kubeconfig: settings.kubeconfig })
    : undefined;

const group = new PodGroup(settings.groupName, {
    backend: selectedBackend,
    spec: settings.spec,
    ...(selectedBackend === "docker"
        ? { docker: { supervise: settings.supervise, skipAwait: settings.skipAwait } }
        : { kubernetes: { namespace: settings.namespace, skipAwait: settings.skipAwait } }),
    provider,
});

// The host's supervisor (the only container that mounts the Docker socket), when asked for.
const supervisor = selectedBackend === "docker" && settings.supervisor
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
    // Unit tests run the program on Pulumi's mocks (no engine, no plugins).
    if (underPulumiMocks()) return;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const version = (require("@pulumi/kubernetes/package.json") as { version: string }).version;
    const home = process.env.PULUMI_HOME ?? path.join(os.homedir(), ".pulumi");
    if (!fs.existsSync(path.join(home, "plugins", `resource-kubernetes-v${version}`))) {
        throw new pulumi.RunError(`podgroup:backend is "kubernetes", but the kubernetes provider plugin ${version} is not ` +
            `installed in ${home} and automatic plugin downloads are off: run 'bash scripts/setup.sh --kubernetes' ` +
            "(builds it offline from Go modules), then retry");
    }
}
