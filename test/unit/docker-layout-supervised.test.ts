// A supervised group's Docker layout and Pulumi graph: Pulumi declares every container (created,
// not started), the supervisor reads the probes, hooks and termination message from labels, and
// one lifecycle resource per group waits for it and runs the termination order on destroy.
import { byName, mockId, optionsByName, recordOptions, registered, settled, withoutStacks } from "./mocks";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import type { ContainerCreateOptions } from "dockerode";
import { PodGroup } from "../../components/pod-group";
import { DockerGroupResources, dockerCreateOptions, dockerGroupLayout } from "../../components/render-docker";
import { resolveSpec } from "../../components/resolve";
import { NOT_SERIALISED_UNDER_MOCKS } from "../../components/group-lifecycle";
import type { PodGroupSpec } from "../../components/spec";
import { fullSpec, TOOLBOX } from "./fixtures";

const CONTAINER = "docker:index/container:Container";

/** Sidecars, hooks, a startup probe, named ports, a termination message: rendered without validation (the layout is a plain function). */
function lifecycleSpec(): PodGroupSpec {
    return {
        initContainers: [
            { name: "setup", image: TOOLBOX, command: ["true"] },
            { name: "proxy", image: TOOLBOX, restartPolicy: "Always", ports: [{ containerPort: 9000, name: "admin" }],
                startupProbe: { tcpSocket: { port: "admin" }, periodSeconds: 1 },
                lifecycle: { preStop: { sleep: { seconds: 2 } } } },
        ],
        containers: [{
            name: "web", image: TOOLBOX, ports: [{ containerPort: 8080, name: "http" }],
            readinessProbe: { httpGet: { port: "http", path: "healthz" }, failureThreshold: 5 },
            livenessProbe: { exec: { command: ["true"] }, timeoutSeconds: 0 },
            lifecycle: { postStart: { exec: { command: ["touch", "/tmp/up"] } }, preStop: { httpGet: { port: "http", path: "/quit" } } },
            terminationMessagePolicy: "FallbackToLogsOnError",
        }],
        volumes: [{ name: "data" }, { name: "shm", emptyDir: { medium: "Memory" } }],
        restartPolicy: "Never",
    };
}

describe("a supervised group's layout", () => {
    const layout = dockerGroupLayout(resolveSpec("lc", lifecycleSpec()), { supervise: true });

    it("expands $(VAR) in exec probes as kubelet's prober does (values as written, a secret is empty), never in exec hooks", () => {
        const spec: PodGroupSpec = { containers: [{
            name: "app", image: TOOLBOX,
            env: [{ name: "DIR", value: "/srv" }, { name: "PATHX", value: "$(DIR)/x" }, { name: "TOKEN", secretValue: "s3cret" }],
            livenessProbe: { exec: { command: ["test", "-e", "$(PATHX)", "$(TOKEN)", "$(NOPE)", "$$(DIR)"] } },
            lifecycle: { postStart: { exec: { command: ["echo", "$(DIR)"] } } },
        }] };
        const labels = dockerGroupLayout(resolveSpec("exp", spec), { supervise: true }).members[0].labels;
        expect(JSON.parse(labels["podgroup.io/probes"]).liveness.exec.command).toEqual(["test", "-e", "$(DIR)/x", "", "$(NOPE)", "$(DIR)"]);
        expect(JSON.parse(labels["podgroup.io/lifecycle"]).postStart.exec.command).toEqual(["echo", "$(DIR)"]);
    });

    it("writes probes with every Kubernetes default and named ports resolved, as the supervisor reads them", () => {
        const web = layout.members[0].labels;
        expect(JSON.parse(web["podgroup.io/probes"])).toEqual({
            liveness: { exec: { command: ["true"] }, initialDelaySeconds: 0, periodSeconds: 10, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 },
            readiness: { httpGet: { path: "/healthz", port: 8080, scheme: "HTTP" }, initialDelaySeconds: 0, periodSeconds: 10, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 5 },
        });
        expect(JSON.parse(layout.initContainers[1].labels["podgroup.io/probes"])).toEqual({
            startup: { tcpSocket: { port: 9000 }, initialDelaySeconds: 0, periodSeconds: 1, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 },
        });
        expect(layout.initContainers[0].labels["podgroup.io/probes"]).toBeUndefined();
    });

    it("writes lifecycle hooks (exec, httpGet with a numeric port and a default scheme, sleep)", () => {
        expect(JSON.parse(layout.members[0].labels["podgroup.io/lifecycle"])).toEqual({
            postStart: { exec: { command: ["touch", "/tmp/up"] } },
            preStop: { httpGet: { path: "/quit", port: 8080, scheme: "HTTP" } },
        });
        expect(JSON.parse(layout.initContainers[1].labels["podgroup.io/lifecycle"])).toEqual({ preStop: { sleep: { seconds: 2 } } });
        expect(layout.initContainers[0].labels["podgroup.io/lifecycle"]).toBeUndefined();
    });

    it("writes the termination message's path and policy on every container, defaults filled in", () => {
        expect(JSON.parse(layout.members[0].labels["podgroup.io/termination-message"])).toEqual({ path: "/dev/termination-log", policy: "FallbackToLogsOnError" });
        for (const c of layout.initContainers) {
            expect(JSON.parse(c.labels["podgroup.io/termination-message"])).toEqual({ path: "/dev/termination-log", policy: "File" });
        }
        expect(layout.pause.labels["podgroup.io/termination-message"]).toBeUndefined();
    });

    it("marks the native sidecar (role init, its place in the init order) and counts the declared containers on the pause", () => {
        expect(layout.initContainers.map((c) => [c.name, c.labels["podgroup.io/role"], c.labels["podgroup.io/init-index"], c.labels["podgroup.io/container-restart-policy"]]))
            .toEqual([["setup", "init", "0", undefined], ["proxy", "init", "1", "Always"]]);
        expect(layout.pause.labels).toMatchObject({ "podgroup.io/init-count": "2", "podgroup.io/member-count": "1" });
    });

    it("has the pause started by the deployer and everything else created only, none restarted by Docker", () => {
        expect([layout.pause.start, layout.pause.restart]).toEqual([true, "no"]);
        for (const c of [...layout.initContainers, ...layout.members]) expect([c.name, c.start, c.restart]).toEqual([c.name, false, "no"]);
    });

    it("mounts every emptyDir on the pause (disk read-write, Memory read-only)", () => {
        expect(layout.pause.mounts.map((m) => [m.dockerVolume, m.target, m.readOnly])).toEqual([
            ["lc_data", "/.podgroup/volumes/data", false], ["lc_shm", "/.podgroup/volumes/shm", true],
        ]);
    });

    it("creates probes through the Engine API too (dockerCreateOptions refuses them only on plain Docker)", () => {
        expect(dockerCreateOptions(layout.members[0], "id").Labels?.["podgroup.io/probes"]).toContain("\"readiness\"");
        const plain = dockerGroupLayout(resolveSpec("lc", lifecycleSpec()), { supervise: false });
        expect(() => dockerCreateOptions(plain.members[0], "id")).toThrow("probes are rendered through Pulumi only");
    });
});

describe("the layout of a plain Docker group", () => {
    it("writes no supervisor labels and has Docker restart the pause as the group's policy says", () => {
        const plain = dockerGroupLayout(resolveSpec("pl", { ...lifecycleSpec(), initContainers: [] }), { supervise: false });
        expect(Object.keys(plain.members[0].labels).filter((k) => /probes|lifecycle|termination|count/.test(k))).toEqual([]);
        expect(Object.keys(plain.pause.labels).filter((k) => /count/.test(k))).toEqual([]);
        expect([plain.pause.restart, plain.members[0].restart, plain.members[0].start]).toEqual(["no", "no", true]);
    });
});

describe("a supervised group's Pulumi graph (the default on docker)", () => {
    let res: DockerGroupResources;
    beforeAll(async () => {
        const group = withoutStacks(() => new PodGroup("sv", { backend: "docker", spec: fullSpec(), groupName: "svg", docker: { readinessTimeoutSeconds: 45 } },
            { transformations: [recordOptions] }));
        res = group.resources as DockerGroupResources;
        await settled([group, res.pause, ...res.initContainers, ...res.members, res.lifecycle!]);
    });

    it("creates init containers and members without starting or attaching to them, restart no, no healthcheck", () => {
        for (const name of ["sv-init-seed", "sv-init-check", "sv-member-web", "sv-member-sidecar"]) {
            const inputs = byName(name).inputs;
            expect([name, inputs.start, inputs.mustRun, inputs.attach, inputs.restart, inputs.healthcheck, inputs.wait])
                .toEqual([name, false, false, undefined, "no", undefined, undefined]);
        }
        expect(byName("sv-pause").inputs).toMatchObject({ restart: "no", mustRun: true });
        expect(byName("sv-pause").inputs.start).toBeUndefined();
    });

    it("joins members to the pause directly: they no longer wait on init containers' exit codes", () => {
        const mode = `container:${mockId(CONTAINER, "sv-pause")}`;
        expect(byName("sv-member-web").inputs.networkMode).toBe(mode);
        expect(res.initGates).toEqual([]);
    });

    it("registers one lifecycle resource that depends on every container and volume, with the wait's settings", () => {
        const lifecycle = registered.filter((r) => r.name === "sv-lifecycle");
        expect(lifecycle).toHaveLength(1);
        expect(lifecycle[0].type).toBe("pulumi-nodejs:dynamic:Resource");
        // Under the mocks the registration carries no provider code (its serialisation outlived jest files).
        expect(lifecycle[0].inputs.__provider).toBe(NOT_SERIALISED_UNDER_MOCKS);
        expect(lifecycle[0].inputs).toMatchObject({
            groupName: "svg", restartPolicy: "OnFailure", waitForReadiness: true, timeoutSeconds: 45,
            pauseId: mockId(CONTAINER, "sv-pause"),
            containerIds: ["sv-init-seed", "sv-init-check", "sv-member-web", "sv-member-sidecar"].map((n) => mockId(CONTAINER, n)),
            dockerNames: { POD: "svg_POD", seed: "svg_seed", web: "svg_web" },
        });
        // The supervisor it starts when none runs: hardened as a pinned one, labelled on demand, leaving when idle.
        const supervisor = lifecycle[0].inputs.supervisor as ContainerCreateOptions;
        expect(supervisor).toMatchObject({
            name: "podgroup-supervisor", Image: "podgroup/supervisor:1.0.0",
            Labels: { "podgroup.io/supervisor": "true", "podgroup.io/supervisor-on-demand": "true" },
            HostConfig: { NetworkMode: "none", ReadonlyRootfs: true, CapDrop: ["ALL"], RestartPolicy: { Name: "always" },
                Binds: ["/var/run/docker.sock:/var/run/docker.sock", "/var/lib/podgroup/supervisor:/state"] },
        });
        expect(supervisor.Env).toEqual(expect.arrayContaining(["PODGROUP_SUPERVISOR_EXIT_WHEN_IDLE=15s"]));
        const dependsOn = optionsByName.get("sv-lifecycle")?.dependsOn as pulumi.Resource[];
        expect(dependsOn).toEqual(expect.arrayContaining([res.pause, ...res.initContainers, ...res.members, ...Object.values(res.volumes)]));
        expect(dependsOn).toHaveLength(1 + 2 + 2 + 2);
    });

    it("waits as the kubernetes provider does unless told otherwise: Ready by default, not at all with skipAwait", async () => {
        const group = withoutStacks(() => new PodGroup("skip", { backend: "docker", spec: fullSpec(), groupName: "skipg",
            docker: { skipAwait: true, waitForReadiness: false } }));
        await settled([group, (group.resources as DockerGroupResources).lifecycle!]);
        expect(byName("skip-lifecycle").inputs).toMatchObject({ skipAwait: true, waitForReadiness: false });
        expect(byName("sv-lifecycle").inputs.skipAwait).toBeUndefined();
        // Bare mode: skipAwait drops the health wait waitForReadiness asks for.
        const bare = withoutStacks(() => new PodGroup("skipb", { backend: "docker", spec: fullSpec(), groupName: "skipbg",
            docker: { supervise: false, waitForReadiness: true, skipAwait: true } }));
        await settled([bare, ...(bare.resources as DockerGroupResources).members]);
        expect(byName("skipb-member-web").inputs.wait).toBeUndefined();
    });

    it("passes the engine's address to the lifecycle resource when the docker provider points elsewhere", async () => {
        const group = withoutStacks(() => new PodGroup("hosted", { backend: "docker", spec: fullSpec(), groupName: "hostedg", docker: { supervise: true, host: "unix:///run/other.sock" } }));
        const r = group.resources as DockerGroupResources;
        await settled([group, r.lifecycle!]);
        expect(byName("hosted-lifecycle").inputs.dockerHost).toBe("unix:///run/other.sock");
        // The supervisor it starts on demand talks to that engine through the same socket.
        expect((byName("hosted-lifecycle").inputs.supervisor as ContainerCreateOptions).HostConfig?.Binds?.[0])
            .toBe("/run/other.sock:/var/run/docker.sock");
        expect(byName("sv-lifecycle").inputs.dockerHost).toBeUndefined();
    });

    it("does not hand the lifecycle resource to the group's docker provider (it is a dynamic resource)", async () => {
        const provider = new docker.Provider("other-engine", { host: "unix:///run/other.sock" });
        const group = withoutStacks(() => new PodGroup("prov", { backend: "docker", spec: fullSpec(), groupName: "provg", provider, docker: { supervise: true } },
            { transformations: [recordOptions] }));
        const r = group.resources as DockerGroupResources;
        await settled([group, r.pause, r.lifecycle!]);
        expect(optionsByName.get("prov-pause")?.provider).toBe(provider);
        expect(optionsByName.get("prov-lifecycle")?.provider).toBeUndefined();
    });

    it("registers no lifecycle resource for a plain Docker group", async () => {
        const group = withoutStacks(() => new PodGroup("pl", { backend: "docker", spec: fullSpec(), groupName: "plg", docker: { supervise: false } }));
        const r = group.resources as DockerGroupResources;
        await settled([group, r.pause, ...r.members]);
        expect(r.lifecycle).toBeUndefined();
        expect(registered.filter((x) => x.name === "pl-lifecycle")).toEqual([]);
        expect(byName("pl-init-seed").inputs).toMatchObject({ attach: true, logs: true, mustRun: false });
    });
});
