/**
 * The API server as oracle: every case of the corpus (test/integration/oracle-corpus.ts) goes
 * through validatePodGroupSpec and, as a Pod, through the local cluster's API server with a
 * server-side dry run (dryRun=All, fieldValidation=Strict: nothing is created). The two MUST
 * agree on every case, except where PodGroup refuses what the API server accepts by a rule of
 * components/stricter.ts listed for that target (kubernetes, docker with the supervisor, plain
 * docker). PodGroup MUST never accept what the API server refuses. Writes reports/oracle.json
 * (every case, every verdict, the server's message).
 */
import * as k8s from "@kubernetes/client-node";
import * as fs from "fs";
import * as https from "https";
import * as path from "path";
import { ValidationProblem } from "../../components";
import { ruleAppliesOn, ValidationTarget, VALIDATION_TARGETS } from "../../components/stricter";
import { collectFindings, collectProblems, ValidationContext } from "../../components/validate";
import { podGroupSpecFromManifest } from "../../components/manifest";
import { kubernetesPodSpec } from "../../components/render-kubernetes";
import { resolveSpec } from "../../components/resolve";
import { parse } from "yaml";
import { SIDECAR_POD_MANIFEST } from "../unit/lifecycle-fixtures";
import { LOCAL_CLUSTER_KUBECONFIG } from "../../harness/targets";
import { OracleCase, oracleCases } from "./oracle-corpus";

const KUBECONFIG = process.env.KUBECONFIG ?? LOCAL_CLUSTER_KUBECONFIG;
const NAMESPACE = "default";
const REPORT = path.resolve(__dirname, "../../reports/oracle.json");

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** PodGroup's own fields as the Kubernetes fields they stand for; everything else exactly as written. */
function asKubernetesContainer(c: unknown): unknown {
    if (!isObj(c)) return c;
    const { user, env, ...rest } = c;
    const out: Obj = { ...rest };
    if (user !== undefined) {
        const [uid, gid] = typeof user === "string" ? user.split(":") : [user];
        const num = (s: unknown) => (typeof s === "string" && /^[0-9]+$/.test(s) ? Number(s) : s);
        out.securityContext = { runAsUser: num(uid), ...(gid !== undefined ? { runAsGroup: num(gid) } : {}) };
    }
    if (env !== undefined) {
        out.env = Array.isArray(env) ? env.map((e) => {
            if (!isObj(e) || e.secretValue === undefined) return e;
            const { secretValue, ...plain } = e;
            return typeof secretValue === "string"
                ? { ...plain, valueFrom: { secretKeyRef: { name: "oracle-env", key: "key" } } }  // the key PodGroup picks is its own (rule secret-env-key)
                : { ...plain, value: secretValue };
        }) : env;
    }
    return out;
}

/** The case as the Pod PodGroup's Kubernetes renderer would write (labels to metadata). */
function oraclePod(c: OracleCase): Obj {
    const spec = isObj(c.spec) ? c.spec : {};
    const { labels, ...podSpec } = spec;
    const mapList = (v: unknown) => (Array.isArray(v) ? v.map(asKubernetesContainer) : v);
    return {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: c.groupName, namespace: NAMESPACE, ...(labels !== undefined ? { labels } : {}) },
        spec: isObj(c.spec)
            ? { ...podSpec, ...(podSpec.containers !== undefined ? { containers: mapList(podSpec.containers) } : {}), ...(podSpec.initContainers !== undefined ? { initContainers: mapList(podSpec.initContainers) } : {}) }
            : c.spec,
    };
}

/** The texts of a response's Warning headers (`299 - "text"`, one header each; the text may hold commas). */
function warningsOf(rawHeaders: string[]): string[] {
    const warnings: string[] = [];
    for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
        if (rawHeaders[i].toLowerCase() !== "warning") continue;
        const m = /^\d{3} \S+ "((?:[^"\\]|\\.)*)"/.exec(rawHeaders[i + 1]);
        if (m !== null) warnings.push(m[1].replace(/\\(.)/g, "$1"));
    }
    return warnings;
}

/**
 * One server-side dry-run create: accepted (with the Pod as the server would store it, and its
 * warnings), or the server's message.
 */
async function dryRun(kc: k8s.KubeConfig, pod: Obj): Promise<{
    accepted: boolean; message: string; warnings: string[]; stored?: Obj;
}> {
    const server = new URL(kc.getCurrentCluster()!.server);
    const body = JSON.stringify(pod);
    const opts: https.RequestOptions = {
        method: "POST", hostname: server.hostname, port: server.port,
        path: `/api/v1/namespaces/${NAMESPACE}/pods?dryRun=All&fieldValidation=Strict`,
        headers: { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) },
    };
    await kc.applyToHTTPSOptions(opts);
    return new Promise((resolve, reject) => {
        const req = https.request(opts, (res) => {
            let text = "";
            res.on("data", (d: Buffer) => (text += d.toString()));
            res.on("end", () => {
                const code = res.statusCode ?? 0;
                if (code >= 500) reject(new Error(`API server error ${code}: ${text}`));
                const accepted = code >= 200 && code < 300;
                const message = accepted ? "" : ((JSON.parse(text) as { message?: string }).message ?? text);
                const warnings = warningsOf(res.rawHeaders);
                resolve({ accepted, message, warnings, ...(accepted ? { stored: JSON.parse(text) as Obj } : {}) });
            });
        });
        req.on("error", reject);
        req.end(body);
    });
}

interface Verdict {
    id: string;
    api: { accepted: boolean; message: string; warnings: string[] };
    ours: Record<ValidationTarget, ValidationProblem[]>;
    /** PodGroup's warnings on the kubernetes target, as `path: reason`. */
    ourWarnings: string[];
}

/** The API server's warnings PodGroup gives too, word for word (the others are about fields PodGroup refuses). */
const SHARED_WARNINGS = [/^spec\.(init)?[cC]ontainers\[\d+\]\.env\[\d+\]: hides previous definition of /];

/** The validation context of a case on each target. */
const CONTEXTS: Record<ValidationTarget, (groupName: string) => ValidationContext> = {
    "kubernetes": (groupName) => ({ groupName, backend: "kubernetes" }),
    "docker-supervised": (groupName) => ({ groupName, backend: "docker", supervise: true }),
    "docker-plain": (groupName) => ({ groupName, backend: "docker", supervise: false }),
};

/** Why a verdict is a disagreement not covered by a listed rule, or undefined when it is fine. */
function unlistedDisagreement(v: Verdict, target: ValidationTarget): string | undefined {
    const problems = v.ours[target];
    if (!v.api.accepted && problems.length === 0) {
        return `PodGroup (${target}) accepts what the API server refuses: ${v.api.message}`;
    }
    if (v.api.accepted) {
        const unlisted = problems.filter((p) => !ruleAppliesOn(p.rule, target));
        if (unlisted.length > 0) {
            return `PodGroup (${target}) refuses what the API server accepts, by no listed rule: ${unlisted.map((p) => `${p.propertyPath}: ${p.reason}`).join("; ")}`;
        }
    }
    return undefined;
}

const kc = new k8s.KubeConfig();
const verdicts: Verdict[] = [];

beforeAll(async () => {
    if (!fs.existsSync(KUBECONFIG)) {
        throw new Error(`no kubeconfig at ${KUBECONFIG}: the oracle needs the local cluster ('bash scripts/cluster.sh up', or set KUBECONFIG)`);
    }
    kc.loadFromFile(KUBECONFIG);
    const cases = oracleCases();
    // A few requests at a time: one dry run each, no object is created.
    for (let i = 0; i < cases.length; i += 8) {
        const batch = cases.slice(i, i + 8);
        const apis = await Promise.all(batch.map((c) => dryRun(kc, oraclePod(c))));
        batch.forEach((c, j) => verdicts.push({
            id: c.id,
            api: { accepted: apis[j].accepted, message: apis[j].message, warnings: apis[j].warnings },
            ours: Object.fromEntries(VALIDATION_TARGETS.map((t) => [t, collectProblems(c.spec, CONTEXTS[t](c.groupName))])) as Record<ValidationTarget, ValidationProblem[]>,
            ourWarnings: collectFindings(c.spec, CONTEXTS.kubernetes(c.groupName)).warnings
                .map((w) => `${w.propertyPath}: ${w.reason}`),
        }));
    }
    const summary = (target: ValidationTarget) => {
        const same = verdicts.filter((v) => v.api.accepted === (v.ours[target].length === 0)).length;
        const listed = verdicts.filter((v) => v.api.accepted && v.ours[target].length > 0 && unlistedDisagreement(v, target) === undefined).length;
        return { agree: same, stricterByListedRule: listed, unlisted: verdicts.length - same - listed };
    };
    const targets = Object.fromEntries(VALIDATION_TARGETS.map((t) => [t, summary(t)]));
    const report = { cases: verdicts.length, apiAccepted: verdicts.filter((v) => v.api.accepted).length, ...targets, verdicts };
    fs.mkdirSync(path.dirname(REPORT), { recursive: true });
    fs.writeFileSync(REPORT, JSON.stringify(report, null, 1));
    console.log(`oracle: ${report.cases} cases, API server accepted ${report.apiAccepted}; ${VALIDATION_TARGETS.map((t) => `${t} ${JSON.stringify(targets[t])}`).join("; ")}`);
}, 120_000);

test("the corpus has at least 150 cases, and the API server both accepts and refuses some", () => {
    expect(verdicts.length).toBeGreaterThanOrEqual(150);
    expect(verdicts.some((v) => v.api.accepted)).toBe(true);
    expect(verdicts.some((v) => !v.api.accepted)).toBe(true);
});

test.each(VALIDATION_TARGETS)("PodGroup on %s agrees with the API server on every case but the listed stricter rules", (target) => {
    const disagreements = verdicts.map((v) => [v.id, unlistedDisagreement(v, target)]).filter(([, d]) => d !== undefined);
    expect(disagreements).toEqual([]);
});

test("PodGroup warns as the API server does: the same warnings, word for word, on each case it accepts", () => {
    // (The server warns only about a Pod it accepts.)
    const accepted = verdicts.filter((v) => v.api.accepted);
    const differ = accepted
        .map((v) => [v.id, v.api.warnings.filter((w) => SHARED_WARNINGS.some((re) => re.test(w))), v.ourWarnings])
        .filter(([, api, ours]) => JSON.stringify(api) !== JSON.stringify(ours));
    expect(differ).toEqual([]);
    // A check that compares something: the corpus holds cases the server warns about.
    expect(accepted.filter((v) => v.ourWarnings.length > 0).length).toBeGreaterThanOrEqual(3);
});

/** The containers of a stored Pod without what admission adds (the service account token's volume mount, whose name is random). */
function storedContainers(pod: Obj | undefined): unknown {
    const spec = isObj(pod) && isObj(pod.spec) ? pod.spec : {};
    const strip = (list: unknown) => (Array.isArray(list) ? list.map((c: Obj) => {
        const mounts = (Array.isArray(c.volumeMounts) ? c.volumeMounts : []).filter((m: Obj) => !String(m.name).startsWith("kube-api-access-"));
        const { volumeMounts: _mounts, ...rest } = c;
        return mounts.length > 0 ? { ...rest, volumeMounts: mounts } : rest;
    }) : list);
    return { initContainers: strip(spec.initContainers), containers: strip(spec.containers), restartPolicy: spec.restartPolicy, terminationGracePeriodSeconds: spec.terminationGracePeriodSeconds };
}

test("a Pod with a native sidecar, hooks, startup probes and a termination message: the Pod PodGroup renders from it is the Pod the API server stores for it", async () => {
    const original = parse(SIDECAR_POD_MANIFEST) as Obj;
    const group = podGroupSpecFromManifest(SIDECAR_POD_MANIFEST);
    for (const target of ["kubernetes", "docker-supervised"] as const) {
        expect([target, collectProblems(group.spec, CONTEXTS[target](group.groupName))]).toEqual([target, []]);
    }
    const rendered = { apiVersion: "v1", kind: "Pod", metadata: { name: group.groupName, namespace: NAMESPACE }, spec: kubernetesPodSpec(resolveSpec(group.groupName, group.spec)) };
    const [fromManifest, fromPodGroup] = await Promise.all([dryRun(kc, original), dryRun(kc, JSON.parse(JSON.stringify(rendered)) as Obj)]);
    expect([fromManifest.message, fromPodGroup.message]).toEqual(["", ""]);
    expect(storedContainers(fromPodGroup.stored)).toEqual(storedContainers(fromManifest.stored));
    // The fields of this work are there, as written (a check that the comparison compares something).
    const stored = storedContainers(fromPodGroup.stored) as { initContainers: Obj[]; containers: Obj[] };
    expect(stored.initContainers[1]).toMatchObject({ name: "proxy", restartPolicy: "Always", lifecycle: { preStop: { sleep: { seconds: 2 } } }, startupProbe: { tcpSocket: { port: 9000 } } });
    expect(stored.containers[0]).toMatchObject({
        lifecycle: { postStart: { exec: { command: ["sh", "-c", "echo started > /work/started"] } }, preStop: { httpGet: { path: "/shutdown", port: 8080, scheme: "HTTP" } } },
        startupProbe: { httpGet: { port: "http" } }, terminationMessagePath: "/work/termination-log", terminationMessagePolicy: "FallbackToLogsOnError",
    });
});
