/**
 * A group of one's own on a Docker target (startGroupOnTarget, what describeOnTargets runs in
 * beforeAll/afterAll): it is deployed on the engine the target's options name, not on the
 * ambient DOCKER_HOST, observed there through the target's adapter, and nothing of it is left
 * after stop().
 */
import Docker from "dockerode";
import { LABEL_GROUP } from "../../components/labels";
import { dockerTarget, startGroupOnTarget } from "../../harness";
import { TOOLBOX_IMAGE } from "../../harness/fixtures/toolbox";

const SOCKET = "/var/run/docker.sock";
const docker = new Docker({ socketPath: SOCKET });
const groupName = `pgit-own${Date.now().toString(36)}`;
const saved = process.env.DOCKER_HOST;

afterAll(() => {
    if (saved === undefined) delete process.env.DOCKER_HOST;
    else process.env.DOCKER_HOST = saved;
});

test("deploys on the target's own engine (DOCKER_HOST points nowhere), drives it through the adapter, destroys it", async () => {
    // Everything ambient (this process, the Pulumi CLI and its provider plugin) would use this engine.
    process.env.DOCKER_HOST = "unix:///nonexistent/podgroup-no-engine.sock";
    const target = dockerTarget({ docker: { socketPath: SOCKET } });
    const group = await startGroupOnTarget(target, {
        groupName,
        spec: { containers: [{ name: "app", image: TOOLBOX_IMAGE, command: ["sleep", "100000"] }], terminationGracePeriodSeconds: 2 },
    });
    const name = `${groupName}-d`;
    try {
        expect(group.ref).toEqual({ name });
        const status = await group.status();
        expect(status.containers.map((c) => [c.name, c.role, c.state])).toEqual([["pause", "pause", "running"], ["app", "member", "running"]]);
        expect(await group.exec("app", ["sh", "-c", "echo from-app"])).toEqual({ exitCode: 0, stdout: "from-app\n", stderr: "" });
        const onEngine = await docker.listContainers({ filters: { label: [`${LABEL_GROUP}=${name}`] } });
        expect(onEngine).toHaveLength(2);
    } finally {
        await group.stop();
    }
    expect(await docker.listContainers({ all: true, filters: { label: [`${LABEL_GROUP}=${name}`] } })).toEqual([]);
}, 300_000);
