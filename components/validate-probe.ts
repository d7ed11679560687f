/**
 * Validation of probes (startup, liveness, readiness) and lifecycle hooks (postStart, preStop),
 * as the API server does it (core/v1 Probe, Lifecycle, LifecycleHandler), plus what each Docker
 * target cannot run: plain Docker has one healthcheck per container and no hooks; the supervisor
 * runs every probe and hook but sends HTTP without TLS.
 */
import { checkFields, checkObjectFields } from "./fields";
import { SUPERVISE_FIX, ValidationTarget } from "./stricter";
import { Backend } from "./spec";
import { describe, Findings, firstNonString, isInt, isObj, isPortName, isStringList, Obj, PORT_NAME_HINT } from "./validate-support";

const PROBE_FIELDS = ["startupProbe", "livenessProbe", "readinessProbe"] as const;
const HOOKS = ["postStart", "preStop"] as const;
const TIMINGS = ["initialDelaySeconds", "periodSeconds", "timeoutSeconds", "failureThreshold", "successThreshold"] as const;

/** What checking a container's probes and hooks needs besides the container. */
export interface ProbeContext {
    backend: Backend | undefined;
    target: ValidationTarget | undefined;
    /** The pod's grace period as the API server applies it (30 by default, a negative one is 1); undefined when it is invalid. */
    gracePeriod: number | undefined;
}

/** The grace period the API server checks sleep actions against: undefined when `grace` itself is invalid (reported elsewhere). */
export function effectiveGracePeriod(grace: unknown): number | undefined {
    if (grace === undefined) return 30;
    if (!isInt(grace, Number.MIN_SAFE_INTEGER)) return undefined;
    return grace < 0 ? 1 : grace;
}

/**
 * Checks the probes and lifecycle hooks of container `c`; `regularInit` for init containers that
 * are not native sidecars (the API server forbids both there).
 */
export function checkProbesAndHooks(c: Obj, path: string, regularInit: boolean, ctx: ProbeContext, f: Findings): void {
    const present = PROBE_FIELDS.filter((p) => c[p] !== undefined);
    if (regularInit) {
        for (const field of [...present, ...(c.lifecycle !== undefined ? ["lifecycle"] : [])]) {
            const what = field === "lifecycle" ? "lifecycle hooks" : `a ${field}`;
            f.add(`${path}.${field}`, `an init container without restartPolicy "Always" cannot have ${what} (it runs to completion); remove ${field === "lifecycle" ? "them" : "it"}, or make the init container a native sidecar with restartPolicy: "Always"`);
        }
        return;
    }
    const portNames = declaredPortNames(c.ports);
    for (const field of present) {
        checkProbe(c[field], `${path}.${field}`, field, portNames, ctx, f);
    }
    if (c.startupProbe !== undefined && ctx.target === "docker-plain") {
        f.add(`${path}.startupProbe`, `a startupProbe needs the supervisor on docker (Docker's one healthcheck cannot hold back liveness and readiness nor restart the container): ${SUPERVISE_FIX}, or remove it`, "docker-startup-probe");
    }
    if (c.readinessProbe !== undefined && c.livenessProbe !== undefined && ctx.target === "docker-plain") {
        f.add(`${path}.livenessProbe`, `docker has one healthcheck per container: a container with both a readinessProbe and a livenessProbe needs the supervisor on docker: ${SUPERVISE_FIX}, or keep one`, "docker-two-probes");
    }
    if (c.lifecycle !== undefined) checkLifecycle(c.lifecycle, `${path}.lifecycle`, portNames, ctx, f);
}

function declaredPortNames(ports: unknown): Set<string> {
    const names = new Set<string>();
    if (Array.isArray(ports)) {
        for (const p of ports) if (isObj(p) && typeof p.name === "string") names.add(p.name);
    }
    return names;
}

function checkProbe(probe: unknown, pp: string, field: string, portNames: Set<string>, ctx: ProbeContext, f: Findings): void {
    if (!isObj(probe)) {
        f.add(pp, `must be an object with one handler: exec, httpGet or tcpSocket, got ${describe(probe)}`);
        return;
    }
    checkFields(probe, pp, "probe", ctx.backend, f);
    checkOneHandler(probe, pp, "probe", ["exec", "httpGet", "tcpSocket", "grpc"], "exec, httpGet and tcpSocket", f);
    if (probe.exec !== undefined) checkExec(probe.exec, `${pp}.exec`, ctx.backend, f);
    if (probe.httpGet !== undefined) checkHttpGet(probe.httpGet, `${pp}.httpGet`, portNames, ctx, f);
    if (probe.tcpSocket !== undefined) {
        if (!checkObjectFields(probe.tcpSocket, `${pp}.tcpSocket`, "tcpSocket", ctx.backend, f)) {
            f.add(`${pp}.tcpSocket`, `must be an object { port }, got ${describe(probe.tcpSocket)}`);
        } else {
            checkPort(probe.tcpSocket.port, `${pp}.tcpSocket.port`, portNames, ctx.backend, f);
        }
    }
    checkTimings(probe, pp, field, ctx.target, f);
}

/** Exactly one handler: `fields` are those that count (set or not), `supported` the ones a missing handler's message offers. */
function checkOneHandler(o: Obj, path: string, what: "probe" | "hook", fields: string[], supported: string, f: Findings): void {
    const handlers = fields.filter((h) => o[h] !== undefined);
    if (handlers.length === 0) {
        f.add(path, `the ${what} has no handler; set exactly one of ${supported}`);
    } else if (handlers.length > 1) {
        f.add(path, `the ${what} has ${handlers.length} handlers (${handlers.join(", ")}); keep exactly one`);
    }
}

function checkLifecycle(lifecycle: unknown, path: string, portNames: Set<string>, ctx: ProbeContext, f: Findings): void {
    if (!checkObjectFields(lifecycle, path, "lifecycle", ctx.backend, f)) {
        f.add(path, `must be an object { postStart?, preStop? }, each with one handler: exec, httpGet or sleep, got ${describe(lifecycle)}`);
        return;
    }
    for (const hook of HOOKS) {
        // (A null hook is "not set": withoutUnsetStrings removed it before validation.)
        if (lifecycle[hook] === undefined) continue;
        const hp = `${path}.${hook}`;
        checkHandler(lifecycle[hook], hp, portNames, ctx, f);
        if (ctx.target === "docker-plain") {
            f.add(hp, `lifecycle hooks need the supervisor on docker (Docker runs no hooks): ${SUPERVISE_FIX}, or remove the ${hook} hook`, "docker-lifecycle");
        }
    }
}

function checkHandler(handler: unknown, hp: string, portNames: Set<string>, ctx: ProbeContext, f: Findings): void {
    if (!isObj(handler)) {
        f.add(hp, `must be an object with one handler: exec, httpGet or sleep, got ${describe(handler)}`);
        return;
    }
    // tcpSocket is a LifecycleHandler field the API server keeps for compatibility only: its own rule.
    const { tcpSocket, ...rest } = handler;
    checkFields(rest, hp, "lifecycleHandler", ctx.backend, f);
    checkOneHandler(handler, hp, "hook", ["exec", "httpGet", "tcpSocket", "sleep"], "exec, httpGet and sleep", f);
    if (handler.exec !== undefined) checkExec(handler.exec, `${hp}.exec`, ctx.backend, f);
    if (handler.httpGet !== undefined) checkHttpGet(handler.httpGet, `${hp}.httpGet`, portNames, ctx, f);
    if (handler.sleep !== undefined) checkSleep(handler.sleep, `${hp}.sleep`, ctx, f);
    if (tcpSocket !== undefined) {
        f.add(`${hp}.tcpSocket`, "tcpSocket is not a lifecycle hook handler: the API server keeps the field for compatibility only and kubelet fails such a hook every time; use exec, httpGet or sleep", "lifecycle-tcp-socket");
    }
}

function checkSleep(sleep: unknown, path: string, ctx: ProbeContext, f: Findings): void {
    if (!checkObjectFields(sleep, path, "sleep", ctx.backend, f)) {
        f.add(path, `must be an object { seconds }, got ${describe(sleep)}`);
        return;
    }
    // seconds is 0 when left out, as the API server decodes it.
    const seconds = sleep.seconds ?? 0;
    const grace = ctx.gracePeriod;
    if (!isInt(seconds, Number.MIN_SAFE_INTEGER)) {
        f.add(`${path}.seconds`, `must be a whole number of seconds, got ${describe(seconds)}`);
    } else if (grace === undefined && seconds < 0) {
        // (The pod's grace period is invalid, reported by itself; a negative sleep is wrong whatever it is.)
        f.add(`${path}.seconds`,
            `${describe(seconds)} must not be negative (from 0 to the pod's terminationGracePeriodSeconds)`);
    } else if (grace !== undefined && (seconds < 0 || seconds > grace)) {
        f.add(`${path}.seconds`, `${describe(seconds)} must be from 0 to the pod's terminationGracePeriodSeconds (${grace}${grace === 30 ? ", the default" : ""}); lower it or raise spec.terminationGracePeriodSeconds`);
    }
}

function checkExec(exec: unknown, path: string, backend: Backend | undefined, f: Findings): void {
    if (!checkObjectFields(exec, path, "exec", backend, f)) {
        f.add(path, `must be an object { command: [...] }, got ${describe(exec)}`);
    } else if (!Array.isArray(exec.command) || exec.command.length === 0) {
        f.add(`${path}.command`, `must be a non-empty list of strings, e.g. ["cat", "/tmp/ready"], got ${describe(exec.command)}`);
    } else if (!isStringList(exec.command)) {
        f.add(`${path}.command`, `must be a list of strings: ${firstNonString(exec.command)}`);
    }
}

function checkHttpGet(h: unknown, path: string, portNames: Set<string>, ctx: ProbeContext, f: Findings): void {
    if (!checkObjectFields(h, path, "httpGet", ctx.backend, f)) {
        f.add(path, `must be an object { path?, port, scheme? }, got ${describe(h)}`);
        return;
    }
    checkPort(h.port, `${path}.port`, portNames, ctx.backend, f);
    if (h.path !== undefined && typeof h.path !== "string") {
        f.add(`${path}.path`, `must be a string such as "/healthz", got ${describe(h.path)}`);
    }
    if (h.scheme !== undefined && h.scheme !== "HTTP" && h.scheme !== "HTTPS") {
        f.add(`${path}.scheme`, `${describe(h.scheme)} is not a scheme; use "HTTP" or "HTTPS"`);
    } else if (h.scheme === "HTTPS" && ctx.target === "docker-supervised") {
        f.add(`${path}.scheme`, "HTTPS is not supported on docker with the supervisor (it sends the request from the pause container's helper, which has no TLS); use \"HTTP\", or an exec handler that runs an HTTPS client in the container", "docker-https");
    }
}

/** An int-or-string port: a number from 1 to 65535 or a port name (which Docker must resolve to a declared port). */
function checkPort(port: unknown, path: string, portNames: Set<string>, backend: Backend | undefined, f: Findings): void {
    if (typeof port === "string") {
        if (!isPortName(port)) {
            f.add(path, `${describe(port)} is neither a port number nor a port name (${PORT_NAME_HINT}); write a number without quotes, e.g. 8080, or a declared port's name`);
        } else if (backend === "docker" && !portNames.has(port)) {
            f.add(path, `port name "${port}" is not declared in this container's ports; docker needs the number: declare { name: "${port}", containerPort: ... } or write the number`, "docker-probe-port-name");
        }
    } else if (!isInt(port, 1, 65535)) {
        f.add(path, `${describe(port)} is not a port; use a whole number from 1 to 65535 or a declared port's name`);
    }
}

function checkTimings(probe: Obj, pp: string, field: string, target: ValidationTarget | undefined, f: Findings): void {
    for (const t of TIMINGS) {
        const v = probe[t];
        if (v !== undefined && !isInt(v, 0, 2147483647)) {
            f.add(`${pp}.${t}`, `must be a whole number >= 0 (0 means Kubernetes' default), got ${describe(v)}`);
        }
    }
    const success = probe.successThreshold;
    if (!isInt(success, 2)) return;
    if (field === "livenessProbe" || field === "startupProbe") {
        f.add(`${pp}.successThreshold`, `must be 1 for a ${field === "livenessProbe" ? "liveness" : "startup"} probe (as in Kubernetes), got ${describe(success)}; remove it`);
    } else if (target === "docker-plain") {
        f.add(`${pp}.successThreshold`, `${describe(success)}: docker's healthcheck has no success threshold, so only 1 is supported on docker without the supervisor; remove it, or ${SUPERVISE_FIX}`, "docker-success-threshold");
    }
}
