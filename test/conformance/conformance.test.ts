/**
 * The conformance suite on every target (Docker, Docker + supervisor, the local Kubernetes
 * cluster; PODGROUP_CONFORMANCE_TARGETS narrows it): prints the matrix, writes
 * reports/conformance.{json,md,html}, and fails when a check fails on Kubernetes, errors anywhere
 * (an unreachable engine or cluster included: never skipped), or Docker diverges from Kubernetes
 * in a way harness/expected-divergences.json does not list.
 */
import * as path from "path";
import { allChecks, defaultTargets, renderMatrix, runSuite, SuiteReport, writeReports } from "../../harness";

const REPORT_DIR = path.resolve(__dirname, "..", "..", "reports");
const debug = process.env.PODGROUP_CONFORMANCE_DEBUG === "1";

/** The checks to run: every one, or those PODGROUP_CONFORMANCE_CHECKS names (comma-separated ids). */
function chosenChecks() {
    const all = allChecks();
    const wanted = (process.env.PODGROUP_CONFORMANCE_CHECKS ?? "").split(",").map((s) => s.trim()).filter((s) => s !== "");
    if (wanted.length === 0) return all;
    const unknown = wanted.filter((w) => !all.some((c) => c.id === w));
    if (unknown.length > 0) throw new Error(`PODGROUP_CONFORMANCE_CHECKS names unknown checks ${unknown.join(", ")} (known: ${all.map((c) => c.id).join(", ")})`);
    return all.filter((c) => wanted.includes(c.id));
}

describe("PodGroup conformance: the same checks on every runtime", () => {
    let report: SuiteReport;

    beforeAll(async () => {
        report = await runSuite({
            targets: defaultTargets(),
            checks: chosenChecks(),
            progress: (line) => process.stdout.write(`[conformance ${new Date().toISOString().slice(11, 19)}] ${line}\n`),
            debug: debug ? (line) => process.stdout.write(`[debug] ${line}\n`) : undefined,
        });
        const files = await writeReports(report, REPORT_DIR);
        process.stdout.write(`\n${renderMatrix(report)}\n\nreports: ${files.markdown}, ${files.json}, ${files.html}\n`);
    }, 40 * 60_000);

    it("reaches every target", () => {
        const unreachable = report.targets.filter((t) => t.error !== undefined).map((t) => `${t.id}: ${t.error}`);
        expect(unreachable).toEqual([]);
    });

    it("passes every check on Kubernetes, and Docker differs only where expected", () => {
        expect(report.failures).toEqual([]);
    });
});
