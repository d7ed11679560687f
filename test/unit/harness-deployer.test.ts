/**
 * The harness's inline program (Pulumi mocks, no engine): one PodGroup whose every resource goes
 * through the provider made from the target's destination (the Docker engine's host, the
 * cluster's kubeconfig), with the backend's options where the component takes them.
 */
import * as pulumi from "@pulumi/pulumi";
import * as path from "path";

interface Seen { type: string; name: string; inputs: Record<string, unknown>; provider?: string }
const seen: Seen[] = [];
void pulumi.runtime.setMocks({
    newResource: (args) => {
        seen.push({ type: args.type, name: args.name, inputs: args.inputs, provider: args.provider });
        return { id: `${args.name}-id`, state: args.inputs };
    },
    call: (args) => args.inputs,
}, "podgroup-harness", "unit", false);

// After setMocks: the program registers its resources with the mocks.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { groupProgram } = require("../../harness/deploy/pulumi-deployer") as typeof import("../../harness/deploy/pulumi-deployer");

const spec = { containers: [{ name: "app", image: "podgroup/toolbox:1.0.0", command: ["sleep", "100000"] }] };

/** Runs the program and lets its registrations settle. */
async function run(program: () => Promise<Record<string, unknown>>): Promise<void> {
    seen.length = 0;
    await program();
    await new Promise((resolve) => setTimeout(resolve, 50));
}

describe("inline program of the harness's deployer", () => {
    it("Docker: every container through a docker provider for the target's host; supervise as the destination says", async () => {
        await run(groupProgram({ groupName: "mine-s", spec, destination: { backend: "docker", docker: { host: "tcp://192.0.2.7:2375" }, supervise: true } }));
        const provider = seen.find((r) => r.type === "pulumi:providers:docker");
        expect(provider).toMatchObject({ name: "mine-s-docker", inputs: { host: "tcp://192.0.2.7:2375" } });
        const containers = seen.filter((r) => r.type === "docker:index/container:Container");
        expect(containers).toHaveLength(2);  // the pause and the member
        for (const c of containers) {
            expect([c.name, c.provider]).toEqual([c.name, expect.stringContaining("pulumi:providers:docker::mine-s-docker::")]);
            expect(c.inputs.labels).toEqual(expect.arrayContaining([{ label: "podgroup.io/supervised", value: "true" }]));
        }
    });

    it("Kubernetes: the Pod through a kubernetes provider for the target's kubeconfig, in its namespace, skipAwait when asked", async () => {
        await run(groupProgram({
            groupName: "mine-k", spec, skipAwait: true,
            destination: { backend: "kubernetes", kubeconfig: "/etc/podgroup/admin.kubeconfig", namespace: "conformance" },
        }));
        expect(seen.find((r) => r.type === "pulumi:providers:kubernetes")).toMatchObject({
            name: "mine-k-kubernetes", inputs: { kubeconfig: path.resolve("/etc/podgroup/admin.kubeconfig") },
        });
        const pod = seen.find((r) => r.type === "kubernetes:core/v1:Pod");
        expect(pod?.provider).toEqual(expect.stringContaining("pulumi:providers:kubernetes::mine-k-kubernetes::"));
        expect(pod?.inputs.metadata).toMatchObject({ name: "mine-k", namespace: "conformance", annotations: { "pulumi.com/skipAwait": "true" } });
    });
});
