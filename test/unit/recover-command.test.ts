// `podgroup recover` end to end on a temporary file backend, with a fake `pulumi` (cancel, stack
// export and import, as the CLI does them on that backend) and a fake engine: what each step finds,
// does, and leaves alone; the dry run; the refusals; the command line and its packaging.
import * as fs from "fs";
import * as path from "path";
import { CliIo, runCli } from "../../cli/commands";
import { recover, RecoverDeps, RecoverError, RecoveryReport } from "../../cli/recover";
import { LABEL_STACK } from "../../components/labels";
import {
    checkpointJson, CONTAINER, FakeBackend, FakeEngine, FakePulumi, GROUP_RESOURCES, PROJECT, STACK, urn,
} from "./recover-fixtures";

const ROOT = path.resolve(__dirname, "..", "..");
const OWN = { [LABEL_STACK]: `${PROJECT}/${STACK}` };
const PROD = { [LABEL_STACK]: `${PROJECT}/prod` };
const ALL_DONE = ["files repaired", "lock repaired", "pending repaired", "orphans repaired", "engine ok"];
const DEAD_PID = 999_999_999;

/** The engine after a killed `pulumi up`: the state's objects, two orphans of the stack, another stack's container. */
function engineAfterKill(): FakeEngine {
    return new FakeEngine([
        { kind: "volume", id: "g-scratch", name: "g-scratch", labels: OWN },
        { kind: "container", id: "c".repeat(64), name: "g_POD", state: "running", labels: OWN },
        { kind: "container", id: "d".repeat(64), name: "g_web", state: "running", labels: OWN },
        // Created by the killed update, never recorded in the state.
        { kind: "container", id: "e".repeat(64), name: "h_POD", state: "running", labels: OWN },
        { kind: "volume", id: "h-scratch", name: "h-scratch", labels: OWN },
        // Same project, another stack; and an unlabelled container.
        { kind: "container", id: "f".repeat(64), name: "g_POD-prod", state: "running", labels: PROD },
        { kind: "container", id: "a".repeat(64), name: "unrelated", state: "exited", labels: {} },
    ]);
}

/** The backend after a killed `pulumi up`: pending creates, a lock of a pid that is gone, an empty sidecar. */
function backendAfterKill(backend: FakeBackend): void {
    backend.healthyStack();
    const pending = [{ type: "creating", urn: urn(CONTAINER, "h-pause"), resourceType: CONTAINER }];
    backend.blob(`${backend.stackBase}.json`, checkpointJson(GROUP_RESOURCES, pending), "");
    backend.lock({ pid: DEAD_PID, username: "root", hostname: "vm", timestamp: "2026-12-06T04:20:08Z" });
}

describe("podgroup recover", () => {
    let backend: FakeBackend;
    let pulumi: FakePulumi;
    let engine: FakeEngine;
    const deps = (extra: Partial<RecoverDeps> = {}): RecoverDeps => ({
        pulumi: pulumi.run, engine, home: "/root", hostname: "vm", isRunning: () => false,
        now: () => new Date("2026-12-06T04:21:00Z"), ...extra,
    });
    const options = { stack: `${PROJECT}/${STACK}`, cwd: "/nonexistent", dryRun: false, force: false };
    const outcomes = (r: RecoveryReport) => r.steps.map((s) => `${s.step} ${s.outcome}`);
    beforeEach(() => {
        backend = new FakeBackend();
        pulumi = new FakePulumi(backend);
        engine = engineAfterKill();
    });
    afterEach(() => backend.remove());

    it("after a killed pulumi up: repairs the sidecar, frees the lock, clears pending, removes orphans", async () => {
        backendAfterKill(backend);
        // What the user saw before: every stack command failed.
        expect((await pulumi.run(["stack", "export"])).stderr).toBe("error: failed to load checkpoint: EOF");
        pulumi.calls.length = 0;
        const report = await recover(options, deps());
        expect(outcomes(report)).toEqual(ALL_DONE);
        expect(report.ok).toBe(true);
        expect(report.stack).toBe(`organization/${PROJECT}/${STACK}`);
        expect(report.fileActions.map((a) => a.action)).toEqual(["remove-torn-attributes"]);
        expect(report.wasLocked).toBe(true);
        expect(report.pending).toEqual([`creating h-pause (${CONTAINER})`]);
        expect(report.orphans.map((o) => `${o.kind} ${o.name}`)).toEqual(["container h_POD", "volume h-scratch"]);
        // Containers before volumes; nothing of another stack, nothing unlabelled, nothing in the state.
        expect(engine.removed).toEqual(["container h_POD", "volume h-scratch"]);
        expect(pulumi.calls.map((c) => c.slice(0, 2).join(" ")))
            .toEqual(["whoami --json", "cancel --yes", "stack export", "stack import"]);
        expect(pulumi.calls[1]).toEqual(["cancel", "--yes", "--stack", `organization/${PROJECT}/${STACK}`]);
        // The state Pulumi now loads has no pending operation and every resource it had.
        type Exported = { deployment: { pending_operations?: unknown[]; resources: unknown[] } };
        const after = JSON.parse((await pulumi.run(["stack", "export"])).stdout) as Exported;
        expect(after.deployment.pending_operations).toBeUndefined();
        expect(after.deployment.resources).toEqual(GROUP_RESOURCES);
        expect(fs.existsSync(backend.lockDir) ? fs.readdirSync(backend.lockDir) : []).toEqual([]);
        // Run again: nothing left to do.
        const again = await recover(options, deps());
        expect(outcomes(again)).toEqual(["files ok", "lock ok", "pending ok", "orphans ok", "engine ok"]);
        expect(again.wasLocked).toBe(false);
    });

    it("--dry-run says the same and changes nothing: no file, no lock, no state, no container", async () => {
        backendAfterKill(backend);
        const before = backend.snapshot();
        const report = await recover({ ...options, dryRun: true }, deps());
        expect(outcomes(report)).toEqual(ALL_DONE.map((o) => o.replace("repaired", "would-repair")));
        expect(report.pending).toEqual([`creating h-pause (${CONTAINER})`]);
        expect(report.orphans.map((o) => o.name)).toEqual(["h_POD", "h-scratch"]);
        expect(backend.snapshot()).toEqual(before);
        expect(engine.removed).toEqual([]);
        // The state could not be loaded before the repair: the dry run read the checkpoint itself.
        expect(pulumi.calls.map((c) => c[0])).toEqual(["whoami"]);
    });

    it("a lock whose pulumi still runs here stops the recovery before any change; --force releases it", async () => {
        backendAfterKill(backend);
        fs.writeFileSync(`${backend.stackBase}.json.attrs`, "{}");
        const report = await recover(options, deps({ isRunning: (pid) => pid === DEAD_PID }));
        expect(outcomes(report)).toEqual(["files ok", "lock failed"]);
        expect(report.ok).toBe(false);
        expect(report.steps[1].lines[0]).toContain(`pid ${DEAD_PID} of root@vm`);
        expect(pulumi.calls.map((c) => c[0])).toEqual(["whoami"]);
        expect(engine.removed).toEqual([]);
        const forced = await recover({ ...options, force: true }, deps({ isRunning: (pid) => pid === DEAD_PID }));
        expect(outcomes(forced)).toEqual(["files ok", ...ALL_DONE.slice(1)]);
        expect(forced.steps[1].lines[0]).toContain("still running, released because of --force");
    });

    it("a torn checkpoint is restored from .bak; what the older state lacks on the engine is an orphan", async () => {
        backend.healthyStack();
        fs.writeFileSync(`${backend.stackBase}.json`, "{\"version\":3,\"checkp");
        const report = await recover(options, deps());
        expect(outcomes(report)).toEqual(["files repaired", "lock ok", "pending ok", "orphans repaired", "engine ok"]);
        expect(report.fileActions.map((a) => a.action)).toEqual(["restore-checkpoint"]);
        // The .bak is one save older: it does not hold the member, so its container goes and `pulumi up` re-creates it.
        expect(engine.removed).toEqual(["container g_web", "container h_POD", "volume h-scratch"]);
        expect(fs.readdirSync(backend.stackDir).filter((f) => f.includes(".torn-"))).toEqual([
            `${STACK}.json.torn-20261206T042100Z`, `${STACK}.json.torn-20261206T042100Z.attrs`]);
    });

    it("a torn checkpoint with no usable backup stops at [files] and changes nothing", async () => {
        backend.blob(`${backend.stackBase}.json`, "");
        const before = backend.snapshot();
        const report = await recover(options, deps());
        expect(outcomes(report)).toEqual(["files failed"]);
        expect(report.steps[0].lines.join("\n")).toContain("put a good copy of the checkpoint");
        expect(backend.snapshot()).toEqual(before);
        expect(engine.removed).toEqual([]);
    });

    it("reports the state's containers the engine no longer has", async () => {
        backend.healthyStack();
        engine.objects = engine.objects.filter((o) => o.name !== "g_web");
        const report = await recover(options, deps());
        expect(report.missing).toEqual(["g-member-web"]);
        expect(report.steps.find((s) => s.step === "engine")?.lines.join(" ")).toContain("pulumi up --refresh");
        expect(report.ok).toBe(true);
    });

    it("not a file backend: the file and lock steps say they were skipped; pending and orphans still run", async () => {
        backend.healthyStack();
        pulumi = new FakePulumi(backend, "https://api.pulumi.com");
        const report = await recover(options, deps());
        expect(outcomes(report))
            .toEqual(["files skipped", "lock skipped", "pending ok", "orphans repaired", "engine ok"]);
        expect(report.wasLocked).toBeUndefined();
        // `<stack>` resolved by pulumi in the project's directory.
        expect(pulumi.calls.find((c) => c[0] === "stack")).toEqual(["stack", "export", "--stack", STACK]);
    });

    it("no such stack: an error naming the backend and the project's stacks there; nothing is touched", async () => {
        backend.healthyStack();
        await expect(recover({ ...options, stack: `${PROJECT}/nope` }, deps())).rejects.toThrow(RecoverError);
        await expect(recover({ ...options, stack: `${PROJECT}/nope` }, deps())).rejects.toThrow(
            `no stack ${PROJECT}/nope in the file backend ${backend.dir}. Stacks of ${PROJECT} there: ${STACK}.`);
        expect(engine.removed).toEqual([]);
    });

    it("the project comes from --stack or the Pulumi.yaml of --cwd, else an error says how to name it", async () => {
        backend.healthyStack();
        const project = fs.mkdtempSync(path.join(backend.dir, "project-"));
        fs.writeFileSync(path.join(project, "Pulumi.yaml"), `name: ${PROJECT}\nruntime: nodejs\n`);
        const report = await recover({ ...options, stack: STACK, cwd: project }, deps());
        expect(report.label).toBe(`${LABEL_STACK}=${PROJECT}/${STACK}`);
        await expect(recover({ ...options, stack: STACK, cwd: backend.dir }, deps()))
            .rejects.toThrow(`no Pulumi.yaml in ${backend.dir}`);
        await expect(recover({ ...options, stack: "a/b/c/d" }, deps())).rejects.toThrow(/expected <stack>/);
    });

    it("an engine that cannot be reached fails [orphans] and says where it looked", async () => {
        backend.healthyStack();
        engine.labelled = async () => { throw new Error("connect ENOENT /fake/docker.sock"); };
        const report = await recover(options, deps());
        expect(outcomes(report)).toEqual(["files ok", "lock ok", "pending ok", "orphans failed"]);
        expect(report.steps[3].lines[0])
            .toBe(`cannot list the objects of the engine at ${engine.address}: connect ENOENT /fake/docker.sock`);
    });
});

describe("the podgroup command line", () => {
    const io = () => {
        const out: string[] = [];
        const err: string[] = [];
        const value: CliIo & { out_: string[]; err_: string[] } = {
            out: (l) => out.push(l), err: (l) => err.push(l), env: {}, cwd: "/", out_: out, err_: err,
        };
        return value;
    };

    it("dispatches subcommands; usage errors exit 2 and say what is wrong", async () => {
        const none = io();
        expect(await runCli([], none)).toBe(2);
        expect(none.err_[0]).toBe("usage: podgroup <command> [options]");
        expect(none.err_.join("\n")).toMatch(/recover +repair a stack/);
        const unknown = io();
        expect(await runCli(["describe"], unknown)).toBe(2);
        expect(unknown.err_[0]).toBe("podgroup: unknown command 'describe'");
        const help = io();
        expect(await runCli(["recover", "--help"], help)).toBe(0);
        expect(help.out_[0])
            .toBe("usage: podgroup recover --stack <stack> [--cwd <project dir>] [--dry-run] [--force]");
        const noStack = io();
        expect(await runCli(["recover"], noStack)).toBe(2);
        expect(noStack.err_[0]).toBe("podgroup recover: --stack is required");
        const badOption = io();
        expect(await runCli(["recover", "--stack", "dev", "--yes"], badOption)).toBe(2);
        expect(badOption.err_[0]).toMatch(/Unknown option '--yes'/);
        const version = io();
        expect(await runCli(["--version"], version)).toBe(0);
        expect(version.out_).toEqual([JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).version]);
    });

    it("is the package's bin: `podgroup` is dist/cli/main.js, built from cli/main.ts with a shebang", () => {
        const read = (f: string) => JSON.parse(fs.readFileSync(path.join(ROOT, f), "utf8")) as unknown;
        const pkg = read("package.json") as { bin: Record<string, string>; files: string[] };
        expect(pkg.bin).toEqual({ podgroup: "dist/cli/main.js" });
        const build = read("tsconfig.build.json") as { include: string[]; compilerOptions: { outDir: string } };
        expect(build.include).toContain("cli/**/*.ts");
        expect(build.compilerOptions.outDir).toBe("dist");
        expect(pkg.files).toContain("dist/");
        expect(fs.readFileSync(path.join(ROOT, "cli", "main.ts"), "utf8").split("\n")[0]).toBe("#!/usr/bin/env node");
    });
});
