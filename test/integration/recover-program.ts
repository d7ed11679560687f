/**
 * The Pulumi program of test/integration/recover.test.ts (its project, written per run under
 * .state/, points `main:` here): `recover:groups` bare Docker groups named `<recover:prefix>-<i>`,
 * each an emptyDir volume, a pause and one member, so that an interrupted `pulumi up` can leave
 * volumes as well as containers behind. Every object carries `podgroup.io/stack=<project>/<stack>`.
 */
import * as pulumi from "@pulumi/pulumi";
import images from "../../images/images.json";
import { PodGroup } from "../../components";

const config = new pulumi.Config("recover");
const groups = config.requireNumber("groups");
const prefix = config.require("prefix");

for (let i = 0; i < groups; i++) {
    new PodGroup(`${prefix}-${i}`, {
        backend: "docker",
        spec: {
            containers: [{
                name: "app", image: images.toolbox, command: ["sleep", "100000"],
                volumeMounts: [{ name: "scratch", mountPath: "/scratch" }],
            }],
            volumes: [{ name: "scratch", emptyDir: {} }],
            restartPolicy: "Always",
            terminationGracePeriodSeconds: 1,
        },
        // The supervisor is not what these tests are about: Docker's own restart policies do.
        docker: { supervise: false },
    });
}
