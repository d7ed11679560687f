/**
 * What a suite run produces, as plain data: one result per check and target with its evidence,
 * the targets reached, the deployments made, and the report that bundles them with the verdict.
 * No runtime here: reports are rendered from these types alone.
 */
import { EvidenceEntry } from "./evidence";
import { ExpectedDivergence, MatrixRow, Outcome } from "./verdict";

/** One check's outcome on one target, with what it observed and the evidence behind it. */
export interface CheckResult {
    check: string;
    testname: string;
    /** Target id (the matrix column): docker, docker+supervisor, kubernetes. */
    target: string;
    /** The backend the group ran on: docker or kubernetes. */
    backend: string;
    fixture: string;
    group: string;
    outcome: Outcome;
    /** What was observed (pass) or what went wrong (fail, error). */
    summary: string;
    durationMs: number;
    measurements?: Record<string, number>;
    evidence: EvidenceEntry[];
}

/** A target as the report shows it: where it was, what answered, or why it could not be reached. */
export interface TargetInfo {
    id: string;
    title: string;
    kind: string;
    endpoint: string;
    version?: string;
    error?: string;
}

/** A check's written specification as the report lists it. */
export interface CheckInfo {
    id: string;
    testname: string;
    description: string;
    references: string[];
    fixture: string;
}

/** One fixture deployed on one target: `pulumi up` and destroy times, or why it failed. */
export interface DeploymentRecord {
    target: string;
    fixture: string;
    group: string;
    upMs?: number;
    destroyMs?: number;
    error?: string;
}

/** Everything one run of the suite found: what report/ renders and what decides pass or fail. */
export interface SuiteReport {
    startedAt: string;
    durationMs: number;
    targets: TargetInfo[];
    checks: CheckInfo[];
    results: CheckResult[];
    matrix: MatrixRow[];
    /** Why the suite fails (empty when it passes). */
    failures: string[];
    notes: string[];
    expectedDivergences: ExpectedDivergence[];
    /** Per target and fixture: `pulumi up` / destroy times. */
    deployments: DeploymentRecord[];
}
