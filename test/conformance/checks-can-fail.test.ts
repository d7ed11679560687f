/**
 * Each check fails when its property is broken: the checks run (through the real program) against
 * fixtures that break what they check, and must report "fail" (not pass, not error). The first
 * checks run on the real Docker engine; the pod-lifecycle ones on the real cluster, where every
 * field they need is supported (a check's verdict logic is the same on every adapter).
 */
import { PodGroupSpec } from "../../components/spec";
import {
    backoffFixture, Check, crashLoopBackoffCheck, dockerTarget, emptyDirPermissionsCheck, finishedFixture, finishedStaysFinishedCheck, Fixture,
    hooksFixture, initFailureNeverCheck, initNeverFixture, initRetryCheck, initRetryFixture, ipcCheck, isolatedPodFixture, kubernetesTarget,
    livenessRestartCheck, memberDeathCheck, networkCheck, pauseDeathCheck, preStopFixture, pidIsolatedCheck, pidSharedCheck, podStatusCheck, postStartHookCheck,
    preStopHookCheck, probesFixture, readinessFixture, readinessNoRestartCheck, readinessTimingCheck, restartPolicyCheck, restartPolicyFixture,
    runSuite, sharedPodFixture, sidecarFixture, sidecarRestartCheck, sidecarStartOrderCheck, startOrderCheck, startupProbeCheck, statusFixture,
    SuiteReport, terminationFixture, terminationMessageCheck, terminationMessageFixture, terminationOrderCheck, volumeCheck,
} from "../../harness";
import { LOCAL_CLUSTER_CONTAINERD, LOCAL_CLUSTER_KUBECONFIG } from "../../harness/targets";
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

/** A copy of `fixture` under another id, with `edit` applied to its spec. */
function broken(fixture: Fixture, id: string, edit: (spec: PodGroupSpec) => void = () => undefined): Fixture {
    const spec = JSON.parse(JSON.stringify(fixture.spec)) as PodGroupSpec;
    edit(spec);
    return { ...fixture, id, description: `BROKEN: ${id}`, spec };
}

/** check id -> the check, run against a fixture that breaks its property. */
const brokenOnDocker: Record<string, Check> = {
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
    // Plain Docker restarts a crashing member after 0.1 s, 0.2 s, 0.4 s...: not kubelet's back-off.
    "crash-loop-backoff": crashLoopBackoffCheck(backoffFixture("x-backoff")),
};

/**
 * The pod-lifecycle checks, on the cluster (every field is supported there), each against a
 * fixture that breaks its property.
 */
const xProbes = broken(probesFixture(), "x-probes", (s) => {
    delete member(s, "starter").startupProbe;   // liveness acts at once, started without a startup probe
    delete member(s, "live").livenessProbe;     // nothing restarts it
});
const xSidecar = broken(sidecarFixture(), "x-sidecar", (s) => {
    const side = s.initContainers!.splice(1, 1)[0];   // the "sidecar" becomes a member: started after init-b, not restarted under Never
    delete side.restartPolicy;
    s.containers.push(side);
});
const xHooks = hooksFixture({ id: "x-hooks", badHook: false });
const brokenOnKubernetes: Record<string, Check> = {
    // The probe's file is never created: never ready.
    "readiness-timing": readinessTimingCheck(broken(readinessFixture(), "x-readiness", (s) => {
        member(s, "probed").command = ["sh", "-c", "exec sleep 1000003"];
    })),
    // A root init container narrows both emptyDirs to 0755.
    "emptydir-permissions": emptyDirPermissionsCheck(broken(readinessFixture(), "x-emptydir", (s) => {
        s.initContainers = [{ name: "narrow", image: member(s, "writer").image, command: ["sh", "-c", "chmod 0755 /work /mem"],
            volumeMounts: [{ name: "work", mountPath: "/work" }, { name: "mem", mountPath: "/mem" }] }];
    })),
    // A liveness probe on the same file: a failing readiness check now restarts the member.
    "readiness-no-restart": readinessNoRestartCheck(broken(readinessFixture({ initialDelaySeconds: 2 }), "x-readiness-live", (s) => {
        member(s, "probed").livenessProbe = { exec: { command: ["test", "-f", "/tmp/ready"] }, periodSeconds: 1, failureThreshold: 1 };
    })),
    "startup-probe": startupProbeCheck(xProbes),
    "liveness-restart": livenessRestartCheck(xProbes),
    // Never: the failed init container is not retried.
    "init-retry": initRetryCheck(initRetryFixture("x-init-retry", "Never")),
    // OnFailure: the failed init container is retried, the group does not fail.
    "init-failure-never": initFailureNeverCheck(initNeverFixture("x-init-never", "OnFailure")),
    // Always: the completed job is started again.
    "finished-stays-finished": finishedStaysFinishedCheck(finishedFixture("x-finished", "Always")),
    "sidecar-start-order": sidecarStartOrderCheck(xSidecar),
    "sidecar-restart": sidecarRestartCheck(xSidecar),
    // bad-hook's postStart succeeds: nothing restarts it.
    "post-start-hook": postStartHookCheck(xHooks),
    // hooked has no preStop hook.
    "pre-stop-hook": preStopHookCheck(preStopFixture({ id: "x-prestop", preStop: false })),
    // The "sidecars" are members: stopped with the others, in parallel.
    "termination-order": terminationOrderCheck(terminationFixture({ id: "x-termination", sidecars: false })),
    // msg-path writes its message elsewhere than its terminationMessagePath.
    "termination-message": terminationMessageCheck(terminationMessageFixture({ id: "x-term-msg", wrongPath: true })),
    // Always instead of OnFailure: done is restarted, the status is not the expected one.
    "pod-status": podStatusCheck(broken(statusFixture(), "x-status", (s) => { s.restartPolicy = "Always"; })),
};

/** Only the checks PODGROUP_CONFORMANCE_CHECKS names (comma-separated ids), when set. */
function chosen(checks: Record<string, Check>): Record<string, Check> {
    const wanted = (process.env.PODGROUP_CONFORMANCE_CHECKS ?? "").split(",").map((s) => s.trim()).filter((s) => s !== "");
    return wanted.length === 0 ? checks : Object.fromEntries(Object.entries(checks).filter(([id]) => wanted.includes(id)));
}
const onDockerChecks = chosen(brokenOnDocker);
const onKubernetesChecks = chosen(brokenOnKubernetes);

describe("every check fails when its property is broken (real Docker engine, real cluster)", () => {
    let onDocker: SuiteReport;
    let onKubernetes: SuiteReport;

    beforeAll(async () => {
        const progress = (line: string) => process.stdout.write(`[checks-can-fail] ${line}\n`);
        [onDocker, onKubernetes] = await Promise.all([
            runSuite({ targets: [dockerTarget()], checks: Object.values(onDockerChecks), expectedDivergences: [], progress }),
            runSuite({
                targets: [kubernetesTarget({
                    kubeconfig: process.env.PODGROUP_KUBECONFIG ?? LOCAL_CLUSTER_KUBECONFIG,
                    containerdAddress: process.env.PODGROUP_CONTAINERD_ADDRESS ?? LOCAL_CLUSTER_CONTAINERD,
                })],
                checks: Object.values(onKubernetesChecks), expectedDivergences: [], progress,
            }),
        ]);
    }, 20 * 60_000);

    if (Object.keys(onDockerChecks).length > 0) it.each(Object.keys(onDockerChecks))("%s fails on its broken fixture (docker)", (id) => {
        const r = onDocker.results.find((x) => x.check === brokenOnDocker[id].id);
        expect({ check: id, outcome: r?.outcome, summary: r?.summary }).toEqual({ check: id, outcome: "fail", summary: expect.any(String) });
    });

    if (Object.keys(onKubernetesChecks).length > 0) it.each(Object.keys(onKubernetesChecks))("%s fails on its broken fixture (kubernetes)", (id) => {
        const r = onKubernetes.results.find((x) => x.check === brokenOnKubernetes[id].id);
        expect({ check: id, outcome: r?.outcome, summary: r?.summary }).toEqual({ check: id, outcome: "fail", summary: expect.any(String) });
    });
});
