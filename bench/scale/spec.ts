/**
 * The group every column of bench/scale.sh deploys: a pause plus M members sharing network, IPC
 * and PID (`web` runs httpd, the others sleep), restart policy Always, no ports (N groups share
 * one host), Kubernetes' default grace period. The Pulumi program (bench/scale/index.ts) uses it
 * as it is; the `docker run` floor and the Pods (bench/scale.sh) are written from the same values:
 * SCALE_COMMANDS below is printed for them by `node spec.js commands`.
 */
import images from "../../images/images.json";
import type { PodGroupSpec } from "../../components/spec";

/**
 * The user label key every object of a bench group carries (value: the run's prefix), for clean-up.
 * The shell side spells it too: bench/lib/scale-common.sh (BENCH_KEY), bench/pause-recovery.sh.
 */
export const BENCH_KEY = "podgroup-bench";

/** Member i's command: member 0 serves HTTP, the others sleep. */
export function memberCommand(i: number): string[] {
    return i === 0 ? ["httpd", "-f", "-p", "8080", "-h", "/www"] : ["sleep", "100000"];
}

/** Member i's name. */
export function memberName(i: number): string {
    return i === 0 ? "web" : `side${i}`;
}

/** The measured group with `members` members; `labels` mark it for clean-up. */
export function scaleSpec(members: number, labels: Record<string, string>): PodGroupSpec {
    return {
        containers: Array.from({ length: members }, (_, i) => ({ name: memberName(i), image: images.toolbox, command: memberCommand(i) })),
        restartPolicy: "Always",
        shareProcessNamespace: true,
        labels,
    };
}

if (require.main === module && process.argv[2] === "commands") {
    // For the shell columns: one line per member, "<name>\t<command words separated by spaces>".
    const members = Number(process.argv[3]);
    for (let i = 0; i < members; i++) process.stdout.write(`${memberName(i)}\t${memberCommand(i).join(" ")}\n`);
}
