/**
 * The generated parts of docs/spec-support.md: the fields of each object (implemented, not
 * implemented, cluster-only) from components/fields.ts, and the rules stricter than the API
 * server from components/stricter.ts. test/unit/spec-support-doc.test.ts fails when the
 * document and these drift (and rewrites it with UPDATE_DOCS=1).
 */
import { FIELDS, FieldsKind, ObjectFields } from "./fields";
import { stricterRulesMarkdown } from "./stricter";

/** Markers around each generated block in the document. */
export const GENERATED_BLOCKS = ["fields", "stricter"] as const;

const list = (names: readonly string[] | undefined) => (names === undefined || names.length === 0 ? "" : names.map((n) => `\`${n}\``).join(", "));

function fieldsMarkdown(): string {
    const rows = (Object.keys(FIELDS) as FieldsKind[]).map((kind) => {
        const f: ObjectFields = FIELDS[kind];
        return `| ${f.what} | ${list(f.supported)} | ${list(f.extensions)} | ${list(f.unsupported)} | ${list(f.clusterOnly)} |`;
    });
    return ["| object | implemented | PodGroup's own | not implemented: error on every backend | cluster-only: passed to the Pod, warning on Docker |", "|---|---|---|---|---|", ...rows].join("\n");
}

/** The text of one generated block. */
export function generatedBlock(name: (typeof GENERATED_BLOCKS)[number]): string {
    return name === "fields" ? fieldsMarkdown() : stricterRulesMarkdown();
}

/** `doc` with every generated block replaced by its current text. */
export function renderSupportDoc(doc: string): string {
    let out = doc;
    for (const name of GENERATED_BLOCKS) {
        const begin = `<!-- generated:${name} -->`;
        const end = `<!-- /generated:${name} -->`;
        const a = out.indexOf(begin);
        const b = out.indexOf(end);
        if (a < 0 || b < a) throw new Error(`docs/spec-support.md lacks the markers ${begin} ... ${end}`);
        out = `${out.slice(0, a + begin.length)}\n${generatedBlock(name)}\n${out.slice(b)}`;
    }
    return out;
}
