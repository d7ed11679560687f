/**
 * Each check fails when its property is broken: the checks run on the real Docker engine
 * (through the real program) against fixtures that break what they check, and must report
 * "fail" (not pass, not error). Kubernetes is not needed for this: a check's verdict logic is the
 * same on every adapter.
 */
import { PodGroupSpec } from "../../components/spec";
import {
    Check, dockerTarget, Fixture, ipcCheck, isolatedPodFixture, memberDeathCheck, networkCheck, pauseDeathCheck, pidIsolatedCheck,
    pidSharedCheck, restartPolicyCheck, restartPolicyFixture, runSuite, sharedPodFixture, startOrderCheck, SuiteReport, volumeCheck,
} from "../../harness";
import { CLIENT_SLEEP } from "../../harness/fixtures/shared-pod";
import { orderLogLine } from "../../harness/fixtures/toolbox";

/** A copy of the shared fixture under another id, with `edit` applied to its spec. */
function brokenPod(id: string, edit: (spec: PodGroupSpec) => void, overrides: { shareProcessNamespace?: boolean } = {}): Fixture {
    const f = sharedPodFixture({ id, ...overrides });
    const spec = JSON.parse(JSON.stringify(f.spec)) as PodGroupSpec;
    edit(spec);
    return { ...f, description: `BROKEN: ${id}`, spec };
}
const member = (spec: PodGroupSpec, name: string) => spec.containers.find((c) => c.name === name)!;

/** check id -> the check, run against a fixture that breaks its property. */
const broken: Record<string, Check> = {
    // Sharing off: PID 1 is each member's own process.
    "pid-shared": pidSharedCheck(sharedPodFixture({ id: "x-pidshared", shareProcessNamespace: false })),
    // Sharing on: the members see /pause and each other.
    "pid-isolated": pidIsolatedCheck(isolatedPodFixture({ id: "x-pidisolated", shareProcessNamespace: true })),
    // web serves nothing on localhost:8080.
    network: networkCheck(brokenPod("x-network", (s) => {
        member(s, "web").command = ["sh", "-c", `${orderLogLine("web", "start")}; exec sleep 1000002`];
    })),
    // client has its own tmpfs over /dev/shm.
    ipc: ipcCheck(brokenPod("x-ipc", (s) => {
        s.volumes!.push({ name: "own-shm", emptyDir: { medium: "Memory" } });
        member(s, "client").volumeMounts!.push({ name: "own-shm", mountPath: "/dev/shm" });
    })),
    // client mounts another emptyDir at /data.
    volume: volumeCheck(brokenPod("x-volume", (s) => {
        s.volumes!.push({ name: "other", emptyDir: {} });
        member(s, "client").volumeMounts = member(s, "client").volumeMounts!.map((m) => m.mountPath === "/data" ? { ...m, name: "other" } : m);
    })),
    // init-a leaves its work running in the background and exits at once: it has not completed when init-b starts.
    "start-order": startOrderCheck(brokenPod("x-order", (s) => {
        s.initContainers![0].command = ["sh", "-c", `${orderLogLine("init-a", "start")}; (sleep 2; ${orderLogLine("init-a", "end")}) & exit 0`];
    })),
    // web exits as soon as client's process is gone: killing client takes web down too.
    "member-death": memberDeathCheck(brokenPod("x-member", (s) => {
        member(s, "web").command = ["sh", "-c", `${orderLogLine("web", "start")}; mkdir -p /tmp/www; httpd -p 8080 -h /tmp/www; ` +
            `until ps -o args | grep -q '^${CLIENT_SLEEP}'; do sleep 0.2; done; while ps -o args | grep -q '^${CLIENT_SLEEP}'; do sleep 0.2; done; exit 1`];
    })),
    // The Always row against a group whose policy is Never.
    "restart-policy-always": restartPolicyCheck("Always", restartPolicyFixture("Never", "x-rp")),
    // Plain Docker does not re-create the sandbox (the known divergence).
    "pause-death": pauseDeathCheck(sharedPodFixture({ id: "x-pause" })),
};

describe("every check fails when its property is broken (real Docker engine)", () => {
    let report: SuiteReport;

    beforeAll(async () => {
        report = await runSuite({
            targets: [dockerTarget()],
            checks: Object.values(broken),
            expectedDivergences: [],
            progress: (line) => process.stdout.write(`[checks-can-fail] ${line}\n`),
        });
    }, 20 * 60_000);

    it.each(Object.keys(broken))("%s fails on its broken fixture", (id) => {
        const r = report.results.find((x) => x.check === broken[id].id);
        expect({ check: id, outcome: r?.outcome, summary: r?.summary }).toEqual({ check: id, outcome: "fail", summary: expect.any(String) });
    });
});
