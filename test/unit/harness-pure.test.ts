/**
 * The pure parts of the harness on hand-written inputs, without any runtime (no engine, cluster
 * or Pulumi): the order-log analysis behind start-order and pause-death, kubelet's phase rule
 * applied to Docker states, the verdict (what agrees, what is an expected or unexpected
 * divergence, what fails the suite), the shipped expected divergences, and the reports.
 */
import { derivePhase } from "../../harness/adapters/docker-phase";
import { ContainerStatus } from "../../harness/adapters/runtime-adapter";
import { orderProblems, parseOrderLog, splitRounds } from "../../harness/checks/order-log";
import { CheckResult, SuiteReport } from "../../harness/model/results";
import { buildMatrix, loadExpectedDivergences, ResultLike } from "../../harness/model/verdict";
import { renderHtml, renderJson, renderMarkdown, renderMatrix } from "../../harness/report";

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

describe("expected divergences", () => {
    it("ships with the harness (compiled in, not read next to the module)", () => {
        const shipped = loadExpectedDivergences();
        expect(shipped.length).toBeGreaterThan(0);
        expect(shipped.every((d) => d.check !== "" && d.target !== "kubernetes" && d.reason !== "" && d.references.length > 0)).toBe(true);
    });
});

describe("reports, from a hand-written suite report", () => {
    const result = (check: string, target: string, outcome: CheckResult["outcome"]): CheckResult => ({
        check, testname: `PodGroup, ${check}`, target, backend: target === "kubernetes" ? "kubernetes" : "docker", fixture: "pod",
        group: `pgc-pod-${target[0]}`, outcome, summary: `${check} ${outcome} on ${target}`, durationMs: 1200,
        evidence: [{ atMs: 5, kind: "exec", command: "exec web: ps -o pid,args", result: "1 /pause" }],
    });
    const results = [result("pid-shared", "kubernetes", "pass"), result("pid-shared", "docker", "pass"),
        result("network", "kubernetes", "pass"), result("network", "docker", "fail")];
    const targets = [{ id: "docker", title: "Docker", kind: "docker", endpoint: "docker (/var/run/docker.sock)" },
        { id: "kubernetes", title: "Kubernetes", kind: "kubernetes", endpoint: "kubernetes (https://127.0.0.1:6443)" }];
    const { rows, failures, notes } = buildMatrix(results, targets.map((t) => t.id), []);
    const report: SuiteReport = {
        startedAt: "2026-11-30T03:00:00.000Z", durationMs: 61_000, targets,
        checks: ["pid-shared", "network"].map((id) => ({ id, testname: `PodGroup, ${id}`, description: `${id} MUST hold`, references: ["pods.go"], fixture: "pod" })),
        results, matrix: rows, failures, notes, expectedDivergences: [],
        deployments: [{ target: "docker", fixture: "pod", group: "pgc-pod-d", upMs: 9000, destroyMs: 3000 }],
    };

    it("matrix: one row per check, one cell per target", () => {
        expect(renderMatrix(report).split("\n")).toEqual([
            "| Check | Docker | Kubernetes |", "|---|---|---|",
            "| pid-shared | PASS, agrees | PASS, reference |", "| network | FAIL, DIFFERS (unexpected) | PASS, reference |",
        ]);
    });
    it("markdown: the verdict, the failure, and the divergence with its evidence", () => {
        const md = renderMarkdown(report);
        expect(md).toContain("Verdict: **FAIL**");
        expect(md).toContain("- network on docker differs from Kubernetes and is not an expected divergence: network fail on docker");
        expect(md).toContain("### network on docker\n\nObserved: network fail on docker\n\n**Not listed as expected.**");
        expect(md).toContain("[+5 ms] exec: exec web: ps -o pid,args\n    1 /pause");
    });
    it("html: escaped, self-contained, with the verdict", () => {
        const html = renderHtml({ ...report, failures: ["<script>"] });
        expect(html).toContain("&lt;script&gt;");
        expect(html).not.toMatch(/<script|<link|src=/);
        expect(html).toContain('Verdict: <b class="verdict-fail">FAIL</b>');
    });
    it("json: the report as is", () => {
        expect(JSON.parse(renderJson(report))).toEqual(report);
    });
});
