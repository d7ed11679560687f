// Validation: one test per rule, asserting the field path and the message.
import { recordOptions, registered } from "./mocks";
import { collectProblems, PodGroupValidationError, validatePodGroupSpec } from "../../components/validate";
import { PodGroup } from "../../components/pod-group";
import type { ContainerSpec, PodGroupSpec } from "../../components/spec";
import { fullSpec, minimalSpec, TOOLBOX } from "./fixtures";

const ctx = { groupName: "web", backend: "docker" as const };

function problemsOf(spec: unknown, context = ctx) {
    return collectProblems(spec, context);
}

function withContainer(c: Partial<ContainerSpec>, extra: Partial<PodGroupSpec> = {}): PodGroupSpec {
    return { containers: [{ name: "app", image: TOOLBOX, ...c }], ...extra };
}

describe("validation", () => {
    it("accepts the full and the minimal spec", () => {
        expect(problemsOf(fullSpec())).toEqual([]);
        expect(problemsOf(minimalSpec())).toEqual([]);
        expect(problemsOf(fullSpec(), { groupName: "web", backend: "kubernetes" as never })).toEqual([]);
    });

    it("rejects a group with no containers", () => {
        expect(problemsOf({ containers: [] })).toEqual([{
            propertyPath: "spec.containers",
            reason: "a group needs at least one container; add an entry such as { name: \"app\", image: \"podgroup/toolbox:1.0.0\" }",
        }]);
        expect(problemsOf({})[0].propertyPath).toBe("spec.containers");
    });

    it("rejects duplicate names across init and app containers", () => {
        const spec: PodGroupSpec = { initContainers: [{ name: "app", image: TOOLBOX }], containers: [{ name: "app", image: TOOLBOX }] };
        expect(problemsOf(spec)).toEqual([{
            propertyPath: "spec.containers[0].name",
            reason: "name \"app\" is already used by spec.initContainers[0]; names must be unique across initContainers and containers",
        }]);
    });

    it("rejects container names that are not DNS-1123 labels", () => {
        const problems = problemsOf(withContainer({ name: "Web_Server" }));
        expect(problems).toEqual([{
            propertyPath: "spec.containers[0].name",
            reason: "\"Web_Server\" is not a DNS-1123 label (lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters); rename it, e.g. \"web-server\"",
        }]);
        expect(problemsOf(withContainer({ name: "a".repeat(64) }))[0].propertyPath).toBe("spec.containers[0].name");
    });

    it("rejects a member named like the pause container", () => {
        expect(problemsOf(withContainer({ name: "pause" }))).toEqual([{
            propertyPath: "spec.containers[0].name",
            reason: "\"pause\" is reserved for the group's infra container; rename this container",
        }]);
    });

    it("rejects two containers claiming the same container port", () => {
        const spec: PodGroupSpec = {
            containers: [
                { name: "a", image: TOOLBOX, ports: [{ containerPort: 8080 }] },
                { name: "b", image: TOOLBOX, ports: [{ containerPort: 9000 }, { containerPort: 8080 }] },
            ],
        };
        expect(problemsOf(spec)).toEqual([{
            propertyPath: "spec.containers[1].ports[1].containerPort",
            reason: "port 8080/TCP is already claimed by spec.containers[0].ports[0].containerPort; the containers of a group share one network namespace, so only one of them can listen on it: remove one or change its port",
        }]);
    });

    it("allows the same port number over TCP and UDP", () => {
        const spec: PodGroupSpec = {
            containers: [
                { name: "a", image: TOOLBOX, ports: [{ containerPort: 53 }] },
                { name: "b", image: TOOLBOX, ports: [{ containerPort: 53, protocol: "UDP" }] },
            ],
        };
        expect(problemsOf(spec)).toEqual([]);
    });

    it("rejects a port outside 1-65535 and a duplicate host port", () => {
        expect(problemsOf(withContainer({ ports: [{ containerPort: 70000 }] }))).toEqual([{
            propertyPath: "spec.containers[0].ports[0].containerPort",
            reason: "70000 is not a port; use an integer from 1 to 65535",
        }]);
        const spec = withContainer({ ports: [{ containerPort: 1, hostPort: 80 }, { containerPort: 2, hostPort: 80 }] });
        expect(problemsOf(spec)).toEqual([{
            propertyPath: "spec.containers[0].ports[1].hostPort",
            reason: "host port 80/TCP is already published by spec.containers[0].ports[0].hostPort; use another host port",
        }]);
    });

    it("rejects a volumeMount naming an undeclared volume", () => {
        const spec = withContainer({ volumeMounts: [{ name: "dta", mountPath: "/data" }] }, { volumes: [{ name: "data", emptyDir: {} }] });
        expect(problemsOf(spec)).toEqual([{
            propertyPath: "spec.containers[0].volumeMounts[0].name",
            reason: "volume \"dta\" is not declared in spec.volumes (declared: data); add { name: \"dta\", emptyDir: {} } to spec.volumes or fix the name",
        }]);
    });

    it("rejects a relative mountPath and volumes that are not emptyDir", () => {
        const spec = withContainer({ volumeMounts: [{ name: "data", mountPath: "data" }] }, { volumes: [{ name: "data" } as never] });
        expect(problemsOf(spec)).toEqual([
            { propertyPath: "spec.volumes[0].emptyDir", reason: "only emptyDir volumes are supported: set `emptyDir: {}` (hostPath, configMap and the others are not supported yet)" },
            { propertyPath: "spec.containers[0].volumeMounts[0].mountPath", reason: "\"data\" must be an absolute path, e.g. \"/data\"" },
        ]);
    });

    it("rejects a bad restartPolicy", () => {
        expect(problemsOf({ ...minimalSpec(), restartPolicy: "Sometimes" as never })).toEqual([{
            propertyPath: "spec.restartPolicy",
            reason: "\"Sometimes\" is not a restart policy; use \"Always\", \"OnFailure\" or \"Never\"",
        }]);
    });

    it("rejects a bad cpu quantity", () => {
        expect(problemsOf(withContainer({ resources: { limits: { cpu: "half" } } }))).toEqual([{
            propertyPath: "spec.containers[0].resources.limits.cpu",
            reason: "\"half\" is not a Kubernetes quantity (examples: \"500m\", \"2\", \"64Mi\", \"1G\"); write cores (\"1\", \"0.5\") or millicores (\"500m\")",
        }]);
    });

    it("rejects a bad memory quantity", () => {
        expect(problemsOf(withContainer({ resources: { limits: { memory: "64MB" } } }))).toEqual([{
            propertyPath: "spec.containers[0].resources.limits.memory",
            reason: "\"64MB\" is not a Kubernetes quantity (examples: \"500m\", \"2\", \"64Mi\", \"1G\"); write bytes with a suffix, e.g. \"64Mi\" or \"1Gi\"",
        }]);
    });

    it("rejects limits Docker cannot apply only on the Docker backend", () => {
        const spec = withContainer({ resources: { limits: { cpu: "5m", memory: "4Mi" } } });
        expect(problemsOf(spec).map((p) => p.reason)).toEqual([
            "\"5m\" is below Docker's minimum of 10m (0.01 CPU); raise it, e.g. to \"11m\"",
            "\"4Mi\" is below Docker's minimum of 6Mi; raise it to at least \"6Mi\"",
        ]);
        expect(problemsOf(spec, { groupName: "web", backend: "kubernetes" as never })).toEqual([]);
    });

    it("rejects, on Docker only, a CPU limit the Docker provider would read back differently", () => {
        const spec = withContainer({ resources: { limits: { cpu: "50m" } } });
        expect(problemsOf(spec)).toEqual([{
            propertyPath: "spec.containers[0].resources.limits.cpu",
            reason: "\"50m\" would be read back by the Docker provider as \"0.1\" CPUs, replacing the container on every update; use a nearby value such as \"51m\"",
        }]);
        expect(problemsOf(spec, { groupName: "web", backend: "kubernetes" as never })).toEqual([]);
    });

    it("rejects a probe with no handler", () => {
        expect(problemsOf(withContainer({ readinessProbe: { periodSeconds: 5 } }))).toEqual([{
            propertyPath: "spec.containers[0].readinessProbe",
            reason: "the probe has no handler; set exactly one of exec, httpGet and tcpSocket",
        }]);
    });

    it("rejects a probe with two handlers", () => {
        const probe = { exec: { command: ["true"] }, tcpSocket: { port: 80 } };
        expect(problemsOf(withContainer({ livenessProbe: probe }))).toEqual([{
            propertyPath: "spec.containers[0].livenessProbe",
            reason: "the probe has 2 handlers (exec, tcpSocket); keep exactly one",
        }]);
    });

    it("rejects probes on init containers", () => {
        const spec: PodGroupSpec = { ...minimalSpec(), initContainers: [{ name: "init", image: TOOLBOX, readinessProbe: { exec: { command: ["true"] } } }] };
        expect(problemsOf(spec)).toEqual([{
            propertyPath: "spec.initContainers[0].readinessProbe",
            reason: "init containers cannot have a readinessProbe (they run to completion); remove it",
        }]);
    });

    it("rejects an empty image", () => {
        expect(problemsOf(withContainer({ image: " " }))).toEqual([{
            propertyPath: "spec.containers[0].image",
            reason: "the image is empty; set an image reference with a tag, e.g. \"podgroup/toolbox:1.0.0\"",
        }]);
    });

    it("rejects :latest without an explicit pull policy", () => {
        expect(problemsOf(withContainer({ image: "busybox:latest" }))).toEqual([{
            propertyPath: "spec.containers[0].image",
            reason: "\"busybox:latest\" has the tag latest, which Kubernetes always pulls; pin a version (e.g. \"busybox:1.0.0\") or set imagePullPolicy explicitly",
        }]);
        expect(problemsOf(withContainer({ image: "busybox:latest", imagePullPolicy: "Never" }))).toEqual([]);
    });

    it("rejects an image with no tag without an explicit pull policy, but not a registry port or a digest", () => {
        expect(problemsOf(withContainer({ image: "localhost:5000/app" }))[0].reason)
            .toBe("\"localhost:5000/app\" has no tag, which Kubernetes always pulls; pin a version (e.g. \"localhost:5000/app:1.0.0\") or set imagePullPolicy explicitly");
        expect(problemsOf(withContainer({ image: "app@sha256:" + "a".repeat(64) }))).toEqual([]);
    });

    it("rejects env entries with both or neither value and secretValue, and duplicates", () => {
        const spec = withContainer({ env: [{ name: "A", value: "1", secretValue: "2" }, { name: "B" }, { name: "B", value: "x" }, { name: "1X", value: "y" }] });
        expect(problemsOf(spec)).toEqual([
            { propertyPath: "spec.containers[0].env[0]", reason: "set exactly one of `value` (plain) and `secretValue` (kept secret)" },
            { propertyPath: "spec.containers[0].env[1]", reason: "set exactly one of `value` (plain) and `secretValue` (kept secret)" },
            { propertyPath: "spec.containers[0].env[2].name", reason: "variable \"B\" is set twice in this container; keep one" },
            { propertyPath: "spec.containers[0].env[3].name", reason: "\"1X\" is not a valid variable name; use letters, digits and '_', not starting with a digit" },
        ]);
    });

    it("rejects a user that is not a numeric uid or uid:gid", () => {
        expect(problemsOf(withContainer({ user: "nobody" }))).toEqual([{
            propertyPath: "spec.containers[0].user",
            reason: "\"nobody\" must be a numeric uid or \"uid:gid\" (e.g. \"1000\" or \"1000:1000\"), as Kubernetes' runAsUser/runAsGroup take numbers",
        }]);
    });

    it("rejects a bad hostname, group name, grace period and reserved labels", () => {
        const spec: PodGroupSpec = { ...minimalSpec(), hostname: "My_Host", terminationGracePeriodSeconds: -1, labels: { "podgroup.io/group": "x" } };
        expect(problemsOf(spec, { groupName: "Web", backend: "docker" })).toEqual([
            { propertyPath: "name", reason: "group name \"Web\" is not a DNS-1123 label (lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters); it names the Pod and prefixes every Docker name: use e.g. \"web\"" },
            { propertyPath: "spec.hostname", reason: "\"My_Host\" is not a DNS-1123 label (lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters); use e.g. \"my-host\"" },
            { propertyPath: "spec.terminationGracePeriodSeconds", reason: "-1 must be a whole number of seconds >= 0" },
            { propertyPath: "spec.labels[\"podgroup.io/group\"]", reason: "keys under podgroup.io/ are set by PodGroup itself; use another prefix" },
        ]);
    });

    it("rejects duplicate volume names and a bad emptyDir medium", () => {
        const spec: PodGroupSpec = { ...minimalSpec(), volumes: [{ name: "v", emptyDir: {} }, { name: "v", emptyDir: { medium: "SSD" as never } }] };
        expect(problemsOf(spec)).toEqual([
            { propertyPath: "spec.volumes[1].name", reason: "volume \"v\" is declared twice; give each volume its own name" },
            { propertyPath: "spec.volumes[1].emptyDir.medium", reason: "\"SSD\" is not an emptyDir medium; use \"\" (disk) or \"Memory\" (tmpfs)" },
        ]);
    });

    it("rejects something that is not a spec at all", () => {
        expect(problemsOf("web")).toEqual([{ propertyPath: "spec", reason: "the spec must be an object with at least `containers`; see components/spec.ts (PodGroupSpec)" }]);
    });

    it("reports every problem at once in one error that names each field", () => {
        const spec = { containers: [{ name: "A", image: "" }, { name: "pause", image: "x:latest" }], restartPolicy: "Sometimes" };
        let caught: unknown;
        try {
            validatePodGroupSpec(spec, ctx);
        } catch (e) {
            caught = e;
        }
        expect(caught).toBeInstanceOf(PodGroupValidationError);
        const error = caught as PodGroupValidationError;
        expect(error.problems.map((p) => p.propertyPath)).toEqual([
            "spec.containers[0].name", "spec.containers[0].image", "spec.containers[1].name", "spec.containers[1].image", "spec.restartPolicy",
        ]);
        expect(error.message.split("\n")[0]).toBe("PodGroup \"web\": the spec has 5 problems, nothing was created:");
        expect(error.message).toContain("  - spec.restartPolicy: \"Sometimes\" is not a restart policy; use \"Always\", \"OnFailure\" or \"Never\"");
        expect(error.toInputPropertiesError().errors).toEqual(error.problems);
    });

    it("registers nothing, not even the component, when the spec is rejected", () => {
        const before = registered.length;
        expect(() => new PodGroup("bad", { backend: "docker", spec: { containers: [] } }, { transformations: [recordOptions] }))
            .toThrow("PodGroup \"bad\": the spec has 1 problem, nothing was created:\n  - spec.containers: a group needs at least one container");
        expect(() => new PodGroup("bad", { backend: "kubernetes", spec: minimalSpec(), kubernetes: { namespace: "Not_A_Namespace" } }))
            .toThrow("  - namespace: namespace \"Not_A_Namespace\" is not a DNS-1123 label");
        expect(registered.length).toBe(before);
    });
});
