/**
 * `podgroup recover`: brings a stack whose `pulumi up` was interrupted (killed, a CI job cancelled,
 * the host gone) back to a state the next `pulumi up` converges from, with nothing left behind:
 *
 * 1. files (file backend only): a torn attributes file (`<blob>.attrs` empty or not JSON: "failed
 *    to load checkpoint: EOF") is removed; a torn checkpoint is restored from `.bak` (or the newest
 *    backup that parses) and kept aside;
 * 2. lock (file backend only): a lock left by a `pulumi` that no longer runs is released with
 *    `pulumi cancel` (a lock whose process still runs here stops the recovery, unless forced);
 * 3. pending operations (a create the CLI started but never saw finish) are dropped from the state
 *    (`pulumi stack export`, then `pulumi stack import` without them);
 * 4. orphans: containers and volumes labelled `podgroup.io/stack=<project>/<stack>` whose ids the
 *    state does not hold are removed, so that `pulumi up` creates them again under its management;
 * 5. the state's containers that the engine no longer has are reported (`pulumi up --refresh`).
 *
 * Every step says what it found and did; `dryRun` changes nothing and says what would be done.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { LABEL_STACK } from "../components/labels";
import type { Engine, EngineObject } from "./engine";
import {
    Deployment, fileBackendDir, FileAction, inspectStack, locateStack, readLocks, repairStack, StackFiles, StackLock,
    stacksOfProject,
} from "./file-backend";
import { backendUrl, PulumiRunner, pulumiError } from "./pulumi";

/** Thrown when recovery cannot start (no such stack, no project); the message says what to do. */
export class RecoverError extends Error {}

/** Which stack: `--stack` as given (`<stack>`, `<project>/<stack>` or `organization/<project>/<stack>`) and `--cwd`. */
export interface RecoverOptions {
    stack: string;
    /** The project's directory (its Pulumi.yaml names the project when `stack` does not). */
    cwd: string;
    dryRun: boolean;
    /** Release the lock even when the process that holds it still runs on this host. */
    force: boolean;
}

/** What recovery talks to. */
export interface RecoverDeps {
    pulumi: PulumiRunner;
    engine: Engine;
    /** For `~` in a `file://~` backend URL. */
    home: string;
    hostname: string;
    isRunning: (pid: number) => boolean;
    now?: () => Date;
    /** Each step's report as soon as the step ends. */
    onStep?: (step: RecoveryStep) => void;
}

/**
 * ok: nothing to do; repaired: done; would-repair: a dry run's finding; skipped: not possible on
 * this backend; failed: the recovery stops there.
 */
export type Outcome = "ok" | "repaired" | "would-repair" | "skipped" | "failed";

/** One step of the recovery: what it found and did. */
export interface RecoveryStep {
    step: "files" | "lock" | "pending" | "orphans" | "engine";
    outcome: Outcome;
    lines: string[];
}

/** The whole recovery. */
export interface RecoveryReport {
    /** The stack as passed to `pulumi --stack`. */
    stack: string;
    project: string;
    /** `podgroup.io/stack=<project>/<stack>`. */
    label: string;
    backend: string;
    engine: string;
    dryRun: boolean;
    steps: RecoveryStep[];
    /** Changes made (or, dry run, to make) to the backend's files. */
    fileActions: FileAction[];
    /** Whether the stack was locked (undefined: not known, not a file backend). */
    wasLocked?: boolean;
    locks: StackLock[];
    /** Pending operations found (cleared unless a dry run): `<operation> <resource name> (<resource type>)`. */
    pending: string[];
    /** Objects carrying the stack's label that the state does not hold (removed unless a dry run). */
    orphans: EngineObject[];
    /** The state's containers that are not on the engine (their resource names). */
    missing: string[];
    /** No step failed. */
    ok: boolean;
}

/** `<project>/<stack>`, from `--stack` and, when it names no project, the project's Pulumi.yaml. */
export function resolveStack(stackArg: string, cwd: string): { project: string; stack: string; qualified?: string } {
    const parts = stackArg.split("/");
    if (parts.length > 3 || parts.some((p) => p === "")) {
        throw new RecoverError(`--stack ${stackArg}: expected <stack>, <project>/<stack> or ` +
            "<organization>/<project>/<stack>");
    }
    const stack = parts[parts.length - 1];
    if (parts.length >= 2) {
        return { project: parts[parts.length - 2], stack, qualified: parts.length === 3 ? stackArg : undefined };
    }
    const projectFile = ["Pulumi.yaml", "Pulumi.yml"].map((f) => path.join(cwd, f)).find((f) => fs.existsSync(f));
    if (projectFile === undefined) {
        throw new RecoverError(`no Pulumi.yaml in ${cwd}, so the stack's project is not known: run this in the ` +
            `project's directory, pass --cwd <project dir>, or name the stack <project>/${stack}`);
    }
    const name = (parseYaml(fs.readFileSync(projectFile, "utf8")) as { name?: unknown } | null)?.name;
    if (typeof name !== "string" || name === "") throw new RecoverError(`${projectFile} names no project (no 'name:')`);
    return { project: name, stack };
}

const describeLock = (l: StackLock) => (l.unreadable !== undefined
    ? `an unreadable lock file ${path.basename(l.file)} (${l.unreadable})`
    : `pid ${l.pid} of ${l.username}@${l.hostname} since ${l.timestamp}`);

const describeObject = (o: EngineObject) => (o.kind === "container"
    ? `container ${o.name} (${o.state})` : `volume ${o.name}`);

/** The last part of a URN: the resource's name. */
const resourceName = (urn: string) => urn.split("::").pop() ?? urn;

/** `pulumi stack export`'s output: the deployment and its version. */
interface ExportedState {
    version: number;
    deployment: Deployment;
}

/** A recovery in progress: the report it fills, and what the steps share. */
interface Run {
    options: RecoverOptions;
    deps: RecoverDeps;
    report: RecoveryReport;
    /** `--stack` for pulumi. */
    ref: string;
    /** The file backend's files of the stack (undefined: another backend). */
    files?: StackFiles;
    /** Records a step; false when it failed (the recovery stops). */
    step(step: RecoveryStep["step"], outcome: Outcome, ...lines: string[]): boolean;
}

/**
 * Runs the recovery of one stack. Throws {@link RecoverError} when it cannot start; a failed step
 * ends it with `ok: false`.
 */
export async function recover(options: RecoverOptions, deps: RecoverDeps): Promise<RecoveryReport> {
    const { project, stack, qualified } = resolveStack(options.stack, options.cwd);
    const backend = await backendUrl(deps.pulumi);
    const dir = fileBackendDir(backend, deps.home);
    const files = dir === undefined ? undefined : locateStack(dir, project, stack);
    if (files !== undefined && files.checkpoint === undefined) {
        throw new RecoverError(noSuchStack(files, project, stack, dir!));
    }
    // The file backend takes `organization/<project>/<stack>` from any directory; others resolve
    // `<stack>` in the project's directory.
    const projectScoped = files !== undefined && files.layout === "project";
    const ref = qualified ?? (projectScoped ? `organization/${project}/${stack}` : stack);
    const report: RecoveryReport = {
        stack: ref, project, label: `${LABEL_STACK}=${project}/${stack}`, backend, engine: deps.engine.address,
        dryRun: options.dryRun, steps: [], fileActions: [], locks: [], pending: [], orphans: [], missing: [], ok: true,
    };
    const run: Run = {
        options, deps, report, ref, files,
        step(step, outcome, ...lines) {
            const s = { step, outcome, lines };
            report.steps.push(s);
            if (outcome === "failed") report.ok = false;
            deps.onStep?.(s);
            return outcome !== "failed";
        },
    };
    const repaired = repairFiles(run);
    if (repaired === "failed" || !(await releaseLock(run))) return report;
    const deployment = await clearPendingOperations(run, repaired);
    if (deployment === undefined || !(await removeOrphans(run, deployment))) return report;
    await reportMissing(run, deployment);
    return report;
}

/**
 * Step 1. Returns "failed", or, for a dry run that found something to repair, the deployment the
 * repaired files would hold (Pulumi cannot load it before the repair).
 */
function repairFiles(run: Run): Deployment | "failed" | undefined {
    const { files, options, report } = run;
    if (files === undefined) {
        run.step("files", "skipped", `not a file backend (${report.backend}): its files are not checked`);
        return undefined;
    }
    const inspection = inspectStack(files);
    if (inspection.checkpoint?.state === "torn" && inspection.restoreFrom === undefined) {
        run.step("files", "failed",
            `the checkpoint ${files.checkpoint} is torn (${inspection.checkpoint.reason})`,
            "and no backup of it parses:",
            ...inspection.unusableCandidates.map((c) => `  ${c.file}: ${c.reason}`),
            "put a good copy of the checkpoint of your own in its place (keep the torn one), then run this again");
        return "failed";
    }
    report.fileActions = repairStack(inspection, { dryRun: options.dryRun, now: run.deps.now?.() });
    const lines = report.fileActions.map((a) => a.description);
    if (inspection.checkpoint?.state === "unchecked") {
        lines.push(`checkpoint not checked: ${inspection.checkpoint.reason}`);
    }
    const outcome = report.fileActions.length === 0 ? "ok" : options.dryRun ? "would-repair" : "repaired";
    run.step("files", outcome, ...(lines.length > 0 ? lines : ["whole"]));
    if (!options.dryRun || report.fileActions.length === 0) return undefined;
    const checkpoint = inspection.checkpoint;
    return inspection.restoreFrom?.deployment ?? (checkpoint?.state === "ok" ? checkpoint.deployment : undefined);
}

/** Step 2. False when the recovery must stop. */
async function releaseLock(run: Run): Promise<boolean> {
    const { files, options, report, deps } = run;
    if (files === undefined) {
        return run.step("lock", "skipped", "not a file backend: whether an update holds the stack is not known here;",
            "if `pulumi up` says another update is in progress and none is, run `pulumi cancel`");
    }
    report.locks = readLocks(files, deps.hostname, deps.isRunning);
    report.wasLocked = report.locks.length > 0;
    const holders = report.locks.map(describeLock).join(", ");
    const running = report.locks.filter((l) => l.holderRunning);
    if (report.locks.length === 0) return run.step("lock", "ok", "not locked");
    if (running.length > 0 && !options.force) {
        return run.step("lock", "failed",
            `locked by ${running.map(describeLock).join(", ")}, which still runs on this host:`,
            "a pulumi command is working on this stack; let it finish or stop it (and its plugins), then run this",
            "again (--force releases the lock anyway)");
    }
    if (options.dryRun) return run.step("lock", "would-repair", `locked by ${holders}: would run pulumi cancel`);
    const r = await deps.pulumi(["cancel", "--yes", "--stack", run.ref]);
    const left = readLocks(files, deps.hostname, deps.isRunning);
    if (r.code !== 0 || left.length > 0) {
        const why = r.code !== 0 ? pulumiError(r) : `${left.length} lock file(s) left`;
        return run.step("lock", "failed", `pulumi cancel did not release the lock: ${why}`);
    }
    const how = running.length > 0 ? "still running, released because of --force" : "no longer running";
    return run.step("lock", "repaired", `was locked by ${holders}, ${how}: released with pulumi cancel`);
}

/**
 * Step 3. The state's deployment (its pending operations cleared unless a dry run), or undefined
 * when the recovery must stop.
 */
async function clearPendingOperations(run: Run, fromFiles: Deployment | undefined): Promise<Deployment | undefined> {
    const { options, report, deps } = run;
    let exported: ExportedState | undefined;
    if (fromFiles === undefined) {
        const r = await deps.pulumi(["stack", "export", "--stack", run.ref]);
        if (r.code !== 0) {
            const e = pulumiError(r);
            const hint = /no stack named|not found/.test(e) ? " (is --stack right, and the backend the stack's?)" : "";
            run.step("pending", "failed", `pulumi stack export failed: ${e}${hint}`);
            return undefined;
        }
        exported = JSON.parse(r.stdout) as ExportedState;
    }
    const deployment: Deployment = fromFiles ?? exported?.deployment ?? {};
    const pending = deployment.pending_operations ?? [];
    report.pending = pending.map((p) => `${p.type} ${resourceName(p.resource.urn)} (${p.resource.type})`);
    const listed = report.pending.map((p) => `  ${p}`);
    if (pending.length === 0) {
        run.step("pending", "ok", "no pending operation");
    } else if (options.dryRun) {
        run.step("pending", "would-repair", `would clear ${pending.length} pending operation(s):`, ...listed);
    } else {
        const failure = await importWithoutPending(deps.pulumi, run.ref, exported!);
        if (failure !== undefined) {
            run.step("pending", "failed", failure);
            return undefined;
        }
        const what = `cleared ${pending.length} pending operation(s) (pulumi stack export, then import without them):`;
        run.step("pending", "repaired", what, ...listed);
    }
    return deployment;
}

/** Imports the exported state without its pending operations. Returns why it failed, or undefined. */
async function importWithoutPending(pulumi: PulumiRunner, ref: string,
    exported: ExportedState): Promise<string | undefined> {
    const state: ExportedState = { ...exported, deployment: { ...exported.deployment } };
    delete state.deployment.pending_operations;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "podgroup-recover-"));
    try {
        const file = path.join(dir, "state.json");
        fs.writeFileSync(file, JSON.stringify(state), { mode: 0o600 });
        const imported = await pulumi(["stack", "import", "--stack", ref, "--file", file]);
        return imported.code === 0 ? undefined : `pulumi stack import failed: ${pulumiError(imported)}`;
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

/** Step 4. False when the recovery must stop. */
async function removeOrphans(run: Run, deployment: Deployment): Promise<boolean> {
    const { options, report, deps } = run;
    const stateIds = new Set((deployment.resources ?? []).map((r) => r.id).filter((id): id is string => !!id));
    let labelled: EngineObject[];
    try {
        labelled = await deps.engine.labelled(report.label);
    } catch (e) {
        const why = `cannot list the objects of the engine at ${deps.engine.address}: ${(e as Error).message}`;
        return run.step("orphans", "failed", why);
    }
    // Containers before volumes: a volume is in use until its containers are gone.
    const order = (o: EngineObject) => `${o.kind === "container" ? 0 : 1}${o.name}`;
    report.orphans = labelled.filter((o) => !stateIds.has(o.id)).sort((a, b) => order(a).localeCompare(order(b)));
    const listed = report.orphans.map((o) => `  ${describeObject(o)}`);
    const what = `${report.orphans.length} object(s) the state does not hold:`;
    if (report.orphans.length === 0) {
        return run.step("orphans", "ok", `none (${labelled.length} object(s) carry the label, all in the state)`);
    }
    if (options.dryRun) return run.step("orphans", "would-repair", `would remove ${what}`, ...listed);
    const failures: string[] = [];
    for (const o of report.orphans) {
        await deps.engine.remove(o).catch((e: Error) => failures.push(`  ${describeObject(o)}: ${e.message}`));
    }
    if (failures.length > 0) return run.step("orphans", "failed", "could not remove:", ...failures);
    return run.step("orphans", "repaired", `removed ${what}`, ...listed);
}

/** Step 5: the state's containers the engine does not have (only reported: `pulumi up --refresh` re-creates them). */
async function reportMissing(run: Run, deployment: Deployment): Promise<void> {
    const { report, deps } = run;
    const inState = (deployment.resources ?? []).filter((r) => r.type === "docker:index/container:Container" && r.id);
    const onEngine = await deps.engine.containerIds().catch(() => undefined);
    if (onEngine === undefined) return;
    report.missing = inState.filter((r) => !onEngine.has(r.id!)).map((r) => resourceName(r.urn));
    if (report.missing.length === 0) {
        run.step("engine", "ok", `the state's ${inState.length} container(s) are on the engine`);
        return;
    }
    run.step("engine", "ok",
        `${report.missing.length} of the state's ${inState.length} container(s) are not on the engine:`,
        `  ${report.missing.join(", ")}`,
        "run `pulumi up --refresh` to create them again (if the stack deploys to another engine, set DOCKER_HOST",
        "to it)");
}

function noSuchStack(files: StackFiles, project: string, stack: string, dir: string): string {
    const others = stacksOfProject(files);
    const removed = fs.existsSync(`${files.stackBase}.json.bak`)
        ? ` (${files.stackBase}.json.bak exists: the stack was removed; its last state is there)` : "";
    const label = `${LABEL_STACK}=${project}/${stack}`;
    return `no stack ${project}/${stack} in the file backend ${dir}${removed}. ` +
        (others.length > 0 ? `Stacks of ${project} there: ${others.join(", ")}. ` : `No stack of ${project} there. `) +
        `What it left on the engine: docker ps -a --filter label=${label}; docker volume ls --filter label=${label}`;
}

/** The report as lines for a terminal. */
export function formatReport(r: RecoveryReport): string[] {
    const out = [
        `stack ${r.stack} (objects labelled ${r.label})${r.dryRun ? ", dry run: nothing is changed" : ""}`,
        `backend ${r.backend}; engine ${r.engine}`,
    ];
    for (const s of r.steps) {
        out.push(`${`[${s.step}]`.padEnd(10)} ${s.outcome}: ${s.lines[0] ?? ""}`);
        for (const l of s.lines.slice(1)) out.push(`${" ".repeat(11)}${l}`);
    }
    const failed = r.steps.find((s) => s.outcome === "failed");
    if (failed !== undefined) out.push(`recovery stopped at [${failed.step}]: the steps after it were not run`);
    else if (r.dryRun) out.push("dry run done: run again without --dry-run to apply");
    else out.push("the stack is ready for `pulumi up`");
    return out;
}
