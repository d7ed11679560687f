// The component and the sample group behind index.ts.
import { byName, registered, settled, valueOf, withoutStacks } from "./mocks";
import * as docker from "@pulumi/docker";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as lib from "../../components";
import { DockerGroupResources } from "../../components/render-docker";
import { collectProblems } from "../../components/validate";

describe("PodGroup component", () => {
    it("has the type token podgroup:index:PodGroup and registers its outputs", async () => {
        const group = withoutStacks(() => new lib.PodGroup("comp", { backend: "docker", spec: lib.sampleGroupSpec() }));
        expect(lib.POD_GROUP_TYPE).toBe("podgroup:index:PodGroup");
        expect(await valueOf(group.urn)).toBe("urn:pulumi:unit::podgroup::podgroup:index:PodGroup::comp");
        expect(await valueOf(group.groupName)).toBe("comp");
        const res = group.resources as DockerGroupResources;
        await settled([res.pause, ...res.members]);
        expect(registered.filter((r) => r.name.startsWith("comp-")).map((r) => r.name).sort())
            .toEqual(["comp-member-sidecar", "comp-member-web", "comp-pause"]);
    });

    it("ships a valid sample group: a web server on 8080 and a sidecar, from the toolbox image", () => {
        const spec = lib.sampleGroupSpec();
        for (const backend of lib.BACKENDS) {
            expect(collectProblems(spec, { groupName: "sample", backend })).toEqual([]);
        }
        expect(spec.containers.map((c) => [c.name, c.image])).toEqual([["web", "podgroup/toolbox:1.0.0"], ["sidecar", "podgroup/toolbox:1.0.0"]]);
        expect(spec.containers[0].ports).toEqual([{ containerPort: lib.SAMPLE_WEB_PORT, name: "http" }]);
        expect(spec.containers[0].command?.join(" ")).toContain(`httpd -f -p ${lib.SAMPLE_WEB_PORT}`);
    });

    it("renders the sample group on Docker with the project's pause image and its port on the pause", async () => {
        const group = withoutStacks(() => new lib.PodGroup("samp", { backend: "docker", spec: lib.sampleGroupSpec() }));
        const res = group.resources as DockerGroupResources;
        await settled([res.pause, ...res.members]);
        expect(byName("samp-pause").inputs).toMatchObject({ image: "podgroup/pause:1.0.0", ports: [{ internal: 8080, ip: "127.0.0.1", protocol: "tcp" }] });
        const ports = await valueOf(group.ports);
        expect(ports).toEqual([{ container: "web", name: "http", containerPort: 8080, protocol: "tcp", hostIp: "127.0.0.1", hostPort: expect.any(Number) }]);
    });

    it("types its children by backend: the Docker pause and the Pod without a cast", async () => {
        const onDocker = withoutStacks(() => new lib.PodGroup("typed-d", { backend: "docker", spec: lib.sampleGroupSpec() }));
        const onKubernetes = withoutStacks(() => new lib.PodGroup("typed-k", { backend: "kubernetes", spec: lib.sampleGroupSpec() }));
        const pause: docker.Container = onDocker.resources.pause;
        const pod: k8s.core.v1.Pod = onKubernetes.resources.pod;
        await settled([pause, pod]);
        expect([byName("typed-d-pause").type, byName("typed-k-pod").type]).toEqual(["docker:index/container:Container", "kubernetes:core/v1:Pod"]);
    });

    it("rejects, naming the path, an option of the other backend, a flat backend option and an unknown one, before creating anything", () => {
        const before = registered.length;
        const args = {
            backend: "docker", spec: lib.sampleGroupSpec(), supervise: true, kubernetes: { namespace: "apps" }, docker: { supervize: true },
        } as unknown as lib.PodGroupArgs;
        let error: lib.PodGroupValidationError | undefined;
        try {
            withoutStacks(() => new lib.PodGroup("opts", args));
        } catch (e) {
            error = e as lib.PodGroupValidationError;
        }
        expect(error?.problems).toEqual([
            { propertyPath: "supervise", reason: "supervise is an option of the docker backend: pass it as docker: { supervise: ... }" },
            { propertyPath: "docker.supervize", reason: "not a docker option (known: supervise, pauseImage, waitForReadiness, readinessTimeoutSeconds, skipAwait, host, supervisorStateDir)" },
            { propertyPath: "kubernetes", reason: "options of the kubernetes backend, but this group runs on docker: remove them (or set backend: \"kubernetes\")" },
        ]);
        expect(registered.length).toBe(before);
        // An option of both backends given flat goes under the group's own backend.
        expect(() => withoutStacks(() => new lib.PodGroup("flat", { backend: "kubernetes", spec: lib.sampleGroupSpec(), skipAwait: true } as unknown as lib.PodGroupArgs)))
            .toThrow("skipAwait is an option of the kubernetes backend: pass it as kubernetes: { skipAwait: ... }");
    });

    it("exports the library's public names from components/index.ts, and no internals", () => {
        for (const name of ["PodGroup", "validatePodGroupSpec", "PodGroupValidationError", "DockerSupervisor", "LABEL_GROUP", "LABEL_ROLE",
            "LABEL_CONTAINER", "LABEL_RESTART_POLICY", "LABEL_INIT_INDEX", "LABEL_SHARE_PID", "LABEL_SUPERVISED", "dockerContainerName",
            "sampleGroupSpec"]) {
            expect([name, typeof (lib as Record<string, unknown>)[name]]).not.toEqual([name, "undefined"]);
        }
        for (const internal of ["collectProblems", "checkInitExit", "initGate", "renderDocker", "renderKubernetes", "createPodGroup", "resolveSpec"]) {
            expect([internal, (lib as Record<string, unknown>)[internal]]).toEqual([internal, undefined]);
        }
        expect([lib.LABEL_GROUP, lib.LABEL_ROLE, lib.LABEL_CONTAINER, lib.LABEL_RESTART_POLICY, lib.LABEL_INIT_INDEX, lib.LABEL_SHARE_PID, lib.LABEL_SUPERVISED])
            .toEqual(["podgroup.io/group", "podgroup.io/role", "podgroup.io/container", "podgroup.io/restart-policy", "podgroup.io/init-index", "podgroup.io/share-pid", "podgroup.io/supervised"]);
        expect(pulumi.ComponentResource.isInstance(withoutStacks(() => new lib.PodGroup("reexp", { backend: "kubernetes", spec: lib.sampleGroupSpec() })))).toBe(true);
    });
});
