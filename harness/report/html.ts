/** One self-contained HTML page (inline CSS, no scripts, no external assets) with the matrix and every result's evidence. */
import { SuiteReport } from "../model/results";
import { cellText } from "./cells";

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

const CSS = `body{font-family:system-ui,sans-serif;margin:2em;max-width:1200px;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.4em .6em;vertical-align:top;text-align:left}
th{background:#f3f3f3}.reference,.agree{background:#e6f4e6}.differ-expected{background:#fff4d6}.differ-unexpected,.error{background:#fbdada}
pre{background:#f7f7f7;padding:.6em;overflow-x:auto;font-size:12px}.verdict-pass{color:#176f17}.verdict-fail{color:#a11}small{color:#666}`;

/** The report as one self-contained HTML page. */
export function renderHtml(report: SuiteReport): string {
    const ids = report.targets.map((t) => t.id);
    const verdict = report.failures.length === 0 ? "PASS" : "FAIL";
    const rows = report.matrix.map((r) => `<tr><th title="${esc(r.testname)}">${esc(r.check)}</th>${ids.map((t) => {
        const c = r.cells[t];
        return c === undefined ? "<td>-</td>" : `<td class="${c.comparison}"><b>${esc(cellText(c))}</b><br><small>${esc(c.summary)}</small></td>`;
    }).join("")}</tr>`).join("\n");
    const details = report.results.map((r) => `<details><summary>${esc(r.check)} on ${esc(r.target)}: ${esc(r.outcome)} (${(r.durationMs / 1000).toFixed(1)} s)</summary>
<p>${esc(r.summary)}</p><pre>${esc(r.evidence.map((e) => `[+${e.atMs} ms] ${e.kind}: ${e.command}\n${e.result.split("\n").map((l) => `    ${l}`).join("\n")}`).join("\n"))}</pre></details>`).join("\n");
    const divergences = report.expectedDivergences.map((d) => `<li><b>${esc(d.check)}</b> on <b>${esc(d.target)}</b>: ${esc(d.reason)} <small>${esc(d.references.join(", "))}</small></li>`).join("\n");
    return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>PodGroup conformance report</title><style>${CSS}</style></head>
<body>
<h1>PodGroup conformance report</h1>
<p>Run ${esc(report.startedAt)}, ${(report.durationMs / 1000).toFixed(0)} s. Verdict: <b class="verdict-${verdict.toLowerCase()}">${verdict}</b></p>
<ul>${report.targets.map((t) => `<li><b>${esc(t.title)}</b>: ${esc(t.endpoint)} ${esc(t.version ?? "")} ${t.error !== undefined ? `<b>UNREACHABLE</b>: ${esc(t.error)}` : ""}</li>`).join("")}</ul>
<h2>Matrix</h2>
<p>Each cell: outcome on that target and how it compares with Kubernetes (green: agrees, yellow: expected divergence, red: unexpected or error).</p>
<table><tr><th>Check</th>${report.targets.map((t) => `<th>${esc(t.title)}</th>`).join("")}</tr>
${rows}
</table>
${report.failures.length > 0 ? `<h2>Failures</h2><ul>${report.failures.map((f) => `<li>${esc(f)}</li>`).join("")}</ul>` : ""}
${report.notes.length > 0 ? `<h2>Notes</h2><ul>${report.notes.map((f) => `<li>${esc(f)}</li>`).join("")}</ul>` : ""}
<h2>Expected divergences</h2><ul>${divergences}</ul>
<h2>Evidence</h2>
${details}
<h2>Specifications</h2>
<ul>${report.checks.map((c) => `<li><b>${esc(c.id)}</b> — <i>${esc(c.testname)}</i>: ${esc(c.description)} <small>${esc(c.references.join("; "))}</small></li>`).join("\n")}</ul>
</body></html>
`;
}
