// dockerCreateOptions (what the supervisor's integration tests and the benchmark create) against
// what the Pulumi renderer declares for the same spec: the same names, images, labels,
// namespaces, restart policies, mounts, ports, process and limits.
import { byName, mockId, settled, withoutStacks } from "./mocks";
import { PodGroup } from "../../components/pod-group";
import { DockerGroupResources, dockerCreateOptions, dockerGroupLayout } from "../../components/render-docker";
import { resolveSpec } from "../../components/resolve";
import type { PodGroupSpec } from "../../components/spec";
import { TOOLBOX } from "./fixtures";

const CONTAINER = "docker:index/container:Container";

function spec(): PodGroupSpec {
    return {
        initContainers: [{ name: "seed", image: TOOLBOX, command: ["sh", "-c"], args: ["echo seed > /data/log"],
            volumeMounts: [{ name: "data", mountPath: "/data" }] }],
        containers: [
            { name: "web", image: TOOLBOX, command: ["httpd", "-f", "-p", "8080"], env: [{ name: "MODE", value: "x" }],
                ports: [{ containerPort: 8080, hostPort: 18080 }, { containerPort: 9090 }], workingDir: "/www", user: "1000",
                resources: { limits: { memory: "64Mi", cpu: "500m" } },
                volumeMounts: [{ name: "data", mountPath: "/data", readOnly: true }, { name: "shm", mountPath: "/shm" }] },
            { name: "sidecar", image: TOOLBOX, command: ["sleep", "100000"] },
        ],
        volumes: [{ name: "data", emptyDir: {} }, { name: "shm", emptyDir: { medium: "Memory", sizeLimit: "8Mi" } }],
        restartPolicy: "OnFailure",
        shareProcessNamespace: true,
        hostname: "webhost",
    };
}

type Label = { label: string; value: string };
type Mount = { volumeName?: string; hostPath?: string; containerPath: string; readOnly?: boolean };
type BindMount = { type: string; source: string; target: string; readOnly?: boolean };
type Port = { internal: number; external?: number; ip: string; protocol: string };

/** A Pulumi docker.Container's inputs in the Engine API's terms, for comparison. */
function asEngine(inputs: Record<string, unknown>) {
    const ports = (inputs.ports as Port[] | undefined) ?? [];
    return {
        name: inputs.name, image: inputs.image, hostname: inputs.hostname,
        labels: Object.fromEntries((inputs.labels as Label[]).map((l) => [l.label, l.value])),
        entrypoint: inputs.entrypoints, cmd: inputs.command, env: inputs.envs, workingDir: inputs.workingDir, user: inputs.user,
        network: inputs.networkMode, ipc: inputs.ipcMode, pid: inputs.pidMode, restart: inputs.restart, stopTimeout: inputs.stopTimeout,
        memory: inputs.memory !== undefined ? Number(inputs.memory) * 1024 * 1024 : undefined,
        swap: inputs.memorySwap !== undefined ? Number(inputs.memorySwap) * 1024 * 1024 : undefined,
        nanoCpus: inputs.cpus !== undefined ? Number(inputs.cpus) * 1e9 : undefined,
        // Volumes and host directories (`volumes`, Docker's Binds for a host path), then host files (`mounts`).
        mounts: [
            ...((inputs.volumes as Mount[] | undefined) ?? []).map((m) => [m.volumeName ?? `bind ${m.hostPath}`, m.containerPath, m.readOnly]),
            ...((inputs.mounts as BindMount[] | undefined) ?? []).map((m) => [`${m.type} ${m.source}`, m.target, m.readOnly]),
        ],
        ports: ports.map((p) => [`${p.internal}/${p.protocol}`, p.ip, p.external === undefined ? "" : String(p.external)]),
    };
}

function fromCreate(o: ReturnType<typeof dockerCreateOptions>) {
    const h = o.HostConfig ?? {};
    return {
        name: o.name, image: o.Image, hostname: o.Hostname, labels: o.Labels, entrypoint: o.Entrypoint, cmd: o.Cmd, env: o.Env,
        workingDir: o.WorkingDir, user: o.User, network: h.NetworkMode, ipc: h.IpcMode, pid: h.PidMode,
        restart: h.RestartPolicy?.Name, stopTimeout: o.StopTimeout, memory: h.Memory, swap: h.MemorySwap, nanoCpus: h.NanoCpus,
        mounts: [
            ...(h.Mounts ?? []).map((m) => [m.Type === "bind" ? `bind ${m.Source}` : m.Source, m.Target, m.ReadOnly]),
            ...(h.Binds ?? []).map((b) => [`bind ${b.split(":")[0]}`, b.split(":")[1], undefined]),
        ],
        ports: Object.entries((h.PortBindings ?? {}) as Record<string, { HostIp: string; HostPort: string }[]>)
            .map(([k, [b]]) => [k, b.HostIp, b.HostPort]),
    };
}

describe.each([true, false])("dockerCreateOptions, supervise %s", (supervise) => {
    it("creates what the Pulumi renderer declares, container by container", async () => {
        const name = `layout-${supervise}`;
        const group = withoutStacks(() => new PodGroup(name, { backend: "docker", spec: spec(), docker: { supervise } }));
        const res = group.resources as DockerGroupResources;
        await settled([group, res.pause, ...res.initContainers, ...res.members]);
        // The stack label the renderer takes from the running program (the mocks' project and stack).
        const layout = dockerGroupLayout(resolveSpec(name, spec()), { supervise, stack: "podgroup/unit" });
        const pauseId = mockId(CONTAINER, `${name}-pause`);
        const pairs: [string, ReturnType<typeof dockerCreateOptions>][] = [
            [`${name}-pause`, dockerCreateOptions(layout.pause)],
            ...layout.initContainers.map((c): [string, ReturnType<typeof dockerCreateOptions>] => [`${name}-init-${c.name}`, dockerCreateOptions(c, pauseId)]),
            ...layout.members.map((c): [string, ReturnType<typeof dockerCreateOptions>] => [`${name}-member-${c.name}`, dockerCreateOptions(c, pauseId)]),
        ];
        for (const [resource, create] of pairs) {
            expect([resource, fromCreate(create)]).toEqual([resource, asEngine(byName(resource).inputs)]);
        }
    });
});

describe("dockerCreateOptions refuses what exists only in the Pulumi rendering", () => {
    it("names the secret env value's path", () => {
        const s = spec();
        s.containers[1].env = [{ name: "TOKEN", secretValue: "s3cret" }];
        const layout = dockerGroupLayout(resolveSpec("g", s), {});
        expect(() => dockerCreateOptions(layout.members[1], "id")).toThrow("spec.containers[1].env[0].secretValue");
    });

    it("asks for the pause's id for a container that joins it", () => {
        const layout = dockerGroupLayout(resolveSpec("g", spec()), {});
        expect(() => dockerCreateOptions(layout.initContainers[0])).toThrow("spec.initContainers[0] (seed) joins the pause");
    });
});
