// Validation: one test per rule, asserting the field path and the message word for word.
import { recordOptions, registered } from "./mocks";
import * as pulumi from "@pulumi/pulumi";
import { collectFindings, collectProblems, PodGroupValidationError, validatePodGroupSpec } from "../../components/validate";
import { PodGroup } from "../../components/pod-group";
import type { ContainerSpec, PodGroupSpec } from "../../components/spec";
import { fullSpec, minimalSpec, TOOLBOX } from "./fixtures";

const ctx = { groupName: "web", backend: "docker" as const };
const k8sCtx = { groupName: "web", backend: "kubernetes" as const };

function problemsOf(spec: unknown, context: Parameters<typeof collectProblems>[1] = ctx) {
    return collectProblems(spec, context).map(({ propertyPath, reason }) => ({ propertyPath, reason }));
}

function withContainer(c: Partial<ContainerSpec> | Record<string, unknown>, extra: Partial<PodGroupSpec> | Record<string, unknown> = {}): PodGroupSpec {
    return { containers: [{ name: "app", image: TOOLBOX, ...c }], ...extra } as PodGroupSpec;
}

describe("validation", () => {
    it("accepts the full and the minimal spec on both backends", () => {
        expect(problemsOf(fullSpec())).toEqual([]);
        expect(problemsOf(minimalSpec())).toEqual([]);
        expect(problemsOf(fullSpec(), k8sCtx)).toEqual([]);
    });

    it("rejects a group with no containers", () => {
        expect(problemsOf({ containers: [] })).toEqual([{
            propertyPath: "spec.containers",
            reason: "a group needs at least one container; add an entry such as { name: \"app\", image: \"podgroup/toolbox:1.0.0\" }",
        }]);
        expect(problemsOf({})[0].propertyPath).toBe("spec.containers");
    });

    it("names an unknown field, with a did-you-mean for a near miss, instead of dropping it", () => {
        expect(problemsOf({ contaners: [{ name: "a", image: TOOLBOX }] })).toEqual([
            { propertyPath: "spec.contaners", reason: "unknown field \"contaners\" in a PodGroupSpec (a PodSpec); did you mean \"containers\"? the fields are: containers, initContainers, volumes, restartPolicy, shareProcessNamespace, hostname, terminationGracePeriodSeconds, labels" },
            { propertyPath: "spec.containers", reason: "a group needs at least one container; add an entry such as { name: \"app\", image: \"podgroup/toolbox:1.0.0\" }" },
        ]);
        expect(problemsOf(withContainer({ resources: { limit: { cpu: "1" } } }))).toEqual([{
            propertyPath: "spec.containers[0].resources.limit",
            reason: "unknown field \"limit\" in a resources; did you mean \"limits\"? the fields are: limits",
        }]);
        expect(problemsOf(withContainer({ imagePulPolicy: "Never" }))[0].reason).toContain("did you mean \"imagePullPolicy\"?");
    });

    it("refuses a Kubernetes field PodGroup does not implement, naming the backend and the support table", () => {
        expect(problemsOf(withContainer({ envFrom: [{ configMapRef: { name: "x" } }] }))).toEqual([{
            propertyPath: "spec.containers[0].envFrom",
            reason: "\"envFrom\" is a Kubernetes container field that PodGroup does not implement: not supported on docker; remove it (see docs/spec-support.md)",
        }]);
        expect(problemsOf({ ...minimalSpec(), volumes: [{ name: "h", hostPath: { path: "/tmp" } }] }, k8sCtx)[0]).toEqual({
            propertyPath: "spec.volumes[0].hostPath",
            reason: "\"hostPath\" is a Kubernetes volume field that PodGroup does not implement: not supported on kubernetes; remove it (see docs/spec-support.md)",
        });
    });

    it("passes cluster-only scheduling fields on Kubernetes and warns about them on Docker", () => {
        const spec = { ...minimalSpec(), nodeSelector: { disk: "ssd" }, tolerations: [{ operator: "Exists" }] };
        expect(collectFindings(spec, k8sCtx)).toEqual({ problems: [], warnings: [] });
        const docker = collectFindings(spec, ctx);
        expect(docker.problems).toEqual([]);
        expect(docker.warnings.map((w) => w.propertyPath)).toEqual(["spec.nodeSelector", "spec.tolerations"]);
        expect(docker.warnings[0].reason).toBe("\"nodeSelector\" schedules the Pod on a cluster and has no meaning on docker: it is ignored there (passed unchanged to the Pod on kubernetes)");
        expect(problemsOf({ ...minimalSpec(), nodeSelector: "ssd" })).toEqual([{ propertyPath: "spec.nodeSelector", reason: "must be a map of strings, got the string \"ssd\"" }]);
    });

    it("refuses a native sidecar on plain Docker, naming the fix, and passes it with the supervisor and on Kubernetes", () => {
        const spec: PodGroupSpec = { ...minimalSpec(), initContainers: [{ name: "proxy", image: TOOLBOX, restartPolicy: "Always" }] };
        const plain = { ...ctx, supervise: false };
        expect(problemsOf(spec, plain)).toEqual([{
            propertyPath: "spec.initContainers[0].restartPolicy",
            reason: "native sidecars (an init container with restartPolicy \"Always\") need the supervisor on docker, which starts the members once the sidecar has started and restarts it: remove docker: { supervise: false } (the supervised mode is the default; or pulumi config rm podgroup:supervise), or make it a member of spec.containers",
        }]);
        expect(collectProblems(spec, plain)[0].rule).toBe("docker-native-sidecar");
        expect(problemsOf(spec)).toEqual([]);
        expect(problemsOf(spec, { ...ctx, supervise: true })).toEqual([]);
        expect(problemsOf(spec, k8sCtx)).toEqual([]);
        expect(collectProblems(withContainer({ restartPolicy: "Always" }), k8sCtx)[0]).toMatchObject({ propertyPath: "spec.containers[0].restartPolicy", rule: "container-restart-policy" });
    });

    it("reads an empty string in an optional field as unset, as the API server does (Go's zero value)", () => {
        const spec = { restartPolicy: "", hostname: "", containers: [{ name: "app", image: TOOLBOX, imagePullPolicy: "", workingDir: "", ports: [{ containerPort: 80, protocol: "" }], readinessProbe: { httpGet: { port: 80, scheme: "" } } }] };
        expect(problemsOf(spec)).toEqual([]);
        expect(problemsOf({ ...minimalSpec(), initContainers: [{ name: "i", image: TOOLBOX, restartPolicy: "" }] })).toEqual([]);
    });

    it("takes a numeric user as the API server takes runAsUser", () => {
        expect(problemsOf(withContainer({ user: 1000 }))).toEqual([]);
        expect(problemsOf(withContainer({ user: -1 }))[0].propertyPath).toBe("spec.containers[0].user");
    });

    it("rejects duplicate names across init and app containers", () => {
        const spec: PodGroupSpec = { initContainers: [{ name: "app", image: TOOLBOX }], containers: [{ name: "app", image: TOOLBOX }] };
        expect(problemsOf(spec)).toEqual([{
            propertyPath: "spec.containers[0].name",
            reason: "name \"app\" is already used by spec.initContainers[0]; names must be unique across initContainers and containers",
        }]);
    });

    it("rejects container names that are not DNS-1123 labels, and accepts \"pause\" (Docker names cannot collide)", () => {
        expect(problemsOf(withContainer({ name: "Web_Server" }))).toEqual([{
            propertyPath: "spec.containers[0].name",
            reason: "the string \"Web_Server\" is not a DNS-1123 label (lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters); rename it, e.g. \"web-server\"",
        }]);
        expect(problemsOf(withContainer({ name: "a".repeat(64) }))[0].propertyPath).toBe("spec.containers[0].name");
        expect(problemsOf(withContainer({ name: "pause" }))).toEqual([]);
    });

    it("rejects two members claiming the same container port (a listed stricter rule)", () => {
        const spec: PodGroupSpec = {
            containers: [
                { name: "a", image: TOOLBOX, ports: [{ containerPort: 8080 }] },
                { name: "b", image: TOOLBOX, ports: [{ containerPort: 9000 }, { containerPort: 8080 }] },
            ],
        };
        expect(collectProblems(spec, ctx)).toEqual([{
            propertyPath: "spec.containers[1].ports[1].containerPort",
            reason: "port 8080/TCP is already claimed by spec.containers[0].ports[0].containerPort; the containers of a group share one network namespace, so only one of them can listen on it: remove one or change its port",
            rule: "shared-container-port",
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

    it("names the type it got: the string \"8080\" is not the number 8080", () => {
        expect(problemsOf(withContainer({ ports: [{ containerPort: "8080" }] }))).toEqual([{
            propertyPath: "spec.containers[0].ports[0].containerPort",
            reason: "the string \"8080\" is not a port; use a whole number from 1 to 65535",
        }]);
        expect(problemsOf(withContainer({ ports: [{ containerPort: 70000 }] }))[0].reason).toBe("the number 70000 is not a port; use a whole number from 1 to 65535");
    });

    it("rejects a duplicate host port", () => {
        const spec = withContainer({ ports: [{ containerPort: 1, hostPort: 80 }, { containerPort: 2, hostPort: 80 }] });
        expect(problemsOf(spec)).toEqual([{
            propertyPath: "spec.containers[0].ports[1].hostPort",
            reason: "host port 80/TCP is already published by spec.containers[0].ports[0].hostPort; use another host port",
        }]);
    });

    it("checks port names as the API server does: a letter, at most 15, unique in the container", () => {
        const spec = withContainer({ ports: [{ containerPort: 1, name: "8080" }, { containerPort: 2, name: "http" }, { containerPort: 3, name: "http" }] });
        expect(problemsOf(spec)).toEqual([
            { propertyPath: "spec.containers[0].ports[0].name", reason: "the string \"8080\" is not a port name (at most 15 lower-case letters, digits and '-', with at least one letter, no '--', not starting or ending with '-')" },
            { propertyPath: "spec.containers[0].ports[2].name", reason: "port name \"http\" is used twice in this container; give each port its own name" },
        ]);
    });

    it("rejects a volumeMount naming an undeclared volume", () => {
        const spec = withContainer({ volumeMounts: [{ name: "dta", mountPath: "/data" }] }, { volumes: [{ name: "data", emptyDir: {} }] });
        expect(problemsOf(spec)).toEqual([{
            propertyPath: "spec.containers[0].volumeMounts[0].name",
            reason: "volume the string \"dta\" is not declared in spec.volumes (declared: data); add { name: \"dta\", emptyDir: {} } to spec.volumes or fix the name",
        }]);
    });

    it("says a volumeMount's name is required when it is left out, naming the declared volumes", () => {
        const volumes = { volumes: [{ name: "data", emptyDir: {} }, { name: "cache" }] };
        const required = "the name of the volume to mount is required: "
            + "name one of spec.volumes (declared: data, cache)";
        const mounts = [{ mountPath: "/data" }, { name: "", mountPath: "/b" }];
        expect(problemsOf(withContainer({ volumeMounts: mounts }, volumes))).toEqual([
            { propertyPath: "spec.containers[0].volumeMounts[0].name", reason: required },
            { propertyPath: "spec.containers[0].volumeMounts[1].name", reason: required },
        ]);
        expect(problemsOf(withContainer({ volumeMounts: [{ mountPath: "/data" }] }))).toEqual([{
            propertyPath: "spec.containers[0].volumeMounts[0].name",
            reason: "the name of the volume to mount is required: declare one in spec.volumes, "
                + "e.g. { name: \"data\", emptyDir: {} }, and name it here",
        }]);
    });

    it("names the type of a number given where a name must be a string, and suggests no name made of it", () => {
        const quote = (n: number) =>
            `must be a string, got the number ${n} (YAML reads an unquoted ${n} as a number: quote it)`;
        const spec = {
            containers: [{
                name: 5, image: TOOLBOX, env: [{ name: 7, value: "x" }], ports: [{ containerPort: 80, name: 8080 }],
                volumeMounts: [{ name: 9, mountPath: "/data" }],
            }],
            volumes: [{ name: 3, emptyDir: {} }, { name: "data" }],
            hostname: 4,
            labels: { version: 1 },
        };
        const problems = problemsOf(spec);
        expect(problems).toEqual([
            { propertyPath: "spec.volumes[0].name", reason: quote(3) },
            { propertyPath: "spec.containers[0].name", reason: quote(5) },
            { propertyPath: "spec.containers[0].env[0].name", reason: quote(7) },
            {
                propertyPath: "spec.containers[0].ports[0].name",
                reason: "must be a string (at most 15 lower-case letters, digits and '-', with at least one letter, "
                    + "no '--', not starting or ending with '-'), got the number 8080",
            },
            {
                propertyPath: "spec.containers[0].volumeMounts[0].name",
                reason: `${quote(9)}; it names a volume of spec.volumes (declared: data)`,
            },
            { propertyPath: "spec.hostname", reason: quote(4) },
            { propertyPath: "spec.labels[\"version\"]", reason: `value ${quote(1)}` },
        ]);
        const suggestion = /e\.g\. "\d+"|did you mean|undefined/;
        for (const p of problems) {
            expect([p.propertyPath, p.reason]).not.toEqual([p.propertyPath, expect.stringMatching(suggestion)]);
        }
        expect(problemsOf(minimalSpec(), { groupName: 12 as unknown as string, backend: "docker" }))
            .toEqual([{ propertyPath: "name", reason: `group name ${quote(12)}` }]);
    });

    it("says a container's, a volume's and a variable's name is required when it is left out", () => {
        const spec = {
            containers: [{ image: TOOLBOX, env: [{ value: "x" }, { name: "", value: "y" }] }],
            volumes: [{ emptyDir: {} }],
        };
        const label = "a DNS-1123 label (lower-case letters, digits and '-', starting and ending with a letter or "
            + "digit, at most 63 characters)";
        const variable = "a variable name is required, e.g. \"LOG_LEVEL\"";
        expect(problemsOf(spec)).toEqual([
            { propertyPath: "spec.volumes[0].name", reason: `a name is required: ${label}, e.g. "data"` },
            {
                propertyPath: "spec.containers[0].name",
                reason: `a name is required: ${label}, unique in the group, e.g. "app"`,
            },
            { propertyPath: "spec.containers[0].env[0].name", reason: variable },
            { propertyPath: "spec.containers[0].env[1].name", reason: variable },
        ]);
    });

    it("rejects a relative mountPath on Docker only and a non-boolean readOnly; a volume with no source is an emptyDir", () => {
        const spec = withContainer({ volumeMounts: [{ name: "data", mountPath: "data", readOnly: "true" }] }, { volumes: [{ name: "data" }] });
        expect(problemsOf(spec)).toEqual([
            { propertyPath: "spec.containers[0].volumeMounts[0].mountPath", reason: "the string \"data\" must be an absolute path on docker, e.g. \"/data\"" },
            { propertyPath: "spec.containers[0].volumeMounts[0].readOnly", reason: "must be true or false, got the string \"true\"" },
        ]);
        expect(problemsOf(spec, k8sCtx).map((p) => p.propertyPath)).toEqual(["spec.containers[0].volumeMounts[0].readOnly"]);
    });

    it("rejects a bad restartPolicy", () => {
        expect(problemsOf({ ...minimalSpec(), restartPolicy: "Sometimes" })).toEqual([{
            propertyPath: "spec.restartPolicy",
            reason: "the string \"Sometimes\" is not a restart policy; use \"Always\", \"OnFailure\" or \"Never\"",
        }]);
    });

    it("takes quantities as the API server does: strings or numbers", () => {
        expect(problemsOf(withContainer({ resources: { limits: { cpu: 1, memory: 67108864 } } }))).toEqual([]);
        expect(problemsOf(withContainer({ resources: { limits: { cpu: 0.5 } } }))).toEqual([]);
        expect(problemsOf(withContainer({ resources: { limits: { cpu: "half" } } }))).toEqual([{
            propertyPath: "spec.containers[0].resources.limits.cpu",
            reason: "\"half\" is not a Kubernetes quantity (examples: \"500m\", \"2\", \"64Mi\", \"1G\"); write cores (\"1\", \"0.5\", 1) or millicores (\"500m\")",
        }]);
        expect(problemsOf(withContainer({ resources: { limits: { memory: "64MB" } } }))[0].reason)
            .toBe("\"64MB\" is not a Kubernetes quantity (examples: \"500m\", \"2\", \"64Mi\", \"1G\"); write bytes with a suffix, e.g. \"64Mi\" or \"1Gi\"");
        expect(problemsOf(withContainer({ resources: { limits: { memory: "-1Mi" } } }))[0].reason).toBe("the string \"-1Mi\" must not be negative");
    });

    it("rejects limits Docker cannot apply only on the Docker backend", () => {
        const spec = withContainer({ resources: { limits: { cpu: "5m", memory: "4Mi" } } });
        expect(problemsOf(spec).map((p) => p.reason)).toEqual([
            "the string \"5m\" is below Docker's minimum of 10m (0.01 CPU; 0 would mean no limit); raise it, e.g. to \"11m\"",
            "the string \"4Mi\" is below Docker's minimum of 6Mi (0 would mean no limit); raise it to at least \"6Mi\"",
        ]);
        expect(problemsOf(spec, k8sCtx)).toEqual([]);
        expect(problemsOf(withContainer({ resources: { limits: { cpu: "0" } } }), k8sCtx)).toEqual([]);
    });

    it("rejects, on Docker only, a CPU limit the Docker provider would read back differently", () => {
        const spec = withContainer({ resources: { limits: { cpu: "50m" } } });
        expect(problemsOf(spec)).toEqual([{
            propertyPath: "spec.containers[0].resources.limits.cpu",
            reason: "the string \"50m\" would be read back by the Docker provider as \"0.1\" CPUs, replacing the container on every update; use a nearby value such as \"51m\"",
        }]);
        expect(problemsOf(spec, k8sCtx)).toEqual([]);
    });

    it("rejects a probe with no handler or two", () => {
        expect(problemsOf(withContainer({ readinessProbe: { periodSeconds: 5 } }))).toEqual([{
            propertyPath: "spec.containers[0].readinessProbe",
            reason: "the probe has no handler; set exactly one of exec, httpGet and tcpSocket",
        }]);
        expect(problemsOf(withContainer({ livenessProbe: { exec: { command: ["true"] }, tcpSocket: { port: 80 } } }))).toEqual([{
            propertyPath: "spec.containers[0].livenessProbe",
            reason: "the probe has 2 handlers (exec, tcpSocket); keep exactly one",
        }]);
    });

    it("rejects exec probe items that are not strings, and takes named probe ports Docker can resolve", () => {
        expect(problemsOf(withContainer({ readinessProbe: { exec: { command: ["test", 1] } } }))).toEqual([{
            propertyPath: "spec.containers[0].readinessProbe.exec.command",
            reason: "must be a list of strings: item [1] is the number 1",
        }]);
        const named = withContainer({ ports: [{ name: "http", containerPort: 8080 }], readinessProbe: { httpGet: { port: "http" } } });
        expect(problemsOf(named)).toEqual([]);
        const undeclared = withContainer({ readinessProbe: { tcpSocket: { port: "metrics" } } });
        expect(problemsOf(undeclared, k8sCtx)).toEqual([]);
        expect(collectProblems(undeclared, ctx)[0].rule).toBe("docker-probe-port-name");
        expect(problemsOf(withContainer({ readinessProbe: { tcpSocket: { port: "8080" } } }), k8sCtx)[0].reason)
            .toBe("the string \"8080\" is neither a port number nor a port name (at most 15 lower-case letters, digits and '-', with at least one letter, no '--', not starting or ending with '-'); write a number without quotes, e.g. 8080, or a declared port's name");
    });

    it("rejects probes on init containers", () => {
        const spec: PodGroupSpec = { ...minimalSpec(), initContainers: [{ name: "init", image: TOOLBOX, readinessProbe: { exec: { command: ["true"] } } }] };
        expect(problemsOf(spec)).toEqual([{
            propertyPath: "spec.initContainers[0].readinessProbe",
            reason: "an init container without restartPolicy \"Always\" cannot have a readinessProbe (it runs to completion); remove it, or make the init container a native sidecar with restartPolicy: \"Always\"",
        }]);
    });

    it("rejects an empty image and whitespace in one, accepts an image without a tag as Kubernetes does", () => {
        expect(problemsOf(withContainer({ image: "" }))).toEqual([{
            propertyPath: "spec.containers[0].image",
            reason: "an image is required, got the string \"\"; set an image reference such as \"podgroup/toolbox:1.0.0\"",
        }]);
        expect(problemsOf(withContainer({ image: " nginx" }), k8sCtx)[0].reason).toBe("the string \" nginx\" has leading or trailing whitespace; remove it");
        expect(problemsOf(withContainer({ image: "my image:1" }))[0].reason).toBe("the string \"my image:1\" is not a Docker image reference: it contains whitespace");
        for (const image of ["nginx", "busybox:latest", "localhost:5000/app", `app@sha256:${"a".repeat(64)}`]) {
            expect([image, problemsOf(withContainer({ image }))]).toEqual([image, []]);
        }
    });

    it("accepts env names Kubernetes 1.34 accepts (dots, dashes) and entries without a value", () => {
        expect(problemsOf(withContainer({ env: [{ name: "spring.profiles.active", value: "prod" }, { name: "EMPTY" }] }))).toEqual([]);
    });

    it("warns, as the API server does word for word, about a variable defined again that hides the earlier one", () => {
        const env = [
            { name: "A", value: "1" }, { name: "A", value: "2" },
            { name: "B", value: "x" }, { name: "B", value: "$(B):y" }, { name: "B", value: "$(B)" },
            { name: "A" }, { name: "A", secretValue: "s" }, { name: "C", value: "$(C)" },
        ];
        const hides = (i: number, name: string) => ({
            propertyPath: `spec.containers[0].env[${i}]`,
            reason: `hides previous definition of "${name}", which may be dropped when using apply`,
        });
        for (const context of [ctx, k8sCtx]) {
            expect(collectFindings(withContainer({ env }), context))
                .toEqual({ problems: [], warnings: [hides(1, "A"), hides(4, "B"), hides(5, "A"), hides(6, "A")] });
        }
        // A value another resource computes is not known at preview: it is taken not to refer to the earlier one.
        const computed = [{ name: "A", value: "1" }, { name: "A", value: pulumi.output("$(A)x") }];
        expect(validatePodGroupSpec(withContainer({ env: computed }), ctx)).toEqual([hides(1, "A")]);
    });

    it("rejects env entries with both value and secretValue, values that are not strings, and bad names", () => {
        const spec = withContainer({ env: [{ name: "A", value: "1", secretValue: "2" }, { name: "B", value: 8080 }, { name: "C", secretValue: true }, { name: "X=Y", value: "y" }] });
        expect(problemsOf(spec)).toEqual([
            { propertyPath: "spec.containers[0].env[0]", reason: "set one of `value` (plain) and `secretValue` (kept secret), not both" },
            { propertyPath: "spec.containers[0].env[1].value", reason: "must be a string (or a Pulumi Output of one), got the number 8080; quote numbers and booleans" },
            { propertyPath: "spec.containers[0].env[2].secretValue", reason: "must be a string or a Pulumi secret Output, got the boolean true" },
            { propertyPath: "spec.containers[0].env[3].name", reason: "the string \"X=Y\" is not a variable name; use printable ASCII characters other than '=', e.g. \"LOG_LEVEL\"" },
        ]);
    });

    it("rejects a user that is not a numeric uid or uid:gid, and ids above 2147483647", () => {
        expect(problemsOf(withContainer({ user: "nobody" }))).toEqual([{
            propertyPath: "spec.containers[0].user",
            reason: "the string \"nobody\" must be a numeric uid or \"uid:gid\" from 0 to 2147483647 (e.g. \"1000\" or \"1000:1000\"), as Kubernetes' runAsUser/runAsGroup",
        }]);
        expect(problemsOf(withContainer({ user: "2147483648" }))[0].propertyPath).toBe("spec.containers[0].user");
        expect(problemsOf(withContainer({ securityContext: { runAsUser: 2147483648 } }))).toEqual([{
            propertyPath: "spec.containers[0].securityContext.runAsUser",
            reason: "must be a whole number from 0 to 2147483647, got the number 2147483648",
        }]);
    });

    it("rejects a bad hostname, group name, grace period and reserved labels", () => {
        const spec: PodGroupSpec = { ...minimalSpec(), hostname: "My_Host", terminationGracePeriodSeconds: 1.5, labels: { "podgroup.io/group": "x" } };
        expect(problemsOf(spec, { groupName: "Web", backend: "docker" })).toEqual([
            { propertyPath: "name", reason: "group name the string \"Web\" is not a DNS-1123 label (lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters); it names the Pod, is its default hostname and prefixes every Docker name: use e.g. \"web\"" },
            { propertyPath: "spec.hostname", reason: "the string \"My_Host\" is not a DNS-1123 label (lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters); use e.g. \"my-host\"" },
            { propertyPath: "spec.terminationGracePeriodSeconds", reason: "must be a whole number of seconds (a negative one means 1, as in Kubernetes), got the number 1.5" },
            { propertyPath: "spec.labels[\"podgroup.io/group\"]", reason: "keys under podgroup.io/ are set by PodGroup itself; use another prefix" },
        ]);
    });

    it("rejects a label prefix over 253 characters", () => {
        const key = `${"a".repeat(250)}.com/x`;
        expect(problemsOf({ ...minimalSpec(), labels: { [key]: "v" } })[0].reason).toMatch(/^is not a Kubernetes label key: the prefix "a{60}\.\.\." \(254 characters\) is not a DNS-1123 subdomain/);
    });

    it("rejects duplicate volume names and a bad emptyDir medium", () => {
        const spec = { ...minimalSpec(), volumes: [{ name: "v", emptyDir: {} }, { name: "v", emptyDir: { medium: "SSD" } }] };
        expect(problemsOf(spec)).toEqual([
            { propertyPath: "spec.volumes[1].name", reason: "volume \"v\" is declared twice; give each volume its own name" },
            { propertyPath: "spec.volumes[1].emptyDir.medium", reason: "the string \"SSD\" is not an emptyDir medium; use \"\" (disk) or \"Memory\" (tmpfs)" },
        ]);
    });

    it("rejects something that is not a spec at all", () => {
        expect(problemsOf("web")).toEqual([{
            propertyPath: "spec",
            reason: "the spec must be an object with at least `containers` (a PodGroupSpec), got the string \"web\"; "
                + "e.g. { containers: [{ name: \"app\", image: \"podgroup/toolbox:1.0.0\" }] }",
        }]);
    });

    it("reports every problem at once in one error that names each field", () => {
        const spec = { containers: [{ name: "A", image: "" }, { name: "b", image: "x:latest", imagePullPolicy: "Sometimes" }], restartPolicy: "Sometimes" };
        let caught: unknown;
        try {
            validatePodGroupSpec(spec, ctx);
        } catch (e) {
            caught = e;
        }
        expect(caught).toBeInstanceOf(PodGroupValidationError);
        const error = caught as PodGroupValidationError;
        expect(error.problems.map((p) => p.propertyPath)).toEqual([
            "spec.containers[0].name", "spec.containers[0].image", "spec.containers[1].imagePullPolicy", "spec.restartPolicy",
        ]);
        expect(error.message.split("\n")[0]).toBe("PodGroup \"web\": the spec has 4 problems, nothing was created:");
        expect(error.message).toContain("  - spec.restartPolicy: the string \"Sometimes\" is not a restart policy; use \"Always\", \"OnFailure\" or \"Never\"");
        expect(error.toInputPropertiesError().errors).toEqual(error.problems);
    });

    it("reports all eleven problems of a spec with eleven, none hidden by another", () => {
        const spec = {
            volumes: [{ name: "Data", emptyDir: {} }],
            terminationGracePeriodSeconds: "30",
            containers: [
                {
                    name: "web", image: TOOLBOX, env: [{ name: "TOKEN", value: 5, secretValue: "s" }],
                    ports: [{ containerPort: 70000 }, { containerPort: 81, name: "Http" }],
                    volumeMounts: [{ name: "data", mountPath: "/data" }],
                    readinessProbe: { httpGet: { port: 0 } }, lifecycle: { preStop: { sleep: { seconds: -5 } } },
                },
                { name: "Sidecar", image: "" },
            ],
        };
        const c0 = "spec.containers[0]";
        const supervised = { groupName: "web", backend: "docker" as const, supervise: true };
        expect(collectProblems(spec, supervised).map((p) => p.propertyPath)).toEqual([
            "spec.volumes[0].name",
            `${c0}.env[0]`, `${c0}.env[0].value`,
            `${c0}.ports[0].containerPort`, `${c0}.ports[1].name`, `${c0}.volumeMounts[0].name`,
            `${c0}.readinessProbe.httpGet.port`, `${c0}.lifecycle.preStop.sleep.seconds`,
            "spec.containers[1].name", "spec.containers[1].image",
            "spec.terminationGracePeriodSeconds",
        ]);
        // A negative sleep is wrong whatever the grace period; the upper bound needs a valid one.
        const sleeping = (seconds: number) =>
            withContainer({ lifecycle: { preStop: { sleep: { seconds } } } }, { terminationGracePeriodSeconds: 1.5 });
        expect(problemsOf(sleeping(-5), k8sCtx)[0]).toEqual({
            propertyPath: "spec.containers[0].lifecycle.preStop.sleep.seconds",
            reason: "the number -5 must not be negative (from 0 to the pod's terminationGracePeriodSeconds)",
        });
        expect(problemsOf(sleeping(45), k8sCtx).map((p) => p.propertyPath))
            .toEqual(["spec.terminationGracePeriodSeconds"]);
    });

    it("registers nothing, not even the component, when the spec is rejected", () => {
        const before = registered.length;
        expect(() => new PodGroup("bad", { backend: "docker", spec: { containers: [] } }, { transformations: [recordOptions] }))
            .toThrow("PodGroup \"bad\": the spec has 1 problem, nothing was created:\n  - spec.containers: a group needs at least one container");
        expect(() => new PodGroup("bad", { backend: "kubernetes", spec: minimalSpec(), kubernetes: { namespace: "Not_A_Namespace" } }))
            .toThrow("  - namespace: namespace the string \"Not_A_Namespace\" is not a DNS-1123 label");
        expect(registered.length).toBe(before);
    });

    it("applies image overrides before validation: the image checked is the image deployed", () => {
        expect(() => new PodGroup("ovr", { backend: "docker", spec: minimalSpec(), imageOverrides: { [TOOLBOX]: "Bad Image" } }))
            .toThrow("  - spec.containers[0].image: the string \"Bad Image\" is not a Docker image reference: it contains whitespace");
    });

    it("refuses two groups with one name in one program, before registering the second", () => {
        new PodGroup("twin-a", { backend: "docker", groupName: "twin", spec: minimalSpec() });
        const before = registered.length;
        expect(() => new PodGroup("twin-b", { backend: "docker", groupName: "twin", spec: minimalSpec() }))
            .toThrow("  - groupName: group name \"twin\" is already used by the PodGroup \"twin-a\" of this program on docker; their containers would collide: give each group its own name");
        expect(registered.length).toBe(before);
        expect(() => new PodGroup("twin-c", { backend: "kubernetes", groupName: "twin", kubernetes: { namespace: "other" }, spec: minimalSpec() })).not.toThrow();
    });
});
