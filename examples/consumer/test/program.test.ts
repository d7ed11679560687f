// Unit tests of the user's program with Pulumi's mocks, against the installed package's
// declarations and code: what a platform team writes before `pulumi up`.
import * as pulumi from "@pulumi/pulumi";

interface Registered { type: string; name: string; inputs: Record<string, unknown> }
const registered: Registered[] = [];

pulumi.runtime.setMocks({
    newResource: (args) => {
        registered.push({ type: args.type, name: args.name, inputs: args.inputs });
        return { id: `${args.name}-id`, state: args.inputs };
    },
    call: (args) => args.inputs,
}, "consumer", "test", false);

// Loaded after setMocks, as Pulumi's testing guide says.
import { LABEL_GROUP, LABEL_ROLE, PodGroup, PodGroupValidationError, validatePodGroupSpec } from "podgroup";
import { shopSpec } from "../shop";

function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => output.apply(resolve));
}

describe("the shop group from the installed podgroup package", () => {
    it("renders a pause container and two members that join its namespaces", async () => {
        const shop = new PodGroup("shop", { backend: "docker", spec: shopSpec() });
        expect(await valueOf(shop.members)).toEqual(["web", "poller"]);
        await valueOf(shop.memberIds);
        const containers = registered.filter((r) => r.type === "docker:index/container:Container");
        const pause = containers.find((c) => (c.inputs.labels as { label: string; value: string }[])
            .some((l) => l.label === LABEL_ROLE && l.value === "pause"));
        expect(pause).toBeDefined();
        const members = containers.filter((c) => c !== pause);
        expect(members).toHaveLength(2);
        for (const m of members) {
            expect(m.inputs.networkMode).toBe(`container:${pause!.name}-id`);
            expect((m.inputs.labels as { label: string; value: string }[]).find((l) => l.label === LABEL_GROUP)?.value).toBe("shop");
        }
    });

    it("renders the same spec as one Kubernetes Pod", async () => {
        const shop = new PodGroup("shop-k8s", { backend: "kubernetes", spec: shopSpec() });
        expect(await valueOf(shop.podName)).toBe("shop-k8s");
        const pod = registered.find((r) => r.type === "kubernetes:core/v1:Pod");
        expect((pod?.inputs.spec as { containers: { name: string }[] }).containers.map((c) => c.name)).toEqual(["web", "poller"]);
    });

    it("takes an image and an env value that other resources compute (Pulumi Inputs)", async () => {
        const image = pulumi.output("podgroup/toolbox:1.0.0"); // e.g. a docker.Image's imageName
        const group = new PodGroup("computed", { backend: "docker", spec: { containers: [
            { name: "app", image, env: [{ name: "PEER", value: pulumi.output("10.0.0.7") }, { name: "URL", value: "http://$(PEER)/" }] },
        ] } });
        await valueOf(group.memberIds);
        const app = registered.filter((r) => r.type === "docker:index/container:Container" && r.name === "computed-member-app")[0];
        expect(app.inputs).toMatchObject({ image: "podgroup/toolbox:1.0.0", envs: ["PEER=10.0.0.7", "URL=http://10.0.0.7/"] });
    });

    it("rejects a bad spec before anything is created, naming the field", () => {
        const before = registered.length;
        const bad = { ...shopSpec(), restartPolicy: "Sometimes" };
        expect(() => validatePodGroupSpec(bad, { groupName: "shop", backend: "docker" })).toThrow(PodGroupValidationError);
        expect(() => new PodGroup("bad", { backend: "docker", spec: bad as never })).toThrow(/restartPolicy/);
        expect(registered.length).toBe(before);
    });
});
