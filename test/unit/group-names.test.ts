// Group names are taken per program run and per Docker engine or cluster namespace: a long-lived
// Automation API process (or one test file) runs many programs, on several engines.
import { withoutStacks } from "./mocks";
import * as docker from "@pulumi/docker";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { PodGroup, PodGroupArgs } from "../../components/pod-group";
import { PodGroupValidationError } from "../../components/validate";
import { minimalSpec } from "./fixtures";

// How the Automation API runs each inline program: in its own async-local run state, with the
// SDK's own helper (internal, hence untyped).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { withLocalStorage } = require("@pulumi/pulumi/runtime/state") as {
    withLocalStorage<T>(f: () => Promise<T>): Promise<T>;
};

function group(name: string, extra: Partial<PodGroupArgs> = {}, opts?: pulumi.ComponentResourceOptions): PodGroup {
    const args: PodGroupArgs = { backend: "docker", groupName: "shared", spec: minimalSpec(), ...extra };
    return withoutStacks(() => new PodGroup(name, args, opts));
}

const taken = (by: string) =>
    `group name "shared" is already used by the PodGroup "${by}" of this program on docker; `
    + "their containers would collide: give each group its own name";

/** `program` as the Automation API runs an inline program: its own run state, its own root stack resource. */
function inlineRun(stack: string, program: () => void): Promise<unknown> {
    return withLocalStorage(async () => {
        await pulumi.runtime.setMocks({
            newResource: (a: pulumi.runtime.MockResourceArgs) => ({ id: `${a.name}-id`, state: a.inputs }),
            call: (a: pulumi.runtime.MockCallArgs) => a.inputs,
        }, "podgroup", stack, true);
        return pulumi.runtime.runInPulumiStack(async () => program());
    });
}

describe("group names", () => {
    it("refuse a name twice in one program run, with the spec's other problems in the same error", () => {
        group("first");
        let error: unknown;
        try {
            group("second", { spec: { containers: [{ name: "app", image: "" }] } });
        } catch (e) {
            error = e;
        }
        expect((error as PodGroupValidationError).problems).toEqual([
            { propertyPath: "groupName", reason: taken("first") },
            {
                propertyPath: "spec.containers[0].image",
                reason: "an image is required, got the string \"\"; "
                    + "set an image reference such as \"podgroup/toolbox:1.0.0\"",
            },
        ]);
    });

    it("are free again in the next program run of the same process, and taken in each run at once", async () => {
        // One run after the other (an Automation API process running `up` on two stacks, or twice).
        await inlineRun("one", () => void group("in-one"));
        await inlineRun("two", () => void group("in-two"));
        // Two at once, each in its own run state.
        await Promise.all([
            inlineRun("three", () => void group("in-three")),
            inlineRun("four", () => void group("in-four")),
        ]);
        // Still one name per run.
        let refused: unknown;
        await inlineRun("five", () => {
            group("five-a");
            refused = (() => {
                try {
                    return group("five-b");
                } catch (e) {
                    return e;
                }
            })();
        });
        expect((refused as PodGroupValidationError).problems)
            .toEqual([{ propertyPath: "groupName", reason: taken("five-a") }]);
    });

    it("are taken per Docker engine: the host option, else the docker provider, else the default engine", () => {
        group("engine-default", { groupName: "per-engine" });
        expect(() => group("engine-default-2", { groupName: "per-engine" }))
            .toThrow("is already used by the PodGroup \"engine-default\"");
        group("engine-b", { groupName: "per-engine", docker: { host: "tcp://engine-b:2375" } });
        expect(() => group("engine-b-2", { groupName: "per-engine", docker: { host: "tcp://engine-b:2375" } }))
            .toThrow("\"engine-b\"");
        const c = new docker.Provider("engine-c", { host: "tcp://engine-c:2375" });
        group("engine-c", { groupName: "per-engine", provider: c });
        expect(() => group("engine-c-2", { groupName: "per-engine" }, { providers: [c] })).toThrow("\"engine-c\"");
        const d = new docker.Provider("engine-d", { host: "tcp://engine-d:2375" });
        group("engine-d", { groupName: "per-engine" }, { providers: { docker: d } });
        // A provider inherited from a parent component counts as that provider.
        const e = new docker.Provider("engine-e", {});
        const parent = new pulumi.ComponentResource("test:index:Parent", "parent-e", {}, { providers: [e] });
        group("engine-e", { groupName: "per-engine" }, { parent });
        expect(() => group("engine-e-2", { groupName: "per-engine" }, { parent })).toThrow("\"engine-e\"");
    });

    it("are taken per cluster and namespace on Kubernetes", () => {
        const k8sGroup = (name: string, extra: Partial<PodGroupArgs> = {}) =>
            group(name, { backend: "kubernetes", groupName: "pod", ...extra });
        k8sGroup("pod-default");
        expect(() => k8sGroup("pod-default-2"))
            .toThrow("PodGroup \"pod-default\" of this program on kubernetes; their Pods would collide");
        k8sGroup("pod-other-namespace", { kubernetes: { namespace: "other" } });
        k8sGroup("pod-other-cluster", { provider: new k8s.Provider("cluster-b", {}) });
        // (A docker group of that name is elsewhere.)
        group("pod-on-docker", { groupName: "pod" });
    });
});
