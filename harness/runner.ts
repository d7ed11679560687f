/**
 * Runs checks on targets: per target, deploys each fixture once (through the real program),
 * runs the checks that share it (read-only ones first, then the disruptive ones in order),
 * destroys it, and collects results with their evidence into a {@link SuiteReport}.
 */
import { GroupRef, RuntimeAdapter } from "./adapters/runtime-adapter";
import { Check, CheckContext, CheckFailure, Fixture, formatStatus } from "./check";
import { allChecks } from "./checks";
import { deployFixture, DeployerOptions, DeployedFixture } from "./deploy/pulumi-deployer";
import { Evidence, EvidenceEntry } from "./evidence";
import { Target } from "./targets";
import { buildMatrix, ExpectedDivergence, loadExpectedDivergences, MatrixRow, Outcome } from "./verdict";
import { DebugLog, waitFor } from "./wait";

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

export interface TargetInfo {
    id: string;
    title: string;
    kind: string;
    endpoint: string;
    version?: string;
    error?: string;
}

export interface SuiteReport {
    startedAt: string;
    durationMs: number;
    targets: TargetInfo[];
    checks: { id: string; testname: string; description: string; references: string[]; fixture: string }[];
    results: CheckResult[];
    matrix: MatrixRow[];
    /** Why the suite fails (empty when it passes). */
    failures: string[];
    notes: string[];
    expectedDivergences: ExpectedDivergence[];
    /** Per target and fixture: `pulumi up` / destroy times. */
    deployments: { target: string; fixture: string; group: string; upMs?: number; destroyMs?: number; error?: string }[];
}

export interface SuiteOptions {
    targets: Target[];
    /** Default: every check ({@link allChecks}). */
    checks?: Check[];
    /** Default: harness/expected-divergences.json. */
    expectedDivergences?: ExpectedDivergence[];
    deployer?: DeployerOptions;
    /** Fixtures deployed at once per target. Default 3. */
    concurrency?: number;
    /** Progress lines (one per deploy and check). */
    progress?: (line: string) => void;
    /** Debug lines (every poll, every CLI line). */
    debug?: DebugLog;
    /** Multiplies every time limit. Default 1. */
    timeScale?: number;
    /**
     * How a fixture gets deployed. Default: `pulumi up` of the repository's program through the
     * Automation API ({@link deployWithPulumi}).
     */
    deploy?: FixtureDeployer;
}

/** Deploys one fixture as group `groupName` on `target`. */
export type FixtureDeployer = (groupName: string, fixture: Fixture, target: Target, options: SuiteOptions) => Promise<DeployedFixture>;

/** The default {@link FixtureDeployer}: the real program, configured like a user would. */
export const deployWithPulumi: FixtureDeployer = (groupName, fixture, target, options) => deployFixture(groupName, fixture.spec,
    { ...target.stackConfig, ...(fixture.membersExit ? target.exitingFixtureConfig ?? {} : {}) },
    { ...options.deployer, envVars: { ...options.deployer?.envVars, ...target.envVars }, log: options.debug });

/** Group name of a fixture on a target: `pgc-<fixture>-<suffix>`. */
export function groupNameFor(fixture: Fixture, target: Target): string {
    return `pgc-${fixture.id}-${target.suffix}`;
}

async function pool<T>(items: T[], size: number, work: (item: T) => Promise<void>): Promise<void> {
    const queue = [...items];
    await Promise.all(Array.from({ length: Math.min(size, queue.length) }, async () => {
        for (let item = queue.shift(); item !== undefined; item = queue.shift()) {
            await work(item);
        }
    }));
}

function byFixture(checks: Check[]): Map<string, Check[]> {
    const groups = new Map<string, Check[]>();
    for (const c of checks) {
        const list = groups.get(c.fixture.id) ?? [];
        if (list.length > 0 && JSON.stringify(list[0].fixture.spec) !== JSON.stringify(c.fixture.spec)) {
            throw new Error(`checks ${list[0].id} and ${c.id} use fixture id "${c.fixture.id}" with different specs: give one another id`);
        }
        list.push(c);
        groups.set(c.fixture.id, list);
    }
    for (const list of groups.values()) {
        list.sort((a, b) => (a.disruptive ?? 0) - (b.disruptive ?? 0));
    }
    return groups;
}

async function runCheck(check: Check, adapter: RuntimeAdapter, group: GroupRef, target: Target, deployEvidence: string,
    options: SuiteOptions): Promise<CheckResult> {
    const evidence = new Evidence();
    evidence.record("deploy", `deploy ${group.name} on ${target.id}`, deployEvidence);
    const ctx = new CheckContext(adapter, group, check.fixture, target.id, evidence, options.debug ?? (() => undefined), options.timeScale ?? 1);
    const t0 = Date.now();
    let outcome: Outcome;
    let summary: string;
    let measurements: Record<string, number> | undefined;
    try {
        const obs = await check.run(ctx);
        outcome = "pass";
        summary = obs.summary;
        measurements = obs.measurements;
    } catch (e) {
        outcome = e instanceof CheckFailure ? "fail" : "error";
        summary = (e as Error).message;
        measurements = e instanceof CheckFailure ? e.observation?.measurements : undefined;
        evidence.record("note", outcome === "fail" ? "check failed" : "check could not conclude", summary);
    }
    return {
        check: check.id, testname: check.spec.testname, target: target.id, backend: target.kind, fixture: check.fixture.id, group: group.name,
        outcome, summary, durationMs: Date.now() - t0, ...(measurements !== undefined ? { measurements } : {}), evidence: evidence.entries,
    };
}

function errorResult(check: Check, target: Target, group: string, message: string): CheckResult {
    return {
        check: check.id, testname: check.spec.testname, target: target.id, backend: target.kind, fixture: check.fixture.id, group,
        outcome: "error", summary: message, durationMs: 0, evidence: [{ atMs: 0, kind: "note", command: "set-up", result: message }],
    };
}

/** Runs the suite and builds the report (it does not write files: see report/). */
export async function runSuite(options: SuiteOptions): Promise<SuiteReport> {
    const started = new Date();
    const checks = options.checks ?? allChecks();
    const progress = options.progress ?? (() => undefined);
    const debug = options.debug ?? (() => undefined);
    const divergences = options.expectedDivergences ?? loadExpectedDivergences();
    const fixtures = byFixture(checks);
    const results: CheckResult[] = [];
    const targets: TargetInfo[] = [];
    const deployments: SuiteReport["deployments"] = [];
    const cleanupFailures: string[] = [];

    for (const target of options.targets) {
        const info: TargetInfo = { id: target.id, title: target.title, kind: target.kind, endpoint: target.id };
        targets.push(info);
        let adapter: RuntimeAdapter;
        try {
            adapter = target.createAdapter(debug);
            info.endpoint = adapter.description;
            info.version = await adapter.ping();
            progress(`${target.id}: ${info.version}`);
        } catch (e) {
            info.error = (e as Error).message;
            progress(`${target.id}: UNREACHABLE: ${info.error}`);
            for (const c of checks) results.push(errorResult(c, target, "", info.error));
            continue;
        }
        let tearDown: (() => Promise<void>) | undefined;
        if (target.setUp !== undefined) {
            try {
                const prepared = await target.setUp(debug);
                tearDown = prepared.tearDown;
                info.version = `${info.version}; ${prepared.description}`;
                progress(`${target.id}: ${prepared.description}`);
            } catch (e) {
                info.error = `set-up failed: ${(e as Error).message}`;
                progress(`${target.id}: ${info.error}`);
                for (const c of checks) results.push(errorResult(c, target, "", info.error));
                continue;
            }
        }
        await pool([...fixtures.entries()], options.concurrency ?? 3, async ([fixtureId, fixtureChecks]) => {
            const fixture = fixtureChecks[0].fixture;
            const groupName = groupNameFor(fixture, target);
            const group: GroupRef = { name: groupName, ...(target.namespace !== undefined ? { namespace: target.namespace } : {}) };
            const record: SuiteReport["deployments"][number] = { target: target.id, fixture: fixtureId, group: groupName };
            deployments.push(record);
            let deployed: DeployedFixture | undefined;
            try {
                progress(`${target.id}: deploying ${groupName} (${fixtureChecks.map((c) => c.id).join(", ")})`);
                deployed = await (options.deploy ?? deployWithPulumi)(groupName, fixture, target, options);
                record.upMs = deployed.upMs;
                let ready = "";
                if (!fixture.membersExit) {
                    const members = fixture.spec.containers.map((c) => c.name);
                    const s = await waitFor(`every member of ${groupName} running`, () => adapter.status(group),
                        (st) => members.every((m) => st.containers.some((c) => c.name === m && c.state === "running")),
                        { timeoutMs: 60_000 * (options.timeScale ?? 1), intervalMs: 250, log: debug });
                    ready = `\nmembers running:\n${formatStatus(s)}`;
                }
                const deployEvidence = `stack ${deployed.stackName}: up in ${deployed.upMs} ms${ready}`;
                for (const check of fixtureChecks) {
                    progress(`${target.id}: ${check.id} ...`);
                    const r = await runCheck(check, adapter, group, target, deployEvidence, options);
                    progress(`${target.id}: ${check.id} ${r.outcome.toUpperCase()} (${r.durationMs} ms): ${r.summary}`);
                    results.push(r);
                }
            } catch (e) {
                record.error = (e as Error).message;
                progress(`${target.id}: ${groupName} could not be deployed: ${record.error}`);
                for (const c of fixtureChecks) {
                    if (!results.some((r) => r.check === c.id && r.target === target.id)) {
                        results.push(errorResult(c, target, groupName, `deploying ${groupName} failed: ${record.error}`));
                    }
                }
            } finally {
                if (deployed !== undefined) {
                    try {
                        record.destroyMs = (await deployed.destroy()).destroyMs;
                    } catch (e) {
                        cleanupFailures.push(`destroying ${groupName} on ${target.id} failed: ${(e as Error).message}`);
                    }
                }
            }
        });
        if (tearDown !== undefined) {
            await tearDown().catch((e) => cleanupFailures.push(`${target.id}: tear-down failed: ${(e as Error).message}`));
        }
        await adapter.close();
    }

    const order = checks.map((c) => c.id);
    results.sort((a, b) => order.indexOf(a.check) - order.indexOf(b.check));
    const { rows, failures, notes } = buildMatrix(results, options.targets.map((t) => t.id), divergences);
    return {
        startedAt: started.toISOString(),
        durationMs: Date.now() - started.getTime(),
        targets,
        checks: checks.map((c) => ({ id: c.id, testname: c.spec.testname, description: c.spec.description, references: c.spec.references, fixture: c.fixture.id })),
        results,
        matrix: rows,
        failures: [...failures, ...cleanupFailures],
        notes,
        expectedDivergences: divergences,
        deployments,
    };
}
