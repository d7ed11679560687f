/**
 * The docker provider's view of a Docker engine, derived from the dockerode options a
 * {@link DockerAdapter} is given: the harness deploys a group on the very engine it then
 * observes. dockerode's own defaults (DOCKER_HOST, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH, the
 * default socket) are applied by constructing the same client and reading what it resolved.
 */
import Docker from "dockerode";

/** Connection settings of the docker provider (`docker.Provider` arguments). */
export interface DockerEndpoint {
    /** `unix:///path`, `tcp://host:port` or `ssh://user@host:port`. */
    host: string;
    /** PEM contents for TLS (https) engines. */
    caMaterial?: string;
    certMaterial?: string;
    keyMaterial?: string;
}

/** The resolved fields of a dockerode client's connection (docker-modem). */
interface Modem {
    socketPath?: string | (() => Promise<string>);
    host?: string;
    port?: string | number;
    protocol?: string;
    username?: string;
    password?: string;
    pathPrefix?: string;
    ca?: unknown;
    cert?: unknown;
    key?: unknown;
    agent?: unknown;
    checkServerIdentity?: unknown;
    headers?: Record<string, string>;
}

const pem = (v: unknown): string | undefined =>
    v === undefined ? undefined : Array.isArray(v) ? v.map((x) => String(x)).join("\n") : String(v);

/** Settings the provider has no equivalent for: an error names them rather than dropping them. */
function unsupported(m: Modem): string[] {
    const found: string[] = [];
    if (m.password !== undefined) found.push("password");
    if (m.agent !== undefined) found.push("agent");
    if (m.checkServerIdentity !== undefined) found.push("checkServerIdentity");
    if (m.headers !== undefined && Object.keys(m.headers).length > 0) found.push("headers");
    if (m.pathPrefix !== undefined && m.pathPrefix !== "/" && m.pathPrefix !== "") found.push("pathPrefix");
    return found;
}

/**
 * The docker provider's endpoint for the engine `new Docker(options)` talks to. Throws when
 * `options` hold a setting the docker provider cannot express (naming it, e.g.
 * `docker.password`), so that a group is never deployed on another engine than the one observed.
 */
export async function dockerEndpoint(options: Docker.DockerOptions = {}): Promise<DockerEndpoint> {
    const modem = new Docker(options).modem as unknown as Modem;
    const bad = unsupported(modem);
    if (bad.length > 0) {
        throw new Error(`Docker options ${bad.map((b) => `docker.${b}`).join(", ")} cannot be passed to the docker provider ` +
            "that deploys the group: connect with socketPath, or host/port/protocol (with ca/cert/key for https, username for ssh)");
    }
    if (modem.host === undefined) {
        const socket = typeof modem.socketPath === "function" ? await modem.socketPath() : modem.socketPath ?? "/var/run/docker.sock";
        return { host: `unix://${socket}` };
    }
    const port = modem.port !== undefined && modem.port !== "" ? `:${modem.port}` : "";
    if (modem.protocol === "ssh") {
        return { host: `ssh://${modem.username !== undefined && modem.username !== "" ? `${modem.username}@` : ""}${modem.host}${port}` };
    }
    const tls = modem.protocol === "https"
        ? { caMaterial: pem(modem.ca), certMaterial: pem(modem.cert), keyMaterial: pem(modem.key) }
        : {};
    return {
        host: `tcp://${modem.host}${port}`,
        ...Object.fromEntries(Object.entries(tls).filter(([, v]) => v !== undefined)),
    };
}
