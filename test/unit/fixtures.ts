/** Specs shared by the unit tests. */
import type { PodGroupSpec } from "../../components/spec";

export const TOOLBOX = "podgroup/toolbox:1.0.0";

/** A valid group touching every feature: init containers, volumes, ports, probes, limits, env, secrets. */
export function fullSpec(): PodGroupSpec {
    return {
        initContainers: [
            { name: "seed", image: TOOLBOX, command: ["sh", "-c", "echo hi > /data/index.html"], volumeMounts: [{ name: "data", mountPath: "/data" }] },
            { name: "check", image: TOOLBOX, args: ["test", "-f", "/data/index.html"], volumeMounts: [{ name: "data", mountPath: "/data", readOnly: true }] },
        ],
        containers: [
            {
                name: "web",
                image: TOOLBOX,
                command: ["httpd", "-f", "-p", "8080", "-h", "/data"],
                ports: [{ containerPort: 8080, hostPort: 18080, name: "http" }],
                volumeMounts: [{ name: "data", mountPath: "/data" }],
                resources: { limits: { cpu: "500m", memory: "64Mi" } },
                readinessProbe: { httpGet: { path: "/", port: 8080 }, periodSeconds: 2 },
                env: [{ name: "MODE", value: "demo" }, { name: "TOKEN", secretValue: "s3cret" }],
                workingDir: "/data",
                user: "1000:1000",
            },
            {
                name: "sidecar",
                image: TOOLBOX,
                command: ["sh", "-c", "while true; do sleep 1; done"],
                ports: [{ containerPort: 9090, protocol: "UDP" }],
                volumeMounts: [{ name: "cache", mountPath: "/cache" }],
                livenessProbe: { exec: { command: ["true"] } },
            },
        ],
        volumes: [
            { name: "data", emptyDir: {} },
            { name: "cache", emptyDir: { medium: "Memory", sizeLimit: "16Mi" } },
        ],
        restartPolicy: "OnFailure",
        shareProcessNamespace: true,
        hostname: "webhost",
        labels: { team: "edge" },
        terminationGracePeriodSeconds: 5,
    };
}

/** The smallest valid group. */
export function minimalSpec(): PodGroupSpec {
    return { containers: [{ name: "app", image: TOOLBOX }] };
}
