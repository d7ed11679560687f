/**
 * The pure parts of the harness on hand-written inputs: the order-log analysis behind
 * start-order and pause-death, kubelet's phase rule applied to Docker states, and the verdict
 * (what agrees, what is an expected or unexpected divergence, what fails the suite).
 */
import { derivePhase } from "../../harness/adapters/docker-phase";
import { ContainerStatus } from "../../harness/adapters/runtime-adapter";
import { orderProblems, parseOrderLog, splitRounds } from "../../harness/checks/order-log";
import { buildMatrix, ResultLike } from "../../harness/verdict";

const GOOD = `init-a start 10.00 pid1=/pause
init-a end 11.01 pid1=/pause
init-b start 11.50 pid1=/pause
init-b end 12.51 pid1=/pause
web start 13.00 pid1=/pause
client start 13.02 pid1=/pause`;

describe("order log", () => {
    it("accepts pause first, init containers one at a time, then members", () => {
        const rounds = splitRounds(parseOrderLog(GOOD), "init-a");
        expect(rounds).toHaveLength(1);
        expect(orderProblems(rounds[0], ["init-a", "init-b"], ["web", "client"], true)).toEqual([]);
    });
    it("rejects overlapping init containers", () => {
        const log = GOOD.replace("init-a end 11.01", "init-a endX 11.01").replace("init-b end 12.51 pid1=/pause", "init-b end 12.51 pid1=/pause\ninit-a end 12.60 pid1=/pause");
        const problems = orderProblems(splitRounds(parseOrderLog(log), "init-a")[0], ["init-a", "init-b"], ["web", "client"], true);
        expect(problems[0]).toMatch(/did not run one at a time in order/);
    });
    it("rejects a member started before the last init container ended", () => {
        const log = GOOD.replace("web start 13.00", "web start 12.00");
        const lines = parseOrderLog(log).sort((a, b) => a.t - b.t);
        expect(orderProblems(lines, ["init-a", "init-b"], ["web", "client"], true).join()).toMatch(/web started before the init containers were done/);
    });
    it("rejects a PID 1 that is not the pause when processes are shared", () => {
        const log = GOOD.replace("init-a start 10.00 pid1=/pause", "init-a start 10.00 pid1=sh -c x");
        expect(orderProblems(parseOrderLog(log), ["init-a", "init-b"], ["web", "client"], true).join()).toMatch(/PID 1 was not the pause/);
    });
    it("splits a second start-up round after a sandbox re-creation", () => {
        expect(splitRounds(parseOrderLog(`${GOOD}\n${GOOD}`), "init-a")).toHaveLength(2);
    });
});

const c = (name: string, role: ContainerStatus["role"], state: ContainerStatus["state"], exitCode?: number, restartCount = 0): ContainerStatus =>
    ({ name, role, state, exitCode, restartCount });

describe("pod phase from Docker states (kubelet's rule)", () => {
    it.each([
        ["Always", [c("m", "member", "running", undefined, 2)], "Running"],
        ["OnFailure", [c("m", "member", "terminated", 0, 1)], "Succeeded"],
        ["Never", [c("m", "member", "terminated", 1)], "Failed"],
        ["OnFailure", [c("m", "member", "terminated", 1)], "Running"],
        ["Always", [c("m", "member", "waiting", 1, 3)], "Running"],
        ["Always", [c("i", "init", "running"), c("m", "member", "waiting")], "Pending"],
    ] as const)("%s with %j is %s", (policy, containers, phase) => {
        expect(derivePhase([...containers], policy)).toBe(phase);
    });
});

describe("verdict", () => {
    const r = (check: string, target: string, outcome: ResultLike["outcome"]): ResultLike => ({ check, testname: check, target, outcome, summary: `${check} ${outcome}` });
    const listed = [{ check: "b", target: "docker", reason: "known", references: ["moby#1"] }];

    it("agrees, differs as expected, differs unexpectedly", () => {
        const { rows, failures } = buildMatrix([
            r("a", "kubernetes", "pass"), r("a", "docker", "pass"),
            r("b", "kubernetes", "pass"), r("b", "docker", "fail"),
            r("c", "kubernetes", "pass"), r("c", "docker", "fail"),
        ], ["docker", "kubernetes"], listed);
        expect(rows.map((x) => [x.check, x.cells.docker.comparison, x.cells.kubernetes.comparison])).toEqual([
            ["a", "agree", "reference"], ["b", "differ-expected", "reference"], ["c", "differ-unexpected", "reference"],
        ]);
        expect(failures).toEqual(["c on docker differs from Kubernetes and is not an expected divergence: c fail"]);
    });
    it("fails when a check fails on Kubernetes, or anything errors (unreachable runtime)", () => {
        const { failures } = buildMatrix([r("a", "kubernetes", "fail"), r("a", "docker", "error")], ["docker", "kubernetes"], []);
        expect(failures).toHaveLength(2);
    });
    it("notes a listed divergence that no longer occurs", () => {
        const { failures, notes } = buildMatrix([r("b", "kubernetes", "pass"), r("b", "docker", "pass")], ["docker", "kubernetes"], listed);
        expect(failures).toEqual([]);
        expect(notes[0]).toMatch(/remove it/);
    });
});
