// Validation of native sidecars, lifecycle hooks, startup probes and termination messages, on the
// three targets: kubernetes, docker with the supervisor, plain docker. Paths and messages word for word.
import { collectProblems, PodGroupValidationError, ValidationContext } from "../../components/validate";
import { validatePodGroupArgs } from "../../components/pod-group";
import type { PodGroupSpec } from "../../components/spec";
import { ruleAppliesOn } from "../../components/stricter";
import { TOOLBOX } from "./fixtures";

const K8S: ValidationContext = { groupName: "web", backend: "kubernetes" };
const SUPERVISED: ValidationContext = { groupName: "web", backend: "docker", supervise: true };
const PLAIN: ValidationContext = { groupName: "web", backend: "docker", supervise: false };
const FIX = "remove docker: { supervise: false } (the supervised mode is the default; or pulumi config rm podgroup:supervise)";
const EXEC = { exec: { command: ["true"] } };

type Obj = Record<string, unknown>;
const app = (patch: Obj = {}): Obj => ({ name: "app", image: TOOLBOX, ...patch });
const member = (patch: Obj, group: Obj = {}): PodGroupSpec => ({ containers: [app(patch)], ...group }) as unknown as PodGroupSpec;
const withInit = (patch: Obj): PodGroupSpec => ({ containers: [app()], initContainers: [{ name: "init", image: TOOLBOX, ...patch }] }) as unknown as PodGroupSpec;

/** Problems as [path, rule or "-", reason]. */
function problems(spec: unknown, ctx: ValidationContext): [string, string, string][] {
    return collectProblems(spec, ctx).map((p) => [p.propertyPath, p.rule ?? "-", p.reason]);
}
/** Problems as [path, rule or "-"]. */
function paths(spec: unknown, ctx: ValidationContext): [string, string][] {
    return collectProblems(spec, ctx).map((p) => [p.propertyPath, p.rule ?? "-"]);
}

describe("lifecycle hooks", () => {
    const hooks = { postStart: { exec: { command: ["sh", "-c", "echo hi"] } }, preStop: { httpGet: { port: 8080, path: "/stop" } } };

    it("are accepted on kubernetes and with the supervisor, and refused on plain docker naming each hook and the fix", () => {
        expect(problems(member({ lifecycle: hooks }), K8S)).toEqual([]);
        expect(problems(member({ lifecycle: hooks }), SUPERVISED)).toEqual([]);
        expect(problems(member({ lifecycle: hooks }), PLAIN)).toEqual([
            ["spec.containers[0].lifecycle.postStart", "docker-lifecycle", `lifecycle hooks need the supervisor on docker (Docker runs no hooks): ${FIX}, or remove the postStart hook`],
            ["spec.containers[0].lifecycle.preStop", "docker-lifecycle", `lifecycle hooks need the supervisor on docker (Docker runs no hooks): ${FIX}, or remove the preStop hook`],
        ]);
        // An empty lifecycle, or a null hook (unset, as the API server reads it), asks for nothing.
        expect(problems(member({ lifecycle: {} }), PLAIN)).toEqual([]);
        expect(problems(member({ lifecycle: { postStart: null } }), PLAIN)).toEqual([]);
    });

    it("need exactly one of exec, httpGet and sleep", () => {
        expect(problems(member({ lifecycle: { postStart: {} } }), K8S)).toEqual([
            ["spec.containers[0].lifecycle.postStart", "-", "the hook has no handler; set exactly one of exec, httpGet and sleep"],
        ]);
        expect(problems(member({ lifecycle: { preStop: { ...EXEC, sleep: { seconds: 1 } } } }), K8S)).toEqual([
            ["spec.containers[0].lifecycle.preStop", "-", "the hook has 2 handlers (exec, sleep); keep exactly one"],
        ]);
        expect(problems(member({ lifecycle: { postStart: { exec: { command: [] } } } }), K8S)).toEqual([
            ["spec.containers[0].lifecycle.postStart.exec.command", "-", "must be a non-empty list of strings, e.g. [\"cat\", \"/tmp/ready\"], got a list ([])"],
        ]);
        expect(problems(member({ lifecycle: { postStart: "echo hi" } }), K8S)).toEqual([
            ["spec.containers[0].lifecycle.postStart", "-", "must be an object with one handler: exec, httpGet or sleep, got the string \"echo hi\""],
        ]);
        expect(problems(member({ lifecycle: { postStrat: EXEC } }), K8S)).toEqual([
            ["spec.containers[0].lifecycle.postStrat", "-", "unknown field \"postStrat\" in a lifecycle; did you mean \"postStart\"? the fields are: postStart, preStop"],
        ]);
    });

    it("refuse tcpSocket, which the API server keeps but kubelet always fails, on every target", () => {
        const spec = member({ lifecycle: { preStop: { tcpSocket: { port: 80 } } } });
        const reason = "tcpSocket is not a lifecycle hook handler: the API server keeps the field for compatibility only and kubelet fails such a hook every time; use exec, httpGet or sleep";
        expect(problems(spec, K8S)).toEqual([["spec.containers[0].lifecycle.preStop.tcpSocket", "lifecycle-tcp-socket", reason]]);
        expect(problems(spec, SUPERVISED)).toEqual([["spec.containers[0].lifecycle.preStop.tcpSocket", "lifecycle-tcp-socket", reason]]);
        expect(ruleAppliesOn("lifecycle-tcp-socket", "docker-plain")).toBe(true);
    });

    it("refuse lifecycle.stopSignal (alpha in 1.34: the API server drops it) as not implemented", () => {
        expect(paths(member({ lifecycle: { stopSignal: "SIGUSR1" } }), K8S)).toEqual([["spec.containers[0].lifecycle.stopSignal", "unsupported-field"]]);
    });

    it("sleep: a whole number of seconds from 0 to the pod's grace period (30 by default, 1 when negative)", () => {
        const sleep = (seconds: unknown, grace?: unknown) => member({ lifecycle: { preStop: { sleep: { seconds } } } }, grace === undefined ? {} : { terminationGracePeriodSeconds: grace });
        for (const [seconds, grace] of [[0, undefined], [30, undefined], [10, 10], [0, 0], [1, -1]]) {
            expect([seconds, grace, problems(sleep(seconds, grace), K8S)]).toEqual([seconds, grace, []]);
        }
        expect(problems(sleep(31), K8S)).toEqual([["spec.containers[0].lifecycle.preStop.sleep.seconds", "-",
            "the number 31 must be from 0 to the pod's terminationGracePeriodSeconds (30, the default); lower it or raise spec.terminationGracePeriodSeconds"]]);
        expect(problems(sleep(11, 10), K8S)).toEqual([["spec.containers[0].lifecycle.preStop.sleep.seconds", "-",
            "the number 11 must be from 0 to the pod's terminationGracePeriodSeconds (10); lower it or raise spec.terminationGracePeriodSeconds"]]);
        expect(paths(sleep(2, -1), K8S)).toEqual([["spec.containers[0].lifecycle.preStop.sleep.seconds", "-"]]);
        expect(paths(sleep(-1), K8S)).toEqual([["spec.containers[0].lifecycle.preStop.sleep.seconds", "-"]]);
        expect(problems(sleep(1.5), K8S)).toEqual([["spec.containers[0].lifecycle.preStop.sleep.seconds", "-", "must be a whole number of seconds, got the number 1.5"]]);
        // Left out, seconds is 0, as the API server decodes it.
        expect(problems(member({ lifecycle: { preStop: { sleep: {} } } }), K8S)).toEqual([]);
        // An invalid grace period is reported once, on its own field.
        expect(paths(sleep(5, "30"), K8S)).toEqual([["spec.terminationGracePeriodSeconds", "-"]]);
    });

    it("httpGet: a named port must be declared on docker, HTTPS is refused with the supervisor", () => {
        const named = member({ lifecycle: { preStop: { httpGet: { port: "web" } } } });
        expect(problems(named, K8S)).toEqual([]);
        expect(paths(named, SUPERVISED)).toEqual([["spec.containers[0].lifecycle.preStop.httpGet.port", "docker-probe-port-name"]]);
        expect(problems(member({ ports: [{ name: "web", containerPort: 8080 }], lifecycle: { preStop: { httpGet: { port: "web" } } } }), SUPERVISED)).toEqual([]);
        const https = member({ lifecycle: { postStart: { httpGet: { port: 8443, scheme: "HTTPS" } } } });
        expect(problems(https, K8S)).toEqual([]);
        expect(problems(https, SUPERVISED)).toEqual([["spec.containers[0].lifecycle.postStart.httpGet.scheme", "docker-https",
            "HTTPS is not supported on docker with the supervisor (it sends the request from the pause container's helper, which has no TLS); use \"HTTP\", or an exec handler that runs an HTTPS client in the container"]]);
        expect(paths(member({ lifecycle: { postStart: { httpGet: { port: 80, host: "example.com" } } } }), SUPERVISED))
            .toEqual([["spec.containers[0].lifecycle.postStart.httpGet.host", "unsupported-field"]]);
        // An empty scheme or path is unset, as on the API server.
        expect(problems(member({ lifecycle: { postStart: { httpGet: { port: 80, scheme: "", path: "" } } } }), SUPERVISED)).toEqual([]);
    });
});

describe("startupProbe", () => {
    it("is accepted on kubernetes and with the supervisor, refused on plain docker with the fix", () => {
        const spec = member({ startupProbe: { ...EXEC, failureThreshold: 30, periodSeconds: 1 } });
        expect(problems(spec, K8S)).toEqual([]);
        expect(problems(spec, SUPERVISED)).toEqual([]);
        expect(problems(spec, PLAIN)).toEqual([["spec.containers[0].startupProbe", "docker-startup-probe",
            `a startupProbe needs the supervisor on docker (Docker's one healthcheck cannot hold back liveness and readiness nor restart the container): ${FIX}, or remove it`]]);
    });

    it("needs successThreshold 1 (0 is the default), as a liveness probe does", () => {
        expect(problems(member({ startupProbe: { ...EXEC, successThreshold: 2 } }), K8S)).toEqual([["spec.containers[0].startupProbe.successThreshold", "-",
            "must be 1 for a startup probe (as in Kubernetes), got the number 2; remove it"]]);
        expect(problems(member({ startupProbe: { ...EXEC, successThreshold: 0 } }), K8S)).toEqual([]);
        expect(paths(member({ startupProbe: { periodSeconds: 1 } }), K8S)).toEqual([["spec.containers[0].startupProbe", "-"]]);
        expect(paths(member({ startupProbe: { httpGet: { port: 8443, scheme: "HTTPS" } } }), SUPERVISED)).toEqual([["spec.containers[0].startupProbe.httpGet.scheme", "docker-https"]]);
    });
});

describe("probes with the supervisor", () => {
    it("lift plain Docker's one-healthcheck limits: two probes and a readiness successThreshold above 1", () => {
        const spec = member({ livenessProbe: EXEC, readinessProbe: { ...EXEC, successThreshold: 3 } });
        expect(problems(spec, SUPERVISED)).toEqual([]);
        expect(problems(spec, PLAIN)).toEqual([
            ["spec.containers[0].readinessProbe.successThreshold", "docker-success-threshold",
                `the number 3: docker's healthcheck has no success threshold, so only 1 is supported on docker without the supervisor; remove it, or ${FIX}`],
            ["spec.containers[0].livenessProbe", "docker-two-probes",
                `docker has one healthcheck per container: a container with both a readinessProbe and a livenessProbe needs the supervisor on docker: ${FIX}, or keep one`],
        ]);
    });

    it("refuse an httpGet HTTPS probe with the supervisor only (plain docker's healthcheck runs wget in the container)", () => {
        const spec = member({ readinessProbe: { httpGet: { port: 8443, scheme: "HTTPS" } } });
        expect(paths(spec, SUPERVISED)).toEqual([["spec.containers[0].readinessProbe.httpGet.scheme", "docker-https"]]);
        expect(problems(spec, PLAIN)).toEqual([]);
        expect(problems(spec, K8S)).toEqual([]);
    });
});

describe("native sidecars and regular init containers", () => {
    it("a sidecar may have every probe and hook; on plain docker the sidecar itself is refused with the fix", () => {
        const sidecar = withInit({ restartPolicy: "Always", startupProbe: EXEC, livenessProbe: EXEC, readinessProbe: EXEC, lifecycle: { preStop: { sleep: { seconds: 1 } } } });
        expect(problems(sidecar, K8S)).toEqual([]);
        expect(problems(sidecar, SUPERVISED)).toEqual([]);
        expect(paths(sidecar, PLAIN)).toEqual([
            ["spec.initContainers[0].restartPolicy", "docker-native-sidecar"],
            ["spec.initContainers[0].startupProbe", "docker-startup-probe"],
            ["spec.initContainers[0].livenessProbe", "docker-two-probes"],
            ["spec.initContainers[0].lifecycle.preStop", "docker-lifecycle"],
        ]);
        expect(paths(withInit({ restartPolicy: "Always", livenessProbe: { ...EXEC, successThreshold: 2 } }), SUPERVISED))
            .toEqual([["spec.initContainers[0].livenessProbe.successThreshold", "-"]]);
    });

    it("a regular init container may have no probe nor hooks, as the API server says", () => {
        const spec = withInit({ startupProbe: EXEC, livenessProbe: EXEC, lifecycle: {} });
        const reason = (what: string, pronoun: string, field: string) => [`spec.initContainers[0].${field}`, "-",
            `an init container without restartPolicy "Always" cannot have ${what} (it runs to completion); remove ${pronoun}, or make the init container a native sidecar with restartPolicy: "Always"`];
        for (const ctx of [K8S, SUPERVISED, PLAIN]) {
            expect(problems(spec, ctx)).toEqual([reason("a startupProbe", "it", "startupProbe"), reason("a livenessProbe", "it", "livenessProbe"), reason("lifecycle hooks", "them", "lifecycle")]);
        }
    });

    it("a sidecar listens beside the members: the same port on both is refused (a regular init container runs alone)", () => {
        const spec = (restartPolicy?: string) => ({
            containers: [app({ ports: [{ containerPort: 9000 }] })],
            initContainers: [{ name: "proxy", image: TOOLBOX, ...(restartPolicy !== undefined ? { restartPolicy } : {}), ports: [{ containerPort: 9000 }] }],
        });
        expect(problems(spec("Always"), K8S)).toEqual([["spec.containers[0].ports[0].containerPort", "shared-container-port",
            "port 9000/TCP is already claimed by spec.initContainers[0].ports[0].containerPort; the containers of a group share one network namespace, so only one of them can listen on it: remove one or change its port"]]);
        expect(problems(spec(), K8S)).toEqual([]);
        // On docker a sidecar's ports cannot be published (it can still listen).
        expect(paths(spec("Always"), SUPERVISED)).toEqual([["spec.initContainers[0].ports", "docker-init-port"], ["spec.containers[0].ports[0].containerPort", "shared-container-port"]]);
    });
});

describe("termination messages", () => {
    it("policy: File or FallbackToLogsOnError; the fallback needs the supervisor on docker", () => {
        expect(problems(member({ terminationMessagePolicy: "FallbackToLogsOnError" }), K8S)).toEqual([]);
        expect(problems(member({ terminationMessagePolicy: "FallbackToLogsOnError" }), SUPERVISED)).toEqual([]);
        expect(problems(member({ terminationMessagePolicy: "FallbackToLogsOnError" }), PLAIN)).toEqual([["spec.containers[0].terminationMessagePolicy", "docker-termination-message",
            `termination messages need the supervisor on docker (it reads them into the group's status): ${FIX}, or remove terminationMessagePolicy`]]);
        for (const policy of ["File", ""]) expect(problems(member({ terminationMessagePolicy: policy }), PLAIN)).toEqual([]);
        expect(problems(member({ terminationMessagePolicy: "file" }), K8S)).toEqual([["spec.containers[0].terminationMessagePolicy", "-",
            "the string \"file\" is not a termination message policy; use \"File\" (the default) or \"FallbackToLogsOnError\""]]);
    });

    it("path: any string on kubernetes, absolute with the supervisor, the default only on plain docker", () => {
        for (const file of ["/tmp/msg", "msg", "/dev/termination-log", ""]) expect([file, problems(member({ terminationMessagePath: file }), K8S)]).toEqual([file, []]);
        expect(problems(member({ terminationMessagePath: "/tmp/msg" }), SUPERVISED)).toEqual([]);
        expect(problems(member({ terminationMessagePath: "msg" }), SUPERVISED)).toEqual([["spec.containers[0].terminationMessagePath", "docker-absolute-path",
            "the string \"msg\" must be an absolute path on docker, e.g. \"/tmp/termination-log\""]]);
        expect(problems(member({ terminationMessagePath: "/dev/termination-log" }), PLAIN)).toEqual([]);
        expect(problems(member({ terminationMessagePath: "/tmp/msg" }), PLAIN)).toEqual([["spec.containers[0].terminationMessagePath", "docker-termination-message",
            `termination messages need the supervisor on docker (it reads them into the group's status): ${FIX}, or remove terminationMessagePath`]]);
        expect(problems(member({ terminationMessagePath: 5 }), K8S)).toEqual([["spec.containers[0].terminationMessagePath", "-",
            "must be a path such as \"/dev/termination-log\", got the number 5"]]);
    });
});

describe("null, as the API server reads it (JSON null is Go's zero value)", () => {
    it("is unset for the probes, the lifecycle, its hooks and the termination message fields, on every target", () => {
        const spec = member({
            startupProbe: null, livenessProbe: null, readinessProbe: null, lifecycle: { postStart: null, preStop: { sleep: { seconds: null } } },
            terminationMessagePath: null, terminationMessagePolicy: null,
        });
        expect(problems(spec, K8S)).toEqual([]);
        expect(problems(spec, SUPERVISED)).toEqual([]);
        expect(paths(spec, PLAIN)).toEqual([["spec.containers[0].lifecycle.preStop", "docker-lifecycle"]]);
        expect(problems(member({ lifecycle: null }), PLAIN)).toEqual([]);
    });
});

describe("the supervised target", () => {
    it("is docker unless supervise is false (supervise on kubernetes changes nothing)", () => {
        const spec = withInit({ restartPolicy: "Always" });
        expect(paths(spec, { ...PLAIN, supervise: false })).toEqual([["spec.initContainers[0].restartPolicy", "docker-native-sidecar"]]);
        expect(problems(spec, { ...K8S, supervise: true })).toEqual([]);
        expect(paths(member({ readinessProbe: EXEC, livenessProbe: EXEC }), { groupName: "web", supervise: true })).toEqual([]);
    });

    it("is what a PodGroup on docker selects by default and with docker: { supervise: true }", () => {
        const spec = withInit({ restartPolicy: "Always" });
        expect(validatePodGroupArgs("web", { backend: "docker", spec, docker: { supervise: true } }).spec.initContainers?.[0].restartPolicy).toBe("Always");
        expect(validatePodGroupArgs("web", { backend: "docker", spec }).spec.initContainers?.[0].restartPolicy).toBe("Always");
        expect(() => validatePodGroupArgs("web", { backend: "docker", spec, docker: { supervise: false } })).toThrow(PodGroupValidationError);
        expect(() => validatePodGroupArgs("web", { backend: "docker", spec, docker: { supervise: false } })).toThrow(/native sidecars .* need the supervisor on docker/);
    });
});
