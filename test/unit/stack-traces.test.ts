// A group registers its resources with V8's own stack formatting (Pulumi records a stack for
// every output property; a source-mapping formatter made that most of a program's time).
import "./mocks";
import * as docker from "@pulumi/docker";
import * as lib from "../../components";
import { withNativeStackTraces } from "../../components/stack-traces";

/** Installs a formatter that counts its calls (as ts-node's source-map support would be called). */
function countingFormatter(): { calls: () => number; restore: () => void } {
    const before = Error.prepareStackTrace;
    let calls = 0;
    Error.prepareStackTrace = (error, frames) => {
        calls++;
        return [String(error), ...frames.map((f) => `    at ${f.toString()}`)].join("\n");
    };
    return { calls: () => calls, restore: () => { Error.prepareStackTrace = before; } };
}

describe("withNativeStackTraces", () => {
    it("formats stacks natively inside, and restores the installed formatter after, also when it throws", () => {
        const f = countingFormatter();
        try {
            const stack = withNativeStackTraces(() => new Error("inside").stack);
            expect(stack).toMatch(/^Error: inside\n\s+at /);
            expect(f.calls()).toBe(0);
            let thrown: unknown;
            try { withNativeStackTraces(() => { throw new Error("boom"); }); } catch (e) { thrown = e; }
            expect((thrown as Error).message).toBe("boom");
            expect(f.calls()).toBe(0);
            void new Error("outside").stack;
            expect(f.calls()).toBe(1);
        } finally {
            f.restore();
        }
    });

    it("is what a Docker PodGroup registers its containers under", () => {
        const f = countingFormatter();
        try {
            new lib.PodGroup("stacks-docker", { backend: "docker", spec: lib.sampleGroupSpec() });
            // The component itself registers outside (a handful of properties); its three
            // containers, about 100 properties each, inside: without the wrapper this is over 900.
            expect(f.calls()).toBeLessThan(40);
        } finally {
            f.restore();
        }
    });

    it("is needed: one container registered outside a group formats dozens of traces (the check above can fail)", () => {
        const f = countingFormatter();
        try {
            new docker.Container("stacks-control", { image: "podgroup/toolbox:1.0.0" });
            expect(f.calls()).toBeGreaterThan(50);
        } finally {
            f.restore();
        }
    });
});
