/**
 * The conformance harness, public API (`podgroup/harness`): run the suite (or chosen checks)
 * against your own Docker host or cluster, or deploy your own groups on several targets and
 * assert on them, from jest or any Node program. See docs/conformance.md.
 *
 * Layers, lowest first: the model (results, verdict, evidence: plain data), reports (rendered
 * from the model alone), then the runtime parts (adapters, deploy, targets, runner, own groups).
 */

// Model: plain data and the verdict.
/** Outcomes, matrix cells and rows, expected divergences, and the verdict over them. */
export { buildMatrix, loadExpectedDivergences, REFERENCE_TARGET_ID } from "./model/verdict";
/** Types of the verdict. */
export type { Cell, Comparison, ExpectedDivergence, MatrixRow, Outcome, ResultLike } from "./model/verdict";
/** Types of a suite run's results and report. */
export type { CheckInfo, CheckResult, DeploymentRecord, SuiteReport, TargetInfo } from "./model/results";
/** What a check did and saw. */
export { Evidence } from "./model/evidence";
/** Types of evidence entries. */
export type { EvidenceEntry, EvidenceKind } from "./model/evidence";

// Reports.
/** Renders a {@link SuiteReport} as JSON, Markdown, the matrix alone, or one HTML page; writes all three. */
export { renderHtml, renderJson, renderMarkdown, renderMatrix, writeReports } from "./report";
/** Paths {@link writeReports} wrote. */
export type { WrittenReports } from "./report";

// Runtime adapters.
/** The interface every runtime implements, and what it returns. */
export type {
    ContainerStatus, ExecResult, GroupRef, GroupStatus, KillResult, LogFollower, PodCondition, PodPhase, ProcessInfo, RuntimeAdapter,
    RuntimeEvent, RuntimeKind, TerminatedState,
} from "./adapters/runtime-adapter";
/** Plain Docker through the Engine API (dockerode). */
export { DockerAdapter } from "./adapters/docker-adapter";
/** Options of {@link DockerAdapter}. */
export type { DockerAdapterOptions } from "./adapters/docker-adapter";
/** A Kubernetes cluster through its API, kills through the node's containerd. */
export { KubernetesAdapter } from "./adapters/kubernetes-adapter";
/** Options of {@link KubernetesAdapter}. */
export type { KubernetesAdapterOptions } from "./adapters/kubernetes-adapter";

// Checks and fixtures.
/** What a check body gets, and the failure it throws when a property does not hold. */
export { CheckContext, CheckFailure } from "./check";
/** Types of checks and fixtures. */
export type { Check, CheckSpecification, Fixture, Observation } from "./check";
/** The suite's checks, each a factory taking an optional fixture. */
export {
    allChecks, ipcCheck, memberDeathCheck, networkCheck, pauseDeathCheck, pidIsolatedCheck, pidSharedCheck, restartPolicyCheck,
    startOrderCheck, volumeCheck,
    crashLoopBackoffCheck, emptyDirPermissionsCheck, finishedStaysFinishedCheck, initFailureNeverCheck, initRetryCheck, livenessRestartCheck,
    podStatusCheck, postStartHookCheck, preStopHookCheck, readinessNoRestartCheck, readinessTimingCheck, sidecarRestartCheck,
    sidecarStartOrderCheck, startupProbeCheck, terminationMessageCheck, terminationOrderCheck,
} from "./checks";
/** Pure parts of the lifecycle checks (back-off gaps, expected Pod status, termination order). */
export { BACKOFF_WINDOWS, EXPECTED_POD_STATUS, parseLifecycleLog, podStatusDifferences, startGaps, terminationProblems } from "./checks";
/** The pod-lifecycle fixture groups. */
export {
    backoffFixture, finishedFixture, hooksFixture, initNeverFixture, initRetryFixture, preStopFixture, probesFixture, readinessFixture, sidecarFixture,
    statusFixture, terminationFixture, terminationMessageFixture,
} from "./fixtures/lifecycle";
/** The restart-policy table and the order-log analysis behind start-order and pause-death. */
export { orderProblems, parseOrderLog, RESTART_POLICY_TABLE, splitRounds } from "./checks";
/** The suite's fixture groups. */
export { isolatedPodFixture } from "./fixtures/isolated-pod";
/** The suite's fixture groups. */
export { restartPolicyFixture } from "./fixtures/restart-policy-pod";
/** The suite's fixture groups. */
export { sharedPodFixture } from "./fixtures/shared-pod";

// Deploying groups.
/** Deploys a PodGroup with an inline Pulumi program on a destination's provider. */
export { deployGroup } from "./deploy/pulumi-deployer";
/** Types of deploys. */
export type { DeployedGroup, DeployerOptions, Destination, GroupDeployment } from "./deploy/pulumi-deployer";
/** The docker provider's endpoint for the engine a dockerode client talks to. */
export { dockerEndpoint } from "./deploy/docker-endpoint";
/** Type of {@link dockerEndpoint}'s result. */
export type { DockerEndpoint } from "./deploy/docker-endpoint";

// Targets and the runner.
/** Targets: plain Docker, Docker with the supervisor, a Kubernetes cluster. */
export { dockerSupervisorTarget, dockerTarget, kubernetesTarget } from "./targets";
/** Type of targets. */
export type { Target } from "./targets";
/** This repository's own targets (local engine and cluster), chosen by PODGROUP_CONFORMANCE_TARGETS. */
export { defaultTargets } from "./default-targets";
/** Runs checks on targets into a {@link SuiteReport}. */
export { deployWithPulumi, groupNameFor, runSuite } from "./runner";
/** Types of the runner. */
export type { FixtureDeployer, SuiteOptions } from "./runner";

// Your own groups.
/** Deploys your own group on a target and drives it through the target's adapter. */
export { startGroupOnTarget } from "./own-group/group-on-target";
/** Types of your own groups. */
export type { GroupOnTarget, OwnGroup, OwnGroupOptions } from "./own-group/group-on-target";
/** Jest: your own group on each target, deployed before and destroyed after your assertions. */
export { describeOnTargets } from "./own-group/describe-on-targets";
/** Options of {@link describeOnTargets}. */
export type { DescribeOnTargetsOptions, JestLikeGlobals } from "./own-group/describe-on-targets";

// Waiting.
/** Polls a condition until it holds or times out with the last state seen. */
export { waitFor, WaitTimeoutError } from "./wait";
