// The Docker renderer's resource graph in the bare mode (docker: { supervise: false }), through
// Pulumi mocks (no engine needed). The supervised default: docker-layout-supervised.test.ts.
import { byName, mockId, withoutStacks, optionsByName, recordOptions, registered, setIdSalt, settled, valueOf } from "./mocks";
import * as pulumi from "@pulumi/pulumi";
import { PodGroup, PodGroupArgs } from "../../components/pod-group";
import {
    checkInitExit, dockerCreateOptions, dockerGroupLayout, DockerGroupResources, InitContainerFailedError,
} from "../../components/render-docker";
import { resolveSpec } from "../../components/resolve";
import { initFailureMessage } from "../../components/init-gate";
import type { PodGroupSpec } from "../../components/spec";
import { checkResolvedValue, checkWhenKnown, refuseSecretInPlainField } from "../../components/validate";
import { fullSpec, minimalSpec, TOOLBOX } from "./fixtures";

const CONTAINER = "docker:index/container:Container";
const VOLUME = "docker:index/volume:Volume";

/** A bare-mode group (`supervise: false` unless `extra.docker` says otherwise). */
async function render(name: string, spec: PodGroupSpec, extra: Partial<PodGroupArgs> = {}) {
    const args = { backend: "docker" as const, spec, ...extra, docker: { supervise: false, ...extra.docker } };
    const group = withoutStacks(() => new PodGroup(name, args, { transformations: [recordOptions] }));
    const res = group.resources as DockerGroupResources;
    await settled([group, res.pause, ...res.initContainers, ...res.members, ...Object.values(res.volumes)]);
    return { group, res };
}

type Label = { label: string; value: string };
function labelsOf(name: string): Record<string, string> {
    return Object.fromEntries((byName(name).inputs.labels as Label[]).map((l) => [l.label, l.value]));
}

describe("Docker renderer", () => {
    // One full group (init containers, volumes, ports, probes, limits, secrets) shared by the tests
    // that only read its graph: registering a group costs a few hundred ms under jest.
    let shared: Awaited<ReturnType<typeof render>>;
    beforeAll(async () => {
        shared = await render("full", fullSpec(), { groupName: "shop", docker: { waitForReadiness: true } });
    });

    it("registers a pause container, the init containers, the members and the volumes, named after the group", async () => {
        const children = registered.filter((r) => r.name.startsWith("full-")).map((r) => [r.type, r.name, r.inputs.name]);
        expect(children).toEqual(expect.arrayContaining([
            [VOLUME, "full-volume-data", "shop_data"],
            [VOLUME, "full-volume-cache", "shop_cache"],
            [CONTAINER, "full-pause", "shop_POD"],
            [CONTAINER, "full-init-seed", "shop_seed"],
            [CONTAINER, "full-init-check", "shop_check"],
            [CONTAINER, "full-member-web", "shop_web"],
            [CONTAINER, "full-member-sidecar", "shop_sidecar"],
            // Each init container's gate (it fails the update when the init container exited non-zero).
            ["pulumi-nodejs:dynamic:Resource", "full-init-seed-exit", undefined],
            ["pulumi-nodejs:dynamic:Resource", "full-init-check-exit", undefined],
        ]));
        expect(children).toHaveLength(9);
        expect(byName("full-pause").inputs.image).toBe("podgroup/pause:1.0.0");
    });

    it("makes the pause own the IPC namespace (shareable), the hostname and a bridge network", async () => {
        const pause = byName("full-pause").inputs;
        expect(pause.ipcMode).toBe("shareable");
        expect(pause.hostname).toBe("webhost");
        expect(pause.networkMode).toBe("bridge");
        expect(pause.pidMode).toBeUndefined();
        for (const member of ["full-member-web", "full-member-sidecar"]) {
            expect(byName(member).inputs.hostname).toBeUndefined();
        }
    });

    it("points every member's and init container's network, IPC and PID mode at the pause's full id", async () => {
        const mode = `container:${mockId(CONTAINER, "full-pause")}`;
        expect(mode).toMatch(/^container:[0-9a-f]{64}$/);
        for (const name of ["full-init-seed", "full-init-check", "full-member-web", "full-member-sidecar"]) {
            const inputs = byName(name).inputs;
            expect([name, inputs.networkMode, inputs.ipcMode, inputs.pidMode]).toEqual([name, mode, mode, mode]);
        }
    });

    it("leaves the PID namespace private when shareProcessNamespace is false", async () => {
        await render("nopid", { ...minimalSpec(), shareProcessNamespace: false });
        const member = byName("nopid-member-app").inputs;
        expect(member.pidMode).toBeUndefined();
        expect(member.networkMode).toBe(`container:${mockId(CONTAINER, "nopid-pause")}`);
        expect(labelsOf("nopid-member-app")["podgroup.io/share-pid"]).toBe("false");
    });

    it("publishes ports only on the pause: hostPort on every address, the others on an ephemeral loopback port", async () => {
        const { group } = shared;
        expect(byName("full-pause").inputs.ports).toEqual([
            { internal: 8080, external: 18080, ip: "0.0.0.0", protocol: "tcp" },
            { internal: 9090, ip: "127.0.0.1", protocol: "udp" },
        ]);
        for (const name of ["full-member-web", "full-member-sidecar", "full-init-seed"]) {
            expect(byName(name).inputs.ports).toBeUndefined();
        }
        const ports = await valueOf(group.ports);
        expect(ports).toEqual([
            { container: "web", name: "http", containerPort: 8080, protocol: "tcp", hostIp: "0.0.0.0", hostPort: 18080 },
            { container: "sidecar", containerPort: 9090, protocol: "udp", hostIp: "127.0.0.1", hostPort: expect.any(Number) },
        ]);
    });

    it("reads hostPort 0 as no host port, as Kubernetes does: loopback only, as without hostPort", async () => {
        const ports = [{ containerPort: 80, hostPort: 0 }];
        const spec: PodGroupSpec = { containers: [{ name: "app", image: TOOLBOX, ports }] };
        const { group } = await render("hp0", spec);
        expect(byName("hp0-pause").inputs.ports).toEqual([{ internal: 80, ip: "127.0.0.1", protocol: "tcp" }]);
        expect(await valueOf(group.ports)).toEqual([
            { container: "app", containerPort: 80, protocol: "tcp", hostIp: "127.0.0.1", hostPort: expect.any(Number) },
        ]);
        // The engine API path (the harness, the benchmark) creates the same binding.
        const pause = dockerGroupLayout(resolveSpec("hp0", spec), {}).pause;
        expect(dockerCreateOptions(pause).HostConfig?.PortBindings)
            .toEqual({ "80/tcp": [{ HostIp: "127.0.0.1", HostPort: "" }] });
    });

    it("makes members depend on the pause, every init container and the volumes", async () => {
        const { res } = shared;
        for (const name of ["full-member-web", "full-member-sidecar"]) {
            const dependsOn = optionsByName.get(name)?.dependsOn as pulumi.Resource[];
            expect(dependsOn).toEqual(expect.arrayContaining([res.pause, ...res.initContainers, res.volumes.data, res.volumes.cache]));
        }
    });

    it("runs init containers in order: each depends on the ones before it", async () => {
        const { res } = shared;
        const first = optionsByName.get("full-init-seed")?.dependsOn as pulumi.Resource[];
        const second = optionsByName.get("full-init-check")?.dependsOn as pulumi.Resource[];
        expect(first).toContain(res.pause);
        expect(first).not.toContain(res.initContainers[1]);
        expect(second).toEqual(expect.arrayContaining([res.pause, res.initContainers[0]]));
        expect(labelsOf("full-init-seed")["podgroup.io/init-index"]).toBe("0");
        expect(labelsOf("full-init-check")["podgroup.io/init-index"]).toBe("1");
    });

    it("runs init containers to completion: attached, logs kept, not required to keep running, never restarted", async () => {
        const init = byName("full-init-seed").inputs;
        expect([init.attach, init.logs, init.mustRun, init.rm, init.restart]).toEqual([true, true, false, false, "no"]);
        expect(init.entrypoints).toEqual(["sh", "-c", "echo hi > /data/index.html"]);
        expect(byName("full-init-check").inputs.command).toEqual(["test", "-f", "/data/index.html"]);
    });

    it("fails an init container's gate with the exit code and the log tail", async () => {
        // (The gate Output itself is not awaited here: a rejected Output leaves unhandled internal
        // promises, which is how it fails `pulumi up`, and would crash jest.)
        const logs = Array.from({ length: 30 }, (_, i) => `line ${i + 1}`).join("\n") + "\n";
        let error: unknown;
        try {
            checkInitExit("failing", "seed", 0, 3, logs);
        } catch (e) {
            error = e;
        }
        expect(error).toBeInstanceOf(InitContainerFailedError);
        expect(error).toBeInstanceOf(pulumi.RunError);
        const message = (error as Error).message;
        expect(message.split("\n")[0]).toBe("PodGroup \"failing\": init container \"seed\" (spec.initContainers[0]) exited with exit code 3; " +
            "the later init containers and the members were not started. Fix the init container, then run `pulumi up` again " +
            "(or `pulumi up --replace` its container to re-run it unchanged). Last 20 log lines:");
        expect(message.split("\n").slice(1)).toEqual(Array.from({ length: 20 }, (_, i) => `  | line ${i + 11}`));
        expect(initFailureMessage("ok", "seed", 0, 0, "")).toBeUndefined();
        expect(initFailureMessage("failing", "seed", 0, 3, logs)).toBe(message);
    });

    it("creates members and later init containers only after every earlier init container's gate", async () => {
        const { res } = shared;
        expect(res.initGates).toHaveLength(res.initContainers.length);
        const deps = (name: string) => (optionsByName.get(name)?.dependsOn ?? []) as pulumi.Resource[];
        expect(deps("full-init-seed-exit")).toEqual([res.initContainers[0]]);
        expect(deps("full-member-web")).toEqual(expect.arrayContaining([res.pause, ...res.initContainers, ...res.initGates]));
        expect(await valueOf(res.memberJoinMode)).toBe(`container:${mockId(CONTAINER, "full-pause")}`);
    });

    it("checkInitExit passes exit code 0 and reports a missing exit code", () => {
        expect(checkInitExit("g", "init", 0, 0, "ok\n")).toBe(0);
        expect(() => checkInitExit("g", "init", 1, undefined, "")).toThrow(
            "PodGroup \"g\": init container \"init\" (spec.initContainers[1]) exited without reporting an exit code;");
        expect(() => checkInitExit("g", "init", 1, 2, "")).toThrow(/Last 20 log lines:\n {2}\(no output\)$/);
    });

    it("turns emptyDir volumes into Docker volumes owned by the group, Memory ones into a shared tmpfs", async () => {
        expect(byName("full-volume-data").inputs.driverOpts).toBeUndefined();
        expect(byName("full-volume-cache").inputs).toMatchObject({
            name: "shop_cache", driver: "local", driverOpts: { type: "tmpfs", device: "tmpfs", o: "size=16777216" },
        });
        expect(labelsOf("full-volume-data")["podgroup.io/group"]).toBe("shop");
        expect(labelsOf("full-volume-data")["podgroup.io/stack"]).toBe("podgroup/unit");
        expect(byName("full-member-web").inputs.volumes).toEqual([{ volumeName: "shop_data", containerPath: "/data", readOnly: false }]);
        expect(byName("full-init-check").inputs.volumes).toEqual([{ volumeName: "shop_data", containerPath: "/data", readOnly: true }]);
        expect(optionsByName.get("full-volume-cache")?.deleteBeforeReplace).toBe(true);
    });

    it("mounts every emptyDir on the pause: disk read-write (the pause makes it 0777), Memory read-only (held for the group's life)", async () => {
        expect(byName("full-pause").inputs.volumes).toEqual([
            { volumeName: "shop_data", containerPath: "/.podgroup/volumes/data", readOnly: false },
            { volumeName: "shop_cache", containerPath: "/.podgroup/volumes/cache", readOnly: true },
        ]);
    });

    it("labels every container with the group, its stack, its role, its name, the restart policy, PID sharing and supervision", async () => {
        const common = { team: "edge", "podgroup.io/group": "shop", "podgroup.io/stack": "podgroup/unit", "podgroup.io/restart-policy": "OnFailure", "podgroup.io/share-pid": "true", "podgroup.io/supervised": "false" };
        expect(labelsOf("full-pause")).toEqual({ ...common, "podgroup.io/role": "pause", "podgroup.io/container": "pause" });
        expect(labelsOf("full-init-seed")).toEqual({ ...common, "podgroup.io/role": "init", "podgroup.io/container": "seed", "podgroup.io/init-index": "0" });
        expect(labelsOf("full-member-sidecar")).toEqual({ ...common, "podgroup.io/role": "member", "podgroup.io/container": "sidecar", "podgroup.io/member-index": "1" });
    });

    it.each([
        ["Always", "always", true],
        ["OnFailure", "on-failure", false],
        ["Never", "no", false],
    ] as const)("maps restartPolicy %s to Docker restart %s (mustRun %s) on the members and the pause", async (policy, restart, mustRun) => {
        const name = `rp-${policy.toLowerCase()}`;
        await render(name, { ...minimalSpec(), restartPolicy: policy });
        expect(byName(`${name}-member-app`).inputs).toMatchObject({ restart, mustRun });
        // A finished Never group stays finished: Docker does not give it a new sandbox.
        expect(byName(`${name}-pause`).inputs).toMatchObject({ restart, mustRun: true });
    });

    it("hands restarts to the supervisor when supervise is set", async () => {
        await render("sup", fullSpec(), { docker: { supervise: true } });
        for (const name of ["sup-pause", "sup-member-web", "sup-member-sidecar"]) {
            expect(byName(name).inputs.restart).toBe("no");
            expect(labelsOf(name)["podgroup.io/supervised"]).toBe("true");
        }
        expect(byName("sup-member-web").inputs.mustRun).toBe(false);
    });

    it("maps limits, command, args, workingDir, user and the grace period", async () => {
        expect(byName("full-member-web").inputs).toMatchObject({
            memory: 64, memorySwap: 64, cpus: "0.5", entrypoints: ["httpd", "-f", "-p", "8080", "-h", "/data"],
            workingDir: "/data", user: "1000:1000", stopTimeout: 5, destroyGraceSeconds: 5,
        });
        expect(byName("full-member-web").inputs.command).toBeUndefined();
        expect(byName("full-member-sidecar").inputs.memory).toBeUndefined();
        expect(byName("full-member-sidecar").inputs.memorySwap).toBeUndefined();
    });

    it("keeps env secrets secret", async () => {
        const { res } = shared;
        // Sent to the engine wrapped in Pulumi's secret signature, so state keeps it encrypted.
        expect(byName("full-member-web").inputs.envs).toEqual({ [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig, value: ["MODE=demo", "TOKEN=s3cret"] });
        expect(byName("full-member-sidecar").inputs.envs).toBeUndefined();
        expect(await pulumi.isSecret(res.members[0].envs)).toBe(true);
        expect(await pulumi.isSecret(res.members[1].envs)).toBe(false);
    });

    it("turns the readiness probe (else the liveness probe) into a Docker healthcheck", async () => {
        expect(byName("full-member-web").inputs).toMatchObject({
            healthcheck: { tests: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/"], interval: "2s", timeout: "1s", startPeriod: "0s", retries: 3 },
            wait: true, waitTimeout: 60,
        });
        expect(byName("full-member-sidecar").inputs.healthcheck).toEqual({ tests: ["CMD", "true"], interval: "10s", timeout: "1s", startPeriod: "0s", retries: 3 });
    });

    it("forces member replacement when the pause gets a new id", async () => {
        setIdSalt("first");
        await render("rep", minimalSpec());
        const before = byName("rep-member-app").inputs.networkMode;
        setIdSalt("second");
        await render("rep", minimalSpec());
        setIdSalt("");
        const after = byName("rep-member-app").inputs;
        expect(before).not.toEqual(after.networkMode);
        expect(after.networkMode).toBe(`container:${byName("rep-pause").id}`);
        expect(after.ipcMode).toBe(after.networkMode);
        const options = optionsByName.get("rep-member-app");
        expect(options?.replaceOnChanges).toEqual(["networkMode", "ipcMode", "pidMode"]);
        expect(options?.deleteBeforeReplace).toBe(true);
        expect(optionsByName.get("rep-pause")?.deleteBeforeReplace).toBe(true);
    });

    it("gives two groups disjoint container and volume names", async () => {
        const spec: PodGroupSpec = { ...minimalSpec(), volumes: [{ name: "data", emptyDir: {} }] };
        const a = await render("ga", spec);
        const b = await render("gb", spec);
        const namesA = Object.values(await valueOf(a.group.containerNames));
        const namesB = Object.values(await valueOf(b.group.containerNames));
        expect(namesA).toEqual(["ga_POD", "ga_app"]);
        expect(namesA.filter((n) => namesB.includes(n))).toEqual([]);
        expect(byName("ga-volume-data").inputs.name).not.toBe(byName("gb-volume-data").inputs.name);
    });

    it("takes the image, env values and command items from other resources' Outputs, expanding $(VAR) once they resolve", async () => {
        const built = pulumi.output(TOOLBOX); // e.g. a docker.Image's imageName
        const endpoint = pulumi.output("db.internal:5432");
        await render("outs", { containers: [{
            name: "app", image: built,
            env: [{ name: "DB", value: endpoint }, { name: "URL", value: "postgres://$(DB)/shop" }],
            command: ["sh", "-c", pulumi.output("echo $(URL)")], args: ["--db", endpoint],
        }] }, { imageOverrides: { [TOOLBOX]: "mirror/toolbox:1.0.0" } });
        expect(byName("outs-member-app").inputs).toMatchObject({
            image: "mirror/toolbox:1.0.0",
            envs: ["DB=db.internal:5432", "URL=postgres://db.internal:5432/shop"],
            entrypoints: ["sh", "-c", "echo postgres://db.internal:5432/shop"],
            command: ["--db", "db.internal:5432"],
        });
    });

    it("checks values known only at deploy time by the same rules, failing with the field's path", async () => {
        // (Checked through the function the Outputs apply: a rejected Output leaves unhandled
        // internal promises, which is how it fails `pulumi up`, and would crash jest.)
        const ctx = { groupName: "late", backend: "docker" as const };
        expect(() => checkResolvedValue("image", "Bad Image:", "spec.containers[0]", ctx)).toThrow(
            "PodGroup \"late\": a value another resource computed has 1 problem, found when it resolved; the container that uses it is not created:\n" +
            "  - spec.containers[0].image: the string \"Bad Image:\" is not a Docker image reference");
        expect(() => checkResolvedValue("string", 3600, "spec.containers[0].args[0]", ctx)).toThrow(
            "  - spec.containers[0].args[0]: must be a string, got the number 3600 when it resolved");
        expect(checkResolvedValue("image", TOOLBOX, "spec.containers[0]", ctx)).toBe(TOOLBOX);
        const checked = checkWhenKnown({ containers: [{ name: "app", image: pulumi.output(TOOLBOX), args: [pulumi.output("x")] }] }, ctx);
        expect(await valueOf(pulumi.output(checked.containers[0].image))).toBe(TOOLBOX);
        expect(await valueOf(pulumi.output(checked.containers[0].args![0]))).toBe("x");
        expect(checkWhenKnown(minimalSpec(), ctx)).toEqual(minimalSpec());
    });

    it("refuses a secret Output as an env value, command or args item, naming the field, never the value", async () => {
        const ctx = { groupName: "leak", backend: "docker" as const };
        const heading = "PodGroup \"leak\": a secret Output has 1 problem, found when it resolved; "
            + "the container that uses it is not created:\n";
        const secret = "holds a secret (a pulumi.secret, or another resource's secret output)";
        expect(() => refuseSecretInPlainField("spec.containers[0].env[1].value", ctx)).toThrow(`${heading}`
            + `  - spec.containers[0].env[1].value: ${secret}, but value is for plain values (written as it is `
            + "into the Pod's spec on kubernetes): move it to secretValue, which keeps it secret in Pulumi state "
            + "and passes it through a Secret on kubernetes");
        expect(() => refuseSecretInPlainField("spec.containers[0].args[2]", ctx)).toThrow(`${heading}`
            + `  - spec.containers[0].args[2]: ${secret}, but command and args are plain values (written as they `
            + "are into the Pod's spec on kubernetes): put the secret in an env entry's secretValue "
            + "and refer to it here as $(NAME)");
        // The wiring: each plain field given as an Output is refused when it resolves to a secret.
        const checked = checkWhenKnown({ containers: [{
            name: "app", image: TOOLBOX,
            env: [{ name: "A", value: "a" }, { name: "T", value: pulumi.secret("s3cret") }],
            command: [pulumi.secret("s3cret")], args: [pulumi.output("plain"), pulumi.secret("s3cret")],
        }] }, ctx);
        const c = checked.containers[0];
        const refused: string[] = [];
        for (const v of [c.env![1].value!, c.command![0], c.args![1]] as pulumi.Output<string>[]) {
            // (Every promise of the rejected Output is handled: an unhandled one would end jest.)
            type Promises = { isKnown: Promise<boolean>; isSecret: Promise<boolean>; allResources(): Promise<unknown> };
            const o = v as unknown as Promises;
            await Promise.allSettled([o.isKnown, o.isSecret, o.allResources()]);
            await valueOf(v).catch((e: Error) => refused.push(e.message.split("\n")[1].split(":")[0]));
        }
        expect(refused).toEqual([
            "  - spec.containers[0].env[1].value",
            "  - spec.containers[0].command[0]",
            "  - spec.containers[0].args[1]",
        ]);
        expect([c.env![0].value, await valueOf(pulumi.output(c.args![0]))]).toEqual(["a", "plain"]);
    });

    it("honours pauseImage and imageOverrides", async () => {
        await render("img", minimalSpec(), { docker: { pauseImage: "mirror/pause:2" }, imageOverrides: { [TOOLBOX]: "mirror/toolbox:1.0.0" } });
        expect(byName("img-pause").inputs.image).toBe("mirror/pause:2");
        expect(byName("img-member-app").inputs.image).toBe("mirror/toolbox:1.0.0");
    });

    it("exposes the backend, the pause id, member ids and container names as outputs, and parents every child", async () => {
        const { group, res } = shared;
        expect(await valueOf(group.backend)).toBe("docker");
        expect(await valueOf(group.pauseId)).toBe(mockId(CONTAINER, "full-pause"));
        expect(await valueOf(group.podName)).toBeUndefined();
        expect(await valueOf(group.memberIds)).toEqual({ web: mockId(CONTAINER, "full-member-web"), sidecar: mockId(CONTAINER, "full-member-sidecar") });
        expect(await valueOf(group.initIds)).toEqual({ seed: mockId(CONTAINER, "full-init-seed"), check: mockId(CONTAINER, "full-init-check") });
        expect(await valueOf(group.members)).toEqual(["web", "sidecar"]);
        expect(await valueOf(group.containerNames)).toEqual({ POD: "shop_POD", seed: "shop_seed", check: "shop_check", web: "shop_web", sidecar: "shop_sidecar" });
        for (const name of ["full-pause", "full-init-seed", "full-member-web", "full-volume-data"]) {
            expect(optionsByName.get(name)?.parent).toBe(group);
        }
        expect(await valueOf(group.urn)).toContain("podgroup:index:PodGroup::full");
        expect(await valueOf(res.pause.urn)).toContain("podgroup:index:PodGroup$docker:index/container:Container::full-pause");
    });
});
