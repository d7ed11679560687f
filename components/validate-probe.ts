/**
 * Validation of readiness and liveness probes, as the API server does it (core/v1 Probe), plus
 * what Docker's one healthcheck per container cannot express.
 */
import { checkFields, checkObjectFields } from "./fields";
import { Backend } from "./spec";
import { describe, Findings, firstNonString, isInt, isObj, isPortName, isStringList, Obj, PORT_NAME_HINT } from "./validate-support";

const PROBE_FIELDS = ["readinessProbe", "livenessProbe"] as const;
const TIMINGS = ["initialDelaySeconds", "periodSeconds", "timeoutSeconds", "failureThreshold", "successThreshold"] as const;

/** Checks the probes of container `c`; `regularInit` for init containers that are not native sidecars. */
export function checkProbes(c: Obj, path: string, regularInit: boolean, backend: Backend | undefined, f: Findings): void {
    const present = PROBE_FIELDS.filter((p) => c[p] !== undefined);
    for (const field of present) {
        const pp = `${path}.${field}`;
        if (regularInit) {
            f.add(pp, `init containers cannot have a ${field} (they run to completion); remove it`);
            continue;
        }
        checkProbe(c[field], pp, field, declaredPortNames(c.ports), backend, f);
    }
    if (present.length === 2 && backend === "docker" && !regularInit) {
        f.add(`${path}.livenessProbe`, "docker has one healthcheck per container: a container with both a readinessProbe and a livenessProbe is not supported on docker; keep one", "docker-two-probes");
    }
}

function declaredPortNames(ports: unknown): Set<string> {
    const names = new Set<string>();
    if (Array.isArray(ports)) {
        for (const p of ports) if (isObj(p) && typeof p.name === "string") names.add(p.name);
    }
    return names;
}

function checkProbe(probe: unknown, pp: string, field: string, portNames: Set<string>, backend: Backend | undefined, f: Findings): void {
    if (!isObj(probe)) {
        f.add(pp, `must be an object with one handler: exec, httpGet or tcpSocket, got ${describe(probe)}`);
        return;
    }
    checkFields(probe, pp, "probe", backend, f);
    const handlers = ["exec", "httpGet", "tcpSocket", "grpc"].filter((h) => probe[h] !== undefined);
    if (handlers.length === 0) {
        f.add(pp, "the probe has no handler; set exactly one of exec, httpGet and tcpSocket");
    } else if (handlers.length > 1) {
        f.add(pp, `the probe has ${handlers.length} handlers (${handlers.join(", ")}); keep exactly one`);
    }
    if (probe.exec !== undefined) checkExec(probe.exec, `${pp}.exec`, backend, f);
    if (probe.httpGet !== undefined) checkHttpGet(probe.httpGet, `${pp}.httpGet`, portNames, backend, f);
    if (probe.tcpSocket !== undefined) {
        if (!checkObjectFields(probe.tcpSocket, `${pp}.tcpSocket`, "tcpSocket", backend, f)) {
            f.add(`${pp}.tcpSocket`, `must be an object { port }, got ${describe(probe.tcpSocket)}`);
        } else {
            checkProbePort(probe.tcpSocket.port, `${pp}.tcpSocket.port`, portNames, backend, f);
        }
    }
    checkTimings(probe, pp, field, backend, f);
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

function checkHttpGet(h: unknown, path: string, portNames: Set<string>, backend: Backend | undefined, f: Findings): void {
    if (!checkObjectFields(h, path, "httpGet", backend, f)) {
        f.add(path, `must be an object { path?, port, scheme? }, got ${describe(h)}`);
        return;
    }
    checkProbePort(h.port, `${path}.port`, portNames, backend, f);
    if (h.path !== undefined && typeof h.path !== "string") {
        f.add(`${path}.path`, `must be a string such as "/healthz", got ${describe(h.path)}`);
    }
    if (h.scheme !== undefined && h.scheme !== "HTTP" && h.scheme !== "HTTPS") {
        f.add(`${path}.scheme`, `${describe(h.scheme)} is not a scheme; use "HTTP" or "HTTPS"`);
    }
}

/** An int-or-string probe port: a number from 1 to 65535 or a port name (which Docker must resolve to a declared port). */
function checkProbePort(port: unknown, path: string, portNames: Set<string>, backend: Backend | undefined, f: Findings): void {
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

function checkTimings(probe: Obj, pp: string, field: string, backend: Backend | undefined, f: Findings): void {
    for (const t of TIMINGS) {
        const v = probe[t];
        if (v !== undefined && !isInt(v, 0, 2147483647)) {
            f.add(`${pp}.${t}`, `must be a whole number >= 0 (0 means Kubernetes' default), got ${describe(v)}`);
        }
    }
    const success = probe.successThreshold;
    if (!isInt(success, 2)) return;
    if (field === "livenessProbe") {
        f.add(`${pp}.successThreshold`, `must be 1 for a liveness probe (as in Kubernetes), got ${describe(success)}; remove it`);
    } else if (backend === "docker") {
        f.add(`${pp}.successThreshold`, `${describe(success)}: docker's healthcheck has no success threshold, so only 1 is supported on docker; remove it`, "docker-success-threshold");
    }
}
