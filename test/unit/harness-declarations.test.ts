/**
 * The harness's public entry (`podgroup/harness`, harness/index.ts) has declarations that
 * type-check without jest's types: its jest helper types the few jest globals it uses itself, so
 * a user's project needs no @types/jest for the package. (Named exports and their documentation:
 * test/unit/public-api.test.ts.)
 */
import * as path from "path";
import * as ts from "typescript";

const ROOT = path.resolve(__dirname, "..", "..");
const INDEX = path.join(ROOT, "harness", "index.ts");

describe("harness/index.ts declarations", () => {
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
