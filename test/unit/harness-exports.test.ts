/**
 * The harness's public entry (`podgroup/harness`, harness/index.ts): named exports only, each
 * export statement with a doc comment, and declarations that type-check without jest's types
 * (a package must not need @types/jest in its users' projects).
 */
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";

const ROOT = path.resolve(__dirname, "..", "..");
const INDEX = path.join(ROOT, "harness", "index.ts");

/** Export statements of `source` without a doc comment right above them, and `export *` ones. */
export function undocumentedExports(source: string): string[] {
    const file = ts.createSourceFile("index.ts", source, ts.ScriptTarget.ES2022, true);
    const problems: string[] = [];
    for (const st of file.statements) {
        if (!ts.isExportDeclaration(st)) continue;
        const text = st.getText(file).replace(/\s+/g, " ");
        if (st.exportClause === undefined || ts.isNamespaceExport(st.exportClause)) problems.push(`export * is not allowed: ${text}`);
        const docs = ts.getLeadingCommentRanges(source, st.getFullStart()) ?? [];
        if (!docs.some((c) => source.slice(c.pos, c.end).startsWith("/**"))) problems.push(`no doc comment: ${text}`);
    }
    return problems;
}

describe("harness/index.ts", () => {
    it("exports by name, each export with a doc comment", () => {
        expect(undocumentedExports(fs.readFileSync(INDEX, "utf8"))).toEqual([]);
    });

    it("flags export * and an export without a doc comment", () => {
        expect(undocumentedExports('/** ok */\nexport { a } from "./a";\nexport * from "./b";\n// plain comment\nexport type { C } from "./c";\n')).toEqual([
            'export * is not allowed: export * from "./b";', 'no doc comment: export * from "./b";', 'no doc comment: export type { C } from "./c";',
        ]);
    });

    it("its declarations type-check without jest's types", () => {
        const options: ts.CompilerOptions = {
            target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10,
            strict: true, esModuleInterop: true, resolveJsonModule: true, skipLibCheck: true,
            types: ["node"], typeRoots: [path.join(ROOT, "node_modules", "@types")], declaration: true, emitDeclarationOnly: true,
        };
        const program = ts.createProgram([INDEX], options);
        const declarations: string[] = [];
        const emitted = program.emit(undefined, (_name, text) => declarations.push(text));
        const diagnostics = [...ts.getPreEmitDiagnostics(program), ...emitted.diagnostics]
            .map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
        expect(diagnostics).toEqual([]);
        expect(declarations.filter((d) => /reference types="jest"|@jest\/|from "jest"/.test(d))).toEqual([]);
    }, 120_000);
});
