// Pod manifests in: podGroupSpecFromManifest and the podgroup:manifest stack config.
import { registered } from "./mocks";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ManifestError, podGroupSpecFromManifest } from "../../components/manifest";
import { readStackConfig } from "../../components/stack-config";
import { collectProblems } from "../../components/validate";
import { SIDECAR_POD_MANIFEST } from "./lifecycle-fixtures";

const EXAMPLES = path.resolve(__dirname, "../../examples/pods");
const REPO = path.resolve(__dirname, "../..");
const read = (f: string) => fs.readFileSync(path.join(EXAMPLES, f), "utf8");

const POD = { apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "team", labels: { app: "x" } }, spec: { containers: [{ name: "a", image: "nginx" }] } };

describe("podGroupSpecFromManifest", () => {
    it("reads a Pod object: name, labels and namespace kept, the PodSpec unchanged", () => {
        expect(podGroupSpecFromManifest(POD)).toEqual({
            groupName: "p", namespace: "team", warnings: [],
            spec: { containers: [{ name: "a", image: "nginx" }], labels: { app: "x" } },
        });
    });

    it.each(["two-container-pod.yaml", "share-process-namespace.yaml", "init-containers.yaml", "logging-sidecar.yaml", "dependent-envars.yaml"])(
        "reads the example %s into a spec valid on both backends", (file) => {
            const m = podGroupSpecFromManifest(read(file));
            for (const backend of ["docker", "kubernetes"] as const) {
                expect([file, backend, collectProblems(m.spec, { groupName: m.groupName, backend })]).toEqual([file, backend, []]);
            }
        });

    it("reads a Pod with a native sidecar, hooks, startup probes and a termination message: valid on kubernetes and with the supervisor, refused on plain docker with the fix", () => {
        const m = podGroupSpecFromManifest(SIDECAR_POD_MANIFEST);
        expect([m.groupName, m.spec.labels, m.warnings]).toEqual(["web-with-proxy", { app: "web" }, []]);
        expect(m.spec.initContainers?.[1]).toMatchObject({ name: "proxy", restartPolicy: "Always", lifecycle: { preStop: { sleep: { seconds: 2 } } } });
        expect(collectProblems(m.spec, { groupName: m.groupName, backend: "kubernetes" })).toEqual([]);
        expect(collectProblems(m.spec, { groupName: m.groupName, backend: "docker", supervise: true })).toEqual([]);
        expect(collectProblems(m.spec, { groupName: m.groupName, backend: "docker" })).toEqual([]);
        const plain = collectProblems(m.spec, { groupName: m.groupName, backend: "docker", supervise: false });
        expect(plain.map((p) => [p.propertyPath, p.rule])).toEqual([
            ["spec.initContainers[1].restartPolicy", "docker-native-sidecar"],
            ["spec.initContainers[1].startupProbe", "docker-startup-probe"],
            ["spec.initContainers[1].lifecycle.preStop", "docker-lifecycle"],
            ["spec.containers[0].startupProbe", "docker-startup-probe"],
            ["spec.containers[0].lifecycle.postStart", "docker-lifecycle"],
            ["spec.containers[0].lifecycle.preStop", "docker-lifecycle"],
            ["spec.containers[0].terminationMessagePolicy", "docker-termination-message"],
            ["spec.containers[0].terminationMessagePath", "docker-termination-message"],
        ]);
        for (const p of plain) expect(p.reason).toContain("remove docker: { supervise: false } (the supervised mode is the default; or pulumi config rm podgroup:supervise)");
    });

    it("reads what kubectl get -o yaml prints for a container's termination message defaults", () => {
        const m = podGroupSpecFromManifest({ ...POD, spec: { containers: [{ name: "a", image: "nginx", terminationMessagePath: "/dev/termination-log", terminationMessagePolicy: "File" }] } });
        for (const backend of ["docker", "kubernetes"] as const) expect(collectProblems(m.spec, { groupName: m.groupName, backend })).toEqual([]);
    });

    it("takes the pod template of every controller kind, and warns about the controller fields it does not use", () => {
        const template = { metadata: { labels: { app: "t" } }, spec: POD.spec };
        const kinds: [string, Record<string, unknown>][] = [
            ["Deployment", { replicas: 3, selector: {}, template }], ["StatefulSet", { template }], ["DaemonSet", { template }],
            ["ReplicaSet", { template }], ["Job", { template }], ["CronJob", { schedule: "* * * * *", jobTemplate: { spec: { template } } }],
        ];
        for (const [kind, spec] of kinds) {
            const m = podGroupSpecFromManifest({ kind, metadata: { name: "c" }, spec });
            expect([kind, m.groupName, m.spec]).toEqual([kind, "c", { ...POD.spec, labels: { app: "t" } }]);
        }
        const d = podGroupSpecFromManifest(read("logging-sidecar.yaml"));
        expect(d.warnings.map((w) => w.propertyPath)).toEqual(["spec.replicas", "spec.selector", "metadata.labels"]);
    });

    it("picks one document of a multi-document YAML by name, and says which there are otherwise", () => {
        const yaml = `${read("init-containers.yaml")}\n---\n${read("share-process-namespace.yaml")}\n---\nkind: Service\nmetadata: {name: svc}\n`;
        expect(podGroupSpecFromManifest(yaml, { name: "share-pid" }).spec.shareProcessNamespace).toBe(true);
        expect(() => podGroupSpecFromManifest(yaml)).toThrow("manifest: 2 documents hold a pod (Pod \"init-demo\", Pod \"share-pid\"); pick one with options.name (podgroup:name)");
        expect(() => podGroupSpecFromManifest(yaml, { name: "nope" })).toThrow("no document named \"nope\" (found: Pod \"init-demo\", Pod \"share-pid\")");
        expect(() => podGroupSpecFromManifest("kind: Service\nmetadata: {name: s}\n")).toThrow("no Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob found (kinds seen: Service)");
    });

    it("refuses what it cannot use: no name, annotations, bad YAML", () => {
        expect(() => podGroupSpecFromManifest({ kind: "Pod", metadata: { annotations: { a: "b" } }, spec: POD.spec })).toThrow(ManifestError);
        try {
            podGroupSpecFromManifest({ kind: "Pod", metadata: { annotations: { a: "b" } }, spec: POD.spec });
        } catch (e) {
            expect((e as ManifestError).problems).toEqual([
                { propertyPath: "metadata.name", reason: "the group's name comes from metadata.name, got nothing" },
                { propertyPath: "metadata.annotations", reason: "PodGroup does not implement pod annotations; remove it (see docs/spec-support.md)" },
            ]);
        }
        expect(() => podGroupSpecFromManifest("kind: Pod\n  bad: [")).toThrow("not valid YAML");
    });

    it("leaves unimplemented PodSpec fields to validation, which names them by path", () => {
        const m = podGroupSpecFromManifest({ ...POD, spec: { ...POD.spec, dnsPolicy: "None" } });
        expect(collectProblems(m.spec, { groupName: m.groupName, backend: "docker" }).map((p) => p.propertyPath)).toEqual(["spec.dnsPolicy"]);
    });
});

describe("stack config (podgroup:*)", () => {
    it("deploys a manifest: its name, labels and namespace, unless the stack sets the namespace", () => {
        const s = readStackConfig({ manifest: "examples/pods/init-containers.yaml", backend: "kubernetes" }, REPO);
        expect([s.groupName, s.namespace, s.spec.initContainers?.[0].name]).toEqual(["init-demo", undefined, "install"]);
        const withNs = readStackConfig({ manifest: "examples/pods/init-containers.yaml", backend: "kubernetes", namespace: "team" }, REPO);
        expect(withNs.namespace).toBe("team");
        // A manifest's namespace on Docker: said, not silently dropped.
        const nsManifest = "apiVersion: v1\nkind: Pod\nmetadata: {name: ns-pod, namespace: team}\nspec: {containers: [{name: app, image: podgroup/toolbox:1.0.0}]}\n";
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "podgroup-manifest-"));
        fs.writeFileSync(path.join(dir, "pod.yaml"), nsManifest);
        expect(readStackConfig({ manifest: "pod.yaml" }, dir).warnings).toContainEqual(
            { propertyPath: "manifest metadata.namespace", reason: "\"team\" is used on the kubernetes backend only; Docker has no namespaces" });
        expect(readStackConfig({ manifest: "pod.yaml", backend: "kubernetes" }, dir).namespace).toBe("team");
        // A key of the other backend is an error, not ignored.
        expect(() => readStackConfig({ manifest: "examples/pods/init-containers.yaml", namespace: "team" }, REPO)).toThrow(
            "podgroup:namespace: an option of the kubernetes backend, but this stack's backend is docker: remove it (pulumi config rm podgroup:namespace) or set podgroup:backend kubernetes");
        // The stack validates for the supervisor unless podgroup:supervise is false: a native sidecar is refused only then.
        const sidecarDir = fs.mkdtempSync(path.join(os.tmpdir(), "podgroup-manifest-"));
        fs.writeFileSync(path.join(sidecarDir, "pod.yaml"), SIDECAR_POD_MANIFEST);
        expect(readStackConfig({ manifest: "pod.yaml", supervise: "true" }, sidecarDir).spec.initContainers?.[1].restartPolicy).toBe("Always");
        expect(readStackConfig({ manifest: "pod.yaml" }, sidecarDir).supervise).toBe(true);
        expect(() => readStackConfig({ manifest: "pod.yaml", supervise: "false" }, sidecarDir))
            .toThrow(/spec\.initContainers\[1\]\.restartPolicy: native sidecars .* need the supervisor on docker/);
        expect(() => readStackConfig({ backend: "kubernetes", supervise: "true" }, REPO)).toThrow(
            "podgroup:supervise: an option of the docker backend, but this stack's backend is kubernetes");
    });

    it("reports every problem of every key and of the spec at once, with did-you-mean for keys", () => {
        const group = JSON.stringify({ containers: [{ name: "app", image: "podgroup/toolbox:1.0.0", command: ["sleep", 3600] }] });
        const before = registered.length;
        let message = "";
        try {
            readStackConfig({ backend: "podman", group, supervise: "yes", namspace: "x" }, REPO);
        } catch (e) {
            message = (e as Error).message;
        }
        expect(message.split("\n")).toEqual([
            "PodGroup \"sample\": the stack configuration has 4 problems, nothing was created:",
            "  - podgroup:namspace: unknown key; did you mean podgroup:namespace? (the keys are: backend, name, group, manifest, namespace, kubeconfig, supervise, supervisor, skipAwait)",
            "  - podgroup:backend: the string \"podman\" is not a backend; set \"docker\" or \"kubernetes\" (pulumi config set podgroup:backend docker)",
            "  - podgroup:supervise: must be true or false, got the string \"yes\"",
            "  - spec.containers[0].command: must be a list of strings: item [1] is the number 3600; quote it (YAML and `pulumi config set --path` read 3600 as a number)",
        ]);
        expect(registered.length).toBe(before);
    });

    it("refuses group and manifest together, and a manifest it cannot read", () => {
        expect(() => readStackConfig({ group: "{}", manifest: "examples/pods/init-containers.yaml" }, REPO)).toThrow("podgroup:manifest: set either podgroup:group or podgroup:manifest, not both");
        expect(() => readStackConfig({ manifest: "nowhere.yaml" }, REPO)).toThrow(/podgroup:manifest: cannot read .*nowhere.yaml \(a path relative to the project directory\)/);
    });
});
