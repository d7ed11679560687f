/**
 * bench/scale.sh's Pulumi program: `scale:groups` PodGroups of `scale:members` members each
 * (bench/scale/spec.ts) on the local Docker engine, in one stack, named `<scale:prefix>-<i>`.
 * They are bare (`supervise: false`, the floor the benchmark compares with) unless
 * `scale:supervise` is true, the library's default mode. Every object carries the user
 * label `podgroup-bench=<scale:prefix>` for clean-up.
 */
import * as pulumi from "@pulumi/pulumi";
import { PodGroup } from "../../components";
import { BENCH_KEY, scaleSpec } from "./spec";

const config = new pulumi.Config("scale");
const groups = config.requireNumber("groups");
const members = config.requireNumber("members");
const prefix = config.require("prefix");
const supervise = config.getBoolean("supervise") ?? false;

const pauseIds: pulumi.Output<string | undefined>[] = [];
for (let i = 0; i < groups; i++) {
    const group = new PodGroup(`${prefix}-${i}`, {
        backend: "docker",
        spec: scaleSpec(members, { [BENCH_KEY]: prefix }),
        docker: { supervise },
    });
    pauseIds.push(group.pauseId);
}
export const pauses = pulumi.all(pauseIds);
