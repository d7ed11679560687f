// index.ts: stack config -> one PodGroup -> exported outputs.
import { byName, registered, valueOf, withoutStacks } from "./mocks";
import * as pulumi from "@pulumi/pulumi";

type Program = Record<string, pulumi.Output<unknown>>;

function loadProgram(config: Record<string, string>): Program {
    pulumi.runtime.setAllConfig(config);
    let program: Program = {};
    jest.isolateModules(() => {
        // A fresh copy of the program per config: it reads the config when loaded.
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        program = withoutStacks(() => require("../../index") as Program);
    });
    return program;
}

describe("program (index.ts)", () => {
    it("deploys the sample group on Docker by default and exports its outputs", async () => {
        const program = loadProgram({});
        expect(await valueOf(program.backend)).toBe("docker");
        expect(await valueOf(program.groupName)).toBe("sample");
        expect(Object.keys(await valueOf(program.memberIds) as object)).toEqual(["web", "sidecar"]);
        expect(await valueOf(program.containerNames)).toEqual({ POD: "sample_POD", web: "sample_web", sidecar: "sample_sidecar" });
        expect(typeof await valueOf(program.pauseId)).toBe("string");
        expect(byName("sample-pause").type).toBe("docker:index/container:Container");
    });

    it("exports only the outputs the chosen backend has (no undefined output, no warning)", () => {
        expect(Object.keys(loadProgram({})).sort()).toEqual(
            ["backend", "containerNames", "groupName", "initIds", "memberIds", "members", "pauseId", "ports"]);
        expect(Object.keys(loadProgram({ "podgroup:supervisor": "true" }))).toContain("supervisorContainer");
        expect(Object.keys(loadProgram({ "podgroup:backend": "kubernetes" })).sort()).toEqual(
            ["backend", "containerNames", "groupName", "initIds", "memberIds", "members", "namespace", "podName", "ports"]);
    });

    it("reads backend, name, group, namespace and kubeconfig from the podgroup config", async () => {
        const group = { containers: [{ name: "solo", image: "podgroup/toolbox:1.0.0", args: ["sleep", "3600"] }], restartPolicy: "Never" };
        const program = loadProgram({
            "podgroup:backend": "kubernetes", "podgroup:name": "cfg", "podgroup:namespace": "team",
            "podgroup:group": JSON.stringify(group), "podgroup:kubeconfig": "/tmp/kubeconfig", "podgroup:skipAwait": "true",
        });
        expect(await valueOf(program.podName)).toBe("cfg");
        expect(await valueOf(program.namespace)).toBe("team");
        expect(await valueOf(program.members)).toEqual(["solo"]);
        expect(byName("cfg-pod").inputs).toMatchObject({
            metadata: { name: "cfg", namespace: "team", annotations: { "pulumi.com/skipAwait": "true" } },
            spec: { restartPolicy: "Never", containers: [{ name: "solo", args: ["sleep", "3600"] }] },
        });
        expect(byName("kubernetes").inputs.kubeconfig).toBe("/tmp/kubeconfig");
        expect(byName("kubernetes").type).toBe("pulumi:providers:kubernetes");
    });

    it("refuses an unknown backend before creating anything", () => {
        const before = registered.length;
        expect(() => loadProgram({ "podgroup:backend": "podman" }))
            .toThrow("PodGroup \"sample\": the stack configuration has 1 problem, nothing was created:\n" +
                "  - podgroup:backend: the string \"podman\" is not a backend; set \"docker\" or \"kubernetes\" (pulumi config set podgroup:backend docker)");
        expect(registered.length).toBe(before);
    });

    it("registers nothing, not even the kubernetes provider, when the spec or any key is bad", () => {
        const before = registered.length;
        expect(() => loadProgram({
            "podgroup:backend": "kubernetes", "podgroup:kubeconfig": "/tmp/kubeconfig", "podgroup:skipAwait": "maybe",
            "podgroup:group": JSON.stringify({ contaners: [] }),
        })).toThrow("PodGroup \"sample\": the stack configuration has 3 problems, nothing was created:\n" +
            "  - podgroup:skipAwait: must be true or false, got the string \"maybe\"\n" +
            "  - spec.contaners: unknown field \"contaners\" in a PodGroupSpec (a PodSpec); did you mean \"containers\"?");
        expect(registered.length).toBe(before);
    }, 30_000);

    it("deploys a Pod manifest (podgroup:manifest) on either backend", async () => {
        const docker = loadProgram({ "podgroup:manifest": "examples/pods/init-containers.yaml" });
        expect(await valueOf(docker.groupName)).toBe("init-demo");
        expect(await valueOf(docker.containerNames)).toEqual({ POD: "init-demo_POD", install: "init-demo_install", web: "init-demo_web" });
        // The supervised group's lifecycle resource is a dynamic resource: Pulumi serialises its
        // provider before it registers it; wait for that, or it runs after jest tore the test file down.
        for (let i = 0; i < 200 && !registered.some((r) => r.name === "init-demo-lifecycle"); i++) {
            await new Promise((r) => setTimeout(r, 50));
        }
        expect(registered.map((r) => r.name)).toContain("init-demo-lifecycle");
        const k8s = loadProgram({ "podgroup:manifest": "examples/pods/logging-sidecar.yaml", "podgroup:backend": "kubernetes" });
        expect(await valueOf(k8s.podName)).toBe("counter");
        expect(byName("counter-pod").inputs).toMatchObject({ metadata: { name: "counter", labels: { app: "counter" } }, spec: { shareProcessNamespace: false } });
    }, 30_000);  // two fresh copies of the program: slow on a loaded machine

    afterAll(() => pulumi.runtime.setAllConfig({}));
});
