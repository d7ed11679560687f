/**
 * Pod manifests in: the Pod a user already has (a core/v1 Pod, or the pod template of a
 * Deployment, StatefulSet, DaemonSet, ReplicaSet, Job or CronJob), as YAML or an object, read
 * into a PodGroup spec. The PodSpec's fields keep their names and meaning (validation then
 * reports anything PodGroup does not implement, by path); `metadata.name` is the group's name,
 * `metadata.labels` its labels and `metadata.namespace` its namespace on Kubernetes.
 */
import * as pulumi from "@pulumi/pulumi";
import { parseAllDocuments } from "yaml";
import { PodGroupSpec } from "./spec";
import { describe, isObj, Obj, ValidationProblem } from "./validate-support";

/** What {@link podGroupSpecFromManifest} returns. */
export interface ManifestGroup {
    /** The manifest's metadata.name. */
    groupName: string;
    /** The pod spec, with the pod's labels as `labels`. */
    spec: PodGroupSpec;
    /** The manifest's metadata.namespace, when it has one. */
    namespace?: string;
    /** Fields of the manifest PodGroup does not use (a controller's replicas, strategy, ...), to report as warnings. */
    warnings: ValidationProblem[];
}

/** A manifest that cannot be read: every problem, by path in the manifest. */
export class ManifestError extends pulumi.RunError {
    constructor(readonly problems: ValidationProblem[]) {
        super(`the manifest cannot be used, nothing was created:\n${problems.map((p) => `  - ${p.propertyPath}: ${p.reason}`).join("\n")}`);
        this.name = "ManifestError";
    }
}

/** Where each kind keeps its pod template, and the controller fields that only make sense with one pod. */
const TEMPLATE_PATHS: Record<string, { path: string[]; singlePod: string[] }> = {
    Pod: { path: [], singlePod: [] },
    Deployment: { path: ["spec", "template"], singlePod: ["replicas", "selector", "strategy", "minReadySeconds", "revisionHistoryLimit", "progressDeadlineSeconds", "paused"] },
    StatefulSet: { path: ["spec", "template"], singlePod: ["replicas", "selector", "serviceName", "podManagementPolicy", "updateStrategy", "revisionHistoryLimit", "minReadySeconds", "persistentVolumeClaimRetentionPolicy", "ordinals", "volumeClaimTemplates"] },
    DaemonSet: { path: ["spec", "template"], singlePod: ["selector", "updateStrategy", "minReadySeconds", "revisionHistoryLimit"] },
    ReplicaSet: { path: ["spec", "template"], singlePod: ["replicas", "selector", "minReadySeconds"] },
    Job: { path: ["spec", "template"], singlePod: ["parallelism", "completions", "activeDeadlineSeconds", "backoffLimit", "backoffLimitPerIndex", "maxFailedIndexes", "selector", "manualSelector", "ttlSecondsAfterFinished", "completionMode", "suspend", "podFailurePolicy", "successPolicy", "podReplacementPolicy", "managedBy"] },
    CronJob: { path: ["spec", "jobTemplate", "spec", "template"], singlePod: ["schedule", "timeZone", "startingDeadlineSeconds", "concurrencyPolicy", "suspend", "successfulJobsHistoryLimit", "failedJobsHistoryLimit"] },
};

/** Metadata fields a group takes from a manifest; the server-set ones are ignored as kubectl does on create. */
const METADATA_USED = ["name", "namespace", "labels"];
const METADATA_SERVER_SET = ["uid", "resourceVersion", "creationTimestamp", "generation", "managedFields", "selfLink", "ownerReferences"];

/** The documents of a manifest: YAML (one or more documents, or a `kind: List`) or an object. */
function documentsOf(manifest: string | object): unknown[] {
    let docs: unknown[];
    if (typeof manifest === "string") {
        const parsed = parseAllDocuments(manifest);
        const list = Array.isArray(parsed) ? parsed : [parsed];
        const errors = list.flatMap((d, i) => d.errors.map((e) => ({ propertyPath: `document ${i + 1}`, reason: `not valid YAML: ${e.message.split("\n")[0]}` })));
        if (errors.length > 0) throw new ManifestError(errors);
        docs = list.map((d) => d.toJS() as unknown).filter((d) => d !== null && d !== undefined);
    } else {
        docs = [manifest];
    }
    return docs.flatMap((d) => (isObj(d) && d.kind === "List" && Array.isArray(d.items) ? d.items : [d]));
}

function nameOf(doc: unknown): string | undefined {
    return isObj(doc) && isObj(doc.metadata) && typeof doc.metadata.name === "string" ? doc.metadata.name : undefined;
}

/** The one document to use: the only one with a pod, or the one named `name`. */
function pickDocument(docs: unknown[], name: string | undefined): Obj {
    const withPods = docs.filter((d) => isObj(d) && typeof d.kind === "string" && d.kind in TEMPLATE_PATHS) as Obj[];
    const candidates = name === undefined ? withPods : withPods.filter((d) => nameOf(d) === name);
    if (candidates.length === 1) return candidates[0];
    const kinds = Object.keys(TEMPLATE_PATHS).join(", ");
    const found = withPods.map((d) => `${String(d.kind)} "${nameOf(d) ?? "?"}"`).join(", ");
    if (candidates.length === 0) {
        const reason = withPods.length === 0
            ? `no ${kinds} found (kinds seen: ${docs.map((d) => (isObj(d) ? String(d.kind) : describe(d))).join(", ") || "none"})`
            : `no document named "${name}" (found: ${found})`;
        throw new ManifestError([{ propertyPath: "manifest", reason }]);
    }
    throw new ManifestError([{ propertyPath: "manifest", reason: `${candidates.length} documents hold a pod (${found}); pick one with options.name (podgroup:name)` }]);
}

function templateOf(doc: Obj, problems: ValidationProblem[], warnings: ValidationProblem[]): { metadata: Obj; spec: unknown } {
    const { path, singlePod } = TEMPLATE_PATHS[doc.kind as string];
    let node: unknown = doc;
    for (const [i, key] of path.entries()) {
        const parent = node;
        node = isObj(parent) ? parent[key] : undefined;
        if (isObj(parent) && i === path.length - 2 && key === "spec") {
            for (const field of Object.keys(isObj(node) ? node : {})) {
                if (singlePod.includes(field)) warnings.push({ propertyPath: `${path.slice(0, -1).join(".")}.${field}`, reason: `a PodGroup runs the ${String(doc.kind)}'s pod template once: "${field}" is not used` });
            }
        }
    }
    if (!isObj(node)) {
        problems.push({ propertyPath: path.join("."), reason: `a ${String(doc.kind)} needs a pod template here, got ${describe(node)}` });
        return { metadata: {}, spec: undefined };
    }
    const metadata = path.length === 0 ? node.metadata : node.metadata ?? {};
    return { metadata: isObj(metadata) ? metadata : {}, spec: node.spec };
}

function checkMetadata(metadata: Obj, at: string, problems: ValidationProblem[]): void {
    for (const key of Object.keys(metadata)) {
        if (!METADATA_USED.includes(key) && !METADATA_SERVER_SET.includes(key) && metadata[key] !== undefined) {
            problems.push({ propertyPath: `${at}.${key}`, reason: `PodGroup does not implement pod ${key}; remove it (see docs/spec-support.md)` });
        }
    }
}

/**
 * Reads a Pod, or the pod template of a Deployment, StatefulSet, DaemonSet, ReplicaSet, Job or
 * CronJob, into a group: `groupName` from the manifest's metadata.name, the pod's labels as
 * `spec.labels`, the namespace kept. YAML may hold several documents: `options.name` picks
 * one by metadata.name. The spec itself is validated when the PodGroup is created.
 */
export function podGroupSpecFromManifest(manifest: string | object, options: { name?: string } = {}): ManifestGroup {
    const doc = pickDocument(documentsOf(manifest), options.name);
    const problems: ValidationProblem[] = [];
    const warnings: ValidationProblem[] = [];
    const top = isObj(doc.metadata) ? doc.metadata : {};
    const groupName = nameOf(doc);
    if (groupName === undefined) problems.push({ propertyPath: "metadata.name", reason: `the group's name comes from metadata.name, got ${describe(top.name)}` });
    const { metadata, spec } = templateOf(doc, problems, warnings);
    const templateAt = doc.kind === "Pod" ? "metadata" : `${TEMPLATE_PATHS[doc.kind as string].path.join(".")}.metadata`;
    checkMetadata(top, "metadata", problems);
    if (metadata !== top) {
        checkMetadata(metadata, templateAt, problems);
        if (top.labels !== undefined) warnings.push({ propertyPath: "metadata.labels", reason: `the ${String(doc.kind)}'s own labels are not its pods': the group takes ${templateAt}.labels` });
    }
    if (!isObj(spec)) problems.push({ propertyPath: `${templateAt.replace(/metadata$/, "spec")}`, reason: `the pod spec must be an object, got ${describe(spec)}` });
    if (problems.length > 0) throw new ManifestError(problems);
    const labels = metadata.labels;
    const namespace = typeof top.namespace === "string" ? top.namespace : undefined;
    return {
        groupName: groupName!,
        spec: { ...(spec as Obj), ...(labels !== undefined ? { labels } : {}) } as unknown as PodGroupSpec,
        ...(namespace !== undefined ? { namespace } : {}),
        warnings,
    };
}
