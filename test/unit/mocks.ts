/**
 * Pulumi mocks for the unit tests. Import this module FIRST in every unit test file: it calls
 * `pulumi.runtime.setMocks` when loaded, before the code under test is imported.
 *
 * Every registered resource is recorded (type, name, inputs) in `registered`; ids are
 * deterministic (`mockId`) and change with `setIdSalt`, to simulate a re-created resource.
 * `recordOptions` is a transformation that records each child's resource options.
 */
import { createHash } from "crypto";
import * as pulumi from "@pulumi/pulumi";

export interface Registered {
    type: string;
    name: string;
    inputs: Record<string, unknown>;
    id: string;
}

export const registered: Registered[] = [];
let salt = "";

/** Changes every id the mocks hand out from now on (as if the resources were re-created). */
export function setIdSalt(value: string): void {
    salt = value;
}

/** The id the mocks give a resource: 64 hex digits, like a Docker container id. */
export function mockId(type: string, name: string): string {
    return createHash("sha256").update(`${salt}/${type}/${name}`).digest("hex");
}

/** What the next init container reports: exit code and logs (default 0 and ""). */
export const initBehaviour: { exitCode: number; logs: string } = { exitCode: 0, logs: "" };

let nextEphemeralPort = 32768;

void pulumi.runtime.setMocks({
    newResource(args: pulumi.runtime.MockResourceArgs): { id: string; state: Record<string, unknown> } {
        const id = mockId(args.type, args.name);
        registered.push({ type: args.type, name: args.name, inputs: args.inputs, id });
        const state: Record<string, unknown> = { ...args.inputs };
        if (args.type === "docker:index/container:Container") {
            if (args.inputs.attach === true) {
                state.exitCode = initBehaviour.exitCode;
                state.containerLogs = initBehaviour.logs;
            }
            if (Array.isArray(args.inputs.ports)) {
                // Docker picks an ephemeral host port when none is given.
                state.ports = args.inputs.ports.map((p: Record<string, unknown>) => ({ ...p, external: p.external ?? nextEphemeralPort++ }));
            }
        }
        if (args.type === "kubernetes:core/v1:Pod" || args.type === "kubernetes:core/v1:Secret") {
            const metadata = (args.inputs.metadata ?? {}) as Record<string, unknown>;
            state.metadata = { ...metadata, namespace: metadata.namespace ?? "default" };
        }
        return { id, state };
    },
    call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
        return args.inputs;
    },
}, "podgroup", "unit", false);

/** Resource options a child was registered with, by resource name. */
export const optionsByName = new Map<string, pulumi.CustomResourceOptions>();

/** A transformation (pass it in the PodGroup's options) that records every child's options. */
export const recordOptions: pulumi.ResourceTransformation = (args) => {
    optionsByName.set(args.name, args.opts as pulumi.CustomResourceOptions);
    return undefined;
};

/** The value of an output (rejects when the output does). */
export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
    return (output as unknown as { promise(): Promise<T> }).promise();
}

/** The recorded registration of the resource named `name` (the latest one). */
export function byName(name: string): Registered {
    const found = [...registered].reverse().find((r) => r.name === name);
    if (found === undefined) {
        throw new Error(`no resource named ${name}; registered: ${registered.map((r) => r.name).join(", ")}`);
    }
    return found;
}

/** Waits until every given resource has been registered with the mocks. */
export async function settled(resources: pulumi.Resource[]): Promise<void> {
    await Promise.all(resources.map((r) => valueOf(r.urn)));
    await Promise.all(resources.filter((r): r is pulumi.CustomResource => pulumi.CustomResource.isInstance(r)).map((r) => valueOf(r.id)));
}

/** Resource names registered under a component named `prefix` (`<prefix>-...`). */
export function childrenOf(prefix: string): Registered[] {
    return registered.filter((r) => r.name.startsWith(`${prefix}-`));
}

/**
 * Runs `f` with cheap stack traces. Pulumi captures a stack for every resource it registers
 * (its source position, with no frame limit), and under jest each capture is mapped through
 * source maps: about 1 s per group on this machine. Plain V8 frames and no frame for the other
 * preallocated errors make a group register in milliseconds; assertion failures keep theirs.
 */
export function withoutStacks<T>(f: () => T): T {
    const limit = Error.stackTraceLimit;
    const prepare = Error.prepareStackTrace;
    Error.stackTraceLimit = 0;
    Error.prepareStackTrace = (error, frames) => [String(error), ...frames.map((frame) => `    at ${frame.toString()}`)].join("\n");
    try {
        return f();
    } finally {
        Error.stackTraceLimit = limit;
        Error.prepareStackTrace = prepare;
    }
}
