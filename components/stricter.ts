/**
 * Where PodGroup refuses what the Kubernetes API server accepts, and why: the one table behind
 * the problems validation tags with a rule, the oracle test (test/integration/oracle.test.ts:
 * every disagreement with the API server must be one of these), and the table in
 * docs/spec-support.md (checked by test/unit/spec-support-doc.test.ts).
 */
import { LABEL_PREFIX } from "./labels";
import { Backend } from "./spec";
import { isSupervised } from "./docker-mode";

/**
 * Where a spec is validated for: the Kubernetes backend, the docker backend with the supervisor
 * (the default), or plain docker (`docker: { supervise: false }` or podgroup:supervise false).
 */
export type ValidationTarget = "kubernetes" | "docker-supervised" | "docker-plain";

/** The targets, in the order the docs list them. */
export const VALIDATION_TARGETS: readonly ValidationTarget[] = ["kubernetes", "docker-supervised", "docker-plain"];

/** The target of a backend and its supervise option (undefined: no backend given, no backend-specific rule applies). */
export function validationTarget(backend: Backend | undefined, supervise: boolean | undefined): ValidationTarget | undefined {
    if (backend === "kubernetes") return "kubernetes";
    if (backend === "docker") return isSupervised(supervise) ? "docker-supervised" : "docker-plain";
    return undefined;
}

/** One rule stricter than the API server. */
export interface StricterRule {
    /** Stable id, carried by the problems the rule produces. */
    id: string;
    /** The targets on which the rule applies. */
    targets: readonly ValidationTarget[];
    /** What is refused. */
    rule: string;
    /** Why PodGroup cannot accept it there. */
    reason: string;
}

const ALL = VALIDATION_TARGETS;
const DOCKER: readonly ValidationTarget[] = ["docker-supervised", "docker-plain"];
const PLAIN_DOCKER: readonly ValidationTarget[] = ["docker-plain"];
const SUPERVISED_DOCKER: readonly ValidationTarget[] = ["docker-supervised"];
/** The fix every plain-Docker lifecycle rule names. */
export const SUPERVISE_FIX = "remove docker: { supervise: false } (the supervised mode is the default; or pulumi config rm podgroup:supervise)";

/** Every rule by which PodGroup refuses what the Kubernetes API server accepts, with its backends and reason. */
export const STRICTER_RULES = [
    { id: "unsupported-field", targets: ALL, rule: "a Kubernetes field PodGroup does not implement (envFrom, valueFrom, requests, hostPath, httpGet.host, ...; the full list is in components/fields.ts)", reason: "not implemented yet; an error instead of silently dropping it" },
    { id: "group-name-label", targets: ALL, rule: "a group name (Pod name) that is a DNS-1123 subdomain but not a DNS-1123 label (dots, more than 63 characters)", reason: "the name is also the default hostname and the prefix of every Docker container and volume name" },
    { id: "reserved-label", targets: ALL, rule: `label keys under ${LABEL_PREFIX}`, reason: "PodGroup sets them itself; the harness and the supervisor find containers by them" },
    { id: "shared-container-port", targets: ALL, rule: "two members (or native sidecars) declaring the same containerPort and protocol", reason: "they share one network namespace, so only one can listen; Docker publishes each port once, on the pause" },
    { id: "memory-milli", targets: ALL, rule: "a memory quantity in milli-units (\"100m\" bytes)", reason: "a fraction of a byte is always a typo for M or Mi (the API server only warns)" },
    { id: "container-restart-policy", targets: ALL, rule: "restartPolicy on a member, or an init container's restartPolicy other than Always", reason: "the per-container restart policy (ContainerRestartRules, alpha in 1.34) is off on the API server, which accepts the field and drops it; PodGroup says so instead" },
    { id: "emptydir-medium", targets: ALL, rule: "an emptyDir medium other than \"\" and Memory (e.g. \"memory\")", reason: "the API server does not check the medium; kubelet cannot set up one it does not know" },
    { id: "secret-env-key", targets: ["kubernetes"], rule: "a secretValue variable whose name is not a Secret key ([-._a-zA-Z0-9]+)", reason: "its value goes through a Secret under the key <container>.<name>" },
    { id: "lifecycle-tcp-socket", targets: ALL, rule: "tcpSocket in a lifecycle hook (postStart, preStop)", reason: "deprecated and kept by the API server for compatibility only: kubelet fails such a hook every time (\"invalid handler\"), so a postStart kills its container" },
    { id: "docker-native-sidecar", targets: PLAIN_DOCKER, rule: "an init container with restartPolicy Always (a native sidecar), without the supervisor", reason: "plain Docker cannot start the members once the sidecar has started nor restart it: the supervisor does (the default; not with docker: { supervise: false })" },
    { id: "docker-lifecycle", targets: PLAIN_DOCKER, rule: "lifecycle hooks (postStart, preStop), without the supervisor", reason: "Docker runs no hooks: the supervisor does (the default; not with docker: { supervise: false })" },
    { id: "docker-startup-probe", targets: PLAIN_DOCKER, rule: "a startupProbe, without the supervisor", reason: "Docker's one healthcheck cannot hold back liveness and readiness nor restart the container: the supervisor runs the probes (the default; not with docker: { supervise: false })" },
    { id: "docker-termination-message", targets: PLAIN_DOCKER, rule: "terminationMessagePolicy FallbackToLogsOnError or a terminationMessagePath other than /dev/termination-log, without the supervisor", reason: "only the supervisor reads termination messages into the group's status (the default; not with docker: { supervise: false })" },
    { id: "docker-https", targets: SUPERVISED_DOCKER, rule: "httpGet with scheme HTTPS (probes and lifecycle hooks), with the supervisor", reason: "the supervisor sends HTTP requests from the pause container's helper, which has no TLS" },
    { id: "docker-init-port", targets: DOCKER, rule: "ports on an init container (native sidecars included)", reason: "Docker publishes ports on the pause for the members only (a sidecar can still listen, and be probed by port number)" },
    { id: "docker-sctp", targets: DOCKER, rule: "protocol SCTP", reason: "the Docker provider publishes TCP and UDP only" },
    { id: "docker-probe-port-name", targets: DOCKER, rule: "a probe or lifecycle hook port named by a name the container does not declare in its ports", reason: "Docker's healthcheck and the supervisor need the number; kubelet resolves the name at run time and fails the probe or hook" },
    { id: "docker-two-probes", targets: PLAIN_DOCKER, rule: "both a readinessProbe and a livenessProbe on one container, without the supervisor", reason: "Docker has one healthcheck per container (the supervisor runs every probe: the default, not with docker: { supervise: false })" },
    { id: "docker-success-threshold", targets: PLAIN_DOCKER, rule: "a probe successThreshold above 1, without the supervisor", reason: "Docker's healthcheck has no success threshold (the supervisor has: the default, not with docker: { supervise: false })" },
    { id: "docker-absolute-path", targets: DOCKER, rule: "a relative workingDir, mountPath or terminationMessagePath", reason: "Docker requires absolute paths (the supervisor reads the termination message by its absolute path)" },
    { id: "docker-image-reference", targets: DOCKER, rule: "an image that is not a Docker reference (upper case in the repository, spaces, ...)", reason: "Docker cannot pull or find it" },
    { id: "docker-group-without-user", targets: DOCKER, rule: "securityContext.runAsGroup without runAsUser", reason: "Docker sets a group only together with a user" },
    { id: "docker-cpu-limit", targets: DOCKER, rule: "a CPU limit of 0, below 10m, or one the Docker provider reads back differently (e.g. 50m as \"0.1\")", reason: "Docker's minimum is 0.01 CPU (0 means no limit); a value read back differently would replace the container on every update" },
    { id: "docker-memory-limit", targets: DOCKER, rule: "a memory limit of 0 or below 6Mi", reason: "Docker's minimum is 6 MiB (0 means no limit)" },
    { id: "docker-disk-size-limit", targets: DOCKER, rule: "sizeLimit on an emptyDir on disk (no medium)", reason: "Docker's local volumes have no size limit" },
] as const satisfies readonly StricterRule[];

/** The id of one of {@link STRICTER_RULES}. */
export type StricterRuleId = (typeof STRICTER_RULES)[number]["id"];

/** The rule with this id. */
export function stricterRule(id: StricterRuleId): StricterRule {
    return STRICTER_RULES.find((r) => r.id === id)!;
}

/** Whether rule `id` applies on `target`. */
export function ruleAppliesOn(id: string | undefined, target: ValidationTarget): boolean {
    return STRICTER_RULES.some((r) => r.id === id && (r.targets as readonly ValidationTarget[]).includes(target));
}

const TARGET_TEXT: Record<ValidationTarget, string> = {
    "kubernetes": "kubernetes",
    "docker-supervised": "docker with supervisor",
    "docker-plain": "plain docker",
};

/** The table as docs/spec-support.md shows it. */
export function stricterRulesMarkdown(): string {
    const rows = STRICTER_RULES.map((r) => `| \`${r.id}\` | ${(r.targets as readonly ValidationTarget[]).map((t) => TARGET_TEXT[t]).join(", ")} | ${r.rule} | ${r.reason} |`);
    return ["| rule | applies on | refused | why |", "|---|---|---|---|", ...rows].join("\n");
}
