/**
 * The runtimes the suite runs on, as data: each target says where a group is deployed (the
 * engine or cluster, as a Pulumi provider sees it) and how it is observed (an adapter), both
 * from the same options, so a group is always checked where it was deployed. Adding a runtime is
 * adding an entry here.
 */
import * as path from "path";
import { DockerAdapter, DockerAdapterOptions } from "./adapters/docker-adapter";
import { KubernetesAdapter, KubernetesAdapterOptions } from "./adapters/kubernetes-adapter";
import { RuntimeAdapter, RuntimeKind } from "./adapters/runtime-adapter";
import { dockerEndpoint } from "./deploy/docker-endpoint";
import { Destination } from "./deploy/pulumi-deployer";
import { DebugLog } from "./wait";
import { Fixture } from "./check";
import { collectProblems, ValidationContext } from "../components/validate";

/** A runtime groups are deployed on and observed on: one column of the matrix. */
export interface Target {
    /** Column of the matrix: `docker`, `docker+supervisor`, `kubernetes`. */
    id: string;
    /** Heading for people. */
    title: string;
    kind: RuntimeKind;
    /** Suffix of group names on this target (keeps groups of different targets apart). */
    suffix: string;
    /** Namespace of groups (Kubernetes). */
    namespace?: string;
    /** Where groups are deployed: the engine or cluster {@link createAdapter}'s adapter observes. */
    destination(): Promise<Destination>;
    /** The adapter that observes and drives this target's groups. */
    createAdapter(log: DebugLog): RuntimeAdapter;
    /**
     * Why this target cannot run a fixture (its spec is refused there, e.g. a native sidecar on
     * Docker without the supervisor), or undefined. The checks on it are reported "unsupported"
     * with this reason; they are never skipped silently.
     */
    unsupported?(fixture: Fixture, groupName: string): string | undefined;
    /** Prepares the runtime before the first fixture (e.g. starts the supervisor); returns how to undo it. */
    setUp?(log: DebugLog): Promise<{ description: string; tearDown(): Promise<void> }>;
}

/** Plain Docker: Docker's restart policies restart the group's containers. */
export function dockerTarget(options: DockerAdapterOptions = {}): Target {
    return {
        id: "docker",
        title: "Docker",
        kind: "docker",
        suffix: "d",
        destination: async () => ({ backend: "docker", docker: await dockerEndpoint(options.docker), supervise: false }),
        createAdapter: (log) => new DockerAdapter({ ...options, log }),
        unsupported: (fixture, groupName) => refusedOnDocker(fixture, groupName, false),
    };
}

/**
 * What PodGroup's own validation refuses in the fixture's spec on Docker (with or without the
 * supervisor), as one line, or undefined: the same errors `pulumi preview` would give.
 */
export function refusedOnDocker(fixture: Fixture, groupName: string, supervise: boolean): string | undefined {
    const ctx: ValidationContext = { groupName, backend: "docker", supervise };
    const problems = collectProblems(fixture.spec, ctx);
    return problems.length === 0 ? undefined : problems.map((p) => `${p.propertyPath}: ${p.reason}`).join("; ");
}

/**
 * Docker with the sandbox supervisor (the default mode): the first group deployed starts the
 * engine's supervisor on demand, as any supervised group does, unless one already runs there.
 */
export function dockerSupervisorTarget(options: DockerAdapterOptions = {}): Target {
    return {
        id: "docker+supervisor",
        title: "Docker + supervisor",
        kind: "docker",
        suffix: "s",
        destination: async () => ({ backend: "docker", docker: await dockerEndpoint(options.docker), supervise: true }),
        createAdapter: (log) => new DockerAdapter({ ...options, log }),
    };
}

/** The local cluster's admin kubeconfig (scripts/cluster.sh). */
export const LOCAL_CLUSTER_KUBECONFIG = "/var/lib/podgroup-cluster/admin.kubeconfig";
/** The local cluster's containerd socket (scripts/cluster/lib/paths.sh). */
export const LOCAL_CLUSTER_CONTAINERD = "/run/podgroup-containerd/containerd.sock";

/** A Kubernetes cluster (the reference), deployed on and observed through one kubeconfig file. */
export function kubernetesTarget(options: KubernetesAdapterOptions & { kubeconfig: string }): Target {
    const namespace = options.namespace ?? "default";
    return {
        id: "kubernetes",
        title: "Kubernetes",
        kind: "kubernetes",
        suffix: "k",
        namespace,
        destination: async () => ({ backend: "kubernetes", kubeconfig: path.resolve(options.kubeconfig), namespace }),
        createAdapter: (log) => new KubernetesAdapter({ ...options, namespace, log }),
    };
}
