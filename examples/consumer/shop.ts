import type { PodGroupSpec } from "podgroup";

/** The group this example deploys and tests: a web server and a sidecar that polls it over localhost. */
export function shopSpec(): PodGroupSpec {
    return {
        containers: [
            { name: "web", image: "podgroup/toolbox:1.0.0", command: ["httpd", "-f", "-p", "8080", "-h", "/www"], ports: [{ containerPort: 8080 }] },
            { name: "poller", image: "podgroup/toolbox:1.0.0", command: ["sh", "-c", "while true; do wget -qO- http://127.0.0.1:8080/ >/dev/null 2>&1; sleep 5; done"] },
        ],
        restartPolicy: "Always",
    };
}
