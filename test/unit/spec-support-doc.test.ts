// docs/spec-support.md is checked against its sources: the field table (components/fields.ts) and
// the stricter-than-Kubernetes table (components/stricter.ts). UPDATE_DOCS=1 rewrites it.
import * as fs from "fs";
import * as path from "path";
import { renderSupportDoc } from "../../components/support-doc";
import { STRICTER_RULES } from "../../components/stricter";

const DOC = path.resolve(__dirname, "../../docs/spec-support.md");

describe("docs/spec-support.md", () => {
    it("holds the generated field and stricter-rule tables as they are in the code", () => {
        const doc = fs.readFileSync(DOC, "utf8");
        const expected = renderSupportDoc(doc);
        if (process.env.UPDATE_DOCS === "1") fs.writeFileSync(DOC, expected);
        expect(doc).toBe(expected);
    });

    it("lists every stricter rule once, with its targets and a reason", () => {
        const ids = STRICTER_RULES.map((r) => r.id);
        expect(new Set(ids).size).toBe(ids.length);
        for (const r of STRICTER_RULES) expect([r.id, r.targets.length > 0, r.reason.length > 10]).toEqual([r.id, true, true]);
    });
});
