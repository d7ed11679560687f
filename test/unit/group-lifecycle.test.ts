// The lifecycle resource's reading of the supervisor's status file: when `pulumi up` is done,
// when it fails at once, and which container a failure message is about.
import { byName, settled } from "./mocks";
import type Docker from "dockerode";
import type { ContainerCreateOptions } from "dockerode";
import {
    demuxDockerStream, DockerGroupLifecycle, ensureSupervisor, findCulprit, groupLifecycleInputs, GroupLifecycleInputs,
    GroupStatusFile, judgeStatus, StatusContainer, terminateGroup,
} from "../../components/group-lifecycle";
import { PassThrough } from "stream";
import { DockerInitGate } from "../../components/init-gate";

const running = (name: string, ready = true): StatusContainer => ({ name, ready, started: true, restartCount: 0, state: { running: { startedAt: "t" } } });
const cond = (types: Record<string, boolean>) => Object.entries(types).map(([type, ok]) => ({ type, status: ok ? "True" : "False" }));

describe("judgeStatus", () => {
    it("is done once Initialized with every member running; Ready only matters with waitForReadiness", () => {
        const s: GroupStatusFile = { phase: "Running", conditions: cond({ Initialized: true, Ready: false }), containerStatuses: [running("web", false)] };
        expect(judgeStatus(s, false).verdict).toBe("done");
        expect(judgeStatus(s, true)).toEqual({ verdict: "waiting", missing: "not Ready: web" });
    });

    it("waits while not Initialized or a member does not run", () => {
        expect(judgeStatus({ phase: "Pending", conditions: cond({ Initialized: false }), containerStatuses: [] }, false))
            .toEqual({ verdict: "waiting", missing: "not Initialized" });
        expect(judgeStatus({ phase: "Pending", conditions: cond({ Initialized: true }), containerStatuses: [running("a"), { name: "b", state: { waiting: { reason: "ContainerCreating" } } }] }, false))
            .toEqual({ verdict: "waiting", missing: "not running: b" });
    });

    it("fails at once on phase Failed and is done on Succeeded (members that completed)", () => {
        expect(judgeStatus({ phase: "Failed" }, false).verdict).toBe("failed");
        expect(judgeStatus({ phase: "Succeeded" }, true).verdict).toBe("done");
    });
});

describe("findCulprit", () => {
    it("names a crash-looping init container with its last exit", () => {
        const s: GroupStatusFile = {
            initContainerStatuses: [{ name: "seed", containerID: "docker://abc", restartCount: 2, state: { waiting: { reason: "CrashLoopBackOff" } },
                lastState: { terminated: { exitCode: 3, reason: "Error" } } }],
            containerStatuses: [{ name: "web", state: { waiting: { reason: "PodInitializing" } } }],
        };
        expect(findCulprit(s)).toEqual({ name: "seed", kind: "init container", dockerId: "abc", exitCode: 3, reason: "CrashLoopBackOff (last: Error)", restartCount: 2, message: undefined });
    });

    it("names a member that terminated non-zero, with its termination message; none when all is well", () => {
        const s: GroupStatusFile = { initContainerStatuses: [{ name: "seed", state: { terminated: { exitCode: 0, reason: "Completed" } } }],
            containerStatuses: [running("a"), { name: "b", restartCount: 0, state: { terminated: { exitCode: 1, reason: "Error", message: "bad config" } } }] };
        expect(findCulprit(s)).toMatchObject({ name: "b", kind: "member", exitCode: 1, reason: "Error", message: "bad config" });
        expect(findCulprit({ containerStatuses: [running("a")] })).toBeUndefined();
    });
});

it("demuxes Docker's multiplexed log stream", () => {
    const frame = (stream: number, text: string) => Buffer.concat([Buffer.from([stream, 0, 0, 0, 0, 0, 0, text.length]), Buffer.from(text)]);
    expect(demuxDockerStream(Buffer.concat([frame(1, "out\n"), frame(2, "err\n")]))).toBe("out\nerr\n");
    expect(demuxDockerStream(Buffer.from("plain tty text\n"))).toBe("plain tty text\n");
});

it("serialises both dynamic providers self-contained: no module of the project, only dockerode and fs required at run time", async () => {
    // Pulumi's closure serialisation writes the provider's code into the state (the `__provider`
    // input); the provider host runs it without this package's sources.
    const gate = new DockerInitGate("ser-gate", { groupName: "g", container: "seed", index: 0, containerId: "c", exitCode: 0, logs: "" });
    const lifecycle = new DockerGroupLifecycle("ser-lifecycle", groupLifecycleInputs({
        groupName: "g", restartPolicy: "Always", waitForReadiness: false, timeoutSeconds: 1, pauseId: "p", containerIds: [],
    }));
    await settled([gate, lifecycle]);
    const code = (name: string) => String(byName(name).inputs.__provider);
    expect(code("ser-gate")).toContain("INIT_LOG_TAIL_LINES: 20");
    expect(code("ser-gate")).not.toMatch(/require\(/);
    expect(code("ser-lifecycle")).toContain("LOG_TAIL_LINES: 20");
    expect([...code("ser-lifecycle").matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]).sort()).toEqual(["dockerode", "fs"]);
});

describe("ensureSupervisor (the supervisor a supervised group starts on demand)", () => {
    const inputs = groupLifecycleInputs({ groupName: "g", restartPolicy: "Always", waitForReadiness: false, timeoutSeconds: 1, pauseId: "p", containerIds: [] });
    const create = inputs.supervisor as ContainerCreateOptions;
    const contract = inputs.contract as Parameters<typeof ensureSupervisor>[2];

    type Listed = { Id: string; Names: string[]; State: string; ImageID: string; Labels: Record<string, string> };
    /** An engine with `image` (undefined: missing) and the supervisors `listed`; records every call. */
    function engine(image: string | undefined, listed: Listed[], conflicts = 0) {
        const calls: string[] = [];
        const fake = {
            getImage: () => ({ inspect: async () => { if (image === undefined) throw Object.assign(new Error("no such image"), { statusCode: 404 }); return { Id: image }; } }),
            listContainers: async () => listed,
            getContainer: (id: string) => ({
                stop: async () => { calls.push(`stop ${id}`); },
                remove: async () => { calls.push(`remove ${id}`); listed = listed.filter((l) => l.Id !== id); },
                start: async () => { calls.push(`start ${id}`); },
            }),
            createContainer: async (o: ContainerCreateOptions) => {
                if (conflicts-- > 0) {
                    // Another group created it at this moment.
                    listed = [{ Id: "theirs", Names: ["/podgroup-supervisor"], State: "running", ImageID: "sha256:new", Labels: create.Labels ?? {} }];
                    throw Object.assign(new Error("Conflict. The container name is already in use"), { statusCode: 409 });
                }
                calls.push(`create ${o.name} ${o.Image}`);
                return { id: "new", start: async () => { calls.push("start new"); } };
            },
        };
        return { docker: fake as unknown as Docker, calls };
    }
    const onDemand = (id: string, state: string, imageId: string): Listed =>
        ({ Id: id, Names: [`/${id}`], State: state, ImageID: imageId, Labels: { "podgroup.io/supervisor": "true", "podgroup.io/supervisor-on-demand": "true" } });
    const pinned = (id: string, state: string, imageId: string): Listed =>
        ({ Id: id, Names: [`/${id}`], State: state, ImageID: imageId, Labels: { "podgroup.io/supervisor": "true" } });
    const ensure = (e: ReturnType<typeof engine>) => ensureSupervisor(e.docker, create, contract, () => undefined);

    it("starts one from the group's create options when none runs", async () => {
        const e = engine("sha256:new", []);
        await ensure(e);
        expect(e.calls).toEqual(["create podgroup-supervisor podgroup/supervisor:1.0.0", "start new"]);
    });

    it("uses a running one of the current image, and a pinned one whatever its image", async () => {
        for (const listed of [[onDemand("a", "running", "sha256:new")], [pinned("b", "running", "sha256:old")]]) {
            const e = engine("sha256:new", listed);
            await ensure(e);
            expect(e.calls).toEqual([]);
        }
    });

    it("replaces an on-demand one of an older image (stopped with SIGTERM's grace, then removed)", async () => {
        const e = engine("sha256:new", [onDemand("old", "running", "sha256:old")]);
        await ensure(e);
        expect(e.calls).toEqual(["stop old", "remove old", "create podgroup-supervisor podgroup/supervisor:1.0.0", "start new"]);
    });

    it("starts a stopped pinned one instead of replacing it", async () => {
        const e = engine("sha256:new", [pinned("mine", "exited", "sha256:old")]);
        await ensure(e);
        expect(e.calls).toEqual(["start mine"]);
    });

    it("uses the one another group created at the same moment (Docker's name conflict)", async () => {
        const e = engine("sha256:new", [], 1);
        await ensure(e);
        expect(e.calls).toEqual([]);
    });

    it("says which image is missing and what to do, before touching anything", async () => {
        const e = engine(undefined, []);
        await expect(ensure(e)).rejects.toThrow("the supervisor image podgroup/supervisor:1.0.0 is not on this Docker engine, so no supervisor " +
            "can start the group's containers: build or load it (the project's images), or deploy with docker: { supervise: false }");
        expect(e.calls).toEqual([]);
    });
});

describe("terminateGroup (what `pulumi destroy` of a supervised group runs)", () => {
    const inputs = {
        ...groupLifecycleInputs({
            groupName: "g", restartPolicy: "Always", waitForReadiness: false, timeoutSeconds: 1, pauseId: "p",
            containerIds: [],
        }),
        pauseId: "pause-id",
    } as unknown as GroupLifecycleInputs;
    const frame = (text: string) => Buffer.concat([Buffer.from([1, 0, 0, 0, 0, 0, 0, text.length]), Buffer.from(text)]);
    /** An engine with a running supervisor whose terminate subcommand prints `out` and exits `code`. */
    function engine(image: string | undefined, out: string, code: number) {
        const execs: { container: string; cmd: string[] }[] = [];
        const fake = {
            getImage: () => ({
                inspect: async () => {
                    if (image === undefined) throw Object.assign(new Error("no such image"), { statusCode: 404 });
                    return { Id: image };
                },
            }),
            listContainers: async () => [{
                Id: "sup", Names: ["/podgroup-supervisor"], State: "running", ImageID: "sha256:new",
                Labels: { "podgroup.io/supervisor": "true", "podgroup.io/supervisor-on-demand": "true" },
            }],
            getContainer: (id: string) => ({
                exec: async (o: { Cmd: string[] }) => {
                    execs.push({ container: id, cmd: o.Cmd });
                    return {
                        start: async () => {
                            const s = new PassThrough();
                            // A frame per line, the first split across two chunks, as a socket may deliver it.
                            const all = Buffer.concat(out.split(/(?<=\n)/).map(frame));
                            setImmediate(() => { s.write(all.subarray(0, 11)); s.end(all.subarray(11)); });
                            return s;
                        },
                        inspect: async () => ({ ExitCode: code }),
                    };
                },
            }),
        };
        return { docker: fake as unknown as Docker, execs };
    }

    it("runs the supervisor's terminate subcommand in its container, logs its lines: no rule of its own", async () => {
        const e = engine("sha256:new", "web: preStop exec 1.001s, then SIGTERM\ngroup g: 1 container(s) stopped\n", 0);
        const lines: string[] = [];
        await terminateGroup(e.docker, inputs, (l) => lines.push(l));
        expect(e.execs).toEqual([
            { container: "sup", cmd: ["/podgroup-supervisor", "-terminate", "g", "-sandbox", "pause-id"] },
        ]);
        expect(lines.slice(1)).toEqual([
            'PodGroup "g": web: preStop exec 1.001s, then SIGTERM', 'PodGroup "g": group g: 1 container(s) stopped',
        ]);
    });

    it("fails with the subcommand's message when it fails", async () => {
        const e = engine("sha256:new", "terminate g: group g: still running after its termination: web\n", 1);
        await expect(terminateGroup(e.docker, inputs, () => undefined)).rejects.toThrow(
            'PodGroup "g": the supervisor could not terminate the group (exit code 1): ' +
            "terminate g: group g: still running after its termination: web");
    });

    it("warns, leaving the stops to Docker, when no supervisor can run (no image): no blocked destroy", async () => {
        const e = engine(undefined, "", 0);
        const lines: string[] = [];
        await terminateGroup(e.docker, inputs, (l) => lines.push(l));
        expect(e.execs).toEqual([]);
        expect(lines.join("\n")).toMatch(/^warning: PodGroup "g": the supervisor image .* is not on this Docker/);
        expect(lines.join("\n")).toContain("stopped without kubelet's termination order");
    });
});
