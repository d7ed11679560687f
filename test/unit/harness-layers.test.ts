/**
 * The harness's layers: its model (results, verdict, evidence) and its reports sit below the
 * runtime parts (adapters, deploy, targets, runner, own groups) and load without them. Every
 * import (type-only ones included: they end up in the package's declarations) is followed from
 * each model and report module; the files reached must stay in the model layer, and nothing may
 * reach dockerode, the Kubernetes client or the Pulumi SDK (Automation API included).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as ts from "typescript";

const ROOT = path.resolve(__dirname, "..", "..");
/** The model layer: these directories of harness/ (and the JSON they import). */
const MODEL_DIRS = ["harness/model", "harness/report"];
/** Bare modules the model layer may load: Node's own. */
const ALLOWED_BARE = new Set(["fs", "path"]);

function resolveRelative(from: string, spec: string): string | undefined {
    const base = path.resolve(path.dirname(from), spec);
    return [`${base}.ts`, path.join(base, "index.ts"), base].find((f) => fs.existsSync(f) && fs.statSync(f).isFile());
}

/** Every import chain from `entry` that leaves the model layer: "a.ts -> b.ts -> dockerode". */
export function layerViolations(root: string, entry: string, modelDirs = MODEL_DIRS): string[] {
    const inModel = (f: string) => modelDirs.some((d) => f.startsWith(path.join(root, d) + path.sep));
    const rel = (f: string) => path.relative(root, f);
    const violations: string[] = [];
    const seen = new Set<string>();
    const visit = (file: string, chain: string[]) => {
        if (seen.has(file) || file.endsWith(".json")) return;
        seen.add(file);
        const { importedFiles } = ts.preProcessFile(fs.readFileSync(file, "utf8"), true, true);
        for (const { fileName: spec } of importedFiles) {
            if (!spec.startsWith(".")) {
                if (!ALLOWED_BARE.has(spec)) violations.push([...chain, rel(file), spec].join(" -> "));
                continue;
            }
            const target = resolveRelative(file, spec);
            if (target === undefined) {
                violations.push(`${[...chain, rel(file)].join(" -> ")} imports ${spec}, which does not resolve`);
            } else if (target.endsWith(".json")) {
                continue;
            } else if (!inModel(target)) {
                violations.push([...chain, rel(file), rel(target)].join(" -> "));
            } else {
                visit(target, [...chain, rel(file)]);
            }
        }
    };
    visit(entry, []);
    return violations;
}

function modelFiles(): string[] {
    return MODEL_DIRS.flatMap((d) => fs.readdirSync(path.join(ROOT, d)).filter((f) => f.endsWith(".ts")).map((f) => path.join(ROOT, d, f)));
}

describe("harness layers", () => {
    it("finds the model and report modules", () => {
        expect(modelFiles().map((f) => path.relative(ROOT, f))).toEqual(expect.arrayContaining([
            "harness/model/verdict.ts", "harness/model/results.ts", "harness/model/evidence.ts", "harness/report/index.ts", "harness/report/markdown.ts",
        ]));
    });

    it.each(modelFiles().map((f) => [path.relative(ROOT, f)]))("%s imports nothing outside the model layer", (file) => {
        expect(layerViolations(ROOT, path.join(ROOT, file))).toEqual([]);
    });

    it("reports a model module that reaches a runtime module and dockerode through it", () => {
        const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "harness-layers-"));
        try {
            fs.mkdirSync(path.join(tmp, "harness/model"), { recursive: true });
            fs.mkdirSync(path.join(tmp, "harness/report"), { recursive: true });
            fs.writeFileSync(path.join(tmp, "harness/model/verdict.ts"), 'import type { Target } from "../targets";\nexport type T = Target;\n');
            fs.writeFileSync(path.join(tmp, "harness/report/index.ts"), 'import { T } from "../model/verdict";\nimport "@pulumi/pulumi/automation";\nexport type R = T;\n');
            fs.writeFileSync(path.join(tmp, "harness/targets.ts"), 'import Docker from "dockerode";\nexport type Target = Docker;\n');
            expect(layerViolations(tmp, path.join(tmp, "harness/report/index.ts"))).toEqual([
                "harness/report/index.ts -> harness/model/verdict.ts -> harness/targets.ts",
                "harness/report/index.ts -> @pulumi/pulumi/automation",
            ]);
        } finally {
            fs.rmSync(tmp, { recursive: true, force: true });
        }
    });
});
