// Probes -> Docker healthchecks.
import { goDuration, healthcheckTest, toDockerHealthcheck } from "../../components/healthcheck";

describe("healthcheck", () => {
    it("prints durations the way Go does, as the provider reads them back", () => {
        expect([0, 1, 10, 59, 60, 90, 3600, 3725].map(goDuration)).toEqual(["0s", "1s", "10s", "59s", "1m0s", "1m30s", "1h0m0s", "1h2m5s"]);
    });

    it("runs an exec probe's command as is", () => {
        expect(healthcheckTest({ exec: { command: ["cat", "/tmp/ready"] } })).toEqual(["CMD", "cat", "/tmp/ready"]);
    });

    it("checks an httpGet probe with wget on the group's loopback", () => {
        expect(healthcheckTest({ httpGet: { port: 8080, path: "/healthz" }, timeoutSeconds: 3 }))
            .toEqual(["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/healthz"]);
        expect(healthcheckTest({ httpGet: { port: 8443, scheme: "HTTPS" } }))
            .toEqual(["CMD", "wget", "-q", "-O", "/dev/null", "https://127.0.0.1:8443/"]);
    });

    it("checks a tcpSocket probe by connecting with nc", () => {
        expect(healthcheckTest({ tcpSocket: { port: 5432 } })).toEqual(["CMD", "nc", "-w", "1", "127.0.0.1", "5432"]);
    });

    it("maps the probe's timing, with Kubernetes' defaults", () => {
        expect(toDockerHealthcheck({ tcpSocket: { port: 1 }, initialDelaySeconds: 5, periodSeconds: 120, timeoutSeconds: 2, failureThreshold: 6 }))
            .toEqual({ tests: ["CMD", "nc", "-w", "2", "127.0.0.1", "1"], interval: "2m0s", timeout: "2s", startPeriod: "5s", retries: 6 });
        expect(toDockerHealthcheck({ exec: { command: ["true"] } }))
            .toEqual({ tests: ["CMD", "true"], interval: "10s", timeout: "1s", startPeriod: "0s", retries: 3 });
    });
});
