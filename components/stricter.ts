/**
 * Where PodGroup refuses what the Kubernetes API server accepts, and why: the one table behind
 * the problems validation tags with a rule, the oracle test (test/integration/oracle.test.ts:
 * every disagreement with the API server must be one of these), and the table in
 * docs/spec-support.md (checked by test/unit/spec-support-doc.test.ts).
 */
import { LABEL_PREFIX } from "./labels";
import { Backend } from "./spec";

/** One rule stricter than the API server. */
export interface StricterRule {
    /** Stable id, carried by the problems the rule produces. */
    id: string;
    /** The backends on which the rule applies. */
    backends: readonly Backend[];
    /** What is refused. */
    rule: string;
    /** Why PodGroup cannot accept it there. */
    reason: string;
}

const BOTH: readonly Backend[] = ["docker", "kubernetes"];
const DOCKER: readonly Backend[] = ["docker"];

/** Every rule by which PodGroup refuses what the Kubernetes API server accepts, with its backends and reason. */
export const STRICTER_RULES = [
    { id: "unsupported-field", backends: BOTH, rule: "a Kubernetes field PodGroup does not implement (envFrom, valueFrom, startupProbe, requests, hostPath, ...; the full list is in components/fields.ts)", reason: "not implemented yet; an error instead of silently dropping it" },
    { id: "group-name-label", backends: BOTH, rule: "a group name (Pod name) that is a DNS-1123 subdomain but not a DNS-1123 label (dots, more than 63 characters)", reason: "the name is also the default hostname and the prefix of every Docker container and volume name" },
    { id: "reserved-label", backends: BOTH, rule: `label keys under ${LABEL_PREFIX}`, reason: "PodGroup sets them itself; the harness and the supervisor find containers by them" },
    { id: "shared-container-port", backends: BOTH, rule: "two members declaring the same containerPort and protocol", reason: "the members share one network namespace, so only one can listen; Docker publishes each port once, on the pause" },
    { id: "memory-milli", backends: BOTH, rule: "a memory quantity in milli-units (\"100m\" bytes)", reason: "a fraction of a byte is always a typo for M or Mi (the API server only warns)" },
    { id: "container-restart-policy", backends: BOTH, rule: "restartPolicy on a member, or an init container's restartPolicy other than Always", reason: "the per-container restart policy (ContainerRestartRules, alpha in 1.34) is off on the API server, which accepts the field and drops it; PodGroup says so instead" },
    { id: "emptydir-medium", backends: BOTH, rule: "an emptyDir medium other than \"\" and Memory (e.g. \"memory\")", reason: "the API server does not check the medium; kubelet cannot set up one it does not know" },
    { id: "secret-env-key", backends: ["kubernetes"], rule: "a secretValue variable whose name is not a Secret key ([-._a-zA-Z0-9]+)", reason: "its value goes through a Secret under the key <container>.<name>" },
    { id: "docker-native-sidecar", backends: DOCKER, rule: "an init container with restartPolicy Always (a native sidecar)", reason: "not implemented on Docker yet: the sidecar would never exit and the members never start" },
    { id: "docker-init-port", backends: DOCKER, rule: "ports on an init container", reason: "Docker publishes ports on the pause for the members only" },
    { id: "docker-sctp", backends: DOCKER, rule: "protocol SCTP", reason: "the Docker provider publishes TCP and UDP only" },
    { id: "docker-probe-port-name", backends: DOCKER, rule: "a probe port named by a name the container does not declare in its ports", reason: "Docker's healthcheck needs the number; kubelet resolves the name at run time and fails the probe" },
    { id: "docker-two-probes", backends: DOCKER, rule: "both a readinessProbe and a livenessProbe on one container", reason: "Docker has one healthcheck per container" },
    { id: "docker-success-threshold", backends: DOCKER, rule: "a probe successThreshold above 1", reason: "Docker's healthcheck has no success threshold" },
    { id: "docker-absolute-path", backends: DOCKER, rule: "a relative workingDir or mountPath", reason: "Docker requires absolute paths" },
    { id: "docker-image-reference", backends: DOCKER, rule: "an image that is not a Docker reference (upper case in the repository, spaces, ...)", reason: "Docker cannot pull or find it" },
    { id: "docker-group-without-user", backends: DOCKER, rule: "securityContext.runAsGroup without runAsUser", reason: "Docker sets a group only together with a user" },
    { id: "docker-cpu-limit", backends: DOCKER, rule: "a CPU limit of 0, below 10m, or one the Docker provider reads back differently (e.g. 50m as \"0.1\")", reason: "Docker's minimum is 0.01 CPU (0 means no limit); a value read back differently would replace the container on every update" },
    { id: "docker-memory-limit", backends: DOCKER, rule: "a memory limit of 0 or below 6Mi", reason: "Docker's minimum is 6 MiB (0 means no limit)" },
    { id: "docker-disk-size-limit", backends: DOCKER, rule: "sizeLimit on an emptyDir on disk (no medium)", reason: "Docker's local volumes have no size limit" },
] as const satisfies readonly StricterRule[];

/** The id of one of {@link STRICTER_RULES}. */
export type StricterRuleId = (typeof STRICTER_RULES)[number]["id"];

/** The rule with this id. */
export function stricterRule(id: StricterRuleId): StricterRule {
    return STRICTER_RULES.find((r) => r.id === id)!;
}

/** The table as docs/spec-support.md shows it. */
export function stricterRulesMarkdown(): string {
    const rows = STRICTER_RULES.map((r) => `| \`${r.id}\` | ${r.backends.join(", ")} | ${r.rule} | ${r.reason} |`);
    return ["| rule | backends | refused | why |", "|---|---|---|---|", ...rows].join("\n");
}
