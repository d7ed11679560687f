/**
 * A file backend laid out as the Pulumi CLI 3.274 writes it (cli/file-backend.ts describes it), in a
 * temporary directory, for the recovery's unit tests; and fakes of `pulumi` and the engine that read
 * and write it the way the CLI does for the commands the recovery runs.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as zlib from "zlib";
import type { Engine, EngineObject } from "../../cli/engine";
import type { PulumiResult, PulumiRunner } from "../../cli/pulumi";

export const PROJECT = "shop";
export const STACK = "dev";

/** What fileblob writes beside every blob (md5 of the content). */
export function attrsFor(content: Buffer | string): string {
    const md5 = crypto.createHash("md5").update(content).digest("base64");
    return `${JSON.stringify({
        "user.cache_control": "", "user.content_disposition": "", "user.content_encoding": "",
        "user.content_language": "", "user.content_type": "text/plain; charset=utf-8", "user.metadata": null, md5,
    })}\n`;
}

/** A checkpoint of version 3 holding `resources` (and `pending` operations). */
export function checkpointJson(resources: { urn: string; type: string; id?: string }[],
    pending: { type: string; urn: string; resourceType: string }[] = []): string {
    return JSON.stringify({
        version: 3,
        checkpoint: {
            stack: `organization/${PROJECT}/${STACK}`,
            latest: {
                manifest: { time: "2026-12-06T04:19:03Z", magic: "x", version: "v3.274.1" },
                resources,
                ...(pending.length > 0 ? {
                    pending_operations: pending.map((p) => ({
                        type: p.type, resource: { urn: p.urn, type: p.resourceType, custom: true },
                    })),
                } : {}),
            },
        },
    });
}

export const urn = (type: string, name: string) => `urn:pulumi:${STACK}::${PROJECT}::${type}::${name}`;
export const CONTAINER = "docker:index/container:Container";
export const VOLUME = "docker:index/volume:Volume";

/** The resources of a stack holding one group: a volume, a pause and a member. */
export const GROUP_RESOURCES = [
    { urn: urn("pulumi:pulumi:Stack", `${PROJECT}-${STACK}`), type: "pulumi:pulumi:Stack" },
    { urn: urn(VOLUME, "g-volume-scratch"), type: VOLUME, id: "g-scratch" },
    { urn: urn(CONTAINER, "g-pause"), type: CONTAINER, id: "c".repeat(64) },
    { urn: urn(CONTAINER, "g-member-web"), type: CONTAINER, id: "d".repeat(64) },
];

/** A temporary file backend with meta.yaml (project layout) and helpers to write a stack's blobs. */
export class FakeBackend {
    readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), "podgroup-recover-unit-"));
    readonly bookkeeping = path.join(this.dir, ".pulumi");
    readonly stackDir = path.join(this.bookkeeping, "stacks", PROJECT);
    readonly stackBase = path.join(this.stackDir, STACK);
    readonly lockDir = path.join(this.bookkeeping, "locks", "organization", PROJECT, STACK);
    readonly backupDir = path.join(this.bookkeeping, "backups", PROJECT, STACK);

    constructor(layout: "project" | "legacy" = "project") {
        if (layout === "project") this.blob(path.join(this.bookkeeping, "meta.yaml"), "version: 1\n");
    }

    /** Writes a blob and its sidecar, as fileblob does. */
    blob(file: string, content: Buffer | string, attrs: string = attrsFor(content)): string {
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, content);
        fs.writeFileSync(`${file}.attrs`, attrs);
        return file;
    }

    /** A stack whose last update succeeded: checkpoint, its .bak (one update older) and a copy in backups/. */
    healthyStack(resources = GROUP_RESOURCES): void {
        this.blob(`${this.stackBase}.json.bak`, checkpointJson(resources.slice(0, -1)));
        this.blob(`${this.stackBase}.json`, checkpointJson(resources));
        this.blob(path.join(this.backupDir, `${STACK}.1796530743841662606.json`), checkpointJson(resources));
    }

    lock(content: object | string, id = "365bb326-0fe8-4730-a04a-77e116a85577"): string {
        const text = typeof content === "string" ? content : JSON.stringify(content);
        return this.blob(path.join(this.lockDir, `${id}.json`), text);
    }

    /** Every file under the backend with its content, to show that nothing changed. */
    snapshot(): Record<string, string> {
        const out: Record<string, string> = {};
        const walk = (d: string) => {
            for (const e of fs.readdirSync(d, { withFileTypes: true })) {
                const f = path.join(d, e.name);
                if (e.isDirectory()) walk(f);
                else out[path.relative(this.dir, f)] = fs.readFileSync(f).toString("base64");
            }
        };
        walk(this.dir);
        return out;
    }

    /** A file relative to the backend's directory. */
    rel(f: string): string {
        return path.relative(this.dir, f);
    }

    gzip(json: string): Buffer {
        return zlib.gzipSync(Buffer.from(json));
    }

    remove(): void {
        fs.rmSync(this.dir, { recursive: true, force: true });
    }
}

/**
 * A `pulumi` for the commands the recovery runs, on a {@link FakeBackend}: like the CLI, every
 * stack command fails with "failed to load checkpoint: EOF" while the checkpoint's sidecar is
 * empty, and import refuses while the stack is locked.
 */
export class FakePulumi {
    readonly calls: string[][] = [];
    constructor(private readonly backend: FakeBackend, private readonly url = `file://${backend.dir}`) {}

    readonly run: PulumiRunner = async (args) => {
        this.calls.push(args);
        const ok = (stdout: string): PulumiResult => ({ code: 0, stdout, stderr: "" });
        const fail = (stderr: string): PulumiResult => ({ code: 255, stdout: "", stderr });
        if (args[0] === "whoami") return ok(JSON.stringify({ user: "root", url: this.url }));
        const checkpoint = `${this.backend.stackBase}.json`;
        const attrs = fs.existsSync(`${checkpoint}.attrs`) ? fs.readFileSync(`${checkpoint}.attrs`, "utf8") : "{}";
        if (attrs === "") return fail("error: failed to load checkpoint: EOF");
        const lockDir = this.backend.lockDir;
        const locks = fs.existsSync(lockDir) ? fs.readdirSync(lockDir).filter((f) => !f.endsWith(".attrs")) : [];
        if (args[0] === "cancel") {
            fs.rmSync(this.backend.lockDir, { recursive: true, force: true });
            return ok(`The currently running update for '${STACK}' has been canceled!`);
        }
        if (args[0] === "stack" && args[1] === "export") {
            const text = fs.readFileSync(checkpoint, "utf8");
            const v = JSON.parse(text) as { version: number; checkpoint: { latest: object } };
            return ok(JSON.stringify({ version: v.version, deployment: v.checkpoint.latest }));
        }
        if (args[0] === "stack" && args[1] === "import") {
            if (locks.length > 0) return fail("error: could not import deployment: the stack is currently locked");
            const file = args[args.indexOf("--file") + 1];
            const state = JSON.parse(fs.readFileSync(file, "utf8")) as { version: number; deployment: object };
            const versioned = { version: state.version, checkpoint: { stack: STACK, latest: state.deployment } };
            this.backend.blob(checkpoint, JSON.stringify(versioned));
            return ok("Import complete.");
        }
        return fail(`error: the fake does not know pulumi ${args.join(" ")}`);
    };
}

/** An engine holding `objects`; remembers what was removed. */
export class FakeEngine implements Engine {
    readonly address = "unix:///fake/docker.sock";
    readonly removed: string[] = [];
    constructor(public objects: (EngineObject & { labels: Record<string, string> })[]) {}

    async labelled(label: string): Promise<EngineObject[]> {
        const [k, v] = label.split("=");
        return this.objects.filter((o) => o.labels[k] === v).map(({ labels: _labels, ...o }) => o);
    }

    async containerIds(): Promise<Set<string>> {
        return new Set(this.objects.filter((o) => o.kind === "container").map((o) => o.id));
    }

    async remove(o: EngineObject): Promise<void> {
        this.removed.push(`${o.kind} ${o.name}`);
        this.objects = this.objects.filter((x) => x.id !== o.id);
    }
}
