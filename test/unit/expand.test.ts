// kubelet's $(VAR) expansion, case by case from its rules (third_party/forked/golang/expansion:
// expand.go and expand_test.go; pkg/kubelet/kubelet_pods.go makeEnvironmentVariables).
import { byName, settled, withoutStacks } from "./mocks";
import * as pulumi from "@pulumi/pulumi";
import { expandArgs, expandEnv, expandProbeCommand, expandVars } from "../../components/expand";
import { PodGroup } from "../../components/pod-group";
import { DockerGroupResources, dockerProcess } from "../../components/render-docker";
import { TOOLBOX } from "./fixtures";

const vars: Record<string, string> = { VAR_A: "A", VAR_B: "B", VAR_C: "C", VAR_REF: "$(VAR_A)", VAR_EMPTY: "" };
const lookup = (n: string) => vars[n];

describe("an exec probe's command, as kubelet's prober expands it (only the values as written)", () => {
    it("expands against the written values, unexpanded, with secrets empty and the last entry of a name winning", () => {
        const env = [{ name: "A", value: "1" }, { name: "B", value: "$(A)2" }, { name: "S" }, { name: "A", value: "3" }];
        expect(expandProbeCommand(["check", "$(A)", "$(B)", "<$(S)>", "$(NOPE)", "$$(A)"], env)).toEqual(["check", "3", "$(A)2", "<>", "$(NOPE)", "$(A)"]);
        expect(expandProbeCommand(["true"], [])).toEqual(["true"]);
    });
});

describe("$(VAR) expansion, as kubelet does it", () => {
    it.each([
        ["a known reference is replaced", "$(VAR_A)", "A"],
        ["references inside text", "___$(VAR_B)___", "___B___"],
        ["several references", "$(VAR_A)-$(VAR_B)-$(VAR_C)", "A-B-C"],
        ["an empty value", "x$(VAR_EMPTY)y", "xy"],
        ["an unknown reference stays as written", "$(VAR_DNE)", "$(VAR_DNE)"],
        ["$$ is an escaped $", "$$(VAR_A)", "$(VAR_A)"],
        ["$$ twice", "$$$$", "$$"],
        ["seven $ then a reference", "$$$$$$$(VAR_A)", "$$$A"],
        ["$NAME is plain text", "$VAR_A", "$VAR_A"],
        ["${NAME} is plain text", "${VAR_A}", "${VAR_A}"],
        ["a trailing $ stays", "foo$", "foo$"],
        ["a lone $ stays", "$", "$"],
        ["$( without ) stays, and what follows is read on", "$(VAR_B)__$(A", "B__$(A"],
        ["an unclosed $( does not stop later escapes", "$(A $$", "$(A $"],
        ["the name runs to the first )", "$(VAR_A$(VAR_B))", "$(VAR_A$(VAR_B))"],
        ["a backslash escapes nothing", "foo\\$(VAR_C)bar", "foo\\Cbar"],
        ["no second pass", "$(VAR_REF)", "$(VAR_A)"],
        ["an empty name stays", "$()", "$()"],
        ["$? is plain text", "$?", "$?"],
    ])("%s: %s -> %s", (_what, input, output) => {
        expect(expandVars(input, lookup)).toBe(output);
    });

    it("expands env values in order against the earlier entries only (TestMapReference)", () => {
        const { values } = expandEnv([
            { name: "FOO", value: "bar" }, { name: "ZOO", value: "$(FOO)-1" }, { name: "BLU", value: "$(ZOO)-2" },
            { name: "EARLY", value: "$(LATE)" }, { name: "LATE", value: "x" },
        ]);
        expect(values).toEqual(["bar", "bar-1", "bar-1-2", "$(LATE)", "x"]);
    });

    it("lets later entries see a secret value, but never expands the secret itself", () => {
        const { values, final } = expandEnv([{ name: "S", secret: "$(X)" }, { name: "X", value: "x" }, { name: "USE", value: "<$(S)>" }]);
        expect(values).toEqual(["$(X)", "x", "<$(X)>"]);
        expect(final.get("USE")).toBe("<$(X)>");
    });

    it("expands command and args against the final env (later entries included; the last definition wins)", () => {
        const { final } = expandEnv([{ name: "A", value: "1" }, { name: "B", value: "$(A)2" }, { name: "A", value: "3" }]);
        expect(expandArgs(["echo", "$(A)", "$(B)", "$(C)", "$$(A)"], final)).toEqual(["echo", "3", "12", "$(C)", "$(A)"]);
        expect(expandArgs(undefined, final)).toBeUndefined();
    });
});

describe("Docker members get expanded env, entrypoint and command", () => {
    it("renders the expanded values", () => {
        const p = dockerProcess({ env: [{ name: "GREETING", value: "hello" }, { name: "MSG", value: "$(GREETING) world" }], command: ["sh", "-c"], args: ["echo $(MSG) $$HOME"] });
        expect(p).toEqual({ envs: ["GREETING=hello", "MSG=hello world"], entrypoints: ["sh", "-c"], command: ["echo hello world $HOME"] });
    });

    it("keeps the env secret, and command/args that refer to variables secret too, when a value is a secret", async () => {
        const group = withoutStacks(() => new PodGroup("expsec", { backend: "docker", spec: { containers: [{
            name: "app", image: TOOLBOX, env: [{ name: "TOKEN", secretValue: "s3" }, { name: "HDR", value: "Bearer $(TOKEN)" }],
            command: ["sh", "-c", "echo $(HDR)"], args: ["plain"],
        }] } }));
        await settled((group.resources as DockerGroupResources).members);
        const inputs = byName("expsec-member-app").inputs;
        const secret = { [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig };
        expect(inputs.envs).toEqual({ ...secret, value: ["TOKEN=s3", "HDR=Bearer s3"] });
        expect(inputs.entrypoints).toEqual({ ...secret, value: ["sh", "-c", "echo Bearer s3"] });
        expect(inputs.command).toEqual(["plain"]);
    });
});
