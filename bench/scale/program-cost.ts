/**
 * What bench/scale's program costs in Node alone, without the engine: N PodGroups constructed
 * under Pulumi's mocks (no gRPC, no provider), timed per phase: validation (validatePodGroupArgs)
 * and the whole constructor (validation, layout, registration of the children with the mock
 * monitor). bench/scale.sh's profile shows the program's share of `pulumi up` this way.
 *
 * Usage: node program-cost.js N M
 */
import * as pulumi from "@pulumi/pulumi";
import { validatePodGroupArgs } from "../../components/pod-group";
import { BENCH_KEY, scaleSpec } from "./spec";

async function main(): Promise<void> {
    const [n, m] = process.argv.slice(2).map(Number);
    await pulumi.runtime.setMocks({
        newResource: (args) => ({ id: `${args.name}-id`, state: args.inputs }),
        call: (args) => args.inputs,
    }, "project", "stack", false);
    const { PodGroup } = await import("../../components");
    const t0 = performance.now();
    for (let i = 0; i < n; i++) validatePodGroupArgs(`g-${i}`, { backend: "docker", spec: scaleSpec(m, { [BENCH_KEY]: "cost" }) });
    const t1 = performance.now();
    for (let i = 0; i < n; i++) new PodGroup(`h-${i}`, { backend: "docker", spec: scaleSpec(m, { [BENCH_KEY]: "cost" }) });
    const t2 = performance.now();
    process.stdout.write(`${JSON.stringify({ groups: n, members: m, validateMs: Math.round(t1 - t0), constructMs: Math.round(t2 - t1) })}\n`);
}

main().catch((e: unknown) => {
    process.stderr.write(`program-cost: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
});
