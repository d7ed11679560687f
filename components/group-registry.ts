/**
 * The group names a running Pulumi program has taken: two groups with one name on one Docker
 * engine would fight over their containers and volumes, on one Kubernetes namespace over their
 * Pod, so the second is refused before anything of it is registered.
 *
 * A name is taken for one program run, not for the process: each `pulumi up` or preview has its
 * own root stack resource, and so does each inline program of the Automation API, even when
 * several run at once in one process (the SDK keeps each run's state apart); under Pulumi's mocks,
 * which have no stack resource, each `setMocks` has its own resource monitor. And it is taken on
 * one engine or namespace: the docker backend's `host` option names the engine; without it, the
 * docker provider the group's containers get (the group's `provider`, or the component's
 * `provider`/`providers`, or its parent's); without one, the default engine (DOCKER_HOST, else the
 * local socket). On Kubernetes: the kubernetes provider (a cluster) and the namespace. Two provider
 * objects count as two engines or clusters: the registry cannot see where a provider points.
 */
import * as pulumi from "@pulumi/pulumi";
import type { Backend } from "./spec";
import type { ValidationProblem } from "./validate-support";

/** What the registry reads of a group's arguments. */
export interface GroupPlaceArgs {
    backend: Backend;
    groupName?: string;
    provider?: pulumi.ProviderResource;
    docker?: { host?: string };
    kubernetes?: { namespace?: string };
}

/** A type of each backend's package, to ask a parent which provider its children of that package get. */
const PACKAGE_TYPE: Record<Backend, string> = {
    docker: "docker:index/container:Container",
    kubernetes: "kubernetes:core/v1:Pod",
};

/** A number per provider object, for the place's key. */
const providerIds = new WeakMap<object, number>();
let nextProviderId = 1;

function providerId(p: object): number {
    let id = providerIds.get(p);
    if (id === undefined) {
        id = nextProviderId++;
        providerIds.set(p, id);
    }
    return id;
}

/** The provider the group's children of `backend` get, as the SDK picks it; undefined: the default provider. */
function childProvider(backend: Backend, args: GroupPlaceArgs,
    opts: pulumi.ComponentResourceOptions): object | undefined {
    if (args.provider !== undefined) return args.provider;
    const ofPackage = (p: pulumi.ProviderResource | undefined) =>
        (p as { getPackage?: () => string } | undefined)?.getPackage?.() === backend ? p : undefined;
    const { providers } = opts;
    const listed = Array.isArray(providers) ? providers.find((p) => ofPackage(p) !== undefined) : providers?.[backend];
    return ofPackage(opts.provider) ?? listed ?? opts.parent?.getProvider(PACKAGE_TYPE[backend]);
}

/** Where a group's names live: a Docker engine, or a cluster's namespace. */
export function groupPlace(args: GroupPlaceArgs, opts: pulumi.ComponentResourceOptions = {}): string {
    const provider = childProvider(args.backend, args, opts);
    const via = provider !== undefined ? `provider #${providerId(provider)}` : undefined;
    if (args.backend === "docker") {
        return `docker ${args.docker?.host ?? via ?? (process.env.DOCKER_HOST || "unix:///var/run/docker.sock")}`;
    }
    return `kubernetes ${via ?? "default"} ${args.kubernetes?.namespace ?? "default"}`;
}

/** Names taken, by program run: place + group name -> the PodGroup resource that took it. */
const runs = new WeakMap<object, Map<string, string>>();
/** Outside any program run and without mocks (nothing can be registered there anyway). */
const NO_RUN = {};

function takenInThisRun(): Map<string, string> {
    const run: object = pulumi.runtime.getStackResource() ?? pulumi.runtime.getMonitor() ?? NO_RUN;
    let taken = runs.get(run);
    if (taken === undefined) {
        taken = new Map();
        runs.set(run, taken);
    }
    return taken;
}

/**
 * The problem of a group whose name another PodGroup of this program run took at the same place
 * (none when the name is free, or when `resourceName` itself took it: declaring one resource
 * twice is Pulumi's own duplicate-URN error).
 */
export function groupNameProblems(resourceName: string, args: GroupPlaceArgs,
    opts: pulumi.ComponentResourceOptions = {}): ValidationProblem[] {
    const groupName = args.groupName ?? resourceName;
    const other = takenInThisRun().get(`${groupPlace(args, opts)}/${groupName}`);
    if (other === undefined || other === resourceName) return [];
    return [{
        propertyPath: "groupName",
        reason: `group name "${groupName}" is already used by the PodGroup "${other}" of this program `
            + `on ${args.backend}; their ${args.backend === "docker" ? "containers" : "Pods"} would collide: `
            + "give each group its own name",
    }];
}

/** Records that the PodGroup `resourceName` took its group name at its place in this program run. */
export function takeGroupName(resourceName: string, args: GroupPlaceArgs,
    opts: pulumi.ComponentResourceOptions = {}): void {
    takenInThisRun().set(`${groupPlace(args, opts)}/${args.groupName ?? resourceName}`, resourceName);
}
