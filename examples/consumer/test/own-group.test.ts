/**
 * Your own group, checked on each runtime: the harness deploys it (a PodGroup, through Pulumi)
 * on every target before the tests and destroys it after, and the tests talk to its containers
 * through the target's adapter. Here: a web server and a client in one group reach each other on
 * localhost; the same assertion does not hold when they are in two groups.
 *
 * Needs a Docker engine with the project's images, and the Pulumi CLI and docker provider plugin
 * (PULUMI_HOME, PULUMI_BACKEND_URL, PULUMI_CONFIG_PASSPHRASE set, e.g. by PodGroup's
 * scripts/lib/common.sh). Add `kubernetesTarget({ kubeconfig })` to `targets` to run the same
 * tests on a cluster.
 */
import { PodGroupSpec } from "podgroup";
import { describeOnTargets, dockerSupervisorTarget, dockerTarget, GroupOnTarget } from "podgroup/harness";

/** Any image with a shell, busybox httpd and nc: the toolbox image PodGroup's set-up builds. */
const IMAGE = "podgroup/toolbox:1.0.0";
const PORT = 8080;
const BODY = "hello-from-web";

const web = {
    name: "web",
    image: IMAGE,
    command: ["sh", "-c", `mkdir -p /tmp/www && echo ${BODY} > /tmp/www/index.html && exec httpd -f -p ${PORT} -h /tmp/www`],
};
const client = { name: "client", image: IMAGE, command: ["sleep", "100000"] };
const group = (containers: PodGroupSpec["containers"]): PodGroupSpec => ({ containers, terminationGracePeriodSeconds: 2 });

/** What `container` of `g` gets from http://localhost:8080/ (empty when nothing answers). */
async function fromLocalhost(g: GroupOnTarget, container: string): Promise<string> {
    const r = await g.exec(container, ["sh", "-c", `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 5 localhost ${PORT}`]);
    return r.stdout.split("\n").map((l) => l.trim()).filter((l) => l !== "").pop() ?? "";
}

// Docker + supervisor: the supervisor starts the containers; `pulumi up` waits for it through the
// package's lifecycle resource, whose code Pulumi serialises from the installed package.
const targets = [dockerTarget(), dockerSupervisorTarget()];

describeOnTargets("web and client in one group", { groupName: "shop", spec: group([web, client]) }, (shop) => {
    it("client reaches web on localhost", async () => {
        expect(await fromLocalhost(shop, "client")).toBe(BODY);
    });

    it("web and client are in one network namespace", async () => {
        const ns = async (c: string) => (await shop.exec(c, ["readlink", "/proc/self/ns/net"])).stdout.trim();
        expect(await ns("client")).toBe(await ns("web"));
    });

    it("runs every member", async () => {
        const status = await shop.status();
        expect(status.phase).toBe("Running");
        expect(status.containers.filter((c) => c.role === "member").map((c) => [c.name, c.state]))
            .toEqual([["web", "running"], ["client", "running"]]);
    });
}, { targets });

describeOnTargets("web in a group of its own", { groupName: "web-alone", spec: group([web]) }, (alone) => {
    it("serves on its own localhost", async () => {
        expect(await fromLocalhost(alone, "web")).toBe(BODY);
    });

    // The client's own group, on the same target, deployed while web's group runs.
    describeOnTargets("and client in another group", { groupName: "client-alone", spec: group([client]) }, (other) => {
        it("client does not reach web on localhost", async () => {
            expect(await fromLocalhost(other, "client")).not.toBe(BODY);
        });
    }, { targets: [alone.target] });
}, { targets });
