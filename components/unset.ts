/**
 * Kubernetes' zero values: in an optional string field an empty string means "not set", and the
 * API server defaults it (`restartPolicy: ""` is Always, `protocol: ""` is TCP); null (YAML's
 * `startupProbe:` with nothing after it) is "not set" for the probe, hook and termination message
 * fields. PodGroup reads a spec the same way: validation and the renderers see these fields absent.
 */
type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** The fields, per object, whose "" means unset. */
export const EMPTY_MEANS_UNSET = {
    pod: ["restartPolicy", "hostname", "serviceAccountName", "priorityClassName", "schedulerName"],
    container: ["imagePullPolicy", "restartPolicy", "workingDir", "terminationMessagePath", "terminationMessagePolicy"],
    port: ["protocol", "name"],
    httpGet: ["scheme", "path"],
} as const;

/** The container fields whose null means unset (JSON null decodes to Go's zero value: no probe, no hooks, the default). */
export const NULL_MEANS_UNSET = {
    container: ["startupProbe", "livenessProbe", "readinessProbe", "lifecycle", "terminationMessagePath", "terminationMessagePolicy"],
    lifecycle: ["postStart", "preStop"],
} as const;

function without(o: unknown, fields: readonly string[], nulls: readonly string[] = []): unknown {
    if (!isObj(o)) return o;
    const out: Obj = { ...o };
    for (const f of fields) if (out[f] === "") delete out[f];
    for (const f of nulls) if (out[f] === null) delete out[f];
    return out;
}

function mapList(v: unknown, f: (x: unknown) => unknown): unknown {
    return Array.isArray(v) ? v.map(f) : v;
}

/** A probe or lifecycle handler with its httpGet's unset strings removed. */
function withHttpGetUnset(handler: unknown): unknown {
    return isObj(handler) && handler.httpGet !== undefined ? { ...handler, httpGet: without(handler.httpGet, EMPTY_MEANS_UNSET.httpGet) } : handler;
}

function container(c: unknown): unknown {
    const out = without(c, EMPTY_MEANS_UNSET.container, NULL_MEANS_UNSET.container);
    if (!isObj(out)) return out;
    if (out.ports !== undefined) out.ports = mapList(out.ports, (p) => without(p, EMPTY_MEANS_UNSET.port));
    for (const probe of ["readinessProbe", "livenessProbe", "startupProbe"]) {
        if (out[probe] !== undefined) out[probe] = withHttpGetUnset(out[probe]);
    }
    if (isObj(out.lifecycle)) {
        const lifecycle = without(out.lifecycle, [], NULL_MEANS_UNSET.lifecycle) as Obj;
        for (const hook of ["postStart", "preStop"]) {
            if (lifecycle[hook] !== undefined) lifecycle[hook] = withHttpGetUnset(lifecycle[hook]);
        }
        out.lifecycle = lifecycle;
    }
    return out;
}

/** A copy of `spec` with the empty strings that mean "not set" removed; anything else as it is. */
export function withoutUnsetStrings(spec: unknown): unknown {
    const out = without(spec, EMPTY_MEANS_UNSET.pod);
    if (!isObj(out)) return out;
    if (out.containers !== undefined) out.containers = mapList(out.containers, container);
    if (out.initContainers !== undefined) out.initContainers = mapList(out.initContainers, container);
    return out;
}
