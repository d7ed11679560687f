/**
 * Runs checks on targets: per target, deploys each fixture once (a PodGroup in an inline Pulumi
 * program, on the target's own engine or cluster), runs the checks that share it (read-only
 * ones first, then the disruptive ones in order), destroys it, and collects results with their
 * evidence into a {@link SuiteReport} (harness/model: plain data, rendered by report/).
 */
import { GroupRef, RuntimeAdapter } from "./adapters/runtime-adapter";
import { Check, CheckContext, CheckFailure, Fixture, formatStatus, waitsForMembers } from "./check";
import { allChecks } from "./checks";
import { deployGroup, DeployedGroup, DeployerOptions } from "./deploy/pulumi-deployer";
import { Evidence } from "./model/evidence";
import { CheckResult, DeploymentRecord, SuiteReport, TargetInfo } from "./model/results";
import { buildMatrix, ExpectedDivergence, loadExpectedDivergences, Outcome } from "./model/verdict";
import { Target } from "./targets";
import { DebugLog, waitFor } from "./wait";

/** What to run, where, and how. */
export interface SuiteOptions {
    targets: Target[];
    /** Default: every check ({@link allChecks}). */
    checks?: Check[];
    /** Default: harness/expected-divergences.json. */
    expectedDivergences?: ExpectedDivergence[];
    /** How the Pulumi CLI is run by the default deployer. */
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
     * How a fixture gets deployed. Default: a PodGroup in an inline Pulumi program on the
     * target's destination ({@link deployWithPulumi}).
     */
    deploy?: FixtureDeployer;
}

/** Deploys one fixture as group `groupName` on `target`. */
export type FixtureDeployer = (groupName: string, fixture: Fixture, target: Target, options: SuiteOptions) => Promise<DeployedGroup>;

/**
 * The default {@link FixtureDeployer}: the fixture as a PodGroup on the engine or cluster the
 * target observes, in stack `conformance-<group>`; no readiness await (skipAwait) for groups whose
 * members exit. A group whose `pulumi up` is meant to fail is awaited on Docker, where `pulumi up`
 * fails at once on a Failed group (the kubernetes provider would wait out its timeout), so that
 * the check reads the error; its stack is kept for the checks.
 */
export const deployWithPulumi: FixtureDeployer = async (groupName, fixture, target, options) => deployGroup({
    groupName,
    spec: fixture.spec,
    destination: await target.destination(),
    skipAwait: !waitsForMembers(fixture) && !(target.kind === "docker" && (fixture.upMayFail ?? false)),
    stackName: `conformance-${groupName}`,
    keepOnFailure: !waitsForMembers(fixture),
}, { ...options.deployer, log: options.deployer?.log ?? options.debug });

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
    options: SuiteOptions, deployed: DeployedGroup): Promise<CheckResult> {
    const evidence = new Evidence();
    evidence.record("deploy", `deploy ${group.name} on ${target.id}`, deployEvidence);
    const ctx = new CheckContext(adapter, group, check.fixture, target.id, evidence, options.debug ?? (() => undefined), options.timeScale ?? 1,
        async () => (await deployed.destroy()).destroyMs, deployed.upError);
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

/** An error result for a check that could not run (unreachable target, failed deploy). */
function errorResult(check: Check, target: Target, group: string, message: string, outcome: Outcome = "error"): CheckResult {
    return {
        check: check.id, testname: check.spec.testname, target: target.id, backend: target.kind, fixture: check.fixture.id, group,
        outcome, summary: message, durationMs: 0, evidence: [{ atMs: 0, kind: "note", command: outcome === "error" ? "set-up" : "validation", result: message }],
    };
}


/** What one suite run accumulates while it goes through the targets. */
interface SuiteRun {
    options: SuiteOptions;
    checks: Check[];
    fixtures: Map<string, Check[]>;
    progress: (line: string) => void;
    debug: DebugLog;
    results: CheckResult[];
    deployments: DeploymentRecord[];
    cleanupFailures: string[];
}

/** A target that answered and is set up: its adapter and how to undo its set-up. */
interface ReadyTarget {
    target: Target;
    adapter: RuntimeAdapter;
    tearDown?: () => Promise<void>;
}

/** Runs the suite and builds the report (it does not write files: see report/). */
export async function runSuite(options: SuiteOptions): Promise<SuiteReport> {
    const started = new Date();
    const checks = options.checks ?? allChecks();
    const run: SuiteRun = {
        options, checks, fixtures: byFixture(checks),
        progress: options.progress ?? (() => undefined),
        debug: options.debug ?? (() => undefined),
        results: [], deployments: [], cleanupFailures: [],
    };
    const targets: TargetInfo[] = [];
    for (const target of options.targets) {
        targets.push(await runTarget(run, target));
    }
    return assembleReport(run, targets, started, options.expectedDivergences ?? loadExpectedDivergences());
}

/** Every fixture of the suite on one target, `concurrency` at a time; then the target's tear-down. */
async function runTarget(run: SuiteRun, target: Target): Promise<TargetInfo> {
    const info: TargetInfo = { id: target.id, title: target.title, kind: target.kind, endpoint: target.id };
    const ready = await prepareTarget(run, target, info);
    if (ready === undefined) {
        for (const c of run.checks) run.results.push(errorResult(c, target, "", info.error ?? "target not ready"));
        return info;
    }
    try {
        await pool([...run.fixtures.values()], run.options.concurrency ?? 3, (fixtureChecks) => runFixture(run, ready, fixtureChecks));
    } finally {
        if (ready.tearDown !== undefined) {
            await ready.tearDown().catch((e) => run.cleanupFailures.push(`${target.id}: tear-down failed: ${(e as Error).message}`));
        }
        await ready.adapter.close();
    }
    return info;
}

/** Reaches the target (ping) and sets it up; on failure records why in `info` and returns nothing. */
async function prepareTarget(run: SuiteRun, target: Target, info: TargetInfo): Promise<ReadyTarget | undefined> {
    let adapter: RuntimeAdapter | undefined;
    let reached = false;
    try {
        adapter = target.createAdapter(run.debug);
        info.endpoint = adapter.description;
        info.version = await adapter.ping();
        run.progress(`${target.id}: ${info.version}`);
        if (target.setUp === undefined) return { target, adapter };
        reached = true;
        const prepared = await target.setUp(run.debug);
        info.version = `${info.version}; ${prepared.description}`;
        run.progress(`${target.id}: ${prepared.description}`);
        return { target, adapter, tearDown: prepared.tearDown };
    } catch (e) {
        info.error = reached ? `set-up failed: ${(e as Error).message}` : (e as Error).message;
        run.progress(`${target.id}: ${reached ? "" : "UNREACHABLE: "}${info.error}`);
        await adapter?.close().catch(() => undefined);
        return undefined;
    }
}

/** Deploys one fixture, waits for its members, runs the checks sharing it, and destroys it. */
async function runFixture(run: SuiteRun, ready: ReadyTarget, fixtureChecks: Check[]): Promise<void> {
    const { target, adapter } = ready;
    const fixture = fixtureChecks[0].fixture;
    const groupName = groupNameFor(fixture, target);
    const group: GroupRef = { name: groupName, ...(target.namespace !== undefined ? { namespace: target.namespace } : {}) };
    const record: DeploymentRecord = { target: target.id, fixture: fixture.id, group: groupName };
    run.deployments.push(record);
    const unsupported = target.unsupported?.(fixture, groupName);
    if (unsupported !== undefined) {
        record.error = `not deployed: ${unsupported}`;
        run.progress(`${target.id}: ${groupName} UNSUPPORTED: ${unsupported}`);
        for (const c of fixtureChecks) run.results.push(errorResult(c, target, groupName, `unsupported on ${target.id}: ${unsupported}`, "unsupported"));
        return;
    }
    let deployed: DeployedGroup | undefined;
    try {
        run.progress(`${target.id}: deploying ${groupName} (${fixtureChecks.map((c) => c.id).join(", ")})`);
        deployed = await (run.options.deploy ?? deployWithPulumi)(groupName, fixture, target, run.options);
        record.upMs = deployed.upMs;
        if (deployed.upError !== undefined) {
            record.error = `pulumi up failed (expected by the fixture, stack kept): ${deployed.upError}`;
        }
        const ready = waitsForMembers(fixture) ? await membersRunning(run, adapter, group, fixture) : "";
        const deployEvidence = `stack ${deployed.stackName}: up in ${deployed.upMs} ms${deployed.upError !== undefined ? `, FAILED (the fixture expects it): ${deployed.upError}` : ""}${ready}`;
        for (const check of fixtureChecks) {
            run.progress(`${target.id}: ${check.id} ...`);
            const r = await runCheck(check, adapter, group, target, deployEvidence, run.options, deployed);
            run.progress(`${target.id}: ${check.id} ${r.outcome.toUpperCase()} (${r.durationMs} ms): ${r.summary}`);
            run.results.push(r);
        }
    } catch (e) {
        record.error = (e as Error).message;
        run.progress(`${target.id}: ${groupName} could not be deployed: ${record.error}`);
        for (const c of fixtureChecks.filter((c) => !run.results.some((r) => r.check === c.id && r.target === target.id))) {
            run.results.push(errorResult(c, target, groupName, `deploying ${groupName} failed: ${record.error}`));
        }
    } finally {
        if (deployed !== undefined) {
            await deployed.destroy().then((d) => { record.destroyMs = d.destroyMs; },
                (e) => run.cleanupFailures.push(`destroying ${groupName} on ${target.id} failed: ${(e as Error).message}`));
        }
    }
}

/** Waits until every member of the fixture runs; returns that status as deploy evidence. */
async function membersRunning(run: SuiteRun, adapter: RuntimeAdapter, group: GroupRef, fixture: Fixture): Promise<string> {
    const members = fixture.spec.containers.map((c) => c.name);
    const s = await waitFor(`every member of ${group.name} running`, () => adapter.status(group),
        (st) => members.every((m) => st.containers.some((c) => c.name === m && c.state === "running")),
        { timeoutMs: 60_000 * (run.options.timeScale ?? 1), intervalMs: 250, log: run.debug });
    return `\nmembers running:\n${formatStatus(s)}`;
}

/** The report: results in check order, the matrix and verdict, and what was deployed. */
function assembleReport(run: SuiteRun, targets: TargetInfo[], started: Date, divergences: ExpectedDivergence[]): SuiteReport {
    const order = run.checks.map((c) => c.id);
    const results = [...run.results].sort((a, b) => order.indexOf(a.check) - order.indexOf(b.check));
    const { rows, failures, notes } = buildMatrix(results, run.options.targets.map((t) => t.id), divergences);
    return {
        startedAt: started.toISOString(),
        durationMs: Date.now() - started.getTime(),
        targets,
        checks: run.checks.map((c) => ({ id: c.id, testname: c.spec.testname, description: c.spec.description, references: c.spec.references, fixture: c.fixture.id })),
        results,
        matrix: rows,
        failures: [...failures, ...run.cleanupFailures],
        notes,
        expectedDivergences: divergences,
        deployments: run.deployments,
    };
}
