/** The Markdown report: the matrix (checks by targets, agree or differ vs Kubernetes), then every divergence with its evidence. */
import { SuiteReport } from "../model/results";
import { cellText } from "./cells";

const esc = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

/** Just the matrix table (what CI prints). */
export function renderMatrix(report: SuiteReport): string {
    const ids = report.targets.map((t) => t.id);
    const head = `| Check | ${report.targets.map((t) => t.title).join(" | ")} |`;
    const sep = `|---|${ids.map(() => "---").join("|")}|`;
    const rows = report.matrix.map((r) => `| ${r.check} | ${ids.map((t) => cellText(r.cells[t])).join(" | ")} |`);
    return [head, sep, ...rows].join("\n");
}

/** The whole Markdown report: verdict, matrix, observations, divergences with evidence, deployments, specifications. */
export function renderMarkdown(report: SuiteReport): string {
    const out: string[] = [];
    out.push("# PodGroup conformance report", "");
    out.push(`Run ${report.startedAt}, ${(report.durationMs / 1000).toFixed(0)} s. Verdict: **${report.failures.length === 0 ? "PASS" : "FAIL"}**.`, "");
    out.push("Targets:", "");
    for (const t of report.targets) {
        out.push(`- **${t.title}** (\`${t.id}\`): ${t.endpoint}${t.version !== undefined ? `, ${t.version}` : ""}${t.error !== undefined ? ` — UNREACHABLE: ${t.error}` : ""}`);
    }
    out.push("", "## Matrix", "", "Each cell: the check's outcome on that target, and how it compares with Kubernetes (the reference).", "");
    out.push(renderMatrix(report), "");
    if (report.failures.length > 0) {
        out.push("## Failures", "", ...report.failures.map((f) => `- ${esc(f)}`), "");
    }
    if (report.notes.length > 0) {
        out.push("## Notes", "", ...report.notes.map((f) => `- ${esc(f)}`), "");
    }
    out.push("## Observations", "", "| Check | Target | Outcome | Observed | Time |", "|---|---|---|---|---|");
    for (const r of report.results) {
        out.push(`| ${r.check} | ${r.target} | ${r.outcome} | ${esc(r.summary)} | ${(r.durationMs / 1000).toFixed(1)} s |`);
    }
    out.push("");
    const divergent = report.results.filter((r) => report.matrix.find((m) => m.check === r.check)?.cells[r.target]?.comparison.startsWith("differ"));
    out.push("## Divergences", "");
    if (divergent.length === 0) {
        out.push("None: every target agrees with Kubernetes.", "");
    }
    for (const r of divergent) {
        const cell = report.matrix.find((m) => m.check === r.check)?.cells[r.target];
        out.push(`### ${r.check} on ${r.target}`, "");
        out.push(`Observed: ${r.summary}`, "");
        if (cell?.divergence !== undefined) {
            out.push(`Expected divergence. ${cell.divergence.reason}`, "", `References: ${cell.divergence.references.join(", ")}`, "");
        } else {
            out.push("**Not listed as expected.**", "");
        }
        out.push("Evidence:", "", "```");
        for (const e of r.evidence) {
            out.push(`[+${e.atMs} ms] ${e.kind}: ${e.command}`, ...e.result.split("\n").map((l) => `    ${l}`));
        }
        out.push("```", "");
    }
    out.push("## Deployments (pulumi up / destroy of each fixture, an inline PodGroup program)", "", "| Target | Fixture | Group | up | destroy |", "|---|---|---|---|---|");
    for (const d of report.deployments) {
        out.push(`| ${d.target} | ${d.fixture} | ${d.group} | ${d.upMs !== undefined ? `${(d.upMs / 1000).toFixed(1)} s` : "-"} | ${d.destroyMs !== undefined ? `${(d.destroyMs / 1000).toFixed(1)} s` : "-"}${d.error !== undefined ? ` (error: ${esc(d.error).slice(0, 200)})` : ""} |`);
    }
    out.push("", "## Checks (specifications)", "");
    for (const c of report.checks) {
        out.push(`- **${c.id}** — Testname: ${c.testname}. Description: ${c.description} References: ${c.references.join("; ")}. Fixture: \`${c.fixture}\`.`);
    }
    out.push("");
    return out.join("\n");
}
