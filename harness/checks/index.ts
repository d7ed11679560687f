/** Every check of the suite, in matrix order, each against its default fixture. */
import { Check } from "../check";
import { sharedPodFixture } from "../fixtures/shared-pod";
import { ipcCheck } from "./ipc";
import { memberDeathCheck } from "./member-death";
import { networkCheck } from "./network";
import { pauseDeathCheck } from "./pause-death";
import { pidIsolatedCheck } from "./pid-isolated";
import { pidSharedCheck } from "./pid-shared";
import { restartPolicyCheck } from "./restart-policy";
import { startOrderCheck } from "./start-order";
import { volumeCheck } from "./volume";
import { livenessRestartCheck, startupProbeCheck } from "./probes";
import { emptyDirPermissionsCheck, readinessNoRestartCheck, readinessTimingCheck } from "./readiness";
import { crashLoopBackoffCheck, finishedStaysFinishedCheck, initFailureNeverCheck, initRetryCheck, podStatusCheck } from "./restarts";
import { sidecarRestartCheck, sidecarStartOrderCheck } from "./sidecars";
import { postStartHookCheck, preStopHookCheck, terminationMessageCheck, terminationOrderCheck } from "./termination";

export { ipcCheck, memberDeathCheck, networkCheck, pauseDeathCheck, pidIsolatedCheck, pidSharedCheck, restartPolicyCheck, startOrderCheck, volumeCheck };
export {
    crashLoopBackoffCheck, emptyDirPermissionsCheck, finishedStaysFinishedCheck, initFailureNeverCheck, initRetryCheck, livenessRestartCheck,
    podStatusCheck, postStartHookCheck, preStopHookCheck, readinessNoRestartCheck, readinessTimingCheck, sidecarRestartCheck,
    sidecarStartOrderCheck, startupProbeCheck, terminationMessageCheck, terminationOrderCheck,
};
export { RESTART_POLICY_TABLE } from "./restart-policy";
export { BACKOFF_WINDOWS, EXPECTED_POD_STATUS, podStatusDifferences, startGaps } from "./restarts";
export { parseLifecycleLog, terminationProblems } from "./termination";
export { orderProblems, parseOrderLog, splitRounds } from "./order-log";

/**
 * The whole suite. Checks whose fixtures have the same id share one deployed group (the
 * read-only ones first, then member-death).
 */
export function allChecks(): Check[] {
    return [
        pidSharedCheck(),
        pidIsolatedCheck(),
        networkCheck(),
        ipcCheck(),
        volumeCheck(),
        startOrderCheck(),
        memberDeathCheck(),
        restartPolicyCheck("Always"),
        restartPolicyCheck("OnFailure"),
        restartPolicyCheck("Never"),
        // Its own group: on the shared one, member-death's kill leaves a member in crash-loop
        // back-off, which would be measured as part of the sandbox's recovery time.
        pauseDeathCheck(sharedPodFixture({ id: "sandbox" })),
        // Pod lifecycle: probes, hooks, init retries, native sidecars, termination, status.
        readinessTimingCheck(),
        emptyDirPermissionsCheck(),
        readinessNoRestartCheck(),
        startupProbeCheck(),
        livenessRestartCheck(),
        crashLoopBackoffCheck(),
        initRetryCheck(),
        initFailureNeverCheck(),
        finishedStaysFinishedCheck(),
        sidecarStartOrderCheck(),
        sidecarRestartCheck(),
        postStartHookCheck(),
        preStopHookCheck(),
        terminationOrderCheck(),
        terminationMessageCheck(),
        podStatusCheck(),
    ];
}
