/**
 * A stack's files in Pulumi's file backend (`file://<dir>`, the "diy" backend of the Pulumi CLI
 * 3.x), what can be torn in them, and their repair.
 *
 * The layout, as the CLI 3.274 writes it (pkg/backend/diy; gocloud.dev's fileblob underneath):
 *
 *     <dir>/.pulumi/meta.yaml                         version: 1 = project-scoped stacks (else legacy)
 *     <dir>/.pulumi/stacks/<project>/<stack>.json     the checkpoint (.json.gz / .json.zst when
 *                                                      compressed; the newest of them is the one in use)
 *     <dir>/.pulumi/stacks/<project>/<stack>.json.bak the checkpoint before the last save
 *     <dir>/.pulumi/backups/<project>/<stack>/<stack>.<unix ns>.json   a copy per update
 *     <dir>/.pulumi/locks/organization/<project>/<stack>/<id>.json     {pid, username, hostname, timestamp}
 *     <dir>/.pulumi/history/<project>/<stack>/...
 *
 * (legacy layout: no project level, locks under locks/<stack>). Every blob has a sidecar
 * `<blob>.attrs` (JSON: content type, md5). fileblob writes a blob by truncating its sidecar,
 * writing the JSON into it, then renaming the data into place: a process killed in between leaves
 * an empty sidecar, and every later read of the blob fails to decode it ("failed to load
 * checkpoint: EOF"). A missing sidecar is read as default attributes, so removing a torn one is the
 * repair; no reader checks the md5. A checkpoint itself is replaced by a rename, but a host crash
 * or a full disk can still leave it unparseable: it is then restored from `.bak` (or the newest
 * copy in backups/ that parses), and the torn file is kept aside, never deleted.
 */
import * as fs from "fs";
import * as path from "path";
import * as zlib from "zlib";

/** Pulumi's bookkeeping directory under the backend's directory. */
export const BOOKKEEPING_DIR = ".pulumi";
/** The sidecar of a fileblob blob. */
export const ATTRS_SUFFIX = ".attrs";
/** The checkpoint's possible file names after `<stack>`, in Pulumi's order (plain, gzip, zstd). */
export const CHECKPOINT_SUFFIXES = [".json", ".json.gz", ".json.zst"];

/** Where one stack's files are. */
export interface StackFiles {
    /** `<backend dir>/.pulumi` */
    bookkeeping: string;
    layout: "project" | "legacy";
    /** The checkpoint's path without `.json`: `.pulumi/stacks/<project>/<stack>` (absolute). */
    stackBase: string;
    /** The checkpoint in use (the newest of .json, .json.gz, .json.zst), or undefined: no such stack. */
    checkpoint?: string;
    /** The stack's lock files' directory. */
    lockDir: string;
    historyDir: string;
    backupDir: string;
}

/** `~` and `~/...` of a `file://~/...` backend URL are the home directory, as Pulumi reads them. */
export function fileBackendDir(url: string, home: string): string | undefined {
    if (!url.startsWith("file://")) return undefined;
    // Options after `?` (no_tmp_dir=...) are the bucket's, not the path's.
    let dir = decodeURIComponent(url.slice("file://".length).split("?")[0]);
    if (dir === "~" || dir.startsWith("~/")) dir = path.join(home, dir.slice(1));
    return path.resolve(dir);
}

/** The backend's layout: project-scoped when meta.yaml says version >= 1, else the legacy one. */
function readLayout(bookkeeping: string): "project" | "legacy" {
    const meta = readIfExists(path.join(bookkeeping, "meta.yaml"))?.toString("utf8");
    const version = meta === undefined ? undefined : /^version:\s*(\d+)\s*$/m.exec(meta)?.[1];
    return version !== undefined && Number(version) >= 1 ? "project" : "legacy";
}

/** The files of `<project>/<stack>` in the file backend at `backendDir`. */
export function locateStack(backendDir: string, project: string, stack: string): StackFiles {
    const bookkeeping = path.join(backendDir, BOOKKEEPING_DIR);
    const layout = readLayout(bookkeeping);
    const scoped = layout === "project" ? [project, stack] : [stack];
    const stackBase = path.join(bookkeeping, "stacks", ...scoped);
    // Pulumi uses the most recently modified variant when several exist (stackPath in state.go).
    const variants = CHECKPOINT_SUFFIXES.map((s) => stackBase + s)
        .map((f) => ({ f, stat: statIfExists(f) }))
        .filter((v) => v.stat?.isFile())
        .sort((a, b) => b.stat!.mtimeMs - a.stat!.mtimeMs);
    return {
        bookkeeping, layout, stackBase, checkpoint: variants[0]?.f,
        lockDir: path.join(bookkeeping, "locks", ...(layout === "project" ? ["organization", ...scoped] : scoped)),
        historyDir: path.join(bookkeeping, "history", ...scoped),
        backupDir: path.join(bookkeeping, "backups", ...scoped),
    };
}

/** Names of the stacks of `project` that have a checkpoint in the backend (for "no such stack" errors). */
export function stacksOfProject(files: StackFiles): string[] {
    const dir = path.dirname(files.stackBase);
    const names = new Set<string>();
    for (const f of readDirIfExists(dir)) {
        const suffix = CHECKPOINT_SUFFIXES.find((s) => f.endsWith(s));
        if (suffix !== undefined) names.add(f.slice(0, -suffix.length));
    }
    return [...names].sort();
}

// ---- sidecars -------------------------------------------------------------------------------------

/** Why a sidecar cannot be read by fileblob, or undefined when it can. */
export function tornAttributesReason(content: Buffer): string | undefined {
    const text = content.toString("utf8");
    if (text.trim() === "") return content.length === 0 ? "empty" : "blank";
    let parsed: unknown;
    try {
        parsed = JSON.parse(text);
    } catch (e) {
        return `not JSON (${(e as Error).message})`;
    }
    if (parsed === null) return undefined;
    if (typeof parsed !== "object" || Array.isArray(parsed)) return "not a JSON object";
    // The fields fileblob decodes, with the types it decodes them into.
    for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
        if (v === null) continue;
        const wrong = k === "user.metadata"
            ? typeof v !== "object" || Array.isArray(v)
            : (k.startsWith("user.") || k === "md5") && typeof v !== "string";
        if (wrong) return `field ${k} has the wrong type`;
    }
    return undefined;
}

/**
 * The sidecars that can break a command on this stack: the checkpoint's and its backup's, the
 * stack's tags', locks', history's and backups', and meta.yaml's (read by every command).
 */
export function stackAttributeFiles(files: StackFiles): string[] {
    const stackDir = path.dirname(files.stackBase);
    const stem = path.basename(files.stackBase);
    const own = new Set([...CHECKPOINT_SUFFIXES.flatMap((s) => [s, `${s}.bak`]), ".pulumi-tags"]
        .map((s) => `${stem}${s}${ATTRS_SUFFIX}`));
    const found = [path.join(files.bookkeeping, `meta.yaml${ATTRS_SUFFIX}`)].filter((f) => fs.existsSync(f));
    found.push(...readDirIfExists(stackDir).filter((f) => own.has(f)).map((f) => path.join(stackDir, f)));
    for (const dir of [files.lockDir, files.historyDir, files.backupDir]) {
        found.push(...readDirIfExists(dir).filter((f) => f.endsWith(ATTRS_SUFFIX)).map((f) => path.join(dir, f)));
    }
    return found;
}

// ---- checkpoints ----------------------------------------------------------------------------------

const GZIP_MAGIC = Buffer.from([0x1f, 0x8b]);
const ZSTD_MAGIC = Buffer.from([0x28, 0xb5, 0x2f, 0xfd]);

/** What reading a checkpoint file gave. */
export type CheckpointRead =
    | { state: "ok"; deployment: Deployment }
    | { state: "torn"; reason: string }
    /** Compressed with zstd, which this Node.js cannot read: not checked here (Pulumi's own read still is). */
    | { state: "unchecked"; reason: string };

/** The parts of a checkpoint's deployment that recovery reads. */
export interface Deployment {
    resources?: { urn: string; type: string; id?: string }[];
    pending_operations?: { type: string; resource: { urn: string; type: string } }[];
}

/** Reads and parses a checkpoint (plain, gzip or zstd by content, as Pulumi detects it). */
export function readCheckpoint(file: string): CheckpointRead {
    let bytes: Buffer = fs.readFileSync(file);
    if (bytes.length === 0) return { state: "torn", reason: "empty" };
    try {
        if (bytes.subarray(0, 2).equals(GZIP_MAGIC)) bytes = zlib.gunzipSync(bytes);
        else if (bytes.subarray(0, 4).equals(ZSTD_MAGIC)) {
            const zstd = (zlib as unknown as { zstdDecompressSync?: (b: Buffer) => Buffer }).zstdDecompressSync;
            if (zstd === undefined) {
                return { state: "unchecked", reason: "zstd-compressed (this Node.js cannot read zstd)" };
            }
            bytes = zstd(bytes);
        }
    } catch (e) {
        return { state: "torn", reason: `not decompressible (${(e as Error).message})` };
    }
    let parsed: unknown;
    try {
        parsed = JSON.parse(bytes.toString("utf8"));
    } catch (e) {
        return { state: "torn", reason: `not JSON (${(e as Error).message})` };
    }
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
        return { state: "torn", reason: "not a JSON object" };
    }
    // Versioned (version >= 1): {version, checkpoint: {stack, latest}}; version 0: the checkpoint itself.
    const versioned = parsed as { version?: unknown; checkpoint?: unknown };
    const checkpoint = typeof versioned.version === "number" && versioned.version > 0 ? versioned.checkpoint : parsed;
    if (checkpoint === null || typeof checkpoint !== "object") {
        return { state: "torn", reason: "no checkpoint object in it" };
    }
    const latest = (checkpoint as { latest?: Deployment | null }).latest ?? {};
    return { state: "ok", deployment: latest };
}

/**
 * Where a torn checkpoint can be restored from, best first: its `.bak` (the checkpoint before the
 * last save), the other variants' `.bak`, then the copies in backups/, newest first.
 */
export function restoreCandidates(files: StackFiles, checkpoint: string): string[] {
    const baks = [checkpoint, ...CHECKPOINT_SUFFIXES.map((s) => files.stackBase + s).filter((f) => f !== checkpoint)]
        .map((f) => `${f}.bak`);
    const stem = path.basename(files.stackBase);
    const copies = readDirIfExists(files.backupDir)
        .map((f) => ({ f, m: new RegExp(`^${escapeRegExp(stem)}\\.(\\d+)\\.json(\\.gz|\\.zst)?$`).exec(f) }))
        .filter((c) => c.m !== null)
        .sort((a, b) => (BigInt(b.m![1]) > BigInt(a.m![1]) ? 1 : -1))
        .map((c) => path.join(files.backupDir, c.f));
    return [...baks, ...copies].filter((f) => statIfExists(f)?.isFile());
}

// ---- inspection and repair ------------------------------------------------------------------------

/** What is wrong with a stack's files, and what would repair it. */
export interface Inspection {
    files: StackFiles;
    /** Sidecars fileblob cannot decode, with why. */
    tornAttributes: { file: string; reason: string }[];
    /** The checkpoint as read (undefined when the stack has none). */
    checkpoint?: CheckpointRead;
    /** For a torn checkpoint: the first candidate that parses, and the candidates that did not. */
    restoreFrom?: { file: string; deployment: Deployment };
    unusableCandidates: { file: string; reason: string }[];
}

/** Looks at the stack's files without changing anything. */
export function inspectStack(files: StackFiles): Inspection {
    const tornAttributes = stackAttributeFiles(files)
        .map((file) => ({ file, reason: tornAttributesReason(fs.readFileSync(file)) }))
        .filter((t): t is { file: string; reason: string } => t.reason !== undefined);
    const inspection: Inspection = { files, tornAttributes, unusableCandidates: [] };
    if (files.checkpoint === undefined) return inspection;
    inspection.checkpoint = readCheckpoint(files.checkpoint);
    if (inspection.checkpoint.state === "torn") {
        for (const file of restoreCandidates(files, files.checkpoint)) {
            const read = readCheckpoint(file);
            if (read.state === "ok") {
                inspection.restoreFrom = { file, deployment: read.deployment };
                break;
            }
            inspection.unusableCandidates.push({ file, reason: read.reason });
        }
    }
    return inspection;
}

/** One change made (or, in a dry run, to be made) to the backend's files. */
export interface FileAction {
    action: "remove-torn-attributes" | "restore-checkpoint";
    /** What, in words, relative to the backend's directory. */
    description: string;
}

/**
 * Suffix of a torn checkpoint kept aside: `.torn-<UTC yyyymmddThhmmssZ>`. No dot in it, so that
 * Pulumi never takes the file for a stack (it lists `*.json`, `*.json.gz`, `*.json.zst`).
 */
export function tornSuffix(now: Date): string {
    return `.torn-${now.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z")}`;
}

/**
 * The repair of what {@link inspectStack} found: torn sidecars removed; a torn checkpoint moved
 * aside (with its sidecar) and replaced by a copy of the first candidate that parses. With
 * `dryRun`, the same actions are returned and nothing is changed.
 */
export function repairStack(inspection: Inspection, options: { dryRun: boolean; now?: Date }): FileAction[] {
    const { files } = inspection;
    const rel = (f: string) => path.relative(path.dirname(files.bookkeeping), f);
    const actions: FileAction[] = [];
    for (const t of inspection.tornAttributes) {
        const verb = options.dryRun ? "would remove" : "removed";
        const description = `${verb} torn attributes file ${rel(t.file)} (${t.reason})`;
        actions.push({ action: "remove-torn-attributes", description });
        if (!options.dryRun) fs.rmSync(t.file, { force: true });
    }
    const checkpoint = files.checkpoint;
    if (checkpoint !== undefined && inspection.checkpoint?.state === "torn" && inspection.restoreFrom !== undefined) {
        let aside = checkpoint + tornSuffix(options.now ?? new Date());
        for (let i = 2; fs.existsSync(aside); i++) aside = `${checkpoint}${tornSuffix(options.now ?? new Date())}-${i}`;
        const [restore, kept] = options.dryRun ? ["would restore", "would be kept"] : ["restored", "is kept"];
        actions.push({
            action: "restore-checkpoint",
            description: `${restore} torn checkpoint ${rel(checkpoint)} (${inspection.checkpoint.reason}) from ` +
                `${rel(inspection.restoreFrom.file)}; the torn file ${kept} as ${rel(aside)}`,
        });
        if (!options.dryRun) {
            fs.renameSync(checkpoint, aside);
            if (fs.existsSync(checkpoint + ATTRS_SUFFIX)) {
                fs.renameSync(checkpoint + ATTRS_SUFFIX, aside + ATTRS_SUFFIX);
            }
            // Written beside it, then renamed: a reader sees the torn file's absence or the copy, whole.
            const tmp = `${checkpoint}.podgroup-restore-${process.pid}`;
            fs.copyFileSync(inspection.restoreFrom.file, tmp);
            fs.renameSync(tmp, checkpoint);
        }
    }
    return actions;
}

// ---- locks ----------------------------------------------------------------------------------------

/** A lock file of the stack: who took it, when, and whether that process still runs here. */
export interface StackLock {
    file: string;
    pid?: number;
    username?: string;
    hostname?: string;
    timestamp?: string;
    /** The holder runs on this host and is alive (not a zombie). Unknown hosts count as not running here. */
    holderRunning: boolean;
    /** Set when the lock file cannot be read as JSON. */
    unreadable?: string;
}

/** The stack's lock files (each a `pulumi` command that took the lock and has not released it). */
export function readLocks(files: StackFiles, hostname: string, isRunning: (pid: number) => boolean): StackLock[] {
    return readDirIfExists(files.lockDir).filter((f) => !f.endsWith(ATTRS_SUFFIX)).map((f) => {
        const file = path.join(files.lockDir, f);
        try {
            const l = JSON.parse(fs.readFileSync(file, "utf8")) as Omit<StackLock, "file" | "holderRunning">;
            const holderRunning = l.hostname === hostname && typeof l.pid === "number" && isRunning(l.pid);
            return { file, pid: l.pid, username: l.username, hostname: l.hostname, timestamp: l.timestamp,
                holderRunning };
        } catch (e) {
            return { file, holderRunning: false, unreadable: (e as Error).message };
        }
    });
}

/** True when `pid` names a living process of this host (a zombie is not living). */
export function processRunning(pid: number): boolean {
    try {
        process.kill(pid, 0);
    } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EPERM") return false;
    }
    // Linux: a zombie (killed, not yet reaped by its parent) still answers signal 0.
    const stat = readIfExists(`/proc/${pid}/stat`)?.toString("utf8");
    return stat === undefined || !/\) Z /.test(stat);
}

// ---- helpers ----------------------------------------------------------------------------------------

function statIfExists(f: string): fs.Stats | undefined {
    try {
        return fs.statSync(f);
    } catch {
        return undefined;
    }
}

function readIfExists(f: string): Buffer | undefined {
    try {
        return fs.readFileSync(f);
    } catch {
        return undefined;
    }
}

function readDirIfExists(dir: string): string[] {
    try {
        return fs.readdirSync(dir);
    } catch {
        return [];
    }
}

function escapeRegExp(s: string): string {
    return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
