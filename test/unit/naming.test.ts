// Docker names: unambiguous by construction, whatever the group and container names.
import { dockerContainerName, dockerPauseName, dockerVolumeName } from "../../components/naming";
import { collectProblems } from "../../components/validate";

describe("Docker names", () => {
    it("keeps apart group shop-web's container x and group shop's container web-x", () => {
        expect(dockerContainerName("shop-web", "x")).not.toBe(dockerContainerName("shop", "web-x"));
    });

    it("gives the pause a name no member can have, even one called pause", () => {
        expect(dockerPauseName("shop")).toBe("shop_POD");
        expect(dockerContainerName("shop", "pause")).not.toBe(dockerPauseName("shop"));
        expect(collectProblems({ containers: [{ name: "POD", image: "x:1" }] }, { groupName: "shop" }).map((p) => p.propertyPath)).toEqual(["spec.containers[0].name"]);
    });

    it("maps every valid (group, container) pair to its own name: exhaustive over a small alphabet", () => {
        // Every DNS-1123 label of up to 4 characters over {a, -}: the '-' is what made names collide.
        const labels = ["a", "aa", "aaa", "aaaa", "a-a", "a-aa", "aa-a", "a--a"];
        const seen = new Map<string, string>();
        for (const g of labels) {
            for (const c of labels) {
                for (const [kind, name] of [["c", dockerContainerName(g, c)], ["v", dockerVolumeName(g, c)]]) {
                    const key = `${kind}:${name}`;
                    expect([key, seen.get(key)]).toEqual([key, undefined]);
                    seen.set(key, `${g}/${c}`);
                }
            }
            const pause = `c:${dockerPauseName(g)}`;
            expect([pause, seen.get(pause)]).toEqual([pause, undefined]);
            seen.set(pause, `${g}/POD`);
        }
    });
});
