/**
 * The PodGroup component: one spec, rendered on Docker (pause container + members) or as a
 * Kubernetes Pod. Thin: validation and rendering are plain functions ({@link createPodGroup}).
 */
import * as pulumi from "@pulumi/pulumi";
import { DockerGroupResources, DockerRenderOptions, renderDocker } from "./render-docker";
import { KubernetesGroupResources, KubernetesRenderOptions, renderKubernetes } from "./render-kubernetes";
import { PodGroupRendering, PublishedPort } from "./rendering";
import { resolveSpec } from "./resolve";
import { Backend, PodGroupSpec } from "./spec";
import { validatePodGroupSpec } from "./validate";

/** The component's type token. */
export const POD_GROUP_TYPE = "podgroup:index:PodGroup";

/** Arguments of {@link PodGroup}. */
export interface PodGroupArgs extends DockerRenderOptions, KubernetesRenderOptions {
    /** Where to run the group. */
    backend: Backend;
    /** The group, as a Kubernetes PodSpec subset. */
    spec: PodGroupSpec;
    /**
     * The group's name: prefix of every Docker container and volume name, the Pod's name, the
     * default hostname. A DNS-1123 label. Default: the component's resource name.
     */
    groupName?: string;
    /** Image reference -> replacement, applied to every container (e.g. a local mirror). */
    imageOverrides?: Record<string, string>;
    /**
     * Provider for the children (a docker.Provider or a kubernetes.Provider, matching `backend`).
     * `providers` in the resource options works too.
     */
    provider?: pulumi.ProviderResource;
}

/** Validates, resolves and renders a group; registers children under `opts.parent`. */
export function createPodGroup(name: string, args: PodGroupArgs, opts: pulumi.CustomResourceOptions): {
    rendering: PodGroupRendering;
    resources: DockerGroupResources | KubernetesGroupResources;
} {
    const groupName = args.groupName ?? name;
    validatePodGroupSpec(args.spec, {
        groupName,
        backend: args.backend,
        namespace: args.backend === "kubernetes" ? args.namespace : undefined,
    });
    const spec = resolveSpec(groupName, args.spec, args.imageOverrides);
    const childOpts: pulumi.CustomResourceOptions = { ...opts, ...(args.provider !== undefined ? { provider: args.provider } : {}) };
    return args.backend === "docker"
        ? renderDocker(name, spec, args, childOpts)
        : renderKubernetes(name, spec, args, childOpts);
}

/**
 * A group of containers sharing one network, IPC, UTS (and by default PID) namespace, like a
 * Kubernetes Pod: on plain Docker through a pause container, or as a real Pod.
 */
export class PodGroup extends pulumi.ComponentResource {
    /** "docker" or "kubernetes". */
    readonly backend: pulumi.Output<Backend>;
    /** The group's name. */
    readonly groupName: pulumi.Output<string>;
    /** Docker: the pause container's id (undefined on Kubernetes). */
    readonly pauseId: pulumi.Output<string | undefined>;
    /** Kubernetes: the Pod's name (undefined on Docker). */
    readonly podName: pulumi.Output<string | undefined>;
    /** Kubernetes: the Pod's namespace (undefined on Docker). */
    readonly namespace: pulumi.Output<string | undefined>;
    /** Member name -> Docker container id, or `<namespace>/<pod>/<container>` on Kubernetes. */
    readonly memberIds: pulumi.Output<Record<string, string>>;
    /** Init container name -> Docker container id, or `<namespace>/<pod>/<container>` on Kubernetes. */
    readonly initIds: pulumi.Output<Record<string, string>>;
    /** Member names in spec order. */
    readonly members: pulumi.Output<string[]>;
    /** Container name (with `pause` on Docker) -> Docker container name, or the container name on Kubernetes. */
    readonly containerNames: pulumi.Output<Record<string, string>>;
    /** The members' declared ports, with the host address and port on Docker. */
    readonly ports: pulumi.Output<PublishedPort[]>;
    /** The rendered child resources. */
    readonly resources: DockerGroupResources | KubernetesGroupResources;

    constructor(name: string, args: PodGroupArgs, opts?: pulumi.ComponentResourceOptions) {
        // Validate before registering anything, the component included: a rejected spec creates nothing.
        validatePodGroupSpec(args.spec, {
            groupName: args.groupName ?? name,
            backend: args.backend,
            namespace: args.backend === "kubernetes" ? args.namespace : undefined,
        });
        super(POD_GROUP_TYPE, name, {}, opts);
        const { rendering, resources } = createPodGroup(name, args, { parent: this });
        this.resources = resources;
        this.backend = pulumi.output(rendering.backend);
        this.groupName = pulumi.output(rendering.groupName);
        this.pauseId = rendering.pauseId;
        this.podName = rendering.podName;
        this.namespace = rendering.namespace;
        this.memberIds = rendering.memberIds;
        this.initIds = rendering.initIds;
        this.members = pulumi.output(rendering.members);
        this.containerNames = pulumi.output(rendering.containerNames);
        this.ports = rendering.ports;
        this.registerOutputs({
            backend: this.backend,
            groupName: this.groupName,
            pauseId: this.pauseId,
            podName: this.podName,
            namespace: this.namespace,
            memberIds: this.memberIds,
            initIds: this.initIds,
            members: this.members,
            containerNames: this.containerNames,
            ports: this.ports,
        });
    }
}
