/**
 * The conformance harness, public API: run the suite (or chosen checks) against your own Docker
 * host or cluster, from jest or any Node program. See docs/conformance.md.
 */
export type { ContainerStatus, ExecResult, GroupRef, GroupStatus, KillResult, PodPhase, ProcessInfo, RuntimeAdapter, RuntimeEvent, RuntimeKind } from "./adapters/runtime-adapter";
export { DockerAdapter } from "./adapters/docker-adapter";
export type { DockerAdapterOptions } from "./adapters/docker-adapter";
export { KubernetesAdapter } from "./adapters/kubernetes-adapter";
export type { KubernetesAdapterOptions } from "./adapters/kubernetes-adapter";
export { CheckContext, CheckFailure } from "./check";
export type { Check, CheckSpecification, Fixture, Observation } from "./check";
export * from "./checks";
export { sharedPodFixture } from "./fixtures/shared-pod";
export { isolatedPodFixture } from "./fixtures/isolated-pod";
export { restartPolicyFixture } from "./fixtures/restart-policy-pod";
export { deployFixture } from "./deploy/pulumi-deployer";
export type { DeployerOptions, DeployedFixture } from "./deploy/pulumi-deployer";
export { dockerSupervisorTarget, dockerTarget, kubernetesTarget } from "./targets";
export type { Target } from "./targets";
export { defaultTargets } from "./default-targets";
export { groupNameFor, runSuite } from "./runner";
export type { CheckResult, SuiteOptions, SuiteReport } from "./runner";
export { buildMatrix, loadExpectedDivergences } from "./verdict";
export type { ExpectedDivergence } from "./verdict";
export { renderHtml, renderJson, renderMarkdown, renderMatrix, writeReports } from "./report";
export { waitFor, WaitTimeoutError } from "./wait";
