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

export { ipcCheck, memberDeathCheck, networkCheck, pauseDeathCheck, pidIsolatedCheck, pidSharedCheck, restartPolicyCheck, startOrderCheck, volumeCheck };
export { RESTART_POLICY_TABLE } from "./restart-policy";
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
    ];
}
