/**
 * A Kubernetes probe approximated as a Docker healthcheck (Docker has one healthcheck per
 * container and runs it inside the container; see docs/spec-support.md).
 */
import * as docker from "@pulumi/docker";
import { ContainerPort, IntOrString, LifecycleHandler, Probe } from "./spec";

/** Kubernetes probe defaults (core/v1 Probe). */
export const PROBE_DEFAULTS = { initialDelaySeconds: 0, periodSeconds: 10, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 };

/**
 * Seconds as Go's `time.Duration.String()` prints them ("10s", "1m0s", "1h0m0s"): the way the
 * Docker provider reads durations back, so that a refresh shows no diff.
 */
export function goDuration(seconds: number): string {
    if (seconds === 0) return "0s";
    const h = Math.floor(seconds / 3600);
    const m = Math.floor((seconds % 3600) / 60);
    const s = seconds % 60;
    if (h > 0) return `${h}h${m}m${s}s`;
    if (m > 0) return `${m}m${s}s`;
    return `${s}s`;
}

/**
 * The healthcheck test for a probe handler, run inside the container:
 * exec -> `CMD <command>`; httpGet -> busybox/GNU `wget` on 127.0.0.1 (the group's shared
 * network namespace); tcpSocket -> `nc -w <timeout>` connecting to 127.0.0.1. httpGet and tcpSocket need `wget`/`nc`
 * in the image (podgroup/toolbox has both).
 */
export function healthcheckTest(probe: Probe, ports: ContainerPort[] = []): string[] {
    if (probe.exec !== undefined) {
        return ["CMD", ...probe.exec.command];
    }
    if (probe.httpGet !== undefined) {
        const scheme = (probe.httpGet.scheme ?? "HTTP").toLowerCase();
        const path = probe.httpGet.path ?? "/";
        // As kubelet's URL: a path without a leading '/' gets one.
        const url = `${scheme}://127.0.0.1:${probePort(probe.httpGet.port, ports)}${path.startsWith("/") ? path : `/${path}`}`;
        // No `-T`: Debian's static busybox 1.35 wget segfaults with it. Docker's healthcheck
        // timeout (the probe's timeoutSeconds) bounds the request instead.
        return ["CMD", "wget", "-q", "-O", "/dev/null", url];
    }
    if (probe.tcpSocket !== undefined) {
        // busybox nc has no -z: with no stdin (as in a healthcheck) it connects, then exits 0.
        return ["CMD", "nc", "-w", String(timing(probe.timeoutSeconds, PROBE_DEFAULTS.timeoutSeconds)), "127.0.0.1", String(probePort(probe.tcpSocket.port, ports))];
    }
    throw new Error("probe has no handler (validation should have rejected it)");
}

/** A probe port as a number: a name is the containerPort of the container's port of that name (validation checked it exists). */
export function probePort(port: IntOrString, ports: ContainerPort[]): number {
    if (typeof port === "number") return port;
    const declared = ports.find((p) => p.name === port);
    if (declared === undefined) throw new Error(`probe port "${port}" is not declared (validation should have rejected it)`);
    return declared.containerPort;
}

/** Kubernetes' probe timings treat 0 as "the default". */
function timing(v: number | undefined, fallback: number): number {
    return v === undefined || v === 0 ? fallback : v;
}

/** A probe as the `healthcheck` input of a docker.Container, with every duration set explicitly. */
export function toDockerHealthcheck(probe: Probe, ports: ContainerPort[] = []): docker.types.input.ContainerHealthcheck {
    return {
        tests: healthcheckTest(probe, ports),
        interval: goDuration(timing(probe.periodSeconds, PROBE_DEFAULTS.periodSeconds)),
        timeout: goDuration(timing(probe.timeoutSeconds, PROBE_DEFAULTS.timeoutSeconds)),
        startPeriod: goDuration(probe.initialDelaySeconds ?? PROBE_DEFAULTS.initialDelaySeconds),
        retries: timing(probe.failureThreshold, PROBE_DEFAULTS.failureThreshold),
    };
}

/** An httpGet action as the supervisor reads it: path (default "/", with a leading "/"), a numeric port, scheme. */
export interface HttpGetLabel { path: string; port: number; scheme: "HTTP" | "HTTPS" }

/** A probe as the supervisor reads it from `podgroup.io/probes`: every Kubernetes default written out. */
export interface ProbeLabel {
    exec?: { command: string[] };
    httpGet?: HttpGetLabel;
    tcpSocket?: { port: number };
    initialDelaySeconds: number;
    periodSeconds: number;
    timeoutSeconds: number;
    successThreshold: number;
    failureThreshold: number;
}

/** A lifecycle hook handler as the supervisor reads it from `podgroup.io/lifecycle`. */
export type HandlerLabel = { exec: { command: string[] } } | { httpGet: HttpGetLabel } | { sleep: { seconds: number } };

function httpGetLabel(h: NonNullable<Probe["httpGet"]>, ports: ContainerPort[]): HttpGetLabel {
    const path = h.path ?? "/";
    return { path: path.startsWith("/") ? path : `/${path}`, port: probePort(h.port, ports), scheme: h.scheme ?? "HTTP" };
}

/** A probe with Kubernetes' defaults filled in (core/v1 SetDefaults_Probe; 0 means the default) and named ports resolved. */
export function probeLabel(probe: Probe, ports: ContainerPort[] = []): ProbeLabel {
    return {
        ...(probe.exec !== undefined ? { exec: { command: [...probe.exec.command] } } : {}),
        ...(probe.httpGet !== undefined ? { httpGet: httpGetLabel(probe.httpGet, ports) } : {}),
        ...(probe.tcpSocket !== undefined ? { tcpSocket: { port: probePort(probe.tcpSocket.port, ports) } } : {}),
        initialDelaySeconds: probe.initialDelaySeconds ?? PROBE_DEFAULTS.initialDelaySeconds,
        periodSeconds: timing(probe.periodSeconds, PROBE_DEFAULTS.periodSeconds),
        timeoutSeconds: timing(probe.timeoutSeconds, PROBE_DEFAULTS.timeoutSeconds),
        successThreshold: timing(probe.successThreshold, PROBE_DEFAULTS.successThreshold),
        failureThreshold: timing(probe.failureThreshold, PROBE_DEFAULTS.failureThreshold),
    };
}

/** A lifecycle handler with defaults filled in and named ports resolved. */
export function handlerLabel(handler: LifecycleHandler, ports: ContainerPort[] = []): HandlerLabel {
    if (handler.exec !== undefined) return { exec: { command: [...handler.exec.command] } };
    if (handler.httpGet !== undefined) return { httpGet: httpGetLabel(handler.httpGet, ports) };
    if (handler.sleep !== undefined) return { sleep: { seconds: handler.sleep.seconds } };
    throw new Error("lifecycle handler has no action (validation should have rejected it)");
}
