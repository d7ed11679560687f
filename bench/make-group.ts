/**
 * Docker side of bench/pause-recovery.sh: creates the benchmark's groups and supervisor exactly as
 * PodGroup and DockerSupervisor render them (through test/integration/rendered-group.ts, the code
 * the supervisor's integration tests use), never by hand.
 *
 * Usage (bench/pause-recovery.sh compiles and runs it):
 *   node make-group.js group NAME INITS SUPERVISED   a pause, INITS init containers (`true`), two
 *                                                    members (httpd, sleep) sharing net/IPC/PID;
 *                                                    restartPolicy Always; SUPERVISED true|false
 *   node make-group.js supervisor NAME STATE_DIR     creates (does not start) the supervisor
 *   node make-group.js remove NAME                   removes a group's containers and volumes
 * Every object carries the user label PODGROUP_BENCH_LABEL (KEY=VALUE, from the environment) for clean-up.
 */
import Docker from "dockerode";
import images from "../images/images.json";
import type { PodGroupSpec } from "../components/spec";
import { resolveDockerSupervisor, supervisorCreateOptions } from "../components/supervisor";
import { createLaidOutGroup, layoutOf, removeLaidOutGroup } from "../test/integration/rendered-group";

const [BENCH_KEY, BENCH_VALUE] = (process.env.PODGROUP_BENCH_LABEL ?? "").split("=");

/** The measured shape; the Kubernetes column's Pod (bench/pause-recovery.sh, make_pod) is the same. */
function benchSpec(inits: number): PodGroupSpec {
    return {
        initContainers: Array.from({ length: inits }, (_, i) => ({ name: `init${i}`, image: images.toolbox, command: ["true"] })),
        containers: [
            { name: "web", image: images.toolbox, command: ["httpd", "-f", "-p", "8080", "-h", "/www"] },
            { name: "sidecar", image: images.toolbox, command: ["sleep", "100000"] },
        ],
        restartPolicy: "Always",
        shareProcessNamespace: true,
        terminationGracePeriodSeconds: 1,
        labels: { [BENCH_KEY]: BENCH_VALUE },
    };
}

async function main(args: string[]): Promise<void> {
    if (BENCH_KEY === "" || BENCH_VALUE === undefined) throw new Error("set PODGROUP_BENCH_LABEL=KEY=VALUE (the benchmark's clean-up label)");
    const docker = new Docker();
    const [command, name] = args;
    if (command === "group" && args.length === 4) {
        await createLaidOutGroup(docker, layoutOf(name, benchSpec(Number(args[2])), args[3] === "true"));
    } else if (command === "supervisor" && args.length === 3) {
        const options = supervisorCreateOptions(resolveDockerSupervisor({ containerName: name, stateDir: args[2] }));
        await docker.createContainer({ ...options, Labels: { ...options.Labels, [BENCH_KEY]: BENCH_VALUE } });
    } else if (command === "remove" && args.length === 2) {
        await removeLaidOutGroup(docker, name);
    } else {
        throw new Error("usage: make-group.js group NAME INITS SUPERVISED | supervisor NAME STATE_DIR | remove NAME");
    }
}

main(process.argv.slice(2)).catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : String(e));
    process.exit(1);
});
