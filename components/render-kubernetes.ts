/**
 * Renders a group as one core/v1 Pod: Kubernetes itself provides the sandbox the Docker
 * renderer builds by hand.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { LABEL_GROUP } from "./labels";
import { kubernetesEnvSecretKey, kubernetesEnvSecretName } from "./naming";
import { PodGroupRendering, PublishedPort } from "./rendering";
import { quantityText } from "./quantity";
import { ResolvedContainer, ResolvedSpec } from "./resolve";
import { HttpGetAction, Lifecycle, LifecycleHandler, Probe, ResourceLimits } from "./spec";

/** Kubernetes-only options. */
export interface KubernetesRenderOptions {
    /** Namespace of the Pod (and of its env Secret). Default "default". */
    namespace?: string;
    /**
     * Do not wait for the Pod to become Ready during `pulumi up` (annotation
     * `pulumi.com/skipAwait`). Useful for groups whose members are meant to exit. Default false.
     */
    skipAwait?: boolean;
}

/** The Kubernetes resources of a rendered group. */
export interface KubernetesGroupResources {
    pod: k8s.core.v1.Pod;
    /** Holds the secret env values, when any container has one. */
    envSecret?: k8s.core.v1.Secret;
}

/** Namespace of the Pod when none is given, as on Kubernetes. */
export const DEFAULT_NAMESPACE = "default";

/** An httpGet action with Kubernetes' defaults written out (path "/", scheme HTTP), as the API server stores it. */
function toHttpGet(h: HttpGetAction): k8s.types.input.core.v1.HTTPGetAction {
    return { path: h.path ?? "/", port: h.port, scheme: h.scheme ?? "HTTP" };
}

function toProbe(p: Probe): k8s.types.input.core.v1.Probe {
    return {
        exec: p.exec !== undefined ? { command: p.exec.command } : undefined,
        httpGet: p.httpGet !== undefined ? toHttpGet(p.httpGet) : undefined,
        tcpSocket: p.tcpSocket !== undefined ? { port: p.tcpSocket.port } : undefined,
        initialDelaySeconds: p.initialDelaySeconds,
        periodSeconds: p.periodSeconds,
        timeoutSeconds: p.timeoutSeconds,
        failureThreshold: p.failureThreshold,
        successThreshold: p.successThreshold,
    };
}

function toHandler(h: LifecycleHandler): k8s.types.input.core.v1.LifecycleHandler {
    return {
        exec: h.exec !== undefined ? { command: h.exec.command } : undefined,
        httpGet: h.httpGet !== undefined ? toHttpGet(h.httpGet) : undefined,
        // seconds is 0 when left out, as the API server decodes it.
        sleep: h.sleep !== undefined ? { seconds: h.sleep.seconds ?? 0 } : undefined,
    };
}

/** The hooks as written (a null hook, which the API server reads as unset, is left out). */
function toLifecycle(l: Lifecycle | undefined): k8s.types.input.core.v1.Lifecycle | undefined {
    if (l === undefined) return undefined;
    return {
        postStart: l.postStart != null ? toHandler(l.postStart) : undefined,
        preStop: l.preStop != null ? toHandler(l.preStop) : undefined,
    };
}

function toResources(limits: ResourceLimits | undefined): k8s.types.input.core.v1.ResourceRequirements | undefined {
    if (limits === undefined) return undefined;
    return {
        limits: {
            ...(limits.cpu !== undefined ? { cpu: quantityText(limits.cpu) } : {}),
            ...(limits.memory !== undefined ? { memory: quantityText(limits.memory) } : {}),
        },
    };
}

/**
 * Registers the group's Pod (and env Secret), parented by `opts.parent`. `spec` must be validated.
 */
export function renderKubernetes(name: string, spec: ResolvedSpec, options: KubernetesRenderOptions,
    opts: pulumi.CustomResourceOptions): { rendering: PodGroupRendering; resources: KubernetesGroupResources } {
    const namespace = options.namespace ?? DEFAULT_NAMESPACE;
    const labels = { ...spec.labels, [LABEL_GROUP]: spec.groupName };
    const envSecret = declareEnvSecret(name, spec, namespace, labels, opts);
    const pod = new k8s.core.v1.Pod(`${name}-pod`, {
        metadata: { name: spec.groupName, namespace, labels, ...(options.skipAwait ? { annotations: { "pulumi.com/skipAwait": "true" } } : {}) },
        spec: kubernetesPodSpec(spec, envSecret?.metadata.name),
    }, {
        ...opts,
        // A Pod's spec is mostly immutable and its name is fixed: replace by deleting first.
        deleteBeforeReplace: true,
        dependsOn: envSecret !== undefined ? [envSecret] : [],
    });
    return { rendering: kubernetesRendering(spec, pod), resources: { pod, envSecret } };
}

/**
 * The Pod's spec for a validated, resolved group: plain data when the spec is (no Output in it),
 * so that tests can send it to an API server as it is. Secret env values refer to the Secret
 * named `envSecretName`.
 */
export function kubernetesPodSpec(spec: ResolvedSpec, envSecretName?: pulumi.Input<string>): k8s.types.input.core.v1.PodSpec {
    const toContainer = (c: ResolvedContainer) => kubernetesContainer(c, envSecretName);
    return {
        // Cluster-only scheduling fields, as written.
        ...spec.scheduling,
        shareProcessNamespace: spec.shareProcessNamespace,
        hostname: spec.hostname,
        restartPolicy: spec.restartPolicy,
        terminationGracePeriodSeconds: spec.terminationGracePeriodSeconds,
        initContainers: spec.initContainers.length > 0 ? spec.initContainers.map(toContainer) : undefined,
        containers: spec.containers.map(toContainer),
        volumes: spec.volumes.length > 0 ? spec.volumes.map((v) => ({
            name: v.name,
            emptyDir: {
                ...(v.emptyDir.medium !== undefined ? { medium: v.emptyDir.medium } : {}),
                ...(v.emptyDir.sizeLimit !== undefined ? { sizeLimit: quantityText(v.emptyDir.sizeLimit) } : {}),
            },
        })) : undefined,
    };
}

/** Secret env values go to one Secret; the Pod refers to them by key, so they never appear in it. */
function declareEnvSecret(name: string, spec: ResolvedSpec, namespace: string, labels: Record<string, string>,
    opts: pulumi.CustomResourceOptions): k8s.core.v1.Secret | undefined {
    const secretData: Record<string, pulumi.Input<string>> = {};
    for (const c of [...spec.initContainers, ...spec.containers]) {
        for (const e of c.env ?? []) {
            if (e.secretValue !== undefined) {
                secretData[kubernetesEnvSecretKey(c.name, e.name)] = e.secretValue;
            }
        }
    }
    return Object.keys(secretData).length === 0 ? undefined : new k8s.core.v1.Secret(`${name}-env`, {
        metadata: { name: kubernetesEnvSecretName(spec.groupName), namespace, labels },
        type: "Opaque",
        stringData: pulumi.secret(pulumi.all(secretData)),
    }, { ...opts, deleteBeforeReplace: true });
}

/** One container of the Pod, field for field (secret env values by reference to the Secret `envSecretName`). */
function kubernetesContainer(c: ResolvedContainer, envSecretName: pulumi.Input<string> | undefined): k8s.types.input.core.v1.Container {
    return {
        name: c.name,
        image: c.image,
        // Kubernetes' own default, written out (components/image.ts): the Pod reads the same either way.
        imagePullPolicy: c.imagePullPolicy,
        command: c.command,
        args: c.args,
        env: c.env?.map((e) => e.secretValue === undefined
            ? { name: e.name, value: e.value ?? "" }
            : { name: e.name, valueFrom: { secretKeyRef: { name: envSecretName!, key: kubernetesEnvSecretKey(c.name, e.name) } } }),
        ports: c.ports?.map((p) => ({ containerPort: p.containerPort, protocol: p.protocol ?? "TCP", name: p.name, hostPort: p.hostPort || undefined })),
        volumeMounts: c.volumeMounts?.map((m) => ({ name: m.name, mountPath: m.mountPath, readOnly: m.readOnly ?? false })),
        resources: toResources(c.resources?.limits),
        startupProbe: c.startupProbe !== undefined ? toProbe(c.startupProbe) : undefined,
        livenessProbe: c.livenessProbe !== undefined ? toProbe(c.livenessProbe) : undefined,
        readinessProbe: c.readinessProbe !== undefined ? toProbe(c.readinessProbe) : undefined,
        lifecycle: toLifecycle(c.lifecycle),
        terminationMessagePath: c.terminationMessagePath,
        terminationMessagePolicy: c.terminationMessagePolicy,
        workingDir: c.workingDir,
        securityContext: c.securityContext,
        restartPolicy: c.restartPolicy,
    };
}

/** The group's outputs on Kubernetes: the Pod's name and namespace, container ids and names, declared ports. */
function kubernetesRendering(spec: ResolvedSpec, pod: k8s.core.v1.Pod): PodGroupRendering {
    const podName = pod.metadata.name;
    const podNamespace = pod.metadata.namespace;
    const idsOf = (specs: ResolvedContainer[]) => pulumi.all([podNamespace, podName]).apply(([ns, p]) =>
        Object.fromEntries(specs.map((c) => [c.name, `${ns}/${p}/${c.name}`])));
    const ports: PublishedPort[] = spec.containers.flatMap((c) => (c.ports ?? []).map((p) => ({
        container: c.name,
        ...(p.name !== undefined ? { name: p.name } : {}),
        containerPort: p.containerPort,
        protocol: (p.protocol ?? "TCP").toLowerCase() as "tcp" | "udp",
    })));
    return {
        backend: "kubernetes",
        groupName: spec.groupName,
        pauseId: pulumi.output(undefined),
        podName: podName.apply((n) => n as string | undefined),
        namespace: podNamespace.apply((n) => n as string | undefined),
        memberIds: idsOf(spec.containers),
        initIds: idsOf(spec.initContainers),
        members: spec.containers.map((c) => c.name),
        containerNames: Object.fromEntries([...spec.initContainers, ...spec.containers].map((c) => [c.name, c.name])),
        ports: pulumi.output(ports),
    };
}
