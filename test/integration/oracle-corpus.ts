/**
 * The oracle's corpus: specs generated field by field (each field PodGroup supports with valid,
 * boundary and invalid values, on a minimal valid group) plus whole specs written by hand (the
 * sample, the unit-test fixtures, the harness fixtures, the example manifests). Each runs through
 * validatePodGroupSpec and, as a Pod, through the API server's server-side dry run.
 */
import * as fs from "fs";
import * as path from "path";
import { LABEL_GROUP, podGroupSpecFromManifest, sampleGroupSpec } from "../../components";
import { isolatedPodFixture } from "../../harness/fixtures/isolated-pod";
import { restartPolicyFixture } from "../../harness/fixtures/restart-policy-pod";
import { sharedPodFixture } from "../../harness/fixtures/shared-pod";
import { fullSpec } from "../unit/fixtures";

/** One case: a spec (any value: it may be invalid) and the group's name. */
export interface OracleCase {
    id: string;
    groupName: string;
    spec: unknown;
}

const IMAGE = "podgroup/toolbox:1.0.0";
type Obj = Record<string, unknown>;

const app = (patch: Obj = {}): Obj => ({ name: "app", image: IMAGE, ...patch });
const group = (patch: Obj = {}, c: Obj = app()): Obj => ({ containers: [c], ...patch });

/** Field -> values, each a case on the minimal group with that container field set. */
const CONTAINER_VALUES: Record<string, unknown[]> = {
    name: ["a", "web-1", "a".repeat(63), "a".repeat(64), "Web", "web_1", "-web", "web-", "pause", "", 7],
    image: ["nginx", "nginx:1.27", "nginx:latest", "localhost:5000/team/app:1.0", `app@sha256:${"a".repeat(64)}`, "", " nginx", "nginx ", 1],
    imagePullPolicy: ["Always", "IfNotPresent", "Never", "always", "Sometimes", 1],
    command: [["sh", "-c", "true"], [], ["sleep", 3600], "sleep 1", [true]],
    args: [["a", "b"], [], [1], "x"],
    workingDir: ["/work", "work", "", 5],
    user: ["1000", "1000:1000", "0", "2147483647", "2147483648", "nobody", "1000:x", 1000],
    securityContext: [{ runAsUser: 1000 }, { runAsUser: 0, runAsGroup: 0 }, { runAsUser: 2147483647 }, { runAsUser: 2147483648 }, { runAsUser: -1 }, { runAsUser: "1000" }, { runAsGroup: 1.5 }, { privileged: true }, "root"],
    restartPolicy: ["Always", "Never"],
    env: [
        [{ name: "A", value: "1" }], [{ name: "spring.profiles.active", value: "prod" }], [{ name: "1A", value: "x" }],
        [{ name: "MY-VAR", value: "x" }], [{ name: "A B", value: "x" }], [{ name: "A=B", value: "x" }], [{ name: "", value: "x" }],
        [{ name: "A" }], [{ name: "A", value: 1 }], [{ name: "A", value: true }], [{ name: "A", value: "1" }, { name: "A", value: "2" }],
        [{ name: "S", secretValue: "s" }], [{ name: "S", secretValue: 5 }], [{ name: "S", value: "v", secretValue: "s" }],
        [{ name: "A", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } }], [{ name: "A", vaue: "x" }], { A: "1" },
        // Names left out or not strings; variables defined again (the API server warns unless the later value
        // refers to the earlier one); a value of the wrong type next to a secretValue.
        [{ value: "x" }], [{ name: 7, value: "x" }], [{ name: "A", value: "1" }, { name: "A", value: "$(A):2" }],
        [{ name: "A", value: "1" }, { name: "A", value: "$(A)" }], [{ name: "A", value: "1" }, { name: "A" }],
        [{ name: "A", value: "1" }, { name: "A", secretValue: "s" }], [{ name: "S", value: 1, secretValue: "s" }],
    ],
    ports: [
        [{ containerPort: 80 }], [{ containerPort: 1 }], [{ containerPort: 65535 }], [{ containerPort: 0 }], [{ containerPort: 65536 }],
        [{ containerPort: "80" }], [{ containerPort: 80.5 }], [{ containerPort: 80, protocol: "UDP" }], [{ containerPort: 80, protocol: "SCTP" }],
        [{ containerPort: 80, protocol: "tcp" }], [{ containerPort: 80, hostPort: 8080 }], [{ containerPort: 80, hostPort: 0 }],
        [{ containerPort: 80, hostPort: 70000 }], [{ containerPort: 80, hostPort: "8080" }],
        [{ containerPort: 80, hostPort: 8080 }, { containerPort: 81, hostPort: 8080 }],
        [{ containerPort: 80, name: "http" }], [{ containerPort: 80, name: "8080" }], [{ containerPort: 80, name: "a-very-long-name-16" }],
        [{ containerPort: 80, name: "Http" }], [{ containerPort: 80, name: "a--b" }], [{ containerPort: 80, name: "http" }, { containerPort: 81, name: "http" }],
        [{ containerPort: 80 }, { containerPort: 80 }], [{ containerPort: 80, hostIP: "127.0.0.1" }], [{ containerPort: 80, protocl: "TCP" }],
        [{ containerPort: 80, name: 8080 }], [{ containerPort: 80, hostPort: 0 }, { containerPort: 81, hostPort: 0 }],
    ],
    resources: [
        { limits: { cpu: "500m" } }, { limits: { cpu: "1" } }, { limits: { cpu: 1 } }, { limits: { cpu: 0.5 } }, { limits: { cpu: "0" } },
        { limits: { cpu: "-1" } }, { limits: { cpu: "half" } }, { limits: { cpu: "5m" } }, { limits: { cpu: "50m" } }, { limits: { cpu: "1e3m" } },
        { limits: { memory: "64Mi" } }, { limits: { memory: 67108864 } }, { limits: { memory: "1G" } }, { limits: { memory: "64MB" } },
        { limits: { memory: "64mi" } }, { limits: { memory: "-1Mi" } }, { limits: { memory: "4Mi" } }, { limits: { memory: "100m" } },
        { limits: { memory: true } }, { limit: { cpu: "1" } }, { requests: { cpu: "1" } }, { limits: { "ephemeral-storage": "1Gi" } }, { limits: "1" },
    ],
    readinessProbe: [
        { exec: { command: ["true"] } }, { exec: { command: [] } }, { exec: { command: ["test", 1] } }, { exec: { command: "true" } },
        { httpGet: { port: 8080 } }, { httpGet: { port: 8080, path: "/healthz", scheme: "HTTPS" } }, { httpGet: { port: 8080, path: "healthz" } },
        { httpGet: { port: 8080, scheme: "http" } }, { httpGet: { port: "http" } }, { httpGet: { port: "8080" } }, { httpGet: { port: 0 } },
        { httpGet: { port: 65536 } }, { httpGet: { path: "/" } }, { tcpSocket: { port: 8080 } }, { tcpSocket: { port: "metrics" } },
        { tcpSocket: { port: "Metrics" } }, { exec: { command: ["true"] }, tcpSocket: { port: 80 } }, { periodSeconds: 5 },
        { exec: { command: ["true"] }, periodSeconds: 0 }, { exec: { command: ["true"] }, periodSeconds: -1 },
        { exec: { command: ["true"] }, initialDelaySeconds: -1 }, { exec: { command: ["true"] }, timeoutSeconds: 1.5 },
        { exec: { command: ["true"] }, failureThreshold: "3" }, { exec: { command: ["true"] }, successThreshold: 2 },
        { grpc: { port: 9090 } }, { exec: { command: ["true"] }, terminationGracePeriodSeconds: 5 }, "cat /tmp/ready", null,
    ],
    livenessProbe: [
        { exec: { command: ["true"] } }, { tcpSocket: { port: 80 } }, { exec: { command: ["true"] }, successThreshold: 1 },
        { exec: { command: ["true"] }, successThreshold: 2 }, { exec: { command: ["true"] }, successThreshold: 0 }, null,
    ],
    volumeMounts: [
        [{ name: "data", mountPath: "/data" }], [{ name: "data", mountPath: "data" }], [{ name: "data", mountPath: "" }],
        [{ name: "nope", mountPath: "/data" }], [{ name: "data", mountPath: "/data", readOnly: true }],
        [{ name: "data", mountPath: "/data", readOnly: "true" }], [{ name: "data", mountPath: "/a" }, { name: "data", mountPath: "/a" }],
        [{ name: "data", mountPath: "/a" }, { name: "data", mountPath: "/b" }], [{ name: "data", mountPath: "/data", subPath: "x" }],
        [{ mountPath: "/data" }], [{ name: "", mountPath: "/data" }], [{ name: 5, mountPath: "/data" }],
    ],
    startupProbe: [
        { exec: { command: ["true"] } }, { httpGet: { port: 8080 } }, { httpGet: { port: 8080, scheme: "HTTPS" } }, { tcpSocket: { port: 8080 } },
        { tcpSocket: { port: "metrics" } }, { exec: { command: ["true"] }, successThreshold: 1 }, { exec: { command: ["true"] }, successThreshold: 0 },
        { exec: { command: ["true"] }, successThreshold: 2 }, { exec: { command: ["true"] }, failureThreshold: 30, periodSeconds: 1 },
        { exec: { command: ["true"] }, initialDelaySeconds: -1 }, { periodSeconds: 5 }, { exec: { command: [] } },
        { exec: { command: ["true"] }, httpGet: { port: 80 } }, { grpc: { port: 9090 } }, { httpGet: { port: 8080, host: "example.com" } },
        { httpGet: { port: 8080, httpHeaders: [{ name: "X", value: "y" }] } }, "true", null,
    ],
    lifecycle: [
        { postStart: { exec: { command: ["sh", "-c", "echo started"] } } }, { preStop: { exec: { command: ["true"] } } },
        { postStart: { httpGet: { port: 8080, path: "/started" } } }, { preStop: { httpGet: { port: 8080, scheme: "HTTPS" } } },
        { preStop: { httpGet: { port: "web" } } }, { preStop: { httpGet: { port: "Web" } } }, { preStop: { httpGet: { port: 0 } } },
        { preStop: { httpGet: { path: "/" } } }, { preStop: { httpGet: { port: 80, scheme: "ftp" } } }, { preStop: { httpGet: { port: 80, host: "x" } } },
        { preStop: { sleep: { seconds: 5 } } }, { preStop: { sleep: { seconds: 0 } } }, { preStop: { sleep: {} } }, { preStop: { sleep: { seconds: 30 } } },
        { preStop: { sleep: { seconds: 31 } } }, { preStop: { sleep: { seconds: -1 } } }, { preStop: { sleep: { seconds: 1.5 } } },
        { preStop: { sleep: { seconds: "5" } } }, { postStart: { sleep: { seconds: 1 } } }, { postStart: { sleep: { seconds: 31 } } },
        { preStop: { tcpSocket: { port: 80 } } }, { postStart: { tcpSocket: { port: 80 } } }, { preStop: { grpc: { port: 80 } } },
        { postStart: {} }, { postStart: { exec: { command: ["true"] }, sleep: { seconds: 1 } } }, { postStart: { exec: { command: [] } } },
        { postStart: { exec: {} } }, { postStart: { exec: { command: ["true", 1] } } }, {}, { postStart: null }, { stopSignal: "SIGUSR1" },
        { postStrat: { exec: { command: ["true"] } } }, { postStart: { exec: { command: ["true"] } }, preStop: { sleep: { seconds: 2 } } },
        "preStop", { postStart: "true" }, null, { preStop: { sleep: { seconds: null } } }, { preStop: null, postStart: { sleep: { seconds: 3 } } },
    ],
    terminationMessagePath: ["/dev/termination-log", "/tmp/termination", "termination", "", "/tmp/../x", 5, null],
    terminationMessagePolicy: ["File", "FallbackToLogsOnError", "", "file", "Logs", 1, null],
    envFrom: [[{ configMapRef: { name: "cm" } }]],
    tty: [true],
    contaner: ["x"],
};

/** Field -> values on the group itself. */
const GROUP_VALUES: Record<string, unknown[]> = {
    restartPolicy: ["Always", "OnFailure", "Never", "always", "", 1],
    shareProcessNamespace: [true, false, "true", 1],
    hostname: ["web", "a".repeat(63), "a".repeat(64), "My_Host", "web.local", "", 5],
    terminationGracePeriodSeconds: [0, 30, -1, 1.5, "30"],
    labels: [
        { app: "web" }, { "example.com/app": "web" }, { app: "" }, { app: "a".repeat(63) }, { app: "a".repeat(64) }, { app: "-web" },
        { app: 1 }, { "Example.com/app": "x" }, { [`${"a".repeat(250)}.com/x`]: "v" }, { [`${"a".repeat(63)}`]: "v" }, { [`${"a".repeat(64)}`]: "v" },
        { [LABEL_GROUP]: "x" }, { "a/b/c": "x" }, "app=web",
    ],
    volumes: [
        [{ name: "data", emptyDir: {} }], [{ name: "data", emptyDir: { medium: "Memory" } }], [{ name: "data", emptyDir: { medium: "Memory", sizeLimit: "16Mi" } }],
        [{ name: "data", emptyDir: { sizeLimit: "1Gi" } }], [{ name: "data", emptyDir: { medium: "memory" } }], [{ name: "data", emptyDir: { medium: "HugePages" } }],
        [{ name: "data", emptyDir: { sizeLimit: "abc" } }], [{ name: "data", emptyDir: { sizeLimit: 1024, medium: "Memory" } }], [{ name: "data" }],
        [{ name: "Data", emptyDir: {} }], [{ name: "data", emptyDir: {} }, { name: "data", emptyDir: {} }], [{ name: "data", hostPath: { path: "/tmp" } }],
        [{ name: "data", emptyDir: {}, configMap: { name: "x" } }], [{ name: "data", emptyDir: "yes" }], { data: {} },
        [{ emptyDir: {} }], [{ name: 5, emptyDir: {} }],
    ],
    nodeSelector: [{ disk: "ssd" }, "ssd", { disk: 1 }],
    tolerations: [[{ key: "k", operator: "Exists", effect: "NoSchedule" }], { key: "k" }],
    serviceAccountName: ["default", "Not_Valid", 1],
    priorityClassName: ["system-node-critical"],
    schedulerName: ["default-scheduler"],
    affinity: [{ nodeAffinity: {} }, "any"],
    imagePullSecrets: [[{ name: "regcred" }], ["regcred"]],
    topologySpreadConstraints: [[{ maxSkew: 1, topologyKey: "zone", whenUnsatisfiable: "DoNotSchedule" }]],
    hostNetwork: [true],
    dnsPolicy: ["None"],
    securityContext: [{ runAsUser: 1000 }],
    contaners: [[app()]],
};

function fieldCases(): OracleCase[] {
    const cases: OracleCase[] = [];
    const needsVolume = (field: string) => field === "volumeMounts";
    for (const [field, values] of Object.entries(CONTAINER_VALUES)) {
        values.forEach((v, i) => {
            const spec = group(needsVolume(field) ? { volumes: [{ name: "data", emptyDir: {} }] } : {}, app({ [field]: v }));
            if (field === "restartPolicy") {
                cases.push({ id: `initContainers[0].restartPolicy #${i}`, groupName: "oracle", spec: { ...group(), initContainers: [{ name: "init", image: IMAGE, restartPolicy: v }] } });
            }
            cases.push({ id: `containers[0].${field} #${i}`, groupName: "oracle", spec });
        });
    }
    for (const [field, values] of Object.entries(GROUP_VALUES)) {
        values.forEach((v, i) => cases.push({ id: `${field} #${i}`, groupName: "oracle", spec: group({ [field]: v }) }));
    }
    return cases;
}

/** Cases that need more than one field: init containers, several members, group names. */
function structureCases(): OracleCase[] {
    const init = (patch: Obj = {}) => ({ name: "init", image: IMAGE, ...patch });
    return [
        { id: "no containers", groupName: "oracle", spec: { containers: [] } },
        { id: "containers missing", groupName: "oracle", spec: {} },
        { id: "containers not a list", groupName: "oracle", spec: { containers: app() } },
        { id: "container not an object", groupName: "oracle", spec: { containers: ["app"] } },
        { id: "spec not an object", groupName: "oracle", spec: "app" },
        { id: "duplicate container names", groupName: "oracle", spec: { containers: [app(), app()] } },
        { id: "init and member share a name", groupName: "oracle", spec: { containers: [app()], initContainers: [init({ name: "app" })] } },
        { id: "init container probe", groupName: "oracle", spec: { containers: [app()], initContainers: [init({ readinessProbe: { exec: { command: ["true"] } } })] } },
        { id: "sidecar init container probe", groupName: "oracle", spec: { containers: [app()], initContainers: [init({ restartPolicy: "Always", readinessProbe: { exec: { command: ["true"] } } })] } },
        ...sidecarCases(),
        { id: "init container ports", groupName: "oracle", spec: { containers: [app()], initContainers: [init({ ports: [{ containerPort: 80 }] })] } },
        { id: "member restartPolicy", groupName: "oracle", spec: { containers: [app({ restartPolicy: "Always" })] } },
        { id: "two members, same port", groupName: "oracle", spec: { containers: [app({ ports: [{ containerPort: 80 }] }), app({ name: "b", ports: [{ containerPort: 80 }] })] } },
        { id: "two members, same host port", groupName: "oracle", spec: { containers: [app({ ports: [{ containerPort: 80, hostPort: 9000 }] }), app({ name: "b", ports: [{ containerPort: 81, hostPort: 9000 }] })] } },
        { id: "two members, same port name", groupName: "oracle", spec: { containers: [app({ ports: [{ containerPort: 80, name: "http" }] }), app({ name: "b", ports: [{ containerPort: 81, name: "http" }] })] } },
        { id: "both probes", groupName: "oracle", spec: group({}, app({ readinessProbe: { exec: { command: ["true"] } }, livenessProbe: { exec: { command: ["true"] } } })) },
        { id: "named probe port declared", groupName: "oracle", spec: group({}, app({ ports: [{ containerPort: 8080, name: "http" }], readinessProbe: { httpGet: { port: "http" } } })) },
        { id: "runAsGroup only", groupName: "oracle", spec: group({}, app({ securityContext: { runAsGroup: 1000 } })) },
        { id: "secret env with a dotted name", groupName: "oracle", spec: group({}, app({ env: [{ name: "a.b", secretValue: "s" }] })) },
        { id: "secret env with a space", groupName: "oracle", spec: group({}, app({ env: [{ name: "A B", secretValue: "s" }] })) },
        ...["web", "a".repeat(63), "a".repeat(64), "web.v1", "Web", "web_1", "-web"].map((g, i) => ({ id: `group name #${i}`, groupName: g, spec: group() })),
    ];
}

/** Native sidecars, regular init containers, hooks against the grace period: what each may hold. */
function sidecarCases(): OracleCase[] {
    const init = (patch: Obj = {}) => ({ name: "init", image: IMAGE, ...patch });
    const sidecar = (patch: Obj = {}) => init({ name: "proxy", restartPolicy: "Always", ...patch });
    const exec = { exec: { command: ["true"] } };
    const withInit = (...inits: Obj[]) => ({ containers: [app()], initContainers: inits });
    const cases: [string, unknown][] = [
        ["sidecar", withInit(sidecar())],
        ["sidecar then init", withInit(sidecar(), init())],
        ["sidecar with every probe and hook", withInit(sidecar({
            startupProbe: exec, livenessProbe: exec, readinessProbe: exec,
            lifecycle: { postStart: exec, preStop: { sleep: { seconds: 1 } } },
        }))],
        ["sidecar startupProbe successThreshold 2", withInit(sidecar({ startupProbe: { ...exec, successThreshold: 2 } }))],
        ["sidecar livenessProbe successThreshold 2", withInit(sidecar({ livenessProbe: { ...exec, successThreshold: 2 } }))],
        ["sidecar readinessProbe successThreshold 2", withInit(sidecar({ readinessProbe: { ...exec, successThreshold: 2 } }))],
        ["sidecar readiness and liveness", withInit(sidecar({ readinessProbe: exec, livenessProbe: exec }))],
        ["sidecar httpGet HTTPS startupProbe", withInit(sidecar({ startupProbe: { httpGet: { port: 8080, scheme: "HTTPS" } } }))],
        ["sidecar hook tcpSocket", withInit(sidecar({ lifecycle: { preStop: { tcpSocket: { port: 80 } } } }))],
        ["sidecar termination message", withInit(sidecar({ terminationMessagePolicy: "FallbackToLogsOnError", terminationMessagePath: "/tmp/msg" }))],
        ["sidecar port", withInit(sidecar({ ports: [{ containerPort: 9000 }] }))],
        ["sidecar and member share a port", { containers: [app({ ports: [{ containerPort: 9000 }] })], initContainers: [sidecar({ ports: [{ containerPort: 9000 }] })] }],
        ["init and member share a port", { containers: [app({ ports: [{ containerPort: 9000 }] })], initContainers: [init({ ports: [{ containerPort: 9000 }] })] }],
        ["init container lifecycle", withInit(init({ lifecycle: { postStart: exec } }))],
        ["init container empty lifecycle", withInit(init({ lifecycle: {} }))],
        ["init container startupProbe", withInit(init({ startupProbe: exec }))],
        ["init container livenessProbe", withInit(init({ livenessProbe: exec }))],
        ["init container termination message", withInit(init({ terminationMessagePolicy: "FallbackToLogsOnError" }))],
        ["init restartPolicy OnFailure", withInit(init({ restartPolicy: "OnFailure" }))],
        ["init restartPolicy always", withInit(init({ restartPolicy: "always" }))],
        ["member startup, liveness and readiness", group({}, app({ startupProbe: exec, livenessProbe: exec, readinessProbe: { ...exec, successThreshold: 3 } }))],
        ["member hook port name declared", group({}, app({ ports: [{ containerPort: 8080, name: "web" }], lifecycle: { preStop: { httpGet: { port: "web" } } } }))],
        ["member hooks and termination message", group({}, app({ lifecycle: { postStart: exec, preStop: exec }, terminationMessagePath: "/tmp/msg", terminationMessagePolicy: "FallbackToLogsOnError" }))],
    ];
    for (const [grace, seconds] of [[10, 10], [10, 11], [0, 0], [0, 1], [-1, 1], [-1, 2], [3600, 3600]]) {
        cases.push([`preStop sleep ${seconds} with grace ${grace}`, group({ terminationGracePeriodSeconds: grace }, app({ lifecycle: { preStop: { sleep: { seconds } } } }))]);
    }
    cases.push(["sidecar postStart sleep 20 with grace 10", { ...withInit(sidecar({ lifecycle: { postStart: { sleep: { seconds: 20 } } } })), terminationGracePeriodSeconds: 10 }]);
    cases.push(["preStop sleep with a grace that is not a number", group({ terminationGracePeriodSeconds: "30" }, app({ lifecycle: { preStop: { sleep: { seconds: 5 } } } }))]);
    cases.push(["negative preStop sleep with a grace that is not whole",
        group({ terminationGracePeriodSeconds: 1.5 }, app({ lifecycle: { preStop: { sleep: { seconds: -5 } } } }))]);
    return cases.map(([id, spec]) => ({ id, groupName: "oracle", spec }));
}

function wholeSpecs(): OracleCase[] {
    const examples = path.resolve(__dirname, "../../examples/pods");
    const fromManifests = fs.readdirSync(examples).filter((f) => f.endsWith(".yaml")).sort().map((f) => {
        const m = podGroupSpecFromManifest(fs.readFileSync(path.join(examples, f), "utf8"));
        return { id: `manifest ${f}`, groupName: m.groupName, spec: m.spec };
    });
    return [
        { id: "sample group", groupName: "sample", spec: sampleGroupSpec() },
        { id: "unit full spec", groupName: "full", spec: fullSpec() },
        { id: "harness shared pod", groupName: "pod", spec: sharedPodFixture().spec },
        { id: "harness isolated pod", groupName: "isolated", spec: isolatedPodFixture().spec },
        { id: "harness restart policy Never", groupName: "rp", spec: restartPolicyFixture("Never").spec },
        ...fromManifests,
    ];
}

/** Every case, ids unique. */
export function oracleCases(): OracleCase[] {
    return [...fieldCases(), ...structureCases(), ...wholeSpecs()];
}
