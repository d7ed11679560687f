/**
 * Validation of a PodGroup spec, in one place, run before any resource is registered.
 *
 * Every problem is collected with its field path (`spec.containers[1].ports[0].containerPort`)
 * and a reason that says how to fix it; then one error lists them all, so a user sees every
 * mistake at once. A rejected spec creates nothing.
 */
import * as pulumi from "@pulumi/pulumi";
import { isReservedLabelKey } from "./labels";
import { DOCKER_MIN_MEMORY_BYTES, DOCKER_MIN_NANO_CPUS, formatDockerCpus, isDockerCpusExact, nearestExactDockerCpus, parseCpu, parseMemory, QuantityError } from "./quantity";
import { Backend, BACKENDS, PAUSE_NAME, PodGroupSpec } from "./spec";

/** One problem in a spec: the field's path and what is wrong with it and how to fix it. */
export interface ValidationProblem {
    /** Path of the field, e.g. `spec.containers[1].ports[0].containerPort`. */
    propertyPath: string;
    /** What is wrong and the fix. */
    reason: string;
}

/**
 * The error a rejected spec throws. A `pulumi.RunError`, so `pulumi up` prints the message
 * (every problem, one per line) without a stack trace. `problems` holds them as data, and
 * {@link PodGroupValidationError.toInputPropertiesError} converts them for provider code.
 */
export class PodGroupValidationError extends pulumi.RunError {
    readonly problems: ValidationProblem[];

    constructor(groupName: string, problems: ValidationProblem[]) {
        const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
        const lines = problems.map((p) => `  - ${p.propertyPath}: ${p.reason}`);
        super(`PodGroup "${groupName}": the spec has ${count}, nothing was created:\n${lines.join("\n")}`);
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
    /** Kubernetes namespace, when rendered for Kubernetes. */
    namespace?: string;
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const C_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const USER = /^[0-9]+(:[0-9]+)?$/;
const RESTART_POLICIES = ["Always", "OnFailure", "Never"];
const PULL_POLICIES = ["Always", "IfNotPresent", "Never"];
const DNS1123_HINT = "lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters";

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

function isDns1123Label(v: unknown): boolean {
    return typeof v === "string" && v.length <= 63 && DNS1123_LABEL.test(v);
}

function suggestLabel(v: string): string {
    const s = v.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 63).replace(/-+$/, "");
    return s === "" ? "app" : s;
}

function isPort(v: unknown): v is number {
    return typeof v === "number" && Number.isInteger(v) && v >= 1 && v <= 65535;
}

/**
 * Splits an image reference into its tag and digest (registry ports such as `host:5000/x` are
 * not tags). Returns undefined fields when absent.
 */
export function imageTag(image: string): { tag?: string; digest?: string } {
    const at = image.indexOf("@");
    const digest = at >= 0 ? image.slice(at + 1) : undefined;
    const name = at >= 0 ? image.slice(0, at) : image;
    const lastSlash = name.lastIndexOf("/");
    const colon = name.lastIndexOf(":");
    const tag = colon > lastSlash ? name.slice(colon + 1) : undefined;
    return { tag, digest };
}

/** Collects every problem of `spec` (an untrusted value, e.g. read from stack config). */
export function collectProblems(spec: unknown, ctx: ValidationContext): ValidationProblem[] {
    const problems: ValidationProblem[] = [];
    const add = (propertyPath: string, reason: string) => problems.push({ propertyPath, reason });

    if (!isDns1123Label(ctx.groupName)) {
        add("name", `group name "${ctx.groupName}" is not a DNS-1123 label (${DNS1123_HINT}); it names the Pod and prefixes every Docker name: use e.g. "${suggestLabel(String(ctx.groupName))}"`);
    }
    if (ctx.backend !== undefined && !BACKENDS.includes(ctx.backend)) {
        add("backend", `backend "${String(ctx.backend)}" is not supported; use "docker" or "kubernetes"`);
    }
    if (ctx.namespace !== undefined && !isDns1123Label(ctx.namespace)) {
        add("namespace", `namespace "${ctx.namespace}" is not a DNS-1123 label (${DNS1123_HINT})`);
    }
    if (!isObj(spec)) {
        add("spec", "the spec must be an object with at least `containers`; see components/spec.ts (PodGroupSpec)");
        return problems;
    }

    // Volumes first: mounts refer to them.
    const volumeNames = new Set<string>();
    if (spec.volumes !== undefined) {
        if (!Array.isArray(spec.volumes)) {
            add("spec.volumes", "must be a list of volumes, e.g. [{ name: \"data\", emptyDir: {} }]");
        } else {
            spec.volumes.forEach((v: unknown, i: number) => {
                const path = `spec.volumes[${i}]`;
                if (!isObj(v)) {
                    add(path, "must be an object { name, emptyDir }");
                    return;
                }
                if (!isDns1123Label(v.name)) {
                    add(`${path}.name`, `"${String(v.name)}" is not a DNS-1123 label (${DNS1123_HINT}); rename the volume`);
                } else if (volumeNames.has(v.name as string)) {
                    add(`${path}.name`, `volume "${String(v.name)}" is declared twice; give each volume its own name`);
                } else {
                    volumeNames.add(v.name as string);
                }
                if (!isObj(v.emptyDir)) {
                    add(`${path}.emptyDir`, "only emptyDir volumes are supported: set `emptyDir: {}` (hostPath, configMap and the others are not supported yet)");
                    return;
                }
                const medium = v.emptyDir.medium;
                if (medium !== undefined && medium !== "" && medium !== "Memory") {
                    add(`${path}.emptyDir.medium`, `"${String(medium)}" is not an emptyDir medium; use "" (disk) or "Memory" (tmpfs)`);
                }
                if (v.emptyDir.sizeLimit !== undefined) {
                    try {
                        parseMemory(v.emptyDir.sizeLimit as string);
                    } catch (e) {
                        add(`${path}.emptyDir.sizeLimit`, `${(e as Error).message}; write a size such as "64Mi"`);
                    }
                }
            });
        }
    }

    const containers = spec.containers;
    if (containers === undefined || (Array.isArray(containers) && containers.length === 0)) {
        add("spec.containers", "a group needs at least one container; add an entry such as { name: \"app\", image: \"podgroup/toolbox:1.0.0\" }");
    } else if (!Array.isArray(containers)) {
        add("spec.containers", "must be a list of containers");
    }
    const initContainers = spec.initContainers;
    if (initContainers !== undefined && !Array.isArray(initContainers)) {
        add("spec.initContainers", "must be a list of containers");
    }

    const seenNames = new Map<string, string>();
    const seenPorts = new Map<string, string>();
    const seenHostPorts = new Map<string, string>();
    const checkContainer = (c: unknown, path: string, isInit: boolean) => {
        if (!isObj(c)) {
            add(path, "must be an object with at least `name` and `image`");
            return;
        }
        const name = c.name;
        if (!isDns1123Label(name)) {
            add(`${path}.name`, `"${String(name)}" is not a DNS-1123 label (${DNS1123_HINT}); rename it, e.g. "${suggestLabel(String(name ?? ""))}"`);
        } else if (name === PAUSE_NAME) {
            add(`${path}.name`, `"${PAUSE_NAME}" is reserved for the group's infra container; rename this container`);
        } else if (seenNames.has(name as string)) {
            add(`${path}.name`, `name "${String(name)}" is already used by ${seenNames.get(name as string)}; names must be unique across initContainers and containers`);
        } else {
            seenNames.set(name as string, path);
        }

        if (typeof c.image !== "string" || c.image.trim() === "") {
            add(`${path}.image`, "the image is empty; set an image reference with a tag, e.g. \"podgroup/toolbox:1.0.0\"");
        } else {
            const { tag, digest } = imageTag(c.image);
            if (digest === undefined && (tag === undefined || tag === "latest") && c.imagePullPolicy === undefined) {
                add(`${path}.image`, `"${c.image}" has ${tag === undefined ? "no tag" : "the tag latest"}, which Kubernetes always pulls; pin a version (e.g. "${c.image.replace(/:latest$/, "")}:1.0.0") or set imagePullPolicy explicitly`);
            }
        }
        if (c.imagePullPolicy !== undefined && !PULL_POLICIES.includes(c.imagePullPolicy as string)) {
            add(`${path}.imagePullPolicy`, `"${String(c.imagePullPolicy)}" is not a pull policy; use "Always", "IfNotPresent" or "Never"`);
        }
        for (const field of ["command", "args"]) {
            const v = c[field];
            if (v !== undefined && (!Array.isArray(v) || v.some((x) => typeof x !== "string"))) {
                add(`${path}.${field}`, "must be a list of strings, e.g. [\"sh\", \"-c\", \"echo hi\"]");
            }
        }
        if (c.workingDir !== undefined && (typeof c.workingDir !== "string" || !c.workingDir.startsWith("/"))) {
            add(`${path}.workingDir`, `"${String(c.workingDir)}" must be an absolute path, e.g. "/work"`);
        }
        if (c.user !== undefined && (typeof c.user !== "string" || !USER.test(c.user))) {
            add(`${path}.user`, `"${String(c.user)}" must be a numeric uid or "uid:gid" (e.g. "1000" or "1000:1000"), as Kubernetes' runAsUser/runAsGroup take numbers`);
        }

        if (c.env !== undefined) {
            if (!Array.isArray(c.env)) {
                add(`${path}.env`, "must be a list of { name, value } or { name, secretValue }");
            } else {
                const envNames = new Set<string>();
                c.env.forEach((e: unknown, j: number) => {
                    const ep = `${path}.env[${j}]`;
                    if (!isObj(e)) {
                        add(ep, "must be an object { name, value } or { name, secretValue }");
                        return;
                    }
                    if (typeof e.name !== "string" || !C_IDENTIFIER.test(e.name)) {
                        add(`${ep}.name`, `"${String(e.name)}" is not a valid variable name; use letters, digits and '_', not starting with a digit`);
                    } else if (envNames.has(e.name)) {
                        add(`${ep}.name`, `variable "${e.name}" is set twice in this container; keep one`);
                    } else {
                        envNames.add(e.name);
                    }
                    const hasValue = e.value !== undefined;
                    const hasSecret = e.secretValue !== undefined;
                    if (hasValue === hasSecret) {
                        add(ep, "set exactly one of `value` (plain) and `secretValue` (kept secret)");
                    } else if (hasValue && typeof e.value !== "string") {
                        add(`${ep}.value`, "must be a string; quote numbers and booleans");
                    }
                });
            }
        }

        if (c.ports !== undefined) {
            if (!Array.isArray(c.ports)) {
                add(`${path}.ports`, "must be a list of { containerPort }");
            } else {
                c.ports.forEach((p: unknown, j: number) => {
                    const pp = `${path}.ports[${j}]`;
                    if (!isObj(p)) {
                        add(pp, "must be an object { containerPort, hostPort?, protocol?, name? }");
                        return;
                    }
                    const protocol = p.protocol ?? "TCP";
                    if (protocol !== "TCP" && protocol !== "UDP") {
                        add(`${pp}.protocol`, `"${String(protocol)}" is not supported; use "TCP" or "UDP"`);
                    }
                    if (!isPort(p.containerPort)) {
                        add(`${pp}.containerPort`, `${String(p.containerPort)} is not a port; use an integer from 1 to 65535`);
                    } else if (!isInit) {
                        const key = `${p.containerPort}/${String(protocol)}`;
                        const other = seenPorts.get(key);
                        if (other !== undefined) {
                            add(`${pp}.containerPort`, `port ${key} is already claimed by ${other}; the containers of a group share one network namespace, so only one of them can listen on it: remove one or change its port`);
                        } else {
                            seenPorts.set(key, `${pp}.containerPort`);
                        }
                    }
                    if (p.hostPort !== undefined) {
                        if (!isPort(p.hostPort)) {
                            add(`${pp}.hostPort`, `${String(p.hostPort)} is not a port; use an integer from 1 to 65535, or leave hostPort out`);
                        } else {
                            const key = `${p.hostPort}/${String(protocol)}`;
                            const other = seenHostPorts.get(key);
                            if (other !== undefined) {
                                add(`${pp}.hostPort`, `host port ${key} is already published by ${other}; use another host port`);
                            } else {
                                seenHostPorts.set(key, `${pp}.hostPort`);
                            }
                        }
                    }
                    if (isInit) {
                        add(pp, "init containers cannot declare ports (they run before the group serves anything); move the port to a member");
                    }
                    if (p.name !== undefined && !(typeof p.name === "string" && p.name.length <= 15 && DNS1123_LABEL.test(p.name))) {
                        add(`${pp}.name`, `"${String(p.name)}" is not a port name; use at most 15 lower-case letters, digits and '-'`);
                    }
                });
            }
        }

        if (c.volumeMounts !== undefined) {
            if (!Array.isArray(c.volumeMounts)) {
                add(`${path}.volumeMounts`, "must be a list of { name, mountPath }");
            } else {
                const mountPaths = new Set<string>();
                c.volumeMounts.forEach((m: unknown, j: number) => {
                    const mp = `${path}.volumeMounts[${j}]`;
                    if (!isObj(m)) {
                        add(mp, "must be an object { name, mountPath, readOnly? }");
                        return;
                    }
                    if (typeof m.name !== "string" || !volumeNames.has(m.name)) {
                        const declared = volumeNames.size === 0 ? "none is declared" : `declared: ${[...volumeNames].join(", ")}`;
                        add(`${mp}.name`, `volume "${String(m.name)}" is not declared in spec.volumes (${declared}); add { name: "${String(m.name)}", emptyDir: {} } to spec.volumes or fix the name`);
                    }
                    if (typeof m.mountPath !== "string" || !m.mountPath.startsWith("/")) {
                        add(`${mp}.mountPath`, `"${String(m.mountPath)}" must be an absolute path, e.g. "/data"`);
                    } else if (mountPaths.has(m.mountPath)) {
                        add(`${mp}.mountPath`, `"${m.mountPath}" is mounted twice in this container; use one mount per path`);
                    } else {
                        mountPaths.add(m.mountPath);
                    }
                });
            }
        }

        const limits = isObj(c.resources) && isObj(c.resources.limits) ? c.resources.limits : undefined;
        if (c.resources !== undefined && (!isObj(c.resources) || (c.resources.limits !== undefined && limits === undefined))) {
            add(`${path}.resources`, "must be { limits: { cpu?, memory? } }");
        }
        if (limits?.cpu !== undefined) {
            try {
                const nano = parseCpu(limits.cpu as string);
                const suggestion = `${nearestExactDockerCpus(nano) / 1e6}m`;
                if (ctx.backend === "docker" && nano < DOCKER_MIN_NANO_CPUS) {
                    add(`${path}.resources.limits.cpu`, `"${String(limits.cpu)}" is below Docker's minimum of 10m (0.01 CPU); raise it, e.g. to "${suggestion}"`);
                } else if (ctx.backend === "docker" && !isDockerCpusExact(nano)) {
                    add(`${path}.resources.limits.cpu`, `"${String(limits.cpu)}" would be read back by the Docker provider as "${formatDockerCpus(nano)}" CPUs, replacing the container on every update; use a nearby value such as "${suggestion}"`);
                }
            } catch (e) {
                if (!(e instanceof QuantityError)) throw e;
                add(`${path}.resources.limits.cpu`, `${e.message}; write cores ("1", "0.5") or millicores ("500m")`);
            }
        }
        if (limits?.memory !== undefined) {
            try {
                const bytes = parseMemory(limits.memory as string);
                if (ctx.backend === "docker" && bytes < DOCKER_MIN_MEMORY_BYTES) {
                    add(`${path}.resources.limits.memory`, `"${String(limits.memory)}" is below Docker's minimum of 6Mi; raise it to at least "6Mi"`);
                }
            } catch (e) {
                if (!(e instanceof QuantityError)) throw e;
                add(`${path}.resources.limits.memory`, `${e.message}; write bytes with a suffix, e.g. "64Mi" or "1Gi"`);
            }
        }

        for (const probeField of ["readinessProbe", "livenessProbe"]) {
            const probe = c[probeField];
            if (probe === undefined) continue;
            const pp = `${path}.${probeField}`;
            if (isInit) {
                add(pp, `init containers cannot have a ${probeField} (they run to completion); remove it`);
                continue;
            }
            if (!isObj(probe)) {
                add(pp, "must be an object with one handler: exec, httpGet or tcpSocket");
                continue;
            }
            const handlers = ["exec", "httpGet", "tcpSocket"].filter((h) => probe[h] !== undefined);
            if (handlers.length === 0) {
                add(pp, "the probe has no handler; set exactly one of exec, httpGet and tcpSocket");
            } else if (handlers.length > 1) {
                add(pp, `the probe has ${handlers.length} handlers (${handlers.join(", ")}); keep exactly one`);
            }
            if (probe.exec !== undefined && (!isObj(probe.exec) || !Array.isArray(probe.exec.command) || probe.exec.command.length === 0)) {
                add(`${pp}.exec.command`, "must be a non-empty list of strings, e.g. [\"cat\", \"/tmp/ready\"]");
            }
            for (const h of ["httpGet", "tcpSocket"]) {
                const handler = probe[h];
                if (handler !== undefined && (!isObj(handler) || !isPort(handler.port))) {
                    add(`${pp}.${h}.port`, `${isObj(handler) ? String(handler.port) : "missing"} is not a port; use an integer from 1 to 65535 (named ports are not supported)`);
                }
            }
            if (isObj(probe.httpGet)) {
                const { path: hp, scheme } = probe.httpGet;
                if (hp !== undefined && (typeof hp !== "string" || !hp.startsWith("/"))) {
                    add(`${pp}.httpGet.path`, `"${String(hp)}" must start with "/"`);
                }
                if (scheme !== undefined && scheme !== "HTTP" && scheme !== "HTTPS") {
                    add(`${pp}.httpGet.scheme`, `"${String(scheme)}" is not a scheme; use "HTTP" or "HTTPS"`);
                }
            }
            for (const [field, min] of [["initialDelaySeconds", 0], ["periodSeconds", 1], ["timeoutSeconds", 1], ["failureThreshold", 1], ["successThreshold", 1]] as const) {
                const v = probe[field];
                if (v !== undefined && !(typeof v === "number" && Number.isInteger(v) && v >= min)) {
                    add(`${pp}.${field}`, `${String(v)} must be an integer >= ${min}`);
                }
            }
            if (probeField === "livenessProbe" && probe.successThreshold !== undefined && probe.successThreshold !== 1) {
                add(`${pp}.successThreshold`, "must be 1 for a liveness probe (as in Kubernetes); remove it");
            }
        }
    };
    if (Array.isArray(initContainers)) {
        initContainers.forEach((c: unknown, i: number) => checkContainer(c, `spec.initContainers[${i}]`, true));
    }
    if (Array.isArray(containers)) {
        containers.forEach((c: unknown, i: number) => checkContainer(c, `spec.containers[${i}]`, false));
    }

    if (spec.restartPolicy !== undefined && !RESTART_POLICIES.includes(spec.restartPolicy as string)) {
        add("spec.restartPolicy", `"${String(spec.restartPolicy)}" is not a restart policy; use "Always", "OnFailure" or "Never"`);
    }
    if (spec.shareProcessNamespace !== undefined && typeof spec.shareProcessNamespace !== "boolean") {
        add("spec.shareProcessNamespace", "must be true or false");
    }
    if (spec.hostname !== undefined && !isDns1123Label(spec.hostname)) {
        add("spec.hostname", `"${String(spec.hostname)}" is not a DNS-1123 label (${DNS1123_HINT}); use e.g. "${suggestLabel(String(spec.hostname))}"`);
    }
    const grace = spec.terminationGracePeriodSeconds;
    if (grace !== undefined && !(typeof grace === "number" && Number.isInteger(grace) && grace >= 0)) {
        add("spec.terminationGracePeriodSeconds", `${String(grace)} must be a whole number of seconds >= 0`);
    }
    if (spec.labels !== undefined) {
        if (!isObj(spec.labels)) {
            add("spec.labels", "must be a map of strings, e.g. { team: \"web\" }");
        } else {
            for (const [k, v] of Object.entries(spec.labels)) {
                if (isReservedLabelKey(k)) {
                    add(`spec.labels["${k}"]`, "keys under podgroup.io/ are set by PodGroup itself; use another prefix");
                } else if (!/^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/.test(k)) {
                    add(`spec.labels["${k}"]`, "is not a Kubernetes label key (optional DNS prefix and '/', then at most 63 letters, digits, '-', '_' or '.')");
                }
                if (typeof v !== "string" || !/^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/.test(v)) {
                    add(`spec.labels["${k}"]`, `value "${String(v)}" is not a Kubernetes label value (at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit)`);
                }
            }
        }
    }
    return problems;
}

/**
 * Validates `spec` and throws one {@link PodGroupValidationError} listing every problem.
 * Call before registering any resource.
 */
export function validatePodGroupSpec(spec: unknown, ctx: ValidationContext): asserts spec is PodGroupSpec {
    const problems = collectProblems(spec, ctx);
    if (problems.length > 0) {
        throw new PodGroupValidationError(ctx.groupName, problems);
    }
}
