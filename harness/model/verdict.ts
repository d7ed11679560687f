/**
 * Compares each target's outcomes with Kubernetes' and decides what fails the suite: a check
 * that does not pass on Kubernetes, an error anywhere (a runtime that cannot be reached or a
 * check that could not conclude), and a divergence from Kubernetes not listed in the expected
 * divergences file.
 */
import { readFileSync } from "fs";
import shipped from "../expected-divergences.json";

/**
 * How a check ended on a target: its property held, did not hold, could not be decided, or the
 * target refuses the fixture's spec (e.g. native sidecars on Docker without the supervisor: the
 * PodGroup's preview error is the result's summary). Unsupported differs from Kubernetes' pass
 * like a fail does, so it has to be listed as an expected divergence.
 */
export type Outcome = "pass" | "fail" | "error" | "unsupported";

/** The target every other target is compared with: a real Kubernetes cluster. */
export const REFERENCE_TARGET_ID = "kubernetes";

/** One listed, explained difference between a target and Kubernetes. */
export interface ExpectedDivergence {
    check: string;
    target: string;
    /** Why Docker behaves so. */
    reason: string;
    /** Where it is documented (moby issue numbers, docs). */
    references: string[];
}

/** How a target's cell compares with Kubernetes. */
export type Comparison = "reference" | "agree" | "differ-expected" | "differ-unexpected" | "error";

/** One cell of the matrix: a check's outcome on a target and how it compares with Kubernetes. */
export interface Cell {
    outcome: Outcome;
    summary: string;
    comparison: Comparison;
    divergence?: ExpectedDivergence;
}

/** One row of the matrix: a check, with a cell per target it ran on. */
export interface MatrixRow {
    check: string;
    testname: string;
    cells: Record<string, Cell>;
}

/** What the verdict needs of a result (a {@link CheckResult} has it). */
export interface ResultLike {
    check: string;
    testname: string;
    target: string;
    outcome: Outcome;
    summary: string;
}

/**
 * The expected divergences: the list shipped with the harness (harness/expected-divergences.json,
 * compiled in, so it is there in an installed package too), or your own file of the same shape.
 */
export function loadExpectedDivergences(file?: string): ExpectedDivergence[] {
    const parsed = (file === undefined ? shipped : JSON.parse(readFileSync(file, "utf8"))) as { divergences: ExpectedDivergence[] };
    return parsed.divergences;
}

/**
 * Compares every target's results with the reference's: the matrix, what fails the suite, and
 * notes (a listed divergence that no longer occurs).
 */
export function buildMatrix(results: ResultLike[], targets: string[], divergences: ExpectedDivergence[]):
    { rows: MatrixRow[]; failures: string[]; notes: string[] } {
    const failures: string[] = [];
    const notes: string[] = [];
    const checks = [...new Map(results.map((r) => [r.check, r.testname])).entries()];
    const rows = checks.map(([check, testname]) => {
        const cells: Record<string, Cell> = {};
        const ref = results.find((r) => r.check === check && r.target === REFERENCE_TARGET_ID);
        for (const target of targets) {
            const r = results.find((x) => x.check === check && x.target === target);
            if (r === undefined) continue;
            const listed = divergences.find((d) => d.check === check && d.target === target);
            let comparison: Comparison;
            if (r.outcome === "error") {
                comparison = "error";
                failures.push(`${check} on ${target}: error: ${r.summary}`);
            } else if (target === REFERENCE_TARGET_ID) {
                comparison = "reference";
                if (r.outcome !== "pass") {
                    failures.push(`${check} fails on Kubernetes: ${r.summary}`);
                }
            } else {
                // Without a Kubernetes result, the check's own verdict stands for Kubernetes' behaviour.
                const refOutcome: Outcome = ref !== undefined && ref.outcome !== "error" ? ref.outcome : "pass";
                if (r.outcome === refOutcome) {
                    comparison = "agree";
                    if (listed !== undefined) {
                        notes.push(`${check} on ${target} agrees with Kubernetes although listed as an expected divergence: remove it from harness/expected-divergences.json`);
                    }
                } else if (listed !== undefined) {
                    comparison = "differ-expected";
                } else {
                    comparison = "differ-unexpected";
                    failures.push(`${check} on ${target} differs from Kubernetes and is not an expected divergence: ${r.summary}`);
                }
            }
            cells[target] = { outcome: r.outcome, summary: r.summary, comparison, ...(listed !== undefined ? { divergence: listed } : {}) };
        }
        return { check, testname, cells };
    });
    return { rows, failures, notes };
}
