/**
 * The stack configuration of the program behind `pulumi up` (index.ts), read and validated in
 * one pass together with the group's spec, before anything (providers included) is registered:
 * every problem of every key is reported at once.
 */
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { ManifestError, podGroupSpecFromManifest } from "./manifest";
import { applyImageOverrides } from "./resolve";
import { withoutUnsetStrings } from "./unset";
import { sampleGroupSpec } from "./sample";
import { Backend, BACKENDS, PodGroupSpec } from "./spec";
import { collectFindings, PodGroupValidationError } from "./validate";
import { describe, didYouMean, ValidationProblem } from "./validate-support";
import { SUPERVISE_DEFAULT } from "./docker-mode";

/** The keys that only one backend uses. */
const BACKEND_ONLY_KEYS: Record<string, Backend> = {
    namespace: "kubernetes", kubeconfig: "kubernetes", supervise: "docker", supervisor: "docker",
};

/** The config keys (namespace `podgroup`), as README.md and docs/configuration.md list them. */
export const STACK_CONFIG_KEYS = ["backend", "name", "group", "manifest", "namespace", "kubeconfig", "supervise", "supervisor", "skipAwait"] as const;

/** The program's settings, once every key and the spec are valid. */
export interface StackSettings {
    backend: Backend;
    groupName: string;
    spec: PodGroupSpec;
    /** The namespace on Kubernetes: the stack's, else the manifest's, else undefined (default). */
    namespace?: string;
    kubeconfig?: string;
    supervise: boolean;
    supervisor: boolean;
    skipAwait: boolean;
    /** Warnings about the manifest (fields it has that a group does not use); PodGroup logs the spec's own. */
    warnings: ValidationProblem[];
}

/** Raw config values: key (without `podgroup:`) -> the string Pulumi stores. */
export type RawStackConfig = Record<string, string>;

/** The `podgroup:*` keys of the running program's config. */
export function podgroupConfig(): RawStackConfig {
    const raw: RawStackConfig = {};
    for (const [key, value] of Object.entries(pulumi.runtime.allConfig())) {
        if (key.startsWith("podgroup:")) raw[key.slice("podgroup:".length)] = value;
    }
    return raw;
}

type Add = (key: string, reason: string) => void;

function readBoolean(raw: RawStackConfig, key: string, add: Add, unset = false): boolean {
    const v = raw[key];
    if (v === undefined) return unset;
    if (v !== "true" && v !== "false") add(key, `must be true or false, got ${describe(v)}`);
    return v === "true";
}

/** The group's spec from `podgroup:group`, `podgroup:manifest` or the sample; the name and namespace a manifest brings. */
function readGroup(raw: RawStackConfig, projectDir: string, add: Add, warnings: ValidationProblem[]): { spec: unknown; name?: string; namespace?: string } {
    if (raw.group !== undefined && raw.manifest !== undefined) add("manifest", "set either podgroup:group or podgroup:manifest, not both");
    if (raw.manifest !== undefined) {
        const file = path.resolve(projectDir, raw.manifest);
        let text: string;
        try {
            text = fs.readFileSync(file, "utf8");
        } catch (e) {
            add("manifest", `cannot read ${file} (a path relative to the project directory): ${(e as Error).message}`);
            return { spec: undefined };
        }
        try {
            const m = podGroupSpecFromManifest(text, { name: raw.name });
            warnings.push(...m.warnings.map((w) => ({ ...w, propertyPath: `manifest ${w.propertyPath}` })));
            return { spec: m.spec, name: m.groupName, namespace: m.namespace };
        } catch (e) {
            if (!(e instanceof ManifestError)) throw e;
            e.problems.forEach((p) => add("manifest", `${raw.manifest}: ${p.propertyPath}: ${p.reason}`));
            return { spec: undefined };
        }
    }
    if (raw.group === undefined) return { spec: sampleGroupSpec() };
    try {
        return { spec: JSON.parse(raw.group) as unknown };
    } catch {
        add("group", `must be a PodGroupSpec object (YAML/JSON in the stack file), got ${describe(raw.group)}`);
        return { spec: undefined };
    }
}

/**
 * Reads and validates every `podgroup:*` key and the group's spec together; throws one
 * {@link PodGroupValidationError} listing every problem (unknown keys with a did-you-mean,
 * bad values with their type, the spec's problems by path).
 */
export function readStackConfig(raw: RawStackConfig, projectDir: string, imageOverrides?: Record<string, string>): StackSettings {
    const problems: ValidationProblem[] = [];
    const warnings: ValidationProblem[] = [];
    const add: Add = (key, reason) => problems.push({ propertyPath: `podgroup:${key}`, reason });
    for (const key of Object.keys(raw)) {
        if ((STACK_CONFIG_KEYS as readonly string[]).includes(key)) continue;
        const near = didYouMean(key, STACK_CONFIG_KEYS);
        add(key, `unknown key${near !== undefined ? `; did you mean podgroup:${near}?` : ""} (the keys are: ${STACK_CONFIG_KEYS.join(", ")})`);
    }
    const backend = (raw.backend ?? "docker") as Backend;
    if (!BACKENDS.includes(backend)) add("backend", `${describe(raw.backend)} is not a backend; set "docker" or "kubernetes" (pulumi config set podgroup:backend docker)`);
    // A key of the other backend would change nothing: an error, as the same option in PodGroupArgs is.
    for (const [key, home] of Object.entries(BACKEND_ONLY_KEYS)) {
        if (raw[key as keyof RawStackConfig] !== undefined && BACKENDS.includes(backend) && home !== backend) {
            add(key, `an option of the ${home} backend, but this stack's backend is ${backend}: remove it (pulumi config rm podgroup:${key}) or set podgroup:backend ${home}`);
        }
    }
    const group = readGroup(raw, projectDir, add, warnings);
    const groupName = group.name ?? raw.name ?? "sample";
    const namespace = raw.namespace ?? group.namespace;
    if (backend === "docker" && group.namespace !== undefined) {
        warnings.push({ propertyPath: "manifest metadata.namespace", reason: `"${group.namespace}" is used on the kubernetes backend only; Docker has no namespaces` });
    }
    const settings = {
        supervise: readBoolean(raw, "supervise", add, SUPERVISE_DEFAULT),
        supervisor: readBoolean(raw, "supervisor", add),
        skipAwait: readBoolean(raw, "skipAwait", add),
    };
    if (group.spec !== undefined) {
        const spec = applyImageOverrides(group.spec, imageOverrides);
        const found = collectFindings(spec, {
            groupName, backend: BACKENDS.includes(backend) ? backend : undefined, namespace: backend === "kubernetes" ? namespace : undefined,
            supervise: backend === "docker" && settings.supervise,
        });
        problems.push(...found.problems.map((p) => (p.propertyPath === "name" ? { ...p, propertyPath: raw.manifest !== undefined ? "manifest metadata.name" : "podgroup:name" } : p)));
    }
    if (problems.length > 0) throw new PodGroupValidationError(groupName, problems, "the stack configuration");
    return { backend, groupName, spec: withoutUnsetStrings(group.spec) as PodGroupSpec, namespace, kubeconfig: raw.kubeconfig, ...settings, warnings };
}
