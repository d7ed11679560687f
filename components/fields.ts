/**
 * The one list of which fields each object of a spec may hold, against Kubernetes 1.34's
 * core/v1 types: what PodGroup implements, its own additions, the Kubernetes fields it does not
 * implement (an error naming the backend), and the cluster-only scheduling fields (passed to the
 * Pod unchanged; a warning on Docker). Validation, the manifest reader and docs/spec-support.md
 * read it from here.
 */
import { Backend } from "./spec";
import { didYouMean, Findings, isObj, Obj } from "./validate-support";

/** The fields of one kind of object. */
export interface ObjectFields {
    /** What the object is, in messages. */
    what: string;
    /** Kubernetes fields PodGroup implements on every backend. */
    supported: readonly string[];
    /** PodGroup's own fields, not in Kubernetes' type. */
    extensions?: readonly string[];
    /** Kubernetes fields PodGroup does not implement: an error on every backend. */
    unsupported?: readonly string[];
    /** Scheduling fields that only mean something on a cluster: passed to the Pod, a warning on Docker. */
    clusterOnly?: readonly string[];
}

/** Cluster-only scheduling fields of a PodSpec. */
export const CLUSTER_ONLY_POD_FIELDS = [
    "nodeSelector", "affinity", "tolerations", "serviceAccountName", "priorityClassName", "schedulerName",
    "topologySpreadConstraints", "imagePullSecrets",
] as const;

export const FIELDS = {
    podSpec: {
        what: "PodGroupSpec (a PodSpec)",
        supported: ["containers", "initContainers", "volumes", "restartPolicy", "shareProcessNamespace", "hostname", "terminationGracePeriodSeconds"],
        extensions: ["labels"],
        unsupported: ["activeDeadlineSeconds", "automountServiceAccountToken", "dnsConfig", "dnsPolicy", "enableServiceLinks",
            "ephemeralContainers", "hostAliases", "hostIPC", "hostNetwork", "hostPID", "hostUsers", "hostnameOverride", "nodeName", "os",
            "overhead", "preemptionPolicy", "priority", "readinessGates", "resourceClaims", "resources", "runtimeClassName",
            "schedulingGates", "securityContext", "serviceAccount", "setHostnameAsFQDN", "subdomain"],
        clusterOnly: CLUSTER_ONLY_POD_FIELDS,
    },
    container: {
        what: "container",
        supported: ["name", "image", "imagePullPolicy", "command", "args", "env", "ports", "volumeMounts", "resources",
            "startupProbe", "livenessProbe", "readinessProbe", "lifecycle", "terminationMessagePath", "terminationMessagePolicy",
            "workingDir", "securityContext", "restartPolicy"],
        extensions: ["user"],
        unsupported: ["envFrom", "resizePolicy", "restartPolicyRules", "stdin", "stdinOnce", "tty", "volumeDevices"],
    },
    env: { what: "env entry", supported: ["name", "value"], extensions: ["secretValue"], unsupported: ["valueFrom"] },
    port: { what: "port", supported: ["containerPort", "hostPort", "protocol", "name"], unsupported: ["hostIP"] },
    volumeMount: {
        what: "volumeMount", supported: ["name", "mountPath", "readOnly"],
        unsupported: ["mountPropagation", "recursiveReadOnly", "subPath", "subPathExpr"],
    },
    resources: { what: "resources", supported: ["limits"], unsupported: ["requests", "claims"] },
    limits: { what: "resources.limits", supported: ["cpu", "memory"], unsupported: ["ephemeral-storage"] },
    securityContext: {
        what: "securityContext", supported: ["runAsUser", "runAsGroup"],
        unsupported: ["allowPrivilegeEscalation", "appArmorProfile", "capabilities", "privileged", "procMount",
            "readOnlyRootFilesystem", "runAsNonRoot", "seLinuxOptions", "seccompProfile", "windowsOptions"],
    },
    probe: {
        what: "probe", supported: ["exec", "httpGet", "tcpSocket", "initialDelaySeconds", "periodSeconds", "timeoutSeconds",
            "failureThreshold", "successThreshold"],
        unsupported: ["grpc", "terminationGracePeriodSeconds"],
    },
    lifecycle: { what: "lifecycle", supported: ["postStart", "preStop"], unsupported: ["stopSignal"] },
    // tcpSocket: kept by the API server for compatibility only (kubelet fails such a hook): rule lifecycle-tcp-socket.
    lifecycleHandler: { what: "lifecycle handler", supported: ["exec", "httpGet", "sleep"], unsupported: ["tcpSocket"] },
    sleep: { what: "sleep action", supported: ["seconds"] },
    exec: { what: "exec action", supported: ["command"] },
    httpGet: { what: "httpGet action", supported: ["path", "port", "scheme"], unsupported: ["host", "httpHeaders"] },
    tcpSocket: { what: "tcpSocket action", supported: ["port"], unsupported: ["host"] },
    volume: {
        what: "volume", supported: ["name", "emptyDir"],
        unsupported: ["awsElasticBlockStore", "azureDisk", "azureFile", "cephfs", "cinder", "configMap", "csi", "downwardAPI",
            "ephemeral", "fc", "flexVolume", "flocker", "gcePersistentDisk", "gitRepo", "glusterfs", "hostPath", "image", "iscsi",
            "nfs", "persistentVolumeClaim", "photonPersistentDisk", "portworxVolume", "projected", "quobyte", "rbd", "scaleIO",
            "secret", "storageos", "vsphereVolume"],
    },
    emptyDir: { what: "emptyDir", supported: ["medium", "sizeLimit"] },
} satisfies Record<string, ObjectFields>;

export type FieldsKind = keyof typeof FIELDS;

/** The pointer every "not supported" message ends with. */
export const SUPPORT_DOC = "docs/spec-support.md";

/** Every field `kind` may hold. */
export function knownFields(kind: FieldsKind): string[] {
    const f: ObjectFields = FIELDS[kind];
    return [...f.supported, ...(f.extensions ?? []), ...(f.unsupported ?? []), ...(f.clusterOnly ?? [])];
}

/**
 * Reports every field of `obj` that is not implemented (an error naming the backend), unknown
 * (an error with a did-you-mean), or cluster-only on Docker (a warning). Fields set to undefined
 * count as absent.
 */
export function checkFields(obj: Obj, path: string, kind: FieldsKind, backend: Backend | undefined, findings: Findings): void {
    const f: ObjectFields = FIELDS[kind];
    const implemented = new Set([...f.supported, ...(f.extensions ?? [])]);
    for (const [key, value] of Object.entries(obj)) {
        if (value === undefined || implemented.has(key)) continue;
        const at = `${path}.${key}`;
        if (f.clusterOnly?.includes(key)) {
            if (backend === "docker") {
                findings.warn(at, `"${key}" schedules the Pod on a cluster and has no meaning on docker: it is ignored there (passed unchanged to the Pod on kubernetes)`);
            }
        } else if (f.unsupported?.includes(key)) {
            findings.add(at, `"${key}" is a Kubernetes ${f.what} field that PodGroup does not implement: not supported on ${backend ?? "any backend"}; remove it (see ${SUPPORT_DOC})`, "unsupported-field");
        } else {
            const near = didYouMean(key, knownFields(kind));
            const hint = near !== undefined ? `did you mean "${near}"? ` : "";
            findings.add(at, `unknown field "${key}" in a ${f.what}; ${hint}the fields are: ${[...f.supported, ...(f.extensions ?? [])].join(", ")}`);
        }
    }
}

/** `checkFields` when `v` is an object; false (nothing reported) otherwise. */
export function checkObjectFields(v: unknown, path: string, kind: FieldsKind, backend: Backend | undefined, findings: Findings): v is Obj {
    if (!isObj(v)) return false;
    checkFields(v, path, kind, backend, findings);
    return true;
}
