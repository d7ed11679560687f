/**
 * A Docker target deploys on the engine its adapter observes: the docker provider's endpoint is
 * read from the dockerode client built from the same options, dockerode's defaults included.
 */
import { DockerAdapter } from "../../harness/adapters/docker-adapter";
import { dockerEndpoint } from "../../harness/deploy/docker-endpoint";

describe("docker provider endpoint from dockerode options", () => {
    const saved = { ...process.env };
    afterEach(() => {
        process.env = { ...saved };
    });

    it("a socket path", async () => {
        expect(await dockerEndpoint({ socketPath: "/run/other/docker.sock" })).toEqual({ host: "unix:///run/other/docker.sock" });
    });
    it("a TCP host and port", async () => {
        expect(await dockerEndpoint({ host: "10.0.0.5", port: 2375 })).toEqual({ host: "tcp://10.0.0.5:2375" });
    });
    it("TLS: the PEM contents become the provider's materials", async () => {
        expect(await dockerEndpoint({ host: "docker.example", port: 2376, protocol: "https", ca: "CA", cert: Buffer.from("CERT"), key: "KEY" }))
            .toEqual({ host: "tcp://docker.example:2376", caMaterial: "CA", certMaterial: "CERT", keyMaterial: "KEY" });
    });
    it("SSH, with the user", async () => {
        expect(await dockerEndpoint({ host: "build-1", port: 22, protocol: "ssh", username: "ci" })).toEqual({ host: "ssh://ci@build-1:22" });
    });
    it("no options: DOCKER_HOST, as dockerode reads it", async () => {
        process.env.DOCKER_HOST = "tcp://192.0.2.7:2375";
        expect(await dockerEndpoint()).toEqual({ host: "tcp://192.0.2.7:2375" });
        process.env.DOCKER_HOST = "unix:///run/user/1000/docker.sock";
        expect(await dockerEndpoint({})).toEqual({ host: "unix:///run/user/1000/docker.sock" });
    });
    it("the engine the adapter talks to, even where dockerode lets DOCKER_HOST's host override a socketPath", async () => {
        process.env.DOCKER_HOST = "tcp://192.0.2.7:2375";
        const options = { socketPath: "/var/run/docker.sock" };
        expect(new DockerAdapter({ docker: options }).description).toBe("docker (192.0.2.7)");
        expect(await dockerEndpoint(options)).toEqual({ host: "tcp://192.0.2.7:2375" });
    });
    it("a setting the provider cannot express is an error naming it", async () => {
        // docker-modem reads `password` (basic auth), which dockerode's types leave out.
        const options = Object.assign({ host: "10.0.0.5", port: 2375, headers: { "X-A": "1" } }, { password: "x" });
        await expect(dockerEndpoint(options)).rejects
            .toThrow("Docker options docker.password, docker.headers cannot be passed to the docker provider that deploys the group");
    });
});
