// The Docker-side contract (contract/docker-contract.json) is spelled once: the supervisor's Go
// constants are generated from it (its own test checks the generated file; this one checks the
// Go the TypeScript side would talk to), the harness reads the status file's keys the supervisor
// writes, and no TypeScript or shell file spells a label key or supervisor setting by hand.
import * as fs from "fs";
import * as path from "path";
import { DOCKER_CONTRACT } from "../../components/contract";
import { SUPERVISOR_STATUS_KEYS_READ } from "../../harness/adapters/supervisor-status";

const ROOT = path.resolve(__dirname, "../..");
const GO_CONTRACT = path.join(ROOT, "supervisor/internal/contract/contract_gen.go");

/** `Name = "value"` constants and `Name = Option{Flag: "...", ...}` of the generated Go file. */
function goConstants(): Map<string, string> {
    const text = fs.readFileSync(GO_CONTRACT, "utf8");
    const out = new Map<string, string>();
    for (const m of text.matchAll(/^\t(\w+)\s+=\s+"([^"]*)"$/gm)) out.set(m[1], m[2]);
    for (const m of text.matchAll(/^\t(\w+)\s+=\s+Option\{Flag: "([^"]*)", Env: "([^"]*)", Default: "([^"]*)"\}$/gm)) {
        out.set(`${m[1]}.Flag`, m[2]).set(`${m[1]}.Env`, m[3]).set(`${m[1]}.Default`, m[4]);
    }
    return out;
}

const exported = (k: string) => (k[0].toUpperCase() + k.slice(1)).replace(/Pid$/, "PID").replace(/Id$/, "ID");

describe("the Docker-side contract", () => {
    it("is what the supervisor's generated Go constants say", () => {
        const go = goConstants();
        const want = new Map<string, string>();
        for (const [k, v] of Object.entries(DOCKER_CONTRACT.labels)) want.set(`Label${exported(k)}`, v);
        for (const [k, v] of Object.entries(DOCKER_CONTRACT.roles)) want.set(`Role${exported(k)}`, v);
        for (const [k, v] of Object.entries(DOCKER_CONTRACT.supervisor)) {
            if (typeof v === "string") want.set(`Supervisor${exported(k)}`, v);
        }
        for (const [k, o] of Object.entries(DOCKER_CONTRACT.supervisor.options)) {
            for (const f of ["Flag", "Env", "Default"] as const) want.set(`Option${exported(k)}.${f}`, o[f.toLowerCase() as "flag" | "env" | "default"]);
        }
        for (const [k, v] of Object.entries(DOCKER_CONTRACT.supervisor.terminate)) {
            want.set(`Terminate${exported(k)}`, v);
        }
        expect(Object.fromEntries(go)).toEqual(Object.fromEntries(want));
    });

    it("gives each role its own name as label value", () => {
        for (const [k, v] of Object.entries(DOCKER_CONTRACT.roles)) expect([k, v]).toEqual([k, k]);
    });

    it("lists every status file key the harness reads", () => {
        const missing = (read: object, listed: string[]) => Object.keys(read).filter((k) => !listed.includes(k));
        expect(missing(SUPERVISOR_STATUS_KEYS_READ.group, DOCKER_CONTRACT.status.groupFields)).toEqual([]);
        expect(missing(SUPERVISOR_STATUS_KEYS_READ.container, DOCKER_CONTRACT.status.containerFields)).toEqual([]);
    });
});

/** Files that may spell the contract's values: the contract, its generated Go, and prose owned elsewhere. */
const ALLOWED = new Set([
    "contract/docker-contract.json",
    "supervisor/internal/contract/contract_gen.go",
    // An error message's prose ("keys under podgroup.io/ ..."), in the validator.
    "components/validate.ts",
]);

/** The code (not the comments) of a TypeScript, Go or shell file. */
function codeOf(file: string, text: string): string {
    if (file.endsWith(".sh")) return text.split("\n").filter((l) => !/^\s*#/.test(l)).map((l) => l.replace(/\s#\s.*$/, "")).join("\n");
    return text.replace(/\/\*[\s\S]*?\*\//g, "").split("\n").filter((l) => !/^\s*\/\//.test(l)).map((l) => l.replace(/\s\/\/\s.*$/, "")).join("\n");
}

function filesUnder(dir: string, ext: RegExp): string[] {
    return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true, recursive: true })
        .filter((e) => e.isFile() && ext.test(e.name))
        .map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)));
}

describe("no hand-spelled copy of the contract", () => {
    // Label keys, the supervisor's host directory and its environment variables, wherever code
    // (not tests' expectations, not comments) deals with Docker objects of a group.
    const needles = [DOCKER_CONTRACT.labels.prefix, DOCKER_CONTRACT.supervisor.hostStateDir,
        ...Object.values(DOCKER_CONTRACT.supervisor.options).map((o) => o.env)];
    const files = [
        ...filesUnder("components", /\.ts$/), ...filesUnder("harness/adapters", /\.ts$/),
        ...filesUnder("test/integration", /\.ts$/), ...filesUnder("bench", /\.(ts|sh)$/),
        ...filesUnder("supervisor", /\.go$/).filter((f) => !f.endsWith("_test.go")),
        "images/supervisor/build.sh", "scripts/images.sh",
    ].filter((f) => !ALLOWED.has(f));

    it.each(files)("%s", (file) => {
        const code = codeOf(file, fs.readFileSync(path.join(ROOT, file), "utf8"));
        expect([file, needles.filter((n) => code.includes(n))]).toEqual([file, []]);
    });
});
