/**
 * The runtimes the suite runs on, as data: each target says how to deploy a fixture (stack
 * config of the real program) and how to observe it (an adapter). Adding a runtime is adding an
 * entry here.
 */
import { DockerAdapter, DockerAdapterOptions } from "./adapters/docker-adapter";
import { KubernetesAdapter, KubernetesAdapterOptions } from "./adapters/kubernetes-adapter";
import { RuntimeAdapter, RuntimeKind } from "./adapters/runtime-adapter";
import { StackConfig } from "./deploy/pulumi-deployer";
import { ensureSupervisor } from "./deploy/supervisor-setup";
import { DebugLog } from "./wait";

export interface Target {
    /** Column of the matrix: `docker`, `docker+supervisor`, `kubernetes`. */
    id: string;
    /** Heading for people. */
    title: string;
    kind: RuntimeKind;
    /** Suffix of group names on this target (keeps groups of different targets apart). */
    suffix: string;
    /** Stack config added to every fixture's (`podgroup:backend`, ...). */
    stackConfig: StackConfig;
    /** Stack config for fixtures whose members are meant to exit (no readiness await). */
    exitingFixtureConfig?: StackConfig;
    /** Namespace of groups (Kubernetes). */
    namespace?: string;
    /** Environment of the Pulumi CLI for this target's deploys (e.g. KUBECONFIG). */
    envVars?: Record<string, string>;
    createAdapter(log: DebugLog): RuntimeAdapter;
    /** Prepares the runtime before the first fixture (e.g. starts the supervisor); returns how to undo it. */
    setUp?(log: DebugLog): Promise<{ description: string; tearDown(): Promise<void> }>;
}

/** The reference every other target is compared with. */
export const REFERENCE_TARGET_ID = "kubernetes";

export function dockerTarget(options: DockerAdapterOptions = {}): Target {
    return {
        id: "docker",
        title: "Docker",
        kind: "docker",
        suffix: "d",
        stackConfig: { "podgroup:backend": "docker", "podgroup:supervise": "false" },
        createAdapter: (log) => new DockerAdapter({ ...options, log }),
    };
}

export function dockerSupervisorTarget(options: DockerAdapterOptions = {}): Target {
    return {
        id: "docker+supervisor",
        title: "Docker + supervisor",
        kind: "docker",
        suffix: "s",
        stackConfig: { "podgroup:backend": "docker", "podgroup:supervise": "true" },
        createAdapter: (log) => new DockerAdapter({ ...options, log }),
        setUp: (log) => ensureSupervisor(log),
    };
}

/** The local cluster's admin kubeconfig (scripts/cluster.sh). */
export const LOCAL_CLUSTER_KUBECONFIG = "/var/lib/podgroup-cluster/admin.kubeconfig";
/** The local cluster's containerd socket (scripts/cluster/lib/paths.sh). */
export const LOCAL_CLUSTER_CONTAINERD = "/run/podgroup-containerd/containerd.sock";

export function kubernetesTarget(options: KubernetesAdapterOptions & { kubeconfig: string }): Target {
    const namespace = options.namespace ?? "default";
    return {
        id: "kubernetes",
        title: "Kubernetes",
        kind: "kubernetes",
        suffix: "k",
        namespace,
        stackConfig: { "podgroup:backend": "kubernetes", "podgroup:kubeconfig": options.kubeconfig, "podgroup:namespace": namespace },
        exitingFixtureConfig: { "podgroup:skipAwait": "true" },
        createAdapter: (log) => new KubernetesAdapter({ ...options, namespace, log }),
    };
}
