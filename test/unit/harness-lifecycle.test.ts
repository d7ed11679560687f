/**
 * The pure parts of the pod-lifecycle checks on hand-written inputs: back-off gaps, termination
 * order, the expected Pod status, Docker's derived conditions and phase with sidecars; and the
 * supervisor status keys the harness reads, against the contract's lists.
 */
import { DOCKER_CONTRACT } from "../../components/contract";
import { BACKOFF_WINDOWS, EXPECTED_POD_STATUS, podStatusDifferences, startGaps } from "../../harness/checks/restarts";
import { parseLifecycleLog, terminationProblems } from "../../harness/checks/termination";
import { dockerConditions } from "../../harness/adapters/docker-adapter";
import { derivePhase } from "../../harness/adapters/docker-phase";
import { ContainerStatus, GroupStatus } from "../../harness/adapters/runtime-adapter";
import { SUPERVISOR_POD_STATUS_KEYS_READ } from "../../harness/adapters/supervisor-status";

describe("crash-loop back-off gaps", () => {
    it("are the differences between consecutive start times", () => {
        expect(startGaps("100.00\n101.09\n117.60\n146.62\n")).toEqual([1.09, 16.51, 29.02]);
    });
    it("windows take kubelet's 0 / 10 / 20 s plus its sync delay and not Docker's 0.1 / 0.2 / 0.4 s", () => {
        const within = (gaps: number[]) => gaps.every((g, i) => g >= BACKOFF_WINDOWS[i].min && g <= BACKOFF_WINDOWS[i].max);
        expect(within([1.09, 16.51, 29.02])).toBe(true);
        expect(within([0, 10, 20])).toBe(true);
        expect(within([0.1, 0.2, 0.4])).toBe(false);
    });
});

describe("termination order", () => {
    const log = (lines: [string, string, number][]) => lines.map(([who, what, t]) => `2026-01-01T00:00:00Z ${who} ${what} ${t}`).join("\n");
    it("parses lifecycle lines behind runtime timestamps", () => {
        expect(parseLifecycleLog("2026-11-30T05:34:25.58Z m1 TERM 11471.74\nnoise\nm2 EXIT 12.5")).toEqual([
            { who: "m1", what: "TERM", uptime: 11471.74 }, { who: "m2", what: "EXIT", uptime: 12.5 },
        ]);
    });
    it("accepts members first, then sidecars in reverse order", () => {
        const events = parseLifecycleLog(log([["m1", "TERM", 10], ["m2", "TERM", 10.1], ["m1", "EXIT", 11], ["m2", "EXIT", 11.1],
            ["side-2", "TERM", 11.3], ["side-2", "EXIT", 12.3], ["side-1", "TERM", 12.5], ["side-1", "EXIT", 13.5]]));
        expect(terminationProblems(events, ["m1", "m2"], ["side-1", "side-2"])).toEqual([]);
    });
    it("refuses sidecars stopped with the members, or in spec order", () => {
        const parallel = parseLifecycleLog(log([["m1", "TERM", 10], ["m2", "TERM", 10], ["side-1", "TERM", 10], ["side-2", "TERM", 10],
            ["m1", "EXIT", 11], ["m2", "EXIT", 11], ["side-1", "EXIT", 11], ["side-2", "EXIT", 11]]));
        expect(terminationProblems(parallel, ["m1", "m2"], ["side-1", "side-2"])).toHaveLength(2);
        const specOrder = parseLifecycleLog(log([["m1", "TERM", 10], ["m1", "EXIT", 11], ["side-1", "TERM", 11.2], ["side-1", "EXIT", 12.2],
            ["side-2", "TERM", 12.4], ["side-2", "EXIT", 13.4]]));
        expect(terminationProblems(specOrder, ["m1"], ["side-1", "side-2"])).toEqual(["sidecar side-1 was stopped (11.2) before side-2 had exited (13.4)"]);
    });
    it("wants the preStop hook before SIGTERM, and a SIGTERM at all", () => {
        expect(terminationProblems(parseLifecycleLog(log([["h", "PRESTOP", 1], ["h", "TERM", 2]])), ["h"], [], ["h"])).toEqual([]);
        expect(terminationProblems(parseLifecycleLog(log([["h", "TERM", 2]])), ["h"], [], ["h"])).toEqual(["h: its preStop hook did not run"]);
        expect(terminationProblems([], ["h"], [])).toEqual(["h got no SIGTERM (or did not log it)"]);
    });
});

const c = (name: string, role: ContainerStatus["role"], state: ContainerStatus["state"], extra: Partial<ContainerStatus> = {}): ContainerStatus =>
    ({ name, role, state, restartCount: 0, ...extra });

describe("the expected Pod status", () => {
    const status = (containers: ContainerStatus[], phase: GroupStatus["phase"] = "Running"): GroupStatus => ({
        group: "g", phase, containers, restartCountSource: "test", observedAt: new Date(),
        conditions: Object.entries(EXPECTED_POD_STATUS.conditions).map(([type, s]) => ({ type, status: s as "True" | "False" })),
    });
    const good = [
        c("setup", "init", "terminated", { exitCode: 0, reason: "Completed", ready: true }),
        c("done", "member", "terminated", { exitCode: 0, reason: "Completed", ready: false }),
        c("crash-once", "member", "running", { restartCount: 1, ready: true, lastState: { exitCode: 3, reason: "Error" } }),
        c("runs", "member", "running", { ready: true }),
    ];
    it("matches the cluster's", () => {
        expect(podStatusDifferences(status(good))).toEqual([]);
    });
    it("names each field that differs", () => {
        const bad = good.map((x) => x.name === "crash-once" ? { ...x, lastState: undefined } : x.name === "runs" ? { ...x, restartCount: 2 } : x);
        expect(podStatusDifferences(status(bad, "Pending"))).toEqual([
            "phase Pending (want Running)",
            "crash-once: lastState absent (want terminated exit 3 Error)",
            "runs: restartCount 2 (want 0)",
        ]);
    });
});

describe("plain Docker's derived conditions and phase", () => {
    it("count a running sidecar as initialized and ready, completed init containers as done", () => {
        const cs = [c("pause", "pause", "running"), c("init", "init", "terminated", { exitCode: 0 }),
            c("side", "init", "running", { sidecar: true, ready: true }), c("app", "member", "running", { ready: true })];
        expect(dockerConditions(cs).map((x) => `${x.type}=${x.status}`)).toEqual(["PodReadyToStartContainers=True", "Initialized=True", "ContainersReady=True", "Ready=True"]);
        expect(derivePhase(cs, "Never")).toBe("Running");
        expect(dockerConditions([...cs.slice(0, 3), c("app", "member", "running", { ready: false })]).map((x) => x.status)).toEqual(["True", "True", "False", "False"]);
    });
    it("leaves sidecars out of the phase, and fails a Never group whose init container failed even with no member created", () => {
        expect(derivePhase([c("side", "init", "running", { sidecar: true }), c("app", "member", "terminated", { exitCode: 0 })], "Never")).toBe("Succeeded");
        expect(derivePhase([c("init", "init", "terminated", { exitCode: 3 })], "Never")).toBe("Failed");
        expect(derivePhase([c("init", "init", "terminated", { exitCode: 3 })], "Always")).toBe("Unknown");
    });
});

describe("supervisor status keys the harness reads", () => {
    it("are listed in the contract (which the supervisor's Go test checks against what it writes)", () => {
        const status = DOCKER_CONTRACT.status as unknown as Record<string, string[]>;
        const missing = (read: object, listed: string[] | undefined) => Object.keys(read).filter((k) => !(listed ?? []).includes(k));
        expect(missing(SUPERVISOR_POD_STATUS_KEYS_READ.group, status.groupFields)).toEqual([]);
        expect(missing(SUPERVISOR_POD_STATUS_KEYS_READ.podContainer, status.podContainerStatusFields)).toEqual([]);
    });
});
