/**
 * The group both integration suites deploy: a web member (busybox httpd) that also writes a file
 * to /dev/shm, and a sidecar whose `sleep 3601` is the process the web member must see.
 */
import images from "../../images/images.json";
import { PodGroupSpec } from "../../components";

export const GROUP_PORT = 8080;
export const SHM_FILE = "/dev/shm/from-web";
export const SHM_TEXT = "written by web";

export function groupSpecUnderTest(): PodGroupSpec {
    return {
        containers: [
            {
                name: "web",
                image: images.toolbox,
                command: ["sh", "-c",
                    `echo '${SHM_TEXT}' > ${SHM_FILE} && mkdir -p /tmp/www && echo 'hello from web' > /tmp/www/index.html ` +
                    `&& exec httpd -f -p ${GROUP_PORT} -h /tmp/www`],
                ports: [{ containerPort: GROUP_PORT }],
                readinessProbe: { tcpSocket: { port: GROUP_PORT }, periodSeconds: 1 },
            },
            { name: "sidecar", image: images.toolbox, command: ["sleep", "3601"] },
        ],
        restartPolicy: "Always",
        shareProcessNamespace: true,
    };
}
