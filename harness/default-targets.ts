/**
 * The targets of this repository's own suite (test/conformance): the local Docker engine
 * without and with the supervisor, and the local cluster of scripts/cluster.sh. Chosen by
 * PODGROUP_CONFORMANCE_TARGETS (comma-separated ids), all three by default.
 */
import { dockerSupervisorTarget, dockerTarget, kubernetesTarget, LOCAL_CLUSTER_CONTAINERD, LOCAL_CLUSTER_KUBECONFIG, Target } from "./targets";

export const ALL_TARGET_IDS = ["docker", "docker+supervisor", "kubernetes"];

/** The targets named by PODGROUP_CONFORMANCE_TARGETS (all three by default), on the local engine and cluster. */
export function defaultTargets(env: NodeJS.ProcessEnv = process.env): Target[] {
    const wanted = (env.PODGROUP_CONFORMANCE_TARGETS ?? ALL_TARGET_IDS.join(",")).split(",").map((s) => s.trim()).filter((s) => s !== "");
    const unknown = wanted.filter((w) => !ALL_TARGET_IDS.includes(w));
    if (unknown.length > 0) {
        throw new Error(`PODGROUP_CONFORMANCE_TARGETS names unknown targets ${unknown.join(", ")} (known: ${ALL_TARGET_IDS.join(", ")})`);
    }
    const make: Record<string, () => Target> = {
        docker: () => dockerTarget(),
        "docker+supervisor": () => dockerSupervisorTarget(),
        kubernetes: () => kubernetesTarget({
            kubeconfig: env.PODGROUP_KUBECONFIG ?? LOCAL_CLUSTER_KUBECONFIG,
            containerdAddress: env.PODGROUP_CONTAINERD_ADDRESS ?? LOCAL_CLUSTER_CONTAINERD,
        }),
    };
    return wanted.map((id) => make[id]());
}
