// The recovery's look at a stack's files in the file backend (cli/file-backend.ts), on temporary
// backends laid out as the Pulumi CLI 3.274 writes them: torn attributes files, torn checkpoints
// with and without a usable backup, a healthy stack, a missing one, the legacy layout, locks.
import * as fs from "fs";
import * as path from "path";
import {
    fileBackendDir, inspectStack, locateStack, readCheckpoint, readLocks, repairStack, stacksOfProject,
    tornAttributesReason, tornSuffix,
} from "../../cli/file-backend";
import { attrsFor, checkpointJson, FakeBackend, GROUP_RESOURCES, PROJECT, STACK } from "./recover-fixtures";

const NOW = new Date("2026-12-06T04:20:08.160Z");

describe("recovery of a stack's files in the file backend", () => {
    let backend: FakeBackend;
    beforeEach(() => {
        backend = new FakeBackend();
    });
    afterEach(() => backend.remove());

    const locate = () => locateStack(backend.dir, PROJECT, STACK);

    it("reads file:// backend URLs as Pulumi does (~ is the home directory, options after ? are not the path)", () => {
        expect(fileBackendDir("file:///work/x/.state/backend", "/root")).toBe("/work/x/.state/backend");
        expect(fileBackendDir("file://~", "/home/u")).toBe("/home/u");
        expect(fileBackendDir("file://~/state?no_tmp_dir=true", "/home/u")).toBe("/home/u/state");
        expect(fileBackendDir("https://api.pulumi.com", "/root")).toBeUndefined();
        expect(fileBackendDir("s3://bucket", "/root")).toBeUndefined();
    });

    it("a healthy stack: nothing torn, nothing to do, and a dry run or a repair changes no file", () => {
        backend.healthyStack();
        backend.lock({ pid: 1, username: "u", hostname: "h", timestamp: "t" });
        const files = locate();
        expect(files.checkpoint).toBe(`${backend.stackBase}.json`);
        const inspection = inspectStack(files);
        expect(inspection.tornAttributes).toEqual([]);
        expect(inspection.checkpoint?.state).toBe("ok");
        const before = backend.snapshot();
        expect(repairStack(inspection, { dryRun: false, now: NOW })).toEqual([]);
        expect(backend.snapshot()).toEqual(before);
    });

    it("an empty <stack>.json.attrs (a killed pulumi's torn write) is removed; the checkpoint is kept", () => {
        backend.healthyStack();
        fs.writeFileSync(`${backend.stackBase}.json.attrs`, "");
        const checkpoint = fs.readFileSync(`${backend.stackBase}.json`);
        const inspection = inspectStack(locate());
        expect(inspection.tornAttributes).toEqual([{ file: `${backend.stackBase}.json.attrs`, reason: "empty" }]);
        // A dry run says the same and changes nothing.
        const before = backend.snapshot();
        const planned = repairStack(inspection, { dryRun: true, now: NOW });
        expect(planned.map((a) => a.description)).toEqual([
            `would remove torn attributes file .pulumi/stacks/${PROJECT}/${STACK}.json.attrs (empty)`]);
        expect(backend.snapshot()).toEqual(before);
        const done = repairStack(inspection, { dryRun: false, now: NOW });
        expect(done.map((a) => a.description)).toEqual([
            `removed torn attributes file .pulumi/stacks/${PROJECT}/${STACK}.json.attrs (empty)`]);
        expect(fs.existsSync(`${backend.stackBase}.json.attrs`)).toBe(false);
        expect(fs.readFileSync(`${backend.stackBase}.json`)).toEqual(checkpoint);
        expect(inspectStack(locate()).tornAttributes).toEqual([]);
    });

    it("torn sidecars of the stack's backup, lock, history, meta.yaml are found; other stacks' are left", () => {
        backend.healthyStack();
        fs.writeFileSync(`${backend.stackBase}.json.bak.attrs`, "{\"user.content_type\": \"text/pl");
        fs.writeFileSync(path.join(backend.bookkeeping, "meta.yaml.attrs"), "   \n");
        const lock = backend.lock({ pid: 1, username: "u", hostname: "h", timestamp: "t" });
        fs.writeFileSync(`${lock}.attrs`, "[]");
        const historyFile = path.join(backend.bookkeeping, "history", PROJECT, STACK, `${STACK}-1.history.json`);
        const history = backend.blob(historyFile, "{}", "");
        // Another stack of the project, and a stack whose name starts with this one's: not this stack's files.
        backend.blob(path.join(backend.stackDir, "prod.json"), checkpointJson([]), "");
        backend.blob(path.join(backend.stackDir, `${STACK}.x.json`), checkpointJson([]), "");
        const torn = inspectStack(locate()).tornAttributes.map((t) => `${backend.rel(t.file)}: ${t.reason}`).sort();
        expect(torn).toEqual([
            ".pulumi/meta.yaml.attrs: blank",
            `${backend.rel(history)}.attrs: empty`,
            `${backend.rel(lock)}.attrs: not a JSON object`,
            expect.stringMatching(/^\.pulumi\/stacks\/shop\/dev\.json\.bak\.attrs: not JSON \(/),
        ].sort());
        repairStack(inspectStack(locate()), { dryRun: false, now: NOW });
        expect(fs.existsSync(path.join(backend.stackDir, "prod.json.attrs"))).toBe(true);
        expect(fs.existsSync(path.join(backend.stackDir, `${STACK}.x.json.attrs`))).toBe(true);
    });

    it("tells torn sidecars from readable ones as fileblob decodes them", () => {
        expect(tornAttributesReason(Buffer.from(attrsFor("x")))).toBeUndefined();
        expect(tornAttributesReason(Buffer.from("null"))).toBeUndefined();
        expect(tornAttributesReason(Buffer.from("{}"))).toBeUndefined();
        expect(tornAttributesReason(Buffer.from(""))).toBe("empty");
        expect(tornAttributesReason(Buffer.from("{\"md5\":"))).toMatch(/^not JSON/);
        expect(tornAttributesReason(Buffer.from("{\"md5\": 5}"))).toBe("field md5 has the wrong type");
        expect(tornAttributesReason(Buffer.from("{\"user.metadata\": \"x\"}")))
            .toBe("field user.metadata has the wrong type");
    });

    it("a torn checkpoint is restored from its .bak; the torn file and its sidecar are kept aside, timestamped", () => {
        backend.healthyStack();
        const whole = fs.readFileSync(`${backend.stackBase}.json`, "utf8");
        fs.writeFileSync(`${backend.stackBase}.json`, whole.slice(0, whole.length / 2));
        const bak = fs.readFileSync(`${backend.stackBase}.json.bak`);
        const inspection = inspectStack(locate());
        expect(inspection.checkpoint).toEqual({ state: "torn", reason: expect.stringMatching(/^not JSON/) });
        expect(inspection.restoreFrom?.file).toBe(`${backend.stackBase}.json.bak`);
        expect(inspection.restoreFrom?.deployment.resources).toHaveLength(GROUP_RESOURCES.length - 1);
        const before = backend.snapshot();
        const planned = repairStack(inspection, { dryRun: true, now: NOW }).map((a) => a.description);
        expect(planned).toEqual([
            expect.stringMatching(/^would restore torn checkpoint .* would be kept as .*\.torn-20261206T042008Z$/),
        ]);
        expect(backend.snapshot()).toEqual(before);
        const actions = repairStack(inspection, { dryRun: false, now: NOW });
        const aside = `${backend.stackBase}.json.torn-20261206T042008Z`;
        const reason = inspection.checkpoint?.state === "torn" ? inspection.checkpoint.reason : "";
        expect(actions.map((a) => a.description)).toEqual([
            `restored torn checkpoint .pulumi/stacks/${PROJECT}/${STACK}.json (${reason}) from ` +
            `.pulumi/stacks/${PROJECT}/${STACK}.json.bak; the torn file is kept as ${backend.rel(aside)}`]);
        expect(fs.readFileSync(`${backend.stackBase}.json`)).toEqual(bak);
        expect(fs.readFileSync(aside, "utf8")).toBe(whole.slice(0, whole.length / 2));
        expect(fs.existsSync(`${aside}.attrs`)).toBe(true);
        // The restored checkpoint has no sidecar (read as default attributes); the .bak is untouched.
        expect(fs.existsSync(`${backend.stackBase}.json.attrs`)).toBe(false);
        expect(fs.readFileSync(`${backend.stackBase}.json.bak`)).toEqual(bak);
        expect(inspectStack(locate()).checkpoint?.state).toBe("ok");
        // The file kept aside is not a stack for Pulumi (it lists *.json, *.json.gz, *.json.zst).
        expect(stacksOfProject(locate())).toEqual([STACK]);
        // A second repair the same second does not overwrite the first file kept aside.
        fs.writeFileSync(`${backend.stackBase}.json`, "");
        repairStack(inspectStack(locate()), { dryRun: false, now: NOW });
        expect(fs.readFileSync(aside, "utf8")).toBe(whole.slice(0, whole.length / 2));
        expect(fs.readFileSync(`${aside}-2`, "utf8")).toBe("");
    });

    it("a torn checkpoint whose .bak is torn too is restored from the newest copy in backups/ that parses", () => {
        backend.healthyStack();
        fs.writeFileSync(`${backend.stackBase}.json`, "");
        fs.writeFileSync(`${backend.stackBase}.json.bak`, "{\"version\":3,");
        const newest = backend.blob(path.join(backend.backupDir, `${STACK}.1796530743999999999.json`), "{\"versi");
        const older = path.join(backend.backupDir, `${STACK}.1796530743841662606.json`);
        const inspection = inspectStack(locate());
        expect(inspection.restoreFrom?.file).toBe(older);
        expect(inspection.unusableCandidates.map((c) => c.file)).toEqual([`${backend.stackBase}.json.bak`, newest]);
        repairStack(inspection, { dryRun: false, now: NOW });
        expect(fs.readFileSync(`${backend.stackBase}.json`)).toEqual(fs.readFileSync(older));
    });

    it("a torn checkpoint without any usable backup is reported, and nothing is changed", () => {
        backend.blob(`${backend.stackBase}.json`, "");
        const inspection = inspectStack(locate());
        expect(inspection.checkpoint?.state).toBe("torn");
        expect(inspection.restoreFrom).toBeUndefined();
        const before = backend.snapshot();
        expect(repairStack(inspection, { dryRun: false, now: NOW })).toEqual([]);
        expect(backend.snapshot()).toEqual(before);
    });

    it("a gzipped checkpoint (PULUMI_SELF_MANAGED_STATE_GZIP) is read; torn, it is restored from .json.gz.bak", () => {
        backend.blob(`${backend.stackBase}.json.gz.bak`, backend.gzip(checkpointJson(GROUP_RESOURCES)));
        backend.blob(`${backend.stackBase}.json.gz`, backend.gzip(checkpointJson(GROUP_RESOURCES)));
        expect(locate().checkpoint).toBe(`${backend.stackBase}.json.gz`);
        expect(readCheckpoint(`${backend.stackBase}.json.gz`))
            .toEqual({ state: "ok", deployment: expect.objectContaining({ resources: GROUP_RESOURCES }) });
        fs.writeFileSync(`${backend.stackBase}.json.gz`, backend.gzip(checkpointJson(GROUP_RESOURCES)).subarray(0, 40));
        const inspection = inspectStack(locate());
        expect(inspection.checkpoint).toEqual({ state: "torn", reason: expect.stringMatching(/^not decompressible/) });
        expect(inspection.restoreFrom?.file).toBe(`${backend.stackBase}.json.gz.bak`);
    });

    it("of several checkpoint variants the newest is the one in use, as in Pulumi", () => {
        backend.healthyStack();
        const gz = backend.blob(`${backend.stackBase}.json.gz`, backend.gzip(checkpointJson([])));
        fs.utimesSync(`${backend.stackBase}.json`, new Date(1000), new Date(1000));
        expect(locate().checkpoint).toBe(gz);
    });

    it("a missing stack has no checkpoint, and the project's other stacks are listed", () => {
        backend.blob(path.join(backend.stackDir, "prod.json"), checkpointJson([]));
        backend.blob(path.join(backend.stackDir, "qa.json.gz"), backend.gzip(checkpointJson([])));
        const files = locate();
        expect(files.checkpoint).toBeUndefined();
        expect(stacksOfProject(files)).toEqual(["prod", "qa"]);
        expect(inspectStack(files).checkpoint).toBeUndefined();
    });

    it("the legacy layout (no meta.yaml): stacks/<stack>.json and locks/<stack>", () => {
        const legacy = new FakeBackend("legacy");
        try {
            legacy.blob(path.join(legacy.bookkeeping, "stacks", `${STACK}.json`), checkpointJson(GROUP_RESOURCES));
            const files = locateStack(legacy.dir, PROJECT, STACK);
            expect(files.layout).toBe("legacy");
            expect(files.checkpoint).toBe(path.join(legacy.bookkeeping, "stacks", `${STACK}.json`));
            expect(files.lockDir).toBe(path.join(legacy.bookkeeping, "locks", STACK));
        } finally {
            legacy.remove();
        }
    });

    it("reads the stack's locks: who holds each and whether that process still runs here", () => {
        backend.healthyStack();
        backend.lock({ pid: 4242, username: "root", hostname: "vm", timestamp: "2026-12-06T04:20:08Z" }, "a");
        backend.lock({ pid: 4343, username: "root", hostname: "other-host", timestamp: "2026-12-06T04:20:09Z" }, "b");
        backend.lock("", "c");
        const locks = readLocks(locate(), "vm", (pid) => pid === 4242 || pid === 4343)
            .sort((x, y) => x.file.localeCompare(y.file));
        expect(locks.map((l) => [path.basename(l.file), l.pid, l.holderRunning, l.unreadable === undefined])).toEqual([
            ["a.json", 4242, true, true],
            // The same pid on another host says nothing about this one's processes.
            ["b.json", 4343, false, true],
            ["c.json", undefined, false, false],
        ]);
    });

    it("a torn checkpoint's aside name has no dot, so Pulumi never lists it as a stack", () => {
        expect(tornSuffix(NOW)).toBe(".torn-20261206T042008Z");
    });
});
