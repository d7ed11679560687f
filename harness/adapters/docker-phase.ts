/**
 * Docker has no pod phase: this applies kubelet's rule (getPhase in pkg/kubelet/kubelet_pods.go,
 * simplified to what a PodGroup can show) to the states of a group's containers, so that the
 * restart-policy table compares like with like.
 */
import { ContainerStatus, PodPhase } from "./runtime-adapter";

export function derivePhase(containers: ContainerStatus[], restartPolicy: string): PodPhase {
    // Native sidecars do not count for the phase (kubelet getPhase).
    const inits = containers.filter((c) => c.role === "init" && c.sidecar !== true);
    const members = containers.filter((c) => c.role === "member");
    // An init container failed under Never: Failed, whether or not the members were created.
    if (restartPolicy === "Never" && inits.some((c) => c.state === "terminated" && c.exitCode !== 0)) {
        return "Failed";
    }
    if (members.length === 0) {
        return "Unknown";
    }
    // Init containers not yet all completed: Pending.
    if (inits.some((c) => c.state !== "terminated" || c.exitCode !== 0)) {
        return "Pending";
    }
    // A container waiting to be restarted has run before: kubelet counts it with the running ones.
    const running = members.filter((c) => c.state === "running" || (c.state === "waiting" && c.restartCount > 0)).length;
    const waiting = members.filter((c) => c.state === "waiting" && c.restartCount === 0).length;
    const terminated = members.filter((c) => c.state === "terminated");
    const succeeded = terminated.filter((c) => c.exitCode === 0).length;
    const failed = terminated.length - succeeded;
    if (waiting > 0 && running === 0 && terminated.length === 0) {
        return "Pending";
    }
    if (running > 0 || waiting > 0) {
        return "Running";
    }
    // Every member terminated.
    if (restartPolicy === "Always") {
        return "Running"; // kubelet keeps restarting them
    }
    if (failed > 0) {
        return restartPolicy === "OnFailure" ? "Running" : "Failed";
    }
    return "Succeeded";
}
