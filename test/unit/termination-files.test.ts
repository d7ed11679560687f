// Termination messages of a supervised group on Docker (docs/supervisor.md "Termination
// messages"): kubelet bind-mounts a fresh 0666 host file at each container's
// terminationMessagePath; Docker's /dev is a tmpfs gone with the stopped container, so the
// renderer mounts `<supervisor state dir>/termination/<group>/<container>` there instead, and the
// group's pause creates those files at its start. Plain Docker is unchanged.
import { byName, settled, withoutStacks } from "./mocks";
import { PodGroup } from "../../components/pod-group";
import { DockerGroupResources, dockerCreateOptions, dockerGroupLayout, PAUSE_TERMINATION_DIR } from "../../components/render-docker";
import { resolveSpec } from "../../components/resolve";
import type { PodGroupSpec } from "../../components/spec";
import { TOOLBOX } from "./fixtures";

function spec(): PodGroupSpec {
    return {
        initContainers: [
            { name: "setup", image: TOOLBOX, command: ["true"] },
            { name: "proxy", image: TOOLBOX, restartPolicy: "Always", command: ["sleep", "100000"] },
        ],
        containers: [
            { name: "web", image: TOOLBOX, command: ["sleep", "100000"] },
            { name: "job", image: TOOLBOX, command: ["true"], terminationMessagePath: "/tmp/done", terminationMessagePolicy: "FallbackToLogsOnError" },
        ],
        restartPolicy: "Always",
    };
}

const DIR = "/var/lib/podgroup/supervisor/termination/tm";

describe("termination-message files of a supervised group", () => {
    const layout = dockerGroupLayout(resolveSpec("tm", spec()), { supervise: true });

    it("has the pause mount the group's host directory and create one file per container", () => {
        expect(layout.pause.hostMounts).toEqual([{ source: DIR, target: PAUSE_TERMINATION_DIR, kind: "directory" }]);
        expect(layout.pause.args).toEqual(["-termination-files", PAUSE_TERMINATION_DIR, "setup", "proxy", "web", "job"]);
        const pause = dockerCreateOptions(layout.pause);
        expect(pause.Cmd).toEqual(layout.pause.args);
        // A directory bind (Binds): Docker creates it on the engine's host when it is missing.
        expect(pause.HostConfig?.Binds).toEqual([`${DIR}:${PAUSE_TERMINATION_DIR}`]);
    });

    it("mounts each container's file read-write at its terminationMessagePath (default /dev/termination-log)", () => {
        const got = [...layout.initContainers, ...layout.members].map((c) => [c.name, dockerCreateOptions(c, "pause-id").HostConfig?.Mounts
            ?.filter((m) => m.Type === "bind")]);
        expect(got).toEqual([
            ["setup", [{ Type: "bind", Source: `${DIR}/setup`, Target: "/dev/termination-log" }]],
            ["proxy", [{ Type: "bind", Source: `${DIR}/proxy`, Target: "/dev/termination-log" }]],
            ["web", [{ Type: "bind", Source: `${DIR}/web`, Target: "/dev/termination-log" }]],
            ["job", [{ Type: "bind", Source: `${DIR}/job`, Target: "/tmp/done" }]],
        ]);
    });

    it("follows the supervisor's state directory, and refuses a relative one", () => {
        const other = dockerGroupLayout(resolveSpec("tm", spec()), { supervise: true, supervisorStateDir: "/srv/sup" });
        expect(other.pause.hostMounts?.[0].source).toBe("/srv/sup/termination/tm");
        expect(other.members[0].hostMounts?.[0].source).toBe("/srv/sup/termination/tm/web");
        expect(() => dockerGroupLayout(resolveSpec("tm", spec()), { supervise: true, supervisorStateDir: "state" }))
            .toThrow('docker.supervisorStateDir: "state" (string) is not an absolute path');
    });

    it("is not rendered on plain Docker", () => {
        const plain = dockerGroupLayout(resolveSpec("tm", { ...spec(), initContainers: [] }), { supervise: false });
        for (const c of [plain.pause, ...plain.members]) {
            expect([c.name, c.hostMounts, c.args]).toEqual([c.name, undefined, undefined]);
            const o = dockerCreateOptions(c, "pause-id");
            expect([c.name, o.Cmd, o.HostConfig?.Binds]).toEqual([c.name, undefined, undefined]);
        }
    });

    it("is what Pulumi declares: the pause's command and host directory, each container's bind mount", async () => {
        const group = withoutStacks(() => new PodGroup("tm", { backend: "docker", spec: spec(), docker: { supervise: true } }));
        const res = group.resources as DockerGroupResources;
        // The lifecycle resource too: a test that ends before it registered tears jest down under it.
        await settled([group, res.pause, ...res.initContainers, ...res.members, ...(res.lifecycle !== undefined ? [res.lifecycle] : [])]);
        const pause = byName("tm-pause").inputs;
        expect(pause.command).toEqual(layout.pause.args);
        expect(pause.volumes).toEqual([{ hostPath: DIR, containerPath: PAUSE_TERMINATION_DIR }]);
        expect(byName("tm-member-job").inputs.mounts).toEqual([{ type: "bind", source: `${DIR}/job`, target: "/tmp/done" }]);
        expect(byName("tm-init-proxy").inputs.mounts).toEqual([{ type: "bind", source: `${DIR}/proxy`, target: "/dev/termination-log" }]);
    });
});
