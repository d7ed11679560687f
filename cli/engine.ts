/**
 * A stack's objects on the Docker engine (DOCKER_HOST, else the default socket): every container
 * and volume a PodGroup makes carries `podgroup.io/stack=<project>/<stack>`.
 */
import Docker from "dockerode";

/** A container or volume carrying the stack's label. */
export interface EngineObject {
    kind: "container" | "volume";
    /** The id the docker provider stores in the state: a container's full id, a volume's name. */
    id: string;
    name: string;
    /** Containers: running, exited, created, ... */
    state?: string;
}

/** The engine as recovery uses it (dockerode in the command; a fake in unit tests). */
export interface Engine {
    /** Where it is, for the report. */
    readonly address: string;
    labelled(label: string): Promise<EngineObject[]>;
    /** Ids of every container of the engine, labelled or not. */
    containerIds(): Promise<Set<string>>;
    remove(o: EngineObject): Promise<void>;
}

/** The engine of DOCKER_HOST (or the default socket), through dockerode. */
export function dockerEngine(env: NodeJS.ProcessEnv): Engine {
    // dockerode reads DOCKER_HOST (and DOCKER_TLS_VERIFY, DOCKER_CERT_PATH) from the environment.
    const docker = new Docker();
    return {
        address: env.DOCKER_HOST ?? "unix:///var/run/docker.sock",
        async labelled(label) {
            const filters = JSON.stringify({ label: [label] });
            const containers = (await docker.listContainers({ all: true, filters })).map((c): EngineObject => ({
                kind: "container", id: c.Id, name: (c.Names[0] ?? c.Id).replace(/^\//, ""), state: c.State,
            }));
            const volumes = ((await docker.listVolumes({ filters })).Volumes ?? []).map((v): EngineObject => ({
                kind: "volume", id: v.Name, name: v.Name,
            }));
            return [...containers, ...volumes];
        },
        async containerIds() {
            return new Set((await docker.listContainers({ all: true })).map((c) => c.Id));
        },
        async remove(o) {
            if (o.kind === "container") await docker.getContainer(o.id).remove({ force: true });
            else await docker.getVolume(o.id).remove();
        },
    };
}
