/**
 * The sample group `index.ts` deploys when the stack sets no `podgroup:group`: a web server
 * member and a sidecar member, both from the project's toolbox image.
 */
import images from "../images/images.json";
import { PodGroupSpec } from "./spec";

/** Port the sample web member listens on. */
export const SAMPLE_WEB_PORT = 8080;
/** What the sample web member serves at `/`. */
export const SAMPLE_WEB_BODY = "hello from podgroup";

/** A fresh copy of the sample group's spec. */
export function sampleGroupSpec(): PodGroupSpec {
    return {
        containers: [
            {
                name: "web",
                image: images.toolbox,
                command: ["sh", "-c",
                    `mkdir -p /www && echo '${SAMPLE_WEB_BODY}' > /www/index.html && exec httpd -f -p ${SAMPLE_WEB_PORT} -h /www`],
                ports: [{ containerPort: SAMPLE_WEB_PORT, name: "http" }],
                readinessProbe: { httpGet: { path: "/", port: SAMPLE_WEB_PORT }, periodSeconds: 2 },
                resources: { limits: { cpu: "250m", memory: "32Mi" } },
            },
            {
                name: "sidecar",
                image: images.toolbox,
                command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"],
                resources: { limits: { cpu: "100m", memory: "16Mi" } },
            },
        ],
        restartPolicy: "Always",
        shareProcessNamespace: true,
    };
}
