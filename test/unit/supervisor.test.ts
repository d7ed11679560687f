// The DockerSupervisor component through Pulumi mocks (no engine needed).
import { byName, optionsByName, recordOptions, registered, settled, valueOf } from "./mocks";
import * as docker from "@pulumi/docker";
import {
    DEFAULT_SUPERVISOR_IMAGE, DOCKER_SUPERVISOR_TYPE, DockerSupervisor, resolveDockerSupervisor,
} from "../../components/supervisor";
import images from "../../images/images.json";

const CONTAINER = "docker:index/container:Container";

async function declare(name: string, args: ConstructorParameters<typeof DockerSupervisor>[1] = {}) {
    const sup = new DockerSupervisor(name, args, { transformations: [recordOptions] });
    await settled([sup, sup.container]);
    return sup;
}

type Volume = { hostPath?: string; containerPath?: string; volumeName?: string };

describe("DockerSupervisor", () => {
    it("registers one component of type podgroup:index:DockerSupervisor with one container child", async () => {
        await declare("one");
        const mine = registered.filter((r) => r.name === "one" || r.name.startsWith("one-"));
        expect(mine.map((r) => [r.type, r.name])).toEqual([
            [DOCKER_SUPERVISOR_TYPE, "one"],
            [CONTAINER, "one-supervisor"],
        ]);
    });

    it("runs the project's supervisor image under the fixed name podgroup-supervisor, restart always", async () => {
        await declare("img");
        const c = byName("img-supervisor").inputs;
        expect(DEFAULT_SUPERVISOR_IMAGE).toBe((images as Record<string, string>).supervisor);
        expect(c.image).toBe("podgroup/supervisor:1.0.0");
        expect(c.name).toBe("podgroup-supervisor");
        expect(c.restart).toBe("always");
        expect(c.mustRun).toBe(true);
    });

    it("mounts exactly the Docker socket and the host state directory at /state, nothing else", async () => {
        await declare("mounts");
        const c = byName("mounts-supervisor").inputs;
        expect(c.volumes as Volume[]).toEqual([
            { hostPath: "/var/run/docker.sock", containerPath: "/var/run/docker.sock" },
            { hostPath: "/var/lib/podgroup/supervisor", containerPath: "/state" },
        ]);
        expect(c.mounts).toBeUndefined();
        expect(c.envs).toEqual(["PODGROUP_SUPERVISOR_STATE=/state"]);
    });

    it("gives the socket holder as little else as possible: no network, no capabilities, read-only root, not privileged", async () => {
        await declare("least");
        const c = byName("least-supervisor").inputs;
        expect(c.networkMode).toBe("none");
        expect(c.capabilities).toEqual({ drops: ["ALL"] });
        expect(c.readOnly).toBe(true);
        expect(c.securityOpts).toEqual(["no-new-privileges"]);
        expect(c.privileged).toBeUndefined();
        expect(c.pidMode).toBeUndefined();
        expect(c.ports).toBeUndefined();
    });

    it("is deleted before it is replaced (fixed container name)", async () => {
        await declare("replace");
        expect(optionsByName.get("replace-supervisor")?.deleteBeforeReplace).toBe(true);
    });

    it("passes back-off and resync settings as environment variables, and custom paths as mounts", async () => {
        const sup = await declare("tuned", {
            backoffBaseSeconds: 0.5, backoffMaxSeconds: 4, resyncSeconds: 2, maxConcurrentSandboxStarts: 3,
            stateDir: "/tmp/pg-state", dockerSocket: "/run/other.sock", containerName: "sup-test", image: "x/sup:2",
        });
        const c = byName("tuned-supervisor").inputs;
        expect(c.envs).toEqual([
            "PODGROUP_SUPERVISOR_STATE=/state",
            "PODGROUP_SUPERVISOR_BACKOFF_BASE=0.5s",
            "PODGROUP_SUPERVISOR_BACKOFF_MAX=4s",
            "PODGROUP_SUPERVISOR_RESYNC=2s",
            "PODGROUP_SUPERVISOR_MAX_SANDBOX_STARTS=3",
        ]);
        expect(c.volumes as Volume[]).toEqual([
            { hostPath: "/run/other.sock", containerPath: "/var/run/docker.sock" },
            { hostPath: "/tmp/pg-state", containerPath: "/state" },
        ]);
        expect([c.name, c.image]).toEqual(["sup-test", "x/sup:2"]);
        expect(await valueOf(sup.statusDir)).toBe("/tmp/pg-state/status");
    });

    it("uses the given provider for its container", async () => {
        const provider = new docker.Provider("other-host", {});
        await declare("prov", { provider });
        expect(optionsByName.get("prov-supervisor")?.provider).toBe(provider);
    });

    it("reports every bad argument at once, before registering anything", () => {
        const before = registered.length;
        expect(() => new DockerSupervisor("bad", { backoffBaseSeconds: -1, resyncSeconds: 0, maxConcurrentSandboxStarts: 0.5, stateDir: "relative/dir" }))
            .toThrow("DockerSupervisor: backoffBaseSeconds must be a number >= 0, got -1; resyncSeconds must be a number >= 1, got 0; " +
                "maxConcurrentSandboxStarts must be a whole number >= 1, got 0.5; stateDir must be an absolute host path, got \"relative/dir\"");
        expect(registered.length).toBe(before);
    });

    it("resolves defaults without Pulumi", () => {
        expect(resolveDockerSupervisor({})).toEqual({
            image: "podgroup/supervisor:1.0.0",
            containerName: "podgroup-supervisor",
            stateDir: "/var/lib/podgroup/supervisor",
            dockerSocket: "/var/run/docker.sock",
            envs: ["PODGROUP_SUPERVISOR_STATE=/state"],
        });
    });
});
