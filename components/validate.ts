/**
 * Validation of a PodGroup spec, in one place, run before any resource is registered.
 *
 * Every problem is collected with its field path (`spec.containers[1].ports[0].containerPort`)
 * and a reason that names the type it got and says how to fix it; then one error lists them
 * all, so a user sees every mistake at once. A rejected spec creates nothing. The rules follow
 * the Kubernetes 1.34 API server (test/integration/oracle.test.ts compares them case by case);
 * where PodGroup must refuse more, the problem carries the rule of components/stricter.ts.
 */
import * as pulumi from "@pulumi/pulumi";
import { checkFields } from "./fields";
import { validationTarget } from "./stricter";
import { isReservedLabelKey, LABEL_PREFIX } from "./labels";
import { Backend, BACKENDS, ContainerSpec, EnvVar, PodGroupSpec } from "./spec";
import { checkContainers, imageProblems, isOutputLike } from "./validate-container";
import {
    describe, DNS1123_HINT, Findings, isDns1123Label, isDns1123Subdomain, isInt, isLabelValue, isMissing, isObj,
    labelKeyProblem, notAString, Obj, suggestLabel, ValidationProblem,
} from "./validate-support";
import { parseQuantity, QuantityError } from "./quantity";
import { withoutUnsetStrings } from "./unset";

export { ValidationProblem } from "./validate-support";

/**
 * The error a rejected spec throws. A `pulumi.RunError`, so `pulumi up` prints the message
 * (every problem, one per line) without a stack trace. `problems` holds them as data, and
 * {@link PodGroupValidationError.toInputPropertiesError} converts them for provider code.
 */
export class PodGroupValidationError extends pulumi.RunError {
    readonly problems: ValidationProblem[];

    /**
     * `what` is what has the problems: the spec, or the stack configuration; `outcome` what that
     * means (default: nothing was created).
     */
    constructor(groupName: string, problems: ValidationProblem[], what = "the spec", outcome = "nothing was created") {
        const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
        const lines = problems.map((p) => `  - ${p.propertyPath}: ${p.reason}`);
        super(`PodGroup "${groupName}": ${what} has ${count}, ${outcome}:\n${lines.join("\n")}`);
        this.name = "PodGroupValidationError";
        this.problems = problems;
    }

    /** The same problems as the `pulumi.InputPropertiesError` that Pulumi providers report. */
    toInputPropertiesError(): pulumi.InputPropertiesError {
        return new pulumi.InputPropertiesError({ message: this.message, errors: this.problems });
    }
}

/** What validation needs besides the spec. */
export interface ValidationContext {
    /** The group's name (Docker name prefix, Pod name, default hostname). */
    groupName: string;
    /** The backend the spec will be rendered for; backend-specific limits are checked when set. */
    backend?: Backend;
    /**
     * Docker only: whether the group is supervised (true or unset, the default), so native
     * sidecars, lifecycle hooks, startup probes and termination messages are allowed (the
     * supervisor runs them); false: the bare mode (`docker: { supervise: false }` or
     * podgroup:supervise false), where they are errors.
     */
    supervise?: boolean;
    /** Kubernetes namespace, when rendered for Kubernetes. */
    namespace?: string;
}

/** Problems (errors) and warnings of a spec. */
export interface SpecFindings {
    problems: ValidationProblem[];
    warnings: ValidationProblem[];
}

const RESTART_POLICIES = ["Always", "OnFailure", "Never"];

function checkContext(ctx: ValidationContext, f: Findings): void {
    const name: unknown = ctx.groupName;
    if (isMissing(name)) {
        f.add("name", `a group name is required: a DNS-1123 label (${DNS1123_HINT}), e.g. "web"`);
    } else if (typeof name !== "string") {
        f.add("name", `group name ${notAString(name)}`);
    } else if (!isDns1123Label(name)) {
        const subdomain = isDns1123Subdomain(name);
        f.add("name", `group name ${describe(name)} is not a DNS-1123 label (${DNS1123_HINT}); it names the Pod, `
            + `is its default hostname and prefixes every Docker name: use e.g. "${suggestLabel(name)}"`,
        subdomain ? "group-name-label" : undefined);
    }
    if (ctx.backend !== undefined && !BACKENDS.includes(ctx.backend)) {
        f.add("backend", `backend ${describe(ctx.backend)} is not supported; use "docker" or "kubernetes"`);
    }
    if (ctx.namespace !== undefined && typeof ctx.namespace !== "string") {
        f.add("namespace", `namespace ${notAString(ctx.namespace)}`);
    } else if (ctx.namespace !== undefined && !isDns1123Label(ctx.namespace)) {
        f.add("namespace", `namespace ${describe(ctx.namespace)} is not a DNS-1123 label (${DNS1123_HINT})`);
    }
}

/** Checks spec.volumes; returns the declared names and which are on disk (no medium). */
function checkVolumes(spec: Obj, backend: Backend | undefined, f: Findings): Map<string, unknown> {
    const volumes = new Map<string, unknown>();
    if (spec.volumes === undefined) return volumes;
    if (!Array.isArray(spec.volumes)) {
        f.add("spec.volumes", `must be a list of volumes, e.g. [{ name: "data", emptyDir: {} }], got ${describe(spec.volumes)}`);
        return volumes;
    }
    spec.volumes.forEach((v: unknown, i: number) => {
        const path = `spec.volumes[${i}]`;
        if (!isObj(v)) {
            f.add(path, `must be an object { name, emptyDir }, got ${describe(v)}`);
            return;
        }
        checkFields(v, path, "volume", backend, f);
        if (isMissing(v.name)) {
            f.add(`${path}.name`, `a name is required: a DNS-1123 label (${DNS1123_HINT}), e.g. "data"`);
        } else if (typeof v.name !== "string") {
            f.add(`${path}.name`, notAString(v.name));
        } else if (!isDns1123Label(v.name)) {
            f.add(`${path}.name`, `${describe(v.name)} is not a DNS-1123 label (${DNS1123_HINT}); rename the volume`);
        } else if (volumes.has(v.name)) {
            f.add(`${path}.name`, `volume "${v.name}" is declared twice; give each volume its own name`);
        } else {
            volumes.set(v.name, v.emptyDir);
        }
        // A volume with no source is an emptyDir, as Kubernetes defaults it.
        if (v.emptyDir !== undefined) {
            checkEmptyDir(v.emptyDir, `${path}.emptyDir`, backend, f);
        }
    });
    return volumes;
}

function checkEmptyDir(e: unknown, path: string, backend: Backend | undefined, f: Findings): void {
    if (!isObj(e)) {
        f.add(path, `must be an object such as {} or { medium: "Memory" }, got ${describe(e)}`);
        return;
    }
    checkFields(e, path, "emptyDir", backend, f);
    if (e.medium !== undefined && e.medium !== "" && e.medium !== "Memory") {
        const huge = typeof e.medium === "string" && e.medium.startsWith("HugePages");
        f.add(`${path}.medium`, huge
            ? `${describe(e.medium)}: hugepage emptyDirs are not supported on ${backend ?? "any backend"}; use "" (disk) or "Memory" (tmpfs)`
            : `${describe(e.medium)} is not an emptyDir medium; use "" (disk) or "Memory" (tmpfs)`,
        huge ? "unsupported-field" : typeof e.medium === "string" ? "emptydir-medium" : undefined);
    }
    if (e.sizeLimit === undefined) return;
    try {
        if (parseQuantity(e.sizeLimit as string) < 0) {
            f.add(`${path}.sizeLimit`, `${describe(e.sizeLimit)} must not be negative`);
        } else if (backend === "docker" && e.medium !== "Memory") {
            f.add(`${path}.sizeLimit`, "an emptyDir on disk cannot be limited on docker (local volumes have no size limit): remove sizeLimit or set medium: \"Memory\"", "docker-disk-size-limit");
        }
    } catch (err) {
        if (!(err instanceof QuantityError)) throw err;
        f.add(`${path}.sizeLimit`, `${err.message}; write a size such as "64Mi"`);
    }
}

function checkPodFields(spec: Obj, f: Findings): void {
    if (spec.restartPolicy !== undefined && !RESTART_POLICIES.includes(spec.restartPolicy as string)) {
        f.add("spec.restartPolicy", `${describe(spec.restartPolicy)} is not a restart policy; use "Always", "OnFailure" or "Never"`);
    }
    if (spec.shareProcessNamespace !== undefined && typeof spec.shareProcessNamespace !== "boolean") {
        f.add("spec.shareProcessNamespace", `must be true or false, got ${describe(spec.shareProcessNamespace)}`);
    }
    if (spec.hostname !== undefined && typeof spec.hostname !== "string") {
        f.add("spec.hostname", notAString(spec.hostname));
    } else if (spec.hostname !== undefined && !isDns1123Label(spec.hostname)) {
        f.add("spec.hostname", `${describe(spec.hostname)} is not a DNS-1123 label (${DNS1123_HINT}); `
            + `use e.g. "${suggestLabel(spec.hostname)}"`);
    }
    const grace = spec.terminationGracePeriodSeconds;
    if (grace !== undefined && !isInt(grace, Number.MIN_SAFE_INTEGER)) {
        f.add("spec.terminationGracePeriodSeconds", `must be a whole number of seconds (a negative one means 1, as in Kubernetes), got ${describe(grace)}`);
    }
    checkLabels(spec.labels, f);
    checkClusterOnlyTypes(spec, f);
}

function checkLabels(labels: unknown, f: Findings): void {
    if (labels === undefined) return;
    if (!isObj(labels)) {
        f.add("spec.labels", `must be a map of strings, e.g. { team: "web" }, got ${describe(labels)}`);
        return;
    }
    for (const [k, v] of Object.entries(labels)) {
        const keyProblem = labelKeyProblem(k);
        if (keyProblem !== undefined) {
            f.add(`spec.labels["${k}"]`, `is not a Kubernetes label key: ${keyProblem}`);
        } else if (isReservedLabelKey(k)) {
            f.add(`spec.labels["${k}"]`, `keys under ${LABEL_PREFIX} are set by PodGroup itself; use another prefix`, "reserved-label");
        }
        if (typeof v !== "string") {
            f.add(`spec.labels["${k}"]`, `value ${notAString(v)}`);
        } else if (!isLabelValue(v)) {
            f.add(`spec.labels["${k}"]`, `value ${describe(v)} is not a Kubernetes label value (a string of at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit)`);
        }
    }
}

/** Cluster-only fields go to the Pod unchanged (the API server validates their content); their shapes are checked here. */
function checkClusterOnlyTypes(spec: Obj, f: Findings): void {
    for (const key of ["serviceAccountName", "priorityClassName", "schedulerName"]) {
        const v = spec[key];
        if (v !== undefined && (typeof v !== "string" || (v !== "" && !isDns1123Subdomain(v)))) {
            f.add(`spec.${key}`, `must be a DNS-1123 subdomain (lower-case letters, digits, '-' and '.'), got ${describe(v)}`);
        }
    }
    const selector = spec.nodeSelector;
    if (selector !== undefined && (!isObj(selector) || Object.values(selector).some((x) => typeof x !== "string"))) {
        f.add("spec.nodeSelector", `must be a map of strings, got ${describe(selector)}`);
    }
    if (spec.affinity !== undefined && !isObj(spec.affinity)) {
        f.add("spec.affinity", `must be an object, got ${describe(spec.affinity)}`);
    }
    for (const key of ["tolerations", "topologySpreadConstraints", "imagePullSecrets"]) {
        const v = spec[key];
        if (v !== undefined && (!Array.isArray(v) || v.some((x) => !isObj(x)))) {
            f.add(`spec.${key}`, `must be a list of objects, got ${describe(v)}`);
        }
    }
}

/** Collects every problem and warning of `spec` (an untrusted value, e.g. read from stack config or a manifest). */
export function collectFindings(raw: unknown, ctx: ValidationContext): SpecFindings {
    const f = new Findings();
    const spec = withoutUnsetStrings(raw);
    checkContext(ctx, f);
    if (!isObj(spec)) {
        f.add("spec", "the spec must be an object with at least `containers` (a PodGroupSpec), "
            + `got ${describe(spec)}; e.g. { containers: [{ name: "app", image: "podgroup/toolbox:1.0.0" }] }`);
        return f;
    }
    checkFields(spec, "spec", "podSpec", ctx.backend, f);
    const volumes = checkVolumes(spec, ctx.backend, f);
    checkContainers(spec, volumes, ctx.backend, validationTarget(ctx.backend, ctx.supervise), f);
    checkPodFields(spec, f);
    return f;
}

/** Every problem of `spec` (see {@link collectFindings}). */
export function collectProblems(spec: unknown, ctx: ValidationContext): ValidationProblem[] {
    return collectFindings(spec, ctx).problems;
}

/**
 * Validates `spec` and throws one {@link PodGroupValidationError} listing every problem; returns
 * the warnings (cluster-only fields on Docker). Call before registering any resource.
 */
export function validatePodGroupSpec(spec: unknown, ctx: ValidationContext): ValidationProblem[] {
    const { problems, warnings } = collectFindings(spec, ctx);
    if (problems.length > 0) {
        throw new PodGroupValidationError(ctx.groupName, problems);
    }
    return warnings;
}

/**
 * A value another resource computed, once it resolved: `value` when it passes the checks of
 * validation (an image reference for `kind` "image", a string otherwise), else a
 * {@link PodGroupValidationError} naming the field.
 */
export function checkResolvedValue(kind: "image" | "string", value: unknown, path: string, ctx: ValidationContext): string {
    const problems: ValidationProblem[] = typeof value !== "string"
        ? [{ propertyPath: kind === "image" ? `${path}.image` : path, reason: `must be a string, got ${describe(value)} when it resolved` }]
        : kind === "image" ? imageProblems(value, path, ctx.backend) : [];
    if (problems.length > 0) {
        throw new PodGroupValidationError(ctx.groupName, problems, "a value another resource computed",
            "found when it resolved; the container that uses it is not created");
    }
    return value as string;
}

/**
 * Refuses a secret (a `pulumi.secret`, or another resource's secret output) given where a plain
 * value goes: an env `value`, a command or args item. Kubernetes writes those into the Pod's spec
 * as they are, so the secret would be readable by anyone who can read the Pod; `secretValue` is
 * the field that keeps it secret. Throws a {@link PodGroupValidationError} naming the field,
 * never the value.
 */
export function refuseSecretInPlainField(path: string, ctx: ValidationContext): never {
    const what = "holds a secret (a pulumi.secret, or another resource's secret output)";
    const reason = /\.value$/.test(path)
        ? `${what}, but value is for plain values (written as it is into the Pod's spec on kubernetes): `
            + "move it to secretValue, which keeps it secret in Pulumi state "
            + "and passes it through a Secret on kubernetes"
        : `${what}, but command and args are plain values (written as they are into the Pod's spec on kubernetes): `
            + "put the secret in an env entry's secretValue and refer to it here as $(NAME)";
    throw new PodGroupValidationError(ctx.groupName, [{ propertyPath: path, reason }], "a secret Output",
        "found when it resolved; the container that uses it is not created");
}

/**
 * `spec` (already validated) with every value another resource computes (an image, an env value,
 * a command or args item given as an Output) wrapped so that it is checked by
 * {@link checkResolvedValue} when it resolves: a bad one fails the deploy, naming the field,
 * before the container that uses it is created. A secret in an env value, a command or args
 * item is refused ({@link refuseSecretInPlainField}): those are plain fields.
 */
export function checkWhenKnown(spec: PodGroupSpec, ctx: ValidationContext): PodGroupSpec {
    const known = (v: pulumi.Input<string>, kind: "image" | "string", path: string): pulumi.Input<string> =>
        isOutputLike(v) ? pulumi.output(v).apply((x) => checkResolvedValue(kind, x, path, ctx)) : v;
    // (Whether an Output is secret is known only asynchronously, with its value.)
    const plain = (v: pulumi.Input<string>, path: string): pulumi.Input<string> => {
        if (!isOutputLike(v)) return v;
        const out = pulumi.output(v);
        return pulumi.all([out, pulumi.isSecret(out)]).apply(([x, secret]) =>
            secret ? refuseSecretInPlainField(path, ctx) : checkResolvedValue("string", x, path, ctx));
    };
    const plainEnv = (e: EnvVar, path: string): EnvVar =>
        (e.value === undefined ? e : { ...e, value: plain(e.value, path) });
    const container = (c: ContainerSpec, path: string): ContainerSpec => ({
        ...c,
        image: known(c.image, "image", path),
        ...(c.env !== undefined ? { env: c.env.map((e, j) => plainEnv(e, `${path}.env[${j}].value`)) } : {}),
        ...(c.command !== undefined ? { command: c.command.map((a, k) => plain(a, `${path}.command[${k}]`)) } : {}),
        ...(c.args !== undefined ? { args: c.args.map((a, k) => plain(a, `${path}.args[${k}]`)) } : {}),
    });
    return {
        ...spec,
        containers: spec.containers.map((c, i) => container(c, `spec.containers[${i}]`)),
        ...(spec.initContainers !== undefined ? { initContainers: spec.initContainers.map((c, i) => container(c, `spec.initContainers[${i}]`)) } : {}),
    };
}
