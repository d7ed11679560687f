// A group registers its resources with V8's own stack formatting (Pulumi records a stack for
// every output property; a source-mapping formatter made that most of a program's time).
import "./mocks";
import * as docker from "@pulumi/docker";
import * as lib from "../../components";
import { withNativeStackTraces } from "../../components/stack-traces";

/**
 * Runs `f` with a formatter installed that counts its calls (as ts-node's source-map support would
 * be called), restores the one before, and says how many traces `f` formatted.
 */
function tracesFormattedBy(f: () => void): number {
    const before = Error.prepareStackTrace;
    let calls = 0;
    Error.prepareStackTrace = (error, frames) => {
        calls++;
        return [String(error), ...frames.map((frame) => `    at ${frame.toString()}`)].join("\n");
    };
    try {
        f();
        return calls;
    } finally {
        Error.prepareStackTrace = before;
    }
}

describe("withNativeStackTraces", () => {
    it("formats stacks natively inside, and restores the installed formatter after, also when it throws", () => {
        let stack: string | undefined;
        let thrown: unknown;
        expect(tracesFormattedBy(() => {
            stack = withNativeStackTraces(() => new Error("inside").stack);
            try { withNativeStackTraces(() => { throw new Error("boom"); }); } catch (e) { thrown = e; }
        })).toBe(0);
        expect(stack).toMatch(/^Error: inside\n\s+at /);
        expect((thrown as Error).message).toBe("boom");
        expect(tracesFormattedBy(() => void new Error("outside").stack)).toBe(1);
    });

    it("is what a Docker PodGroup registers its containers under", () => {
        // The component itself registers outside (a handful of properties); its three
        // containers, about 100 properties each, inside: without the wrapper this is over 900.
        expect(tracesFormattedBy(() => new lib.PodGroup("stacks-docker", { backend: "docker", spec: lib.sampleGroupSpec() }))).toBeLessThan(40);
    });

    it("is needed: one container registered outside a group formats dozens of traces (the check above can fail)", () => {
        expect(tracesFormattedBy(() => new docker.Container("stacks-control", { image: "podgroup/toolbox:1.0.0" }))).toBeGreaterThan(50);
    });
});
