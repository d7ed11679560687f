/**
 * Creates a group on a Docker engine exactly as the Docker renderer lays it out
 * (components/render-docker.ts: dockerGroupLayout, dockerCreateOptions), without Pulumi, in the
 * renderer's order: volumes, the pause (started), then on plain Docker each init container to
 * completion and the members; supervised, the rest created and left to the supervisor. Used by
 * the supervisor's integration tests (on a private dockerd), bench/pause-recovery.sh
 * (bench/make-group.ts) and bench/mass-recovery.ts, so that they exercise the containers users deploy.
 */
import Docker from "dockerode";
import { LABEL_GROUP } from "../../components/labels";
import { DockerGroupLayout, dockerCreateOptions, dockerGroupLayout } from "../../components/render-docker";
import { resolveSpec } from "../../components/resolve";
import { PodGroupSpec } from "../../components/spec";
import { ResolvedSupervisor, supervisorCreateOptions } from "../../components/supervisor";
import { validatePodGroupSpec } from "../../components/validate";
import { waitFor } from "../../harness/wait";

/**
 * Validates and lays out `spec` as the PodGroup component does for `backend: "docker"`;
 * `supervisorStateDir`: the supervisor's state directory on the host (termination-message files).
 */
export function layoutOf(groupName: string, spec: PodGroupSpec, supervise: boolean, supervisorStateDir?: string): DockerGroupLayout {
    validatePodGroupSpec(spec, { groupName, backend: "docker", supervise });
    return dockerGroupLayout(resolveSpec(groupName, spec), { supervise, ...(supervisorStateDir !== undefined ? { supervisorStateDir } : {}) });
}

/**
 * Creates a laid-out group as `pulumi up` does: plain Docker: starts it (init containers to
 * completion, in order; throws when one fails); supervised: starts only the pause and leaves the
 * rest, created, to the supervisor (starting them here would race it).
 */
export async function createLaidOutGroup(docker: Docker, layout: DockerGroupLayout): Promise<void> {
    for (const v of layout.volumes) {
        await docker.createVolume({
            Name: v.dockerName, Driver: "local", Labels: layout.sharedLabels,
            ...(v.tmpfs ? { DriverOpts: { type: "tmpfs", device: "tmpfs", ...(v.sizeBytes !== undefined ? { o: `size=${v.sizeBytes}` } : {}) } } : {}),
        });
    }
    const pause = await docker.createContainer(dockerCreateOptions(layout.pause));
    await pause.start();
    await terminationFilesWritten(pause, layout);
    for (const c of layout.initContainers) {
        const init = await docker.createContainer(dockerCreateOptions(c, pause.id));
        if (!c.start) continue;
        await init.start();
        const res = await init.wait() as { StatusCode: number };
        if (res.StatusCode !== 0) throw new Error(`init container ${c.name} of ${layout.pause.labels[LABEL_GROUP]} exited ${res.StatusCode}`);
    }
    const members = await Promise.all(layout.members.map((c) => docker.createContainer(dockerCreateOptions(c, pause.id))));
    for (const [i, m] of members.entries()) {
        if (layout.members[i].start) await m.start();
    }
}

/**
 * Supervised: the pause writes the termination-message files the other containers bind-mount, and
 * Docker refuses to create a container whose bind source is missing. `docker start` returns once
 * the pause runs, not once it wrote them: wait until the engine sees each one (through the
 * pause's filesystem, as for a remote engine), else a create right after the start can lose the race.
 */
async function terminationFilesWritten(pause: Docker.Container, layout: DockerGroupLayout): Promise<void> {
    const args = layout.pause.args ?? [];
    const at = args.indexOf("-termination-files");
    if (at < 0) return;
    const [dir, ...names] = args.slice(at + 1);
    for (const name of names) {
        await waitFor(`the pause's termination file ${dir}/${name}`, () => pause.infoArchive({ path: `${dir}/${name}` }).then(() => true), (ok) => ok,
            { timeoutMs: 10_000, intervalMs: 20 });
    }
}

/** Removes a group's containers and volumes (found by the group label); says what it removed. */
export async function removeLaidOutGroup(docker: Docker, group: string): Promise<string[]> {
    const filters = { label: [`${LABEL_GROUP}=${group}`] };
    const cs = await docker.listContainers({ all: true, filters });
    await Promise.all(cs.map((c) => docker.getContainer(c.Id).remove({ force: true })));
    const { Volumes: vs } = await docker.listVolumes({ filters });
    await Promise.all((vs ?? []).map((v) => docker.getVolume(v.Name).remove().catch(() => undefined)));
    return [...cs.map((c) => `container ${c.Names[0].replace(/^\//, "")}`), ...(vs ?? []).map((v) => `volume ${v.Name}`)];
}

/** Creates and starts the supervisor container with the DockerSupervisor component's settings. */
export async function createSupervisor(docker: Docker, resolved: ResolvedSupervisor, extraLabels: Record<string, string> = {}): Promise<Docker.Container> {
    const options = supervisorCreateOptions(resolved);
    const c = await docker.createContainer({ ...options, Labels: { ...options.Labels, ...extraLabels } });
    await c.start();
    return c;
}
