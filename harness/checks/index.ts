/** Every check of the suite, in matrix order, each against its default fixture. */
import { Check } from "../check";
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

/** The whole suite. Checks built by the same factory share one fixture object, hence one deployed group. */
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
        pauseDeathCheck(),
    ];
}
