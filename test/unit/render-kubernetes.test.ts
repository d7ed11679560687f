// The Kubernetes renderer: one core/v1 Pod (and a Secret for secret env values), through mocks.
import { byName, optionsByName, recordOptions, registered, settled, valueOf, withoutStacks } from "./mocks";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { PodGroup, PodGroupArgs } from "../../components/pod-group";
import { podGroupSpecFromManifest } from "../../components/manifest";
import { KubernetesGroupResources, kubernetesPodSpec } from "../../components/render-kubernetes";
import { resolveSpec } from "../../components/resolve";
import type { PodGroupSpec } from "../../components/spec";
import { fullSpec, minimalSpec } from "./fixtures";
import { SIDECAR_POD_MANIFEST } from "./lifecycle-fixtures";

const POD = "kubernetes:core/v1:Pod";
const SECRET = "kubernetes:core/v1:Secret";

async function render(name: string, spec: PodGroupSpec, extra: Partial<PodGroupArgs> = {}) {
    const group = withoutStacks(() => new PodGroup(name, { backend: "kubernetes", spec, ...extra }, { transformations: [recordOptions] }));
    const res = group.resources as KubernetesGroupResources;
    await settled([group, res.pod, ...(res.envSecret !== undefined ? [res.envSecret] : [])]);
    return { group, res };
}

type Obj = Record<string, unknown>;
function podSpec(name: string): Obj {
    return byName(`${name}-pod`).inputs.spec as Obj;
}
function container(name: string, c: string, init = false): Obj {
    const list = podSpec(name)[init ? "initContainers" : "containers"] as Obj[];
    return list.find((x) => x.name === c) as Obj;
}

describe("Kubernetes renderer", () => {
    it("registers one Pod named after the group, plus a Secret only when there are secret env values", async () => {
        await render("kfull", fullSpec(), { groupName: "shop", kubernetes: { namespace: "apps" } });
        await render("kmin", minimalSpec());
        expect(registered.filter((r) => r.name.startsWith("kfull-")).map((r) => [r.type, r.name]))
            .toEqual([[SECRET, "kfull-env"], [POD, "kfull-pod"]]);
        expect(registered.filter((r) => r.name.startsWith("kmin-")).map((r) => r.type)).toEqual([POD]);
        expect(byName("kfull-pod").inputs.metadata).toEqual({
            name: "shop", namespace: "apps", labels: { team: "edge", "podgroup.io/group": "shop" },
        });
        expect(byName("kmin-pod").inputs.metadata).toMatchObject({ name: "kmin", namespace: "default" });
    });

    it("renders the group-level fields: shareProcessNamespace, hostname, restartPolicy, grace period, volumes", async () => {
        await render("kgroup", fullSpec());
        expect(podSpec("kgroup")).toMatchObject({
            shareProcessNamespace: true,
            hostname: "webhost",
            restartPolicy: "OnFailure",
            terminationGracePeriodSeconds: 5,
            volumes: [{ name: "data", emptyDir: {} }, { name: "cache", emptyDir: { medium: "Memory", sizeLimit: "16Mi" } }],
        });
        await render("kdefaults", minimalSpec());
        // Kubernetes' defaults: no process namespace sharing unless asked for.
        expect(podSpec("kdefaults")).toMatchObject({ shareProcessNamespace: false, hostname: "kdefaults", restartPolicy: "Always", terminationGracePeriodSeconds: 30 });
        expect(podSpec("kdefaults").volumes).toBeUndefined();
        expect(podSpec("kdefaults").initContainers).toBeUndefined();
    });

    it("keeps init containers in order, and the app containers in order", async () => {
        await render("korder", fullSpec());
        expect((podSpec("korder").initContainers as Obj[]).map((c) => c.name)).toEqual(["seed", "check"]);
        expect((podSpec("korder").containers as Obj[]).map((c) => c.name)).toEqual(["web", "sidecar"]);
    });

    it("renders a container's process, ports, mounts, limits, probes, user and pull policy", async () => {
        await render("kc", fullSpec());
        expect(container("kc", "web")).toEqual({
            name: "web",
            image: "podgroup/toolbox:1.0.0",
            imagePullPolicy: "IfNotPresent",
            command: ["httpd", "-f", "-p", "8080", "-h", "/data"],
            env: [
                { name: "MODE", value: "demo" },
                { name: "TOKEN", valueFrom: { secretKeyRef: { name: "kc-env", key: "web.TOKEN" } } },
            ],
            ports: [{ containerPort: 8080, protocol: "TCP", name: "http", hostPort: 18080 }],
            volumeMounts: [{ name: "data", mountPath: "/data", readOnly: false }],
            resources: { limits: { cpu: "500m", memory: "64Mi" } },
            readinessProbe: { httpGet: { path: "/", port: 8080, scheme: "HTTP" }, periodSeconds: 2 },
            workingDir: "/data",
            securityContext: { runAsUser: 1000, runAsGroup: 1000 },
        });
        expect(container("kc", "sidecar")).toMatchObject({
            ports: [{ containerPort: 9090, protocol: "UDP" }],
            livenessProbe: { exec: { command: ["true"] } },
        });
        expect(container("kc", "check", true)).toMatchObject({ args: ["test", "-f", "/data/index.html"], volumeMounts: [{ name: "data", mountPath: "/data", readOnly: true }] });
    });

    it("passes an image, env values and command items that other resources compute to the Pod, with the pull policy of the resolved image", async () => {
        await render("kouts", { containers: [{
            name: "app", image: pulumi.output("registry.local/shop:latest"),
            env: [{ name: "DB", value: pulumi.output("db:5432") }], command: ["serve", pulumi.output("--db=$(DB)")],
        }] });
        expect(container("kouts", "app")).toMatchObject({
            image: "registry.local/shop:latest", imagePullPolicy: "Always",
            env: [{ name: "DB", value: "db:5432" }], command: ["serve", "--db=$(DB)"],
        });
    });

    it("renders a hostPort as written (Kubernetes' own field), and only where one is set", async () => {
        await render("khp", fullSpec());
        const ports = (podSpec("khp").containers as Obj[]).flatMap((c) => (c.ports ?? []) as Obj[]);
        expect(ports.filter((p) => p.hostPort !== undefined)).toEqual([{ containerPort: 8080, protocol: "TCP", name: "http", hostPort: 18080 }]);
    });

    it("keeps the explicit pull policy and defaults as Kubernetes does: Always for latest or no tag, else IfNotPresent", async () => {
        const spec: PodGroupSpec = { containers: [
            { name: "a", image: "busybox:latest", imagePullPolicy: "Never" }, { name: "b", image: "podgroup/toolbox:1.0.0" },
            { name: "c", image: "nginx" }, { name: "d", image: "nginx:latest" }, { name: "e", image: `nginx@sha256:${"a".repeat(64)}` },
        ] };
        await render("kpull", spec);
        expect(["a", "b", "c", "d", "e"].map((n) => container("kpull", n).imagePullPolicy)).toEqual(["Never", "IfNotPresent", "Always", "Always", "IfNotPresent"]);
    });

    it("applies Kubernetes' defaults: a volume with no source is an emptyDir, a negative grace period is 1 s", async () => {
        await render("kdef2", { containers: [{ name: "a", image: "podgroup/toolbox:1.0.0" }], volumes: [{ name: "v" }], terminationGracePeriodSeconds: -5 });
        expect(podSpec("kdef2")).toMatchObject({ volumes: [{ name: "v", emptyDir: {} }], terminationGracePeriodSeconds: 1 });
    });

    it("passes native sidecars, int-or-string probe ports, numeric quantities and scheduling fields to the Pod", async () => {
        const spec: PodGroupSpec = {
            initContainers: [{ name: "proxy", image: "podgroup/toolbox:1.0.0", restartPolicy: "Always" }],
            containers: [{
                name: "web", image: "podgroup/toolbox:1.0.0", ports: [{ name: "http", containerPort: 8080 }],
                readinessProbe: { httpGet: { port: "http" } }, resources: { limits: { cpu: 1, memory: 67108864 } },
            }],
            nodeSelector: { disk: "ssd" }, tolerations: [{ key: "k", operator: "Exists" }], serviceAccountName: "builder",
        };
        await render("kpass2", spec);
        expect(container("kpass2", "proxy", true).restartPolicy).toBe("Always");
        expect(container("kpass2", "web")).toMatchObject({ readinessProbe: { httpGet: { port: "http" } }, resources: { limits: { cpu: "1", memory: "67108864" } } });
        expect(podSpec("kpass2")).toMatchObject({ nodeSelector: { disk: "ssd" }, tolerations: [{ key: "k", operator: "Exists" }], serviceAccountName: "builder" });
    });

    it("passes lifecycle hooks, startup probes and termination messages to the Pod, with Kubernetes' httpGet defaults written out", async () => {
        await render("khooks", { terminationGracePeriodSeconds: 20, initContainers: [{
            name: "proxy", image: "podgroup/toolbox:1.0.0", restartPolicy: "Always",
            startupProbe: { tcpSocket: { port: 9000 }, periodSeconds: 1, failureThreshold: 30 }, lifecycle: { preStop: { sleep: { seconds: 2 } } },
        }], containers: [{
            name: "web", image: "podgroup/toolbox:1.0.0", ports: [{ name: "http", containerPort: 8080 }],
            startupProbe: { httpGet: { port: "http" } },
            lifecycle: { postStart: { exec: { command: ["sh", "-c", "echo hi"] } }, preStop: { httpGet: { port: 8080, path: "/stop" } } },
            terminationMessagePath: "/tmp/msg", terminationMessagePolicy: "FallbackToLogsOnError",
        }] });
        expect(container("khooks", "proxy", true)).toMatchObject({
            restartPolicy: "Always",
            startupProbe: { tcpSocket: { port: 9000 }, periodSeconds: 1, failureThreshold: 30 },
            lifecycle: { preStop: { sleep: { seconds: 2 } } },
        });
        expect(container("khooks", "web")).toMatchObject({
            startupProbe: { httpGet: { path: "/", port: "http", scheme: "HTTP" } },
            lifecycle: { postStart: { exec: { command: ["sh", "-c", "echo hi"] } }, preStop: { httpGet: { path: "/stop", port: 8080, scheme: "HTTP" } } },
            terminationMessagePath: "/tmp/msg", terminationMessagePolicy: "FallbackToLogsOnError",
        });
        // null is unset, as on the API server: left out of the Pod.
        await render("knull", { containers: [{ name: "web", image: "podgroup/toolbox:1.0.0", startupProbe: null, lifecycle: { postStart: null, preStop: { sleep: { seconds: 1 } } } }] } as unknown as PodGroupSpec);
        expect(container("knull", "web").startupProbe).toBeUndefined();
        expect(container("knull", "web").lifecycle).toEqual({ preStop: { sleep: { seconds: 1 } } });
        // Without them the Pod leaves them out (the API server fills in its defaults).
        await render("knohooks", minimalSpec());
        const plain = (podSpec("knohooks").containers as Obj[])[0];
        expect([plain.lifecycle, plain.startupProbe, plain.terminationMessagePath, plain.terminationMessagePolicy]).toEqual([undefined, undefined, undefined, undefined]);
    });

    it("renders a Pod manifest with a native sidecar, hooks and startup probes back into the same containers", () => {
        const m = podGroupSpecFromManifest(SIDECAR_POD_MANIFEST);
        const rendered = kubernetesPodSpec(resolveSpec(m.groupName, m.spec));
        const written = (m.spec.initContainers ?? []).concat(m.spec.containers);
        const out = [...(rendered.initContainers as unknown as Obj[]), ...(rendered.containers as unknown as Obj[])];
        const fields = ["name", "image", "command", "restartPolicy", "startupProbe", "livenessProbe", "readinessProbe", "lifecycle", "terminationMessagePath", "terminationMessagePolicy"];
        const pick = (c: object) => Object.fromEntries(fields.map((f) => [f, JSON.parse(JSON.stringify((c as Obj)[f] ?? null)) as unknown]));
        // Every field as written, the httpGet defaults (scheme HTTP) filled in as the API server does.
        const withDefaults = (c: object) => JSON.parse(JSON.stringify(pick(c)).replace(/"httpGet":\{([^}]*)\}/g, (_, body: string) => `"httpGet":{${body},"scheme":"HTTP"}`)) as unknown;
        expect(out.map(pick)).toEqual(written.map(withDefaults));
        expect(rendered).toMatchObject({ terminationGracePeriodSeconds: 20, restartPolicy: "Always", volumes: [{ name: "work", emptyDir: {} }] });
    });

    it("puts secret env values in a Secret, as a secret, and only references them from the Pod", async () => {
        const { res } = await render("ksec", fullSpec(), { kubernetes: { namespace: "apps" } });
        const secret = byName("ksec-env").inputs;
        expect(secret.metadata).toEqual({ name: "ksec-env", namespace: "apps", labels: { team: "edge", "podgroup.io/group": "ksec" } });
        expect(secret.stringData).toEqual({ [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig, value: { "web.TOKEN": "s3cret" } });
        expect(JSON.stringify(byName("ksec-pod").inputs)).not.toContain("s3cret");
        expect(optionsByName.get("ksec-pod")?.dependsOn).toEqual([res.envSecret]);
    });

    it("replaces the Pod by deleting it first (fixed name), and parents it to the component", async () => {
        const { group } = await render("krep", minimalSpec());
        expect(optionsByName.get("krep-pod")?.deleteBeforeReplace).toBe(true);
        expect(optionsByName.get("krep-pod")?.parent).toBe(group);
    });

    it("passes a provider through to the Pod and sets skipAwait on request", async () => {
        const provider = withoutStacks(() => new k8s.Provider("kprov", {}));
        await render("kpass", minimalSpec(), { provider, kubernetes: { skipAwait: true } });
        expect(optionsByName.get("kpass-pod")?.provider).toBe(provider);
        expect((byName("kpass-pod").inputs.metadata as Obj).annotations).toEqual({ "pulumi.com/skipAwait": "true" });
    });

    it("exposes the pod name, namespace, member names and ports as outputs", async () => {
        const { group } = await render("kout", fullSpec(), { kubernetes: { namespace: "apps" } });
        expect(await valueOf(group.backend)).toBe("kubernetes");
        expect(await valueOf(group.podName)).toBe("kout");
        expect(await valueOf(group.namespace)).toBe("apps");
        expect(await valueOf(group.pauseId)).toBeUndefined();
        expect(await valueOf(group.memberIds)).toEqual({ web: "apps/kout/web", sidecar: "apps/kout/sidecar" });
        expect(await valueOf(group.initIds)).toEqual({ seed: "apps/kout/seed", check: "apps/kout/check" });
        expect(await valueOf(group.members)).toEqual(["web", "sidecar"]);
        expect(await valueOf(group.containerNames)).toEqual({ seed: "seed", check: "check", web: "web", sidecar: "sidecar" });
        expect(await valueOf(group.ports)).toEqual([
            { container: "web", name: "http", containerPort: 8080, protocol: "tcp" },
            { container: "sidecar", containerPort: 9090, protocol: "udp" },
        ]);
    });
});
