/**
 * Validation of the containers of a spec: names, image, process, env, ports, mounts, limits,
 * security context, termination message; probes and lifecycle hooks are in validate-probe.ts.
 */
import { checkFields, checkObjectFields } from "./fields";
import { imageReferenceProblem } from "./image";
import { DOCKER_MIN_MEMORY_BYTES, DOCKER_MIN_NANO_CPUS, formatDockerCpus, isDockerCpusExact, nearestExactDockerCpus, parseQuantity, QuantityError, quantityText } from "./quantity";
import { Backend } from "./spec";
import { SUPERVISE_FIX, ValidationTarget } from "./stricter";
import type { ValidationProblem } from "./validate-support";
import { checkProbesAndHooks, effectiveGracePeriod } from "./validate-probe";
import {
    describe, DNS1123_HINT, Findings, firstNonString, INT32_MAX, isDns1123Label, isInt, isMissing, isObj, isPortName,
    isStringList, notAString, Obj, PORT_NAME_HINT, suggestLabel,
} from "./validate-support";

/** What checking one container needs to know about the others. */
interface GroupState {
    backend: Backend | undefined;
    /** Plain docker, docker with the supervisor, or kubernetes. */
    target: ValidationTarget | undefined;
    /** The pod's grace period as the API server applies it (undefined when invalid). */
    gracePeriod: number | undefined;
    volumes: Map<string, unknown>;
    /** Container name -> path of the container that took it. */
    names: Map<string, string>;
    /** `port/protocol` -> path of the member (or native sidecar) port that claimed it. */
    memberPorts: Map<string, string>;
    /** `hostPort/protocol` -> path of the port that published it. */
    hostPorts: Map<string, string>;
}

const PULL_POLICIES = ["Always", "IfNotPresent", "Never"];
const PROTOCOLS = ["TCP", "UDP", "SCTP"];
const USER = /^([0-9]+)(?::([0-9]+))?$/;
const TERMINATION_MESSAGE_POLICIES = ["File", "FallbackToLogsOnError"];
/** Kubernetes' default terminationMessagePath. */
export const DEFAULT_TERMINATION_MESSAGE_PATH = "/dev/termination-log";

/** Checks spec.initContainers and spec.containers for `target` (its backend is `backend`). */
export function checkContainers(spec: Obj, volumes: Map<string, unknown>, backend: Backend | undefined, target: ValidationTarget | undefined, f: Findings): void {
    const { containers, initContainers } = spec;
    if (containers === undefined || (Array.isArray(containers) && containers.length === 0)) {
        f.add("spec.containers", "a group needs at least one container; add an entry such as { name: \"app\", image: \"podgroup/toolbox:1.0.0\" }");
    } else if (!Array.isArray(containers)) {
        f.add("spec.containers", `must be a list of containers, got ${describe(containers)}`);
    }
    if (initContainers !== undefined && !Array.isArray(initContainers)) {
        f.add("spec.initContainers", `must be a list of containers, got ${describe(initContainers)}`);
    }
    const state: GroupState = {
        backend, target, gracePeriod: effectiveGracePeriod(spec.terminationGracePeriodSeconds), volumes,
        names: new Map(), memberPorts: new Map(), hostPorts: new Map(),
    };
    if (Array.isArray(initContainers)) {
        initContainers.forEach((c: unknown, i: number) => checkContainer(c, `spec.initContainers[${i}]`, true, state, f));
    }
    if (Array.isArray(containers)) {
        containers.forEach((c: unknown, i: number) => checkContainer(c, `spec.containers[${i}]`, false, state, f));
    }
}

function checkContainer(c: unknown, path: string, isInit: boolean, state: GroupState, f: Findings): void {
    if (!isObj(c)) {
        f.add(path, `must be an object with at least \`name\` and \`image\`, got ${describe(c)}`);
        return;
    }
    checkFields(c, path, "container", state.backend, f);
    checkName(c.name, path, state.names, f);
    checkImage(c, path, state.backend, f);
    checkProcess(c, path, state.backend, f);
    checkRestartPolicy(c.restartPolicy, path, isInit, state.target, f);
    checkEnv(c.env, path, state.backend, f);
    // A native sidecar runs beside the members, in their network namespace.
    const regularInit = isInit && c.restartPolicy !== "Always";
    checkPorts(c.ports, path, isInit, regularInit, state, f);
    checkMounts(c.volumeMounts, path, state, f);
    checkResources(c.resources, path, state.backend, f);
    checkProbesAndHooks(c, path, regularInit, { backend: state.backend, target: state.target, gracePeriod: state.gracePeriod }, f);
    checkTerminationMessage(c, path, state.target, f);
}

function checkTerminationMessage(c: Obj, path: string, target: ValidationTarget | undefined, f: Findings): void {
    const { terminationMessagePath: file, terminationMessagePolicy: policy } = c;
    if (policy !== undefined && !TERMINATION_MESSAGE_POLICIES.includes(policy as string)) {
        f.add(`${path}.terminationMessagePolicy`, `${describe(policy)} is not a termination message policy; use "File" (the default) or "FallbackToLogsOnError"`);
    } else if (policy === "FallbackToLogsOnError" && target === "docker-plain") {
        f.add(`${path}.terminationMessagePolicy`, `termination messages need the supervisor on docker (it reads them into the group's status): ${SUPERVISE_FIX}, or remove terminationMessagePolicy`, "docker-termination-message");
    }
    if (file === undefined) return;
    if (typeof file !== "string") {
        f.add(`${path}.terminationMessagePath`, `must be a path such as "${DEFAULT_TERMINATION_MESSAGE_PATH}", got ${describe(file)}`);
    } else if (target === "docker-plain" && file !== DEFAULT_TERMINATION_MESSAGE_PATH) {
        f.add(`${path}.terminationMessagePath`, `termination messages need the supervisor on docker (it reads them into the group's status): ${SUPERVISE_FIX}, or remove terminationMessagePath`, "docker-termination-message");
    } else if (target === "docker-supervised" && !file.startsWith("/")) {
        f.add(`${path}.terminationMessagePath`, `${describe(file)} must be an absolute path on docker, e.g. "/tmp/termination-log"`, "docker-absolute-path");
    }
}

function checkName(name: unknown, path: string, names: Map<string, string>, f: Findings): void {
    if (isMissing(name)) {
        f.add(`${path}.name`, `a name is required: a DNS-1123 label (${DNS1123_HINT}), unique in the group, `
            + "e.g. \"app\"");
    } else if (typeof name !== "string") {
        f.add(`${path}.name`, notAString(name));
    } else if (!isDns1123Label(name)) {
        f.add(`${path}.name`, `${describe(name)} is not a DNS-1123 label (${DNS1123_HINT}); `
            + `rename it, e.g. "${suggestLabel(name)}"`);
    } else if (names.has(name)) {
        f.add(`${path}.name`, `name "${name}" is already used by ${names.get(name)}; names must be unique across initContainers and containers`);
    } else {
        names.set(name, path);
    }
}

function checkImage(c: Obj, path: string, backend: Backend | undefined, f: Findings): void {
    if (isOutputLike(c.image)) {
        // Another resource's output: checked with the same rules when it resolves (checkWhenKnown).
    } else if (typeof c.image !== "string" || c.image === "") {
        f.add(`${path}.image`, `an image is required, got ${describe(c.image)}; set an image reference such as "podgroup/toolbox:1.0.0"`);
    } else if (c.image.trim() !== c.image) {
        f.add(`${path}.image`, `${describe(c.image)} has leading or trailing whitespace; remove it`);
    } else if (backend === "docker") {
        const problem = imageReferenceProblem(c.image);
        if (problem !== undefined) f.add(`${path}.image`, `${describe(c.image)} is not a Docker image reference: ${problem}`, "docker-image-reference");
    }
    if (c.imagePullPolicy !== undefined && !PULL_POLICIES.includes(c.imagePullPolicy as string)) {
        f.add(`${path}.imagePullPolicy`, `${describe(c.imagePullPolicy)} is not a pull policy; use "Always", "IfNotPresent" or "Never"`);
    }
}

function checkProcess(c: Obj, path: string, backend: Backend | undefined, f: Findings): void {
    for (const field of ["command", "args"]) {
        const v = c[field];
        if (v === undefined) continue;
        if (!Array.isArray(v)) {
            f.add(`${path}.${field}`, `must be a list of strings, e.g. ["sh", "-c", "echo hi"], got ${describe(v)}`);
        } else if (!isStringList(v.map((item) => isOutputLike(item) ? "" : item))) {
            // (an Output item is checked when it resolves)
            f.add(`${path}.${field}`, `must be a list of strings: ${firstNonString(v.map((item) => isOutputLike(item) ? "" : item))}; quote it (YAML and \`pulumi config set --path\` read 3600 as a number)`);
        }
    }
    if (c.workingDir !== undefined) {
        if (typeof c.workingDir !== "string") {
            f.add(`${path}.workingDir`, `must be a path, got ${describe(c.workingDir)}`);
        } else if (backend === "docker" && c.workingDir !== "" && !c.workingDir.startsWith("/")) {
            f.add(`${path}.workingDir`, `${describe(c.workingDir)} must be an absolute path on docker, e.g. "/work"`, "docker-absolute-path");
        }
    }
    checkUser(c, path, backend, f);
}

function checkUser(c: Obj, path: string, backend: Backend | undefined, f: Findings): void {
    if (c.user !== undefined) {
        const m = typeof c.user === "string" ? USER.exec(c.user) : isInt(c.user, 0) ? USER.exec(String(c.user)) : null;
        if (m === null || Number(m[1]) > INT32_MAX || (m[2] !== undefined && Number(m[2]) > INT32_MAX)) {
            f.add(`${path}.user`, `${describe(c.user)} must be a numeric uid or "uid:gid" from 0 to ${INT32_MAX} (e.g. "1000" or "1000:1000"), as Kubernetes' runAsUser/runAsGroup`);
        }
        if (c.securityContext !== undefined) {
            f.add(`${path}.user`, "set either user or securityContext.runAsUser/runAsGroup, not both");
        }
    }
    if (c.securityContext === undefined) return;
    if (!checkObjectFields(c.securityContext, `${path}.securityContext`, "securityContext", backend, f)) {
        f.add(`${path}.securityContext`, `must be an object { runAsUser?, runAsGroup? }, got ${describe(c.securityContext)}`);
        return;
    }
    for (const field of ["runAsUser", "runAsGroup"]) {
        const v = c.securityContext[field];
        if (v !== undefined && !isInt(v, 0, INT32_MAX)) {
            f.add(`${path}.securityContext.${field}`, `must be a whole number from 0 to ${INT32_MAX}, got ${describe(v)}`);
        }
    }
    if (backend === "docker" && c.securityContext.runAsGroup !== undefined && c.securityContext.runAsUser === undefined) {
        f.add(`${path}.securityContext.runAsGroup`, "docker sets a group only with a user: set runAsUser too", "docker-group-without-user");
    }
}

function checkRestartPolicy(policy: unknown, path: string, isInit: boolean, target: ValidationTarget | undefined, f: Findings): void {
    if (policy === undefined) return;
    if (!isInit) {
        f.add(`${path}.restartPolicy`, "only init containers may set restartPolicy (\"Always\" makes a native sidecar); the group's restartPolicy applies to members (Kubernetes 1.34 drops a member's own)", "container-restart-policy");
    } else if (policy !== "Always") {
        f.add(`${path}.restartPolicy`, `${describe(policy)}: the only restartPolicy an init container may have is "Always" (a native sidecar; Kubernetes 1.34 drops the others)`, "container-restart-policy");
    } else if (target === "docker-plain") {
        f.add(`${path}.restartPolicy`, `native sidecars (an init container with restartPolicy "Always") need the supervisor on docker, which starts the members once the sidecar has started and restarts it: ${SUPERVISE_FIX}, or make it a member of spec.containers`, "docker-native-sidecar");
    }
}

function checkEnv(env: unknown, path: string, backend: Backend | undefined, f: Findings): void {
    if (env === undefined) return;
    if (!Array.isArray(env)) {
        f.add(`${path}.env`, `must be a list of { name, value } or { name, secretValue }, got ${describe(env)}`);
        return;
    }
    const names = new Set<string>();
    env.forEach((e: unknown, j: number) => {
        const ep = `${path}.env[${j}]`;
        if (!checkObjectFields(e, ep, "env", backend, f)) {
            f.add(ep, `must be an object { name, value } or { name, secretValue }, got ${describe(e)}`);
            return;
        }
        if (typeof e.name === "string" && names.has(e.name)) {
            // The API server's warning (pkg/api/pod/warnings.go), word for word.
            if (hidesEarlierDefinition(e, e.name)) {
                f.warn(ep, `hides previous definition of ${JSON.stringify(e.name)}, `
                    + "which may be dropped when using apply");
            }
        } else if (typeof e.name === "string") {
            names.add(e.name);
        }
        // Kubernetes 1.34 (RelaxedEnvironmentVariableValidation): any printable ASCII but '='.
        if (isMissing(e.name)) {
            f.add(`${ep}.name`, "a variable name is required, e.g. \"LOG_LEVEL\"");
        } else if (typeof e.name !== "string") {
            f.add(`${ep}.name`, notAString(e.name));
        } else if (!/^[\x20-\x3c\x3e-\x7e]+$/.test(e.name)) {
            f.add(`${ep}.name`, `${describe(e.name)} is not a variable name; use printable ASCII characters other than '=', e.g. "LOG_LEVEL"`);
        } else if (e.secretValue !== undefined && backend === "kubernetes" && !/^[-._a-zA-Z0-9]+$/.test(e.name)) {
            f.add(`${ep}.name`, `"${e.name}" holds a secretValue, which goes through a Secret key: use letters, digits, '-', '_' and '.'`, "secret-env-key");
        }
        if (e.value !== undefined && e.secretValue !== undefined) {
            f.add(ep, "set one of `value` (plain) and `secretValue` (kept secret), not both");
        }
        if (e.value !== undefined && typeof e.value !== "string" && !isOutputLike(e.value)) {
            f.add(`${ep}.value`, `must be a string (or a Pulumi Output of one), got ${describe(e.value)}; quote numbers and booleans`);
        }
        if (e.secretValue !== undefined && typeof e.secretValue !== "string" && !isOutputLike(e.secretValue)) {
            f.add(`${ep}.secretValue`, `must be a string or a Pulumi secret Output, got ${describe(e.secretValue)}`);
        }
    });
}

/**
 * Whether a repeated variable hides its earlier definition, as the API server judges it: unless
 * its plain value refers to the earlier one (`$(NAME)`) and is more than that reference. A secret
 * (Kubernetes' valueFrom) always hides it; so does a value another resource computes, which is
 * not known at preview.
 */
function hidesEarlierDefinition(e: Obj, name: string): boolean {
    if (e.secretValue !== undefined || e.valueFrom !== undefined) return true;
    const value = e.value ?? "";
    if (typeof value !== "string") return true;
    const ref = `$(${name})`;
    return value === ref || !value.includes(ref);
}

/** A Pulumi Output or Promise (another resource's output, a secret from config): checked when it resolves. */
export function isOutputLike(v: unknown): boolean {
    return isObj(v) && (typeof (v as { apply?: unknown }).apply === "function" || typeof (v as { then?: unknown }).then === "function");
}

function checkPorts(ports: unknown, path: string, isInit: boolean, regularInit: boolean, state: GroupState, f: Findings): void {
    if (ports === undefined) return;
    if (!Array.isArray(ports)) {
        f.add(`${path}.ports`, `must be a list of { containerPort }, got ${describe(ports)}`);
        return;
    }
    const names = new Set<string>();
    ports.forEach((p: unknown, j: number) => {
        const pp = `${path}.ports[${j}]`;
        if (!checkObjectFields(p, pp, "port", state.backend, f)) {
            f.add(pp, `must be an object { containerPort, hostPort?, protocol?, name? }, got ${describe(p)}`);
            return;
        }
        const protocol = p.protocol ?? "TCP";
        if (!PROTOCOLS.includes(protocol as string)) {
            f.add(`${pp}.protocol`, `${describe(protocol)} is not a protocol; use "TCP", "UDP" or "SCTP"`);
        } else if (protocol === "SCTP" && state.backend === "docker") {
            f.add(`${pp}.protocol`, "SCTP ports are not supported on docker; use TCP or UDP", "docker-sctp");
        }
        checkContainerPort(p, pp, `${String(p.containerPort)}/${String(protocol)}`, regularInit, state, f);
        checkHostPort(p.hostPort, pp, String(protocol), state, f);
        if (p.name !== undefined) {
            if (typeof p.name !== "string") {
                f.add(`${pp}.name`, `must be a string (${PORT_NAME_HINT}), got ${describe(p.name)}`);
            } else if (!isPortName(p.name)) {
                f.add(`${pp}.name`, `${describe(p.name)} is not a port name (${PORT_NAME_HINT})`);
            } else if (names.has(p.name)) {
                f.add(`${pp}.name`, `port name "${p.name}" is used twice in this container; give each port its own name`);
            } else {
                names.add(p.name);
            }
        }
    });
    if (isInit && state.backend === "docker" && ports.length > 0) {
        f.add(`${path}.ports`, "ports on init containers (native sidecars included) are not supported on docker (ports are published on the pause for the members only; a sidecar can still listen, and be probed by port number): move the port to a member or remove it", "docker-init-port");
    }
}

function checkContainerPort(p: Obj, pp: string, key: string, regularInit: boolean, state: GroupState, f: Findings): void {
    if (!isInt(p.containerPort, 1, 65535)) {
        f.add(`${pp}.containerPort`, `${describe(p.containerPort)} is not a port; use a whole number from 1 to 65535`);
        return;
    }
    // A regular init container runs alone; members and native sidecars run together.
    if (regularInit) return;
    const other = state.memberPorts.get(key);
    if (other !== undefined) {
        f.add(`${pp}.containerPort`, `port ${key} is already claimed by ${other}; the containers of a group share one network namespace, so only one of them can listen on it: remove one or change its port`, "shared-container-port");
    } else {
        state.memberPorts.set(key, `${pp}.containerPort`);
    }
}

function checkHostPort(hostPort: unknown, pp: string, protocol: string, state: GroupState, f: Findings): void {
    if (hostPort === undefined || hostPort === 0) return;
    if (!isInt(hostPort, 1, 65535)) {
        f.add(`${pp}.hostPort`, `${describe(hostPort)} is not a port; use a whole number from 1 to 65535, or leave hostPort out`);
        return;
    }
    const key = `${hostPort}/${protocol}`;
    const other = state.hostPorts.get(key);
    if (other !== undefined) {
        f.add(`${pp}.hostPort`, `host port ${key} is already published by ${other}; use another host port`);
    } else {
        state.hostPorts.set(key, `${pp}.hostPort`);
    }
}

function checkMounts(mounts: unknown, path: string, state: GroupState, f: Findings): void {
    if (mounts === undefined) return;
    if (!Array.isArray(mounts)) {
        f.add(`${path}.volumeMounts`, `must be a list of { name, mountPath }, got ${describe(mounts)}`);
        return;
    }
    const mountPaths = new Set<string>();
    mounts.forEach((m: unknown, j: number) => {
        const mp = `${path}.volumeMounts[${j}]`;
        if (!checkObjectFields(m, mp, "volumeMount", state.backend, f)) {
            f.add(mp, `must be an object { name, mountPath, readOnly? }, got ${describe(m)}`);
            return;
        }
        checkMountName(m.name, `${mp}.name`, state.volumes, f);
        if (typeof m.mountPath !== "string" || m.mountPath === "") {
            f.add(`${mp}.mountPath`, `a mount path is required, got ${describe(m.mountPath)}; e.g. "/data"`);
        } else if (mountPaths.has(m.mountPath)) {
            f.add(`${mp}.mountPath`, `"${m.mountPath}" is mounted twice in this container; use one mount per path`);
        } else {
            mountPaths.add(m.mountPath);
            if (state.backend === "docker" && !m.mountPath.startsWith("/")) {
                f.add(`${mp}.mountPath`, `${describe(m.mountPath)} must be an absolute path on docker, e.g. "/data"`, "docker-absolute-path");
            }
        }
        if (m.readOnly !== undefined && typeof m.readOnly !== "boolean") {
            f.add(`${mp}.readOnly`, `must be true or false, got ${describe(m.readOnly)}`);
        }
    });
}

/** A volumeMount's name: required, a string, and the name of a volume of spec.volumes. */
function checkMountName(name: unknown, path: string, volumes: Map<string, unknown>, f: Findings): void {
    const names = [...volumes.keys()];
    const declared = names.length === 0 ? "none is declared" : `declared: ${names.join(", ")}`;
    if (isMissing(name)) {
        const fix = names.length === 0
            ? "declare one in spec.volumes, e.g. { name: \"data\", emptyDir: {} }, and name it here"
            : `name one of spec.volumes (${declared})`;
        f.add(path, `the name of the volume to mount is required: ${fix}`);
    } else if (typeof name !== "string") {
        f.add(path, `${notAString(name)}; it names a volume of spec.volumes (${declared})`);
    } else if (!volumes.has(name)) {
        f.add(path, `volume ${describe(name)} is not declared in spec.volumes (${declared}); `
            + `add { name: ${JSON.stringify(name)}, emptyDir: {} } to spec.volumes or fix the name`);
    }
}

function checkResources(resources: unknown, path: string, backend: Backend | undefined, f: Findings): void {
    if (resources === undefined) return;
    if (!checkObjectFields(resources, `${path}.resources`, "resources", backend, f)) {
        f.add(`${path}.resources`, `must be { limits: { cpu?, memory? } }, got ${describe(resources)}`);
        return;
    }
    const limits = resources.limits;
    if (limits === undefined) return;
    if (!checkObjectFields(limits, `${path}.resources.limits`, "limits", backend, f)) {
        f.add(`${path}.resources.limits`, `must be { cpu?, memory? }, got ${describe(limits)}`);
        return;
    }
    if (limits.cpu !== undefined) checkCpu(limits.cpu, `${path}.resources.limits.cpu`, backend, f);
    if (limits.memory !== undefined) checkMemory(limits.memory, `${path}.resources.limits.memory`, backend, f);
}

/** The quantity's value, or undefined after reporting why it is not one (or is negative). */
function quantityValue(q: unknown, path: string, hint: string, f: Findings): number | undefined {
    try {
        const value = parseQuantity(q as string);
        if (value < 0) {
            f.add(path, `${describe(q)} must not be negative`);
            return undefined;
        }
        return value;
    } catch (e) {
        if (!(e instanceof QuantityError)) throw e;
        f.add(path, `${e.message}; ${hint}`);
        return undefined;
    }
}

function checkCpu(cpu: unknown, path: string, backend: Backend | undefined, f: Findings): void {
    const cores = quantityValue(cpu, path, "write cores (\"1\", \"0.5\", 1) or millicores (\"500m\")", f);
    if (cores === undefined || backend !== "docker") return;
    const nano = Math.round(cores * 1e9);
    const suggestion = `${nearestExactDockerCpus(nano) / 1e6}m`;
    if (nano < DOCKER_MIN_NANO_CPUS) {
        f.add(path, `${describe(cpu)} is below Docker's minimum of 10m (0.01 CPU; 0 would mean no limit); raise it, e.g. to "${suggestion}"`, "docker-cpu-limit");
    } else if (!isDockerCpusExact(nano)) {
        f.add(path, `${describe(cpu)} would be read back by the Docker provider as "${formatDockerCpus(nano)}" CPUs, replacing the container on every update; use a nearby value such as "${suggestion}"`, "docker-cpu-limit");
    }
}

function checkMemory(memory: unknown, path: string, backend: Backend | undefined, f: Findings): void {
    const bytes = quantityValue(memory, path, "write bytes with a suffix, e.g. \"64Mi\" or \"1Gi\"", f);
    if (bytes === undefined) return;
    if (/m$/.test(quantityText(memory as string))) {
        f.add(path, `${describe(memory)} is in milli-bytes; use "M" (megabytes) or "Mi" (mebibytes)`, "memory-milli");
    } else if (backend === "docker" && bytes < DOCKER_MIN_MEMORY_BYTES) {
        f.add(path, `${describe(memory)} is below Docker's minimum of 6Mi (0 would mean no limit); raise it to at least "6Mi"`, "docker-memory-limit");
    }
}

/** Problems of the image reference of the container at `path`, as validation reports them (for an image known only at deploy time). */
export function imageProblems(image: string, path: string, backend: Backend | undefined): ValidationProblem[] {
    const f = new Findings();
    checkImage({ image }, path, backend, f);
    return f.problems;
}
