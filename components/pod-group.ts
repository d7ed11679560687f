/**
 * The PodGroup component: one spec, rendered on Docker (pause container + members) or as a
 * Kubernetes Pod. Thin: validation and rendering are plain functions ({@link createPodGroup}).
 */
import * as pulumi from "@pulumi/pulumi";
import { DockerGroupResources, DockerRenderOptions, renderDocker } from "./render-docker";
import { KubernetesGroupResources, KubernetesRenderOptions, renderKubernetes } from "./render-kubernetes";
import { PodGroupRendering, PublishedPort } from "./rendering";
import { applyImageOverrides, resolveSpec } from "./resolve";
import { withoutUnsetStrings } from "./unset";
import { Backend, BACKENDS, PodGroupSpec } from "./spec";
import { checkWhenKnown, collectFindings, PodGroupValidationError, ValidationProblem } from "./validate";
import { withNativeStackTraces } from "./stack-traces";
import { isSupervised } from "./docker-mode";
import { groupNameProblems, takeGroupName } from "./group-registry";

/** The component's type token. */
export const POD_GROUP_TYPE = "podgroup:index:PodGroup";

/** Arguments of {@link PodGroup}. `B` is the backend, so that `resources` is typed for it. */
export interface PodGroupArgs<B extends Backend = Backend> {
    /** Where to run the group. */
    backend: B;
    /** The group, as a Kubernetes PodSpec subset. */
    spec: PodGroupSpec;
    /**
     * The group's name: prefix of every Docker container and volume name, the Pod's name, the
     * default hostname. A DNS-1123 label. Default: the component's resource name.
     */
    groupName?: string;
    /** Image reference -> replacement, applied to every container (e.g. a local mirror). */
    imageOverrides?: Record<string, string>;
    /** Options of the docker backend; an error when `backend` is "kubernetes". */
    docker?: DockerRenderOptions;
    /** Options of the kubernetes backend; an error when `backend` is "docker". */
    kubernetes?: KubernetesRenderOptions;
    /**
     * Provider for the children (a docker.Provider or a kubernetes.Provider, matching `backend`).
     * `providers` in the resource options works too.
     */
    provider?: pulumi.ProviderResource;
}

/** The child resources of a group on backend `B`. */
export type PodGroupResources<B extends Backend> = B extends "docker" ? DockerGroupResources
    : B extends "kubernetes" ? KubernetesGroupResources : DockerGroupResources | KubernetesGroupResources;

const ARG_KEYS = ["backend", "spec", "groupName", "imageOverrides", "docker", "kubernetes", "provider"];
const BACKEND_OPTION_KEYS: Record<Backend, string[]> = {
    docker: ["supervise", "pauseImage", "waitForReadiness", "readinessTimeoutSeconds", "skipAwait", "host", "supervisorStateDir"],
    kubernetes: ["namespace", "skipAwait"],
};

/**
 * Problems with the arguments beside the spec: an argument PodGroup does not know (a backend
 * option given flat says where it goes), options of the backend the group does not run on, and
 * unknown backend options. Nothing a user passes is ignored.
 */
export function argumentProblems(args: PodGroupArgs): ValidationProblem[] {
    const problems: ValidationProblem[] = [];
    for (const key of Object.keys(args)) {
        if (ARG_KEYS.includes(key)) continue;
        const homes = BACKENDS.filter((b) => BACKEND_OPTION_KEYS[b].includes(key));
        // An option of both backends (skipAwait) goes under the group's own.
        const home = homes.includes(args.backend) ? args.backend : homes[0];
        problems.push({
            propertyPath: key,
            reason: home !== undefined
                ? `${key} is an option of the ${home} backend: pass it as ${home}: { ${key}: ... }`
                : `not a PodGroup argument (known: ${ARG_KEYS.join(", ")})`,
        });
    }
    for (const backend of BACKENDS) {
        const options = (args as unknown as Record<string, unknown>)[backend];
        if (options === undefined) continue;
        if (typeof options !== "object" || options === null || Array.isArray(options)) {
            problems.push({ propertyPath: backend, reason: `must be an object of ${backend} options, got ${Array.isArray(options) ? "an array" : typeof options}` });
            continue;
        }
        if (backend !== args.backend) {
            problems.push({
                propertyPath: backend,
                reason: `options of the ${backend} backend, but this group runs on ${args.backend}: remove them (or set backend: "${backend}")`,
            });
        }
        for (const key of Object.keys(options)) {
            if (!BACKEND_OPTION_KEYS[backend].includes(key)) {
                problems.push({ propertyPath: `${backend}.${key}`, reason: `not a ${backend} option (known: ${BACKEND_OPTION_KEYS[backend].join(", ")})` });
            }
        }
    }
    return problems;
}

/**
 * Every problem of `args` (arguments and spec, image overrides applied first so the images
 * checked are the ones deployed) and the `others` found by the caller, thrown as one
 * {@link PodGroupValidationError}; returns the spec to render and the warnings.
 */
export function validatePodGroupArgs(name: string, args: PodGroupArgs, others: ValidationProblem[] = []): {
    spec: PodGroupSpec; warnings: ValidationProblem[];
} {
    const groupName = args.groupName ?? name;
    const spec = withoutUnsetStrings(applyImageOverrides(args.spec, args.imageOverrides));
    const ctx = {
        groupName, backend: args.backend, namespace: args.backend === "kubernetes" ? args.kubernetes?.namespace : undefined,
        // What plain Docker cannot run (sidecars, hooks, startup probes) is allowed when the supervisor runs it.
        supervise: args.backend === "docker" && isSupervised(args.docker?.supervise),
    };
    const found = collectFindings(spec, ctx);
    const problems = [...argumentProblems(args), ...others, ...found.problems];
    if (problems.length > 0) throw new PodGroupValidationError(groupName, problems);
    // Values other resources compute are checked by the same rules when they resolve.
    return { spec: checkWhenKnown(spec as PodGroupSpec, ctx), warnings: found.warnings };
}

/** Validates, resolves and renders a group; registers children under `opts.parent`. */
export function createPodGroup<B extends Backend>(name: string, args: PodGroupArgs<B>, opts: pulumi.CustomResourceOptions): {
    rendering: PodGroupRendering;
    resources: PodGroupResources<B>;
} {
    return renderPodGroup(name, args, validatePodGroupArgs(name, args).spec, opts);
}

/** Resolves and renders a group whose arguments {@link validatePodGroupArgs} accepted (`checked` is its spec). */
function renderPodGroup<B extends Backend>(name: string, args: PodGroupArgs<B>, checked: PodGroupSpec, opts: pulumi.CustomResourceOptions): {
    rendering: PodGroupRendering;
    resources: PodGroupResources<B>;
} {
    const spec = resolveSpec(args.groupName ?? name, checked);
    const childOpts: pulumi.CustomResourceOptions = { ...opts, ...(args.provider !== undefined ? { provider: args.provider } : {}) };
    const rendered = withNativeStackTraces(() => args.backend === "docker"
        ? renderDocker(name, spec, args.docker ?? {}, childOpts)
        : renderKubernetes(name, spec, args.kubernetes ?? {}, childOpts));
    return rendered as { rendering: PodGroupRendering; resources: PodGroupResources<B> };
}

/**
 * A group of containers sharing one network, IPC, UTS (and by default PID) namespace, like a
 * Kubernetes Pod: on plain Docker through a pause container, or as a real Pod.
 */
export class PodGroup<B extends Backend = Backend> extends pulumi.ComponentResource {
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
    /** Container name (the pause under `POD` on Docker) -> Docker container name, or the container name on Kubernetes. */
    readonly containerNames: pulumi.Output<Record<string, string>>;
    /** The members' declared ports, with the host address and port on Docker. */
    readonly ports: pulumi.Output<PublishedPort[]>;
    /** The rendered child resources, typed for the backend (`group.resources.pause` on Docker). */
    readonly resources: PodGroupResources<B>;

    constructor(name: string, args: PodGroupArgs<B>, opts?: pulumi.ComponentResourceOptions) {
        // Validate before registering anything, the component included: rejected arguments create nothing.
        // A name another group of this program run took is one more problem, reported with the others.
        const { spec, warnings } = validatePodGroupArgs(name, args, groupNameProblems(name, args, opts));
        takeGroupName(name, args, opts);
        super(POD_GROUP_TYPE, name, {}, opts);
        for (const w of warnings) void pulumi.log.warn(`${w.propertyPath}: ${w.reason}`, this);
        const { rendering, resources } = renderPodGroup(name, args, spec, { parent: this });
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
