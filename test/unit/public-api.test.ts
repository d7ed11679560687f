// The package's public API: what `podgroup` and `podgroup/harness` export, read from the sources
// with the TypeScript compiler. Named exports only, each one documented, and docs/api.md is the
// list generated from them (PODGROUP_UPDATE_API_DOC=1 npx jest test/unit/public-api.test.ts rewrites it).
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";

const ROOT = path.resolve(__dirname, "..", "..");
const API_DOC = path.join(ROOT, "docs", "api.md");
/** Entry point (as a user imports it) -> source file; package.json `exports` maps the same names. */
const ENTRIES: Record<string, string> = { podgroup: "components/index.ts", "podgroup/harness": "harness/index.ts" };

interface ApiEntry { name: string; kind: string; doc: string }

function kindOf(decl: ts.Declaration | undefined): string {
    if (decl === undefined) return "unknown";
    if (ts.isClassDeclaration(decl)) return "class";
    if (ts.isFunctionDeclaration(decl)) return "function";
    if (ts.isInterfaceDeclaration(decl)) return "interface";
    if (ts.isTypeAliasDeclaration(decl)) return "type";
    if (ts.isVariableDeclaration(decl)) return "const";
    if (ts.isEnumDeclaration(decl)) return "enum";
    return ts.SyntaxKind[decl.kind];
}

function readApi(): Record<string, ApiEntry[]> {
    const files = Object.values(ENTRIES).map((f) => path.join(ROOT, f));
    const program = ts.createProgram(files, {
        target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10,
        strict: true, esModuleInterop: true, resolveJsonModule: true, skipLibCheck: true, noEmit: true, types: ["node"],
    });
    const checker = program.getTypeChecker();
    const api: Record<string, ApiEntry[]> = {};
    for (const [entry, file] of Object.entries(ENTRIES)) {
        const source = program.getSourceFile(path.join(ROOT, file));
        const moduleSymbol = source && checker.getSymbolAtLocation(source);
        if (moduleSymbol === undefined) throw new Error(`cannot read the exports of ${file}`);
        api[entry] = checker.getExportsOfModule(moduleSymbol).map((exported) => {
            const target = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
            const doc = ts.displayPartsToString(target.getDocumentationComment(checker)).split("\n")[0].trim();
            return { name: exported.name, kind: kindOf(target.declarations?.[0]), doc };
        }).sort((a, b) => a.name.localeCompare(b.name));
    }
    return api;
}

function renderApiDoc(api: Record<string, ApiEntry[]>): string {
    const lines = ["# Public API", "", "Generated from the sources by test/unit/public-api.test.ts (which fails when this file",
        "is out of date; `PODGROUP_UPDATE_API_DOC=1 npx jest test/unit/public-api.test.ts` rewrites it).", ""];
    for (const [entry, items] of Object.entries(api)) {
        lines.push(`## \`${entry}\``, "", "| name | kind | what |", "|---|---|---|");
        for (const i of items) lines.push(`| \`${i.name}\` | ${i.kind} | ${i.doc.replace(/\|/g, "\\|")} |`);
        lines.push("");
    }
    return lines.join("\n");
}

describe("public API", () => {
    const api = readApi();

    it("maps each entry point of package.json to the source it is built from", () => {
        const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { exports: Record<string, { types: string }> };
        for (const [entry, file] of Object.entries(ENTRIES)) {
            const key = entry === "podgroup" ? "." : `./${entry.slice("podgroup/".length)}`;
            expect([entry, pkg.exports[key]?.types]).toEqual([entry, `./dist/${file.replace(/\.ts$/, ".d.ts")}`]);
        }
    });

    it("uses named exports only (no `export *`)", () => {
        for (const file of Object.values(ENTRIES)) {
            const text = fs.readFileSync(path.join(ROOT, file), "utf8");
            expect([file, text.match(/^export \* from .*$/gm) ?? []]).toEqual([file, []]);
        }
    });

    it("documents every export", () => {
        const undocumented = Object.entries(api).flatMap(([entry, items]) => items.filter((i) => i.doc === "").map((i) => `${entry}: ${i.name}`));
        expect(undocumented).toEqual([]);
    });

    it("is listed in docs/api.md as generated", () => {
        const want = renderApiDoc(api);
        if (process.env.PODGROUP_UPDATE_API_DOC === "1") fs.writeFileSync(API_DOC, want);
        expect(fs.existsSync(API_DOC) ? fs.readFileSync(API_DOC, "utf8") : "(missing)").toBe(want);
    });
});
