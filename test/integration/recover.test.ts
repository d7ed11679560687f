/**
 * `podgroup recover` on the real engine with the real Pulumi CLI, run as users run it: the package's
 * command (built from cli/ into this run's directory) as a process of its own.
 *
 * - `pulumi up` of 3 groups (each an emptyDir volume, a pause and a member: 6 containers, 3
 *   volumes) SIGKILLed at several points: at the update's first checkpoint save, after 1, 3 and all
 *   6 containers exist. Each time: the recovery, then `pulumi up` converges (every container of the
 *   stack in the state and running, every volume in the state, nothing else carrying the stack's
 *   label), then `pulumi destroy` leaves nothing.
 * - A torn `<stack>.json.attrs` (emptied here after a successful up, as a killed write leaves it):
 *   `pulumi preview` fails with "failed to load checkpoint"; after the recovery it works, and a
 *   container and a volume of the stack the state does not hold are gone. Then a torn checkpoint:
 *   restored from `.bak` (a dry run first changes nothing), and `pulumi up` converges.
 *
 * Stacks live in a file backend of this run's own (under .state/), so that torn files never reach
 * another test's stacks; whatever a test leaves is removed by the stack's label, even when it fails.
 */
import { ChildProcess, execFile, spawn } from "child_process";
import Docker from "dockerode";
import * as fs from "fs";
import * as path from "path";
import { promisify } from "util";
import images from "../../images/images.json";
import { LABEL_STACK } from "../../components/labels";
import { descendants, removeLabelled, stopPlugins } from "./interrupted-up";
import { waitFor } from "./supervisor-engine";

const execFileAsync = promisify(execFile);
const REPO = path.resolve(__dirname, "../..");
const PROJECT = "podgroup-recover-it";
/** Short and unique per run: group names are DNS labels. */
const RUN = `${process.pid.toString(36)}${Date.now().toString(36).slice(-3)}`;
const WORK = path.join(REPO, ".state", `recover-it-${RUN}`);
const BACKEND = path.join(WORK, "backend");
/** The project: Pulumi.yaml (main: test/integration/recover-program.ts) and the stacks' config files. */
const PROJECT_DIR = path.join(WORK, "project");
const CLI = path.join(WORK, "dist", "cli", "main.js");
const GROUPS = 3;
const CONTAINERS = GROUPS * 2;
const ENV: NodeJS.ProcessEnv = {
    ...process.env,
    PULUMI_BACKEND_URL: `file://${BACKEND}`,
    PULUMI_CONFIG_PASSPHRASE: process.env.PULUMI_CONFIG_PASSPHRASE ?? "podgroup-local-stacks",
    // The program is type-checked by `tsc --noEmit`; ts-node need not do it again at every up.
    PULUMI_NODEJS_TRANSPILE_ONLY: "true",
};

const engine = new Docker();

interface Run { code: number; out: string }

/** Runs a command in the project's directory; its exit code and output (stdout, then stderr); never throws. */
async function run(file: string, args: string[], timeoutMs = 120_000): Promise<Run> {
    type Failed = { code?: number; stdout?: string; stderr?: string };
    return execFileAsync(file, args, { cwd: PROJECT_DIR, env: ENV, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 })
        .then(({ stdout, stderr }) => ({ code: 0, out: stdout + stderr }),
            (e: Failed) => ({ code: e.code ?? 1, out: `${e.stdout ?? ""}${e.stderr ?? ""}` }));
}

/** `pulumi --non-interactive <args> --stack <stack>`. */
const pulumi = (stack: string, args: string[]) => run("pulumi", ["--non-interactive", ...args, "--stack", stack]);

/** `podgroup recover --stack <stack> <args>`, as a user runs it. */
const recoverCommand = (stack: string, args: string[] = []) =>
    run(process.execPath, [CLI, "recover", "--stack", stack, ...args]);

const label = (stack: string) => `${LABEL_STACK}=${PROJECT}/${stack}`;
const STACKS_REL = `.pulumi/stacks/${PROJECT}`;
const STACKS_DIR = path.join(BACKEND, STACKS_REL);
const stackFile = (stack: string, suffix = "") => path.join(STACKS_DIR, `${stack}.json${suffix}`);
const lockDir = (stack: string) => path.join(BACKEND, ".pulumi", "locks", "organization", PROJECT, stack);

async function labelled(stack: string): Promise<{ containers: Docker.ContainerInfo[]; volumes: string[] }> {
    const filters = JSON.stringify({ label: [label(stack)] });
    return {
        containers: await engine.listContainers({ all: true, filters }),
        volumes: ((await engine.listVolumes({ filters })).Volumes ?? []).map((v) => v.Name),
    };
}

interface State { ids: Set<string>; containers: number; volumes: number; pending: number }

async function state(stack: string): Promise<State> {
    const r = await pulumi(stack, ["stack", "export"]);
    if (r.code !== 0) throw new Error(`pulumi stack export failed: ${r.out}`);
    type Exported = { deployment: { resources?: { type: string; id?: string }[]; pending_operations?: unknown[] } };
    const d = (JSON.parse(r.out) as Exported).deployment;
    const resources = d.resources ?? [];
    return {
        ids: new Set(resources.map((x) => x.id).filter((id): id is string => !!id)),
        containers: resources.filter((x) => x.type === "docker:index/container:Container").length,
        volumes: resources.filter((x) => x.type === "docker:index/volume:Volume").length,
        pending: (d.pending_operations ?? []).length,
    };
}

/** Objects carrying the stack's label that the state does not hold. */
async function orphans(stack: string): Promise<string[]> {
    const { ids } = await state(stack);
    const { containers, volumes } = await labelled(stack);
    return [...containers.filter((c) => !ids.has(c.Id)).map((c) => `container ${c.Names[0]}`),
        ...volumes.filter((v) => !ids.has(v)).map((v) => `volume ${v}`)];
}

/** Every container of the stack in the state and running, every volume in the state, nothing else labelled. */
async function expectConverged(stack: string): Promise<void> {
    const s = await state(stack);
    const { containers, volumes } = await labelled(stack);
    expect(containers.map((c) => `${c.Names[0]} ${c.State}`).sort())
        .toEqual(containers.map((c) => `${c.Names[0]} running`).sort());
    expect({ containers: containers.length, volumes: volumes.length })
        .toEqual({ containers: CONTAINERS, volumes: GROUPS });
    expect(await orphans(stack)).toEqual([]);
    expect({ containers: s.containers, volumes: s.volumes, pending: s.pending })
        .toEqual({ containers: CONTAINERS, volumes: GROUPS, pending: 0 });
}

async function initStack(stack: string): Promise<string> {
    const config = path.join(WORK, `${stack}.config.yaml`);
    fs.writeFileSync(config, `config:\n  recover:groups: "${GROUPS}"\n  recover:prefix: ${stack}\n`);
    const r = await pulumi(stack, ["stack", "init"]);
    if (r.code !== 0) throw new Error(`pulumi stack init ${stack} failed: ${r.out}`);
    return config;
}

/** Whatever the stack left, whatever state it is in: its plugins, its objects (by label), the stack. */
async function cleanUp(stack: string, config: string, pids: number[]): Promise<string[]> {
    await stopPlugins(pids, 0);
    if ((await pulumi(stack, ["destroy", "--yes", "--skip-preview", "--config-file", config])).code !== 0) {
        await recoverCommand(stack);
        await pulumi(stack, ["destroy", "--yes", "--skip-preview", "--config-file", config]);
    }
    const left = await removeLabelled(engine, label(stack));
    await pulumi(stack, ["stack", "rm", "--yes", "--force"]);
    return left;
}

beforeAll(async () => {
    fs.mkdirSync(BACKEND, { recursive: true });
    fs.mkdirSync(PROJECT_DIR, { recursive: true });
    const main = path.relative(PROJECT_DIR, path.join(__dirname, "recover-program.ts"));
    fs.writeFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"),
        `name: ${PROJECT}\nmain: ${main}\nruntime:\n  name: nodejs\n  options:\n    typescript: true\n`);
    // The command as the package ships it: `tsc -p tsconfig.build.json`, here into this run's directory.
    const tsc = require.resolve("typescript/bin/tsc");
    await execFileAsync(process.execPath, [tsc, "-p", "tsconfig.build.json", "--outDir", path.join(WORK, "dist")],
        { cwd: REPO });
}, 120_000);

afterAll(() => {
    fs.rmSync(WORK, { recursive: true, force: true });
});

interface KillPoint {
    phase: string;
    /** Kill once this many of the stack's objects exist; neither: at the update's first checkpoint save. */
    volumes?: number;
    containers?: number;
}

/**
 * The update's phases, in order: it saves the checkpoint, creates the volumes, then the pauses (the
 * groups' in parallel: 0 -> 3 containers at once), then the members.
 */
const KILL_POINTS: KillPoint[] = [
    { phase: "at the first checkpoint save" },
    { phase: "after 1 volume", volumes: 1 },
    { phase: "after 1 container (the pauses)", containers: 1 },
    { phase: `after ${GROUPS + 1} containers (the members)`, containers: GROUPS + 1 },
    { phase: `after all ${CONTAINERS} containers`, containers: CONTAINERS },
];

describe("podgroup recover, real engine and Pulumi CLI", () => {
    const points = KILL_POINTS.map((k, i) => ({ ...k, i }));
    it.each(points)("pulumi up SIGKILLed $phase: recover, up converges, destroy leaves nothing", async (point) => {
        const { phase, volumes, containers, i } = point;
        const stack = `rk${i}-${RUN}`;
        const config = await initStack(stack);
        const pids: number[] = [];
        let cli: ChildProcess | undefined;
        try {
            const savedBefore = fs.statSync(stackFile(stack)).mtimeMs;
            const upArgs = ["--non-interactive", "up", "--yes", "--skip-preview", "--config-file", config,
                "--stack", stack];
            cli = spawn("pulumi", upArgs, { cwd: PROJECT_DIR, env: ENV, detached: true, stdio: "ignore" });
            const exited = new Promise<void>((resolve) => cli!.once("exit", () => resolve()));
            let cliDone = false;
            void exited.then(() => { cliDone = true; });
            const filters = JSON.stringify({ label: [label(stack)] });
            const seen = await waitFor(`${phase} of ${stack}`, async () => {
                if (cliDone) return -1;
                if (volumes !== undefined) {
                    const n = ((await engine.listVolumes({ filters })).Volumes ?? []).length;
                    return n >= volumes ? n : undefined;
                }
                if (containers !== undefined) {
                    const n = (await engine.listContainers({ all: true, filters })).length;
                    return n >= containers ? n : undefined;
                }
                return fs.statSync(stackFile(stack)).mtimeMs !== savedBefore ? 0 : undefined;
            }, 120_000);
            pids.push(...await descendants(cli.pid!));
            process.kill(cli.pid!, "SIGKILL");
            await exited;
            // The update was interrupted: the CLI had not ended on its own.
            expect({ phase, cliEndedFirst: seen === -1 }).toEqual({ phase, cliEndedFirst: false });
            const killedPlugins = await stopPlugins(pids, 2_000);
            const atKill = await labelled(stack);
            const locked = fs.existsSync(lockDir(stack)) && fs.readdirSync(lockDir(stack)).length > 0;

            const t0 = Date.now();
            const recovered = await recoverCommand(stack);
            console.log(`SIGKILL ${phase} (${atKill.containers.length} containers, ${atKill.volumes.length} volumes; ` +
                `locked ${locked}; ${killedPlugins.length} of the CLI's ${pids.length} plugins killed after 2 s); ` +
                `podgroup recover took ${Date.now() - t0} ms:\n${recovered.out}`);
            expect({ code: recovered.code, out: recovered.out })
                .toEqual({ code: 0, out: expect.stringContaining("the stack is ready for `pulumi up`") });
            expect(recovered.out)
                .toContain(locked ? `[lock]     repaired: was locked by pid ${cli.pid}` : "[lock]     ok: not locked");
            // After the recovery: no lock, no pending operation, nothing carrying the label outside the state.
            expect(fs.existsSync(lockDir(stack)) ? fs.readdirSync(lockDir(stack)) : []).toEqual([]);
            expect((await state(stack)).pending).toBe(0);
            expect(await orphans(stack)).toEqual([]);

            const up = await pulumi(stack, ["up", "--yes", "--skip-preview", "--config-file", config]);
            expect({ code: up.code, tail: up.code === 0 ? "" : up.out.slice(-2000) }).toEqual({ code: 0, tail: "" });
            await expectConverged(stack);
            const destroy = await pulumi(stack, ["destroy", "--yes", "--skip-preview", "--config-file", config]);
            expect(destroy.code).toBe(0);
            expect(await labelled(stack)).toEqual({ containers: [], volumes: [] });
        } finally {
            // Failed before the kill: the CLI still runs; its plugins are found before it goes.
            if (cli?.pid !== undefined && cli.exitCode === null && cli.signalCode === null) {
                if (pids.length === 0) pids.push(...await descendants(cli.pid));
                cli.kill("SIGKILL");
            }
            const left = await cleanUp(stack, config, pids);
            if (left.length > 0) console.log(`clean-up of ${stack} removed ${left.join(", ")}`);
        }
    }, 150_000);

    it("a torn <stack>.json.attrs, then a torn checkpoint: pulumi cannot load the stack until recover", async () => {
        const stack = `rt-${RUN}`;
        const config = await initStack(stack);
        try {
            expect((await pulumi(stack, ["up", "--yes", "--skip-preview", "--config-file", config])).code).toBe(0);
            await expectConverged(stack);
            const preview = () => pulumi(stack, ["preview", "--expect-no-changes", "--config-file", config]);

            // The attributes file as a killed write leaves it: empty. And a container and a volume of the
            // stack that its state does not hold (kills never left a volume: they are saved at once).
            fs.truncateSync(stackFile(stack, ".attrs"), 0);
            const Labels = { [LABEL_STACK]: `${PROJECT}/${stack}` };
            await engine.createVolume({ Name: `${stack}-left`, Labels });
            await engine.createContainer({ name: `${stack}-left`, Image: images.toolbox, Cmd: ["true"], Labels });
            const broken = await preview();
            expect({ failed: broken.code !== 0, error: broken.out.match(/error: .*/)?.[0] })
                .toEqual({ failed: true, error: "error: failed to load checkpoint: EOF" });
            const repaired = await recoverCommand(stack);
            console.log(`torn attributes file:\n${repaired.out}`);
            expect(repaired.code).toBe(0);
            expect(repaired.out).toContain("[files]    repaired: removed torn attributes file " +
                `${STACKS_REL}/${stack}.json.attrs (empty)`);
            expect(repaired.out).toContain(`[orphans]  repaired: removed 2 object(s) the state does not hold:\n` +
                `             container ${stack}-left (created)\n             volume ${stack}-left\n`);
            await expectConverged(stack);
            expect((await preview()).code).toBe(0);

            // A torn checkpoint (half of it): restored from .bak, kept aside; the dry run first changes nothing.
            const whole = fs.readFileSync(stackFile(stack));
            fs.writeFileSync(stackFile(stack), whole.subarray(0, whole.length / 2));
            const torn = await preview();
            expect({ failed: torn.code !== 0, error: torn.out.match(/error: failed to load checkpoint/)?.[0] })
                .toEqual({ failed: true, error: "error: failed to load checkpoint" });
            const dry = await recoverCommand(stack, ["--dry-run"]);
            expect(dry.code).toBe(0);
            expect(dry.out)
                .toContain(`[files]    would-repair: would restore torn checkpoint ${STACKS_REL}/${stack}.json`);
            expect(fs.readFileSync(stackFile(stack))).toEqual(whole.subarray(0, whole.length / 2));
            const restored = await recoverCommand(stack);
            console.log(`torn checkpoint:\n${restored.out}`);
            expect(restored.code).toBe(0);
            expect(restored.out).toContain(`from ${STACKS_REL}/${stack}.json.bak; the torn file is kept as`);
            const aside = fs.readdirSync(STACKS_DIR)
                .filter((f) => f.startsWith(`${stack}.json.torn-`) && !f.endsWith(".attrs"));
            expect(aside.map((f) => fs.readFileSync(path.join(STACKS_DIR, f))))
                .toEqual([whole.subarray(0, whole.length / 2)]);
            expect((await pulumi(stack, ["up", "--yes", "--skip-preview", "--config-file", config])).code).toBe(0);
            await expectConverged(stack);
            expect((await pulumi(stack, ["destroy", "--yes", "--skip-preview", "--config-file", config])).code).toBe(0);
            expect(await labelled(stack)).toEqual({ containers: [], volumes: [] });
        } finally {
            const left = await cleanUp(stack, config, []);
            if (left.length > 0) console.log(`clean-up of ${stack} removed ${left.join(", ")}`);
        }
    }, 150_000);
});
