/**
 * bench/scale.sh's report: reads the work directory (cells.jsonl, fixed.json, recovery.json,
 * machine-*.json) and writes scale.json, scale.md and scale.svg (a chart generated from the
 * JSON) into the output directory; prints the Markdown tables.
 *
 * Usage: node report.js WORK_DIR OUT_DIR
 */
import * as fs from "fs";
import * as path from "path";

/** One measured cell (bench/lib/scale-common.sh, add_cell). */
export interface Cell {
    target: "docker" | "pulumi" | "kubernetes";
    variant: "plain" | "tuned";
    flags?: string;
    env?: string;
    groups: number;
    members: number;
    containers: number;
    readyMs: number;
    destroyMs: number;
    /** pulumi: a `pulumi preview` of the same fresh stack (what `pulumi up` without --skip-preview adds). */
    previewMs?: number;
    memory: {
        pauses: number; pauseRssKiB: number; shims: number; shimRssKiB: number; supervisorRssKiB: number;
        dockerDaemonsRssKiB: Record<string, number>; clusterRssKiB: Record<string, number>;
    };
    profile?: {
        firstCreateMs: number; lastStartMs: number; pauseToMemberMs: number | null; memberSpreadMs: number | null;
        firstRegistrationMs?: number | null;
    };
}

interface Fixed { noopUpMs: number[]; noopUpTranspileOnlyMs: number[]; cliVersionMs: number[] }

/** Goals of the scale work (the issue's "Cut the overhead"). */
export const GOALS = { pulumiUpOverDockerRun: 2, perMemberOverDockerRun: 1.3 };

export function median(xs: number[]): number | null {
    if (xs.length === 0) return null;
    const s = [...xs].sort((a, b) => a - b);
    const h = Math.floor(s.length / 2);
    return s.length % 2 === 1 ? s[h] : (s[h - 1] + s[h]) / 2;
}

const round = (x: number | null, digits = 2): number | null => x === null || !Number.isFinite(x) ? null : Number(x.toFixed(digits));

function find(cells: Cell[], target: Cell["target"], groups: number, members: number, variant: Cell["variant"] = "plain"): Cell | undefined {
    return cells.find((c) => c.target === target && c.groups === groups && c.members === members && c.variant === variant);
}

/** Per extra member, in ms, between the cells with the fewest and the most members at `groups`. */
function perMemberMs(cells: Cell[], target: Cell["target"], groups: number, lo: number, hi: number, variant: Cell["variant"] = "plain"): number | null {
    const a = find(cells, target, groups, lo, variant);
    const b = find(cells, target, groups, hi, variant);
    if (a === undefined || b === undefined || hi === lo) return null;
    return (b.readyMs - a.readyMs) / (groups * (hi - lo));
}

/** A group's memory in a cell (KiB of VmRSS, divided by the cell's groups). */
export interface GroupMemory {
    target: Cell["target"]; groups: number; members: number;
    /** Shim processes per group: M + 1 on Docker (one per container), 1 on Kubernetes (one per Pod). */
    shimsPerGroup: number;
    shimKiB: number; pauseKiB: number; supervisorKiB: number;
    /** What one more group adds: its shims, its pause and its share of the supervisor (Docker). */
    totalKiB: number;
    /** The daemons' share (dockerd + containerd; the cluster's etcd, apiserver, ..., kubelet, containerd). */
    daemonsKiB: number;
    withDaemonsKiB: number;
}

/** Per group memory of a cell: the members' own processes are the same on both runtimes and left out. */
export function groupMemory(c: Cell): GroupMemory {
    const per = (kib: number) => Math.round(kib / c.groups);
    const daemons = c.target === "kubernetes" ? c.memory.clusterRssKiB : c.memory.dockerDaemonsRssKiB;
    const shimKiB = per(c.memory.shimRssKiB), pauseKiB = per(c.memory.pauseRssKiB);
    const supervisorKiB = per(c.memory.supervisorRssKiB);
    const totalKiB = shimKiB + pauseKiB + supervisorKiB;
    const daemonsKiB = per(Object.values(daemons).reduce((a, b) => a + b, 0));
    return {
        target: c.target, groups: c.groups, members: c.members, shimsPerGroup: round(c.memory.shims / c.groups, 1) ?? 0,
        shimKiB, pauseKiB, supervisorKiB, totalKiB, daemonsKiB, withDaemonsKiB: totalKiB + daemonsKiB,
    };
}

function readJson<T>(file: string): T | undefined {
    return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) as T : undefined;
}

/** The summary (scale.json) from the work directory's files. */
export function summarise(work: string): Record<string, unknown> {
    const cells = fs.readFileSync(path.join(work, "cells.jsonl"), "utf8").split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l) as Cell);
    const fixed = readJson<Fixed>(path.join(work, "fixed.json"));
    const recovery = readJson<Record<string, unknown>>(path.join(work, "recovery.json"));
    const groupCounts = [...new Set(cells.map((c) => c.groups))].sort((a, b) => a - b);
    const memberCounts = [...new Set(cells.map((c) => c.members))].sort((a, b) => a - b);
    const n = groupCounts[groupCounts.length - 1];
    const lo = memberCounts[0];
    const hi = memberCounts[memberCounts.length - 1];
    const ratio = (variant: Cell["variant"]) => {
        const p = find(cells, "pulumi", n, lo, variant);
        const d = find(cells, "docker", n, lo);
        return p !== undefined && d !== undefined ? round(p.readyMs / d.readyMs) : null;
    };
    const perMember = (variant: Cell["variant"]) => {
        const p = perMemberMs(cells, "pulumi", n, lo, hi, variant);
        const d = perMemberMs(cells, "docker", n, lo, hi);
        return p !== null && d !== null && d > 0 ? round(p / d) : null;
    };
    const pulumiUpOverDockerRun = ratio("plain");
    const perMemberOverDockerRun = perMember("plain");
    return {
        benchmark: "bash bench/scale.sh",
        machine: { start: readJson(path.join(work, "machine-start.json")), end: readJson(path.join(work, "machine-end.json")) },
        ratioCell: { groups: n, members: lo, containersPerGroup: lo + 1 },
        pulumiUpOverDockerRun,
        pulumiUpOverDockerRunTuned: ratio("tuned"),
        perMemberOverDockerRun,
        perMemberOverDockerRunTuned: perMember("tuned"),
        perMemberMs: {
            between: { groups: n, members: [lo, hi] },
            docker: round(perMemberMs(cells, "docker", n, lo, hi), 0),
            pulumi: round(perMemberMs(cells, "pulumi", n, lo, hi), 0),
            pulumiTuned: round(perMemberMs(cells, "pulumi", n, lo, hi, "tuned"), 0),
            kubernetes: round(perMemberMs(cells, "kubernetes", n, lo, hi), 0),
        },
        fixedOverheadMs: fixed !== undefined ? median(fixed.noopUpMs) : null,
        fixedOverheadTranspileOnlyMs: fixed !== undefined ? median(fixed.noopUpTranspileOnlyMs) : null,
        fixedOverhead: fixed ?? null,
        goals: {
            pulumiUpOverDockerRun: { atMost: GOALS.pulumiUpOverDockerRun, met: pulumiUpOverDockerRun !== null && pulumiUpOverDockerRun <= GOALS.pulumiUpOverDockerRun },
            perMemberOverDockerRun: { atMost: GOALS.perMemberOverDockerRun, met: perMemberOverDockerRun !== null && perMemberOverDockerRun <= GOALS.perMemberOverDockerRun },
        },
        massRecovery: recovery ?? null,
        memoryPerGroup: cells.filter((c) => c.variant === "plain").map(groupMemory),
        cells,
    };
}

const TARGET_COLUMNS: { title: string; target: Cell["target"]; variant: Cell["variant"]; colour: string }[] = [
    { title: "docker run (floor)", target: "docker", variant: "plain", colour: "#4c78a8" },
    { title: "pulumi up", target: "pulumi", variant: "plain", colour: "#e45756" },
    { title: "pulumi up, tuned", target: "pulumi", variant: "tuned", colour: "#f58518" },
    { title: "kubectl apply → Ready", target: "kubernetes", variant: "plain", colour: "#54a24b" },
];

const sec = (ms: number | undefined | null) => ms === undefined || ms === null ? "–" : `${(ms / 1000).toFixed(2)} s`;
const mib = (kib: number) => `${(kib / 1024).toFixed(1)} MiB`;

/** The Markdown report. */
export function markdown(summary: ReturnType<typeof summarise>): string {
    const cells = summary.cells as Cell[];
    const m = summary.machine as { start?: Record<string, unknown>; end?: Record<string, unknown> };
    const shapes = [...new Map(cells.map((c) => [`${c.groups}x${c.members}`, [c.groups, c.members] as const])).values()]
        .sort((a, b) => a[1] - b[1] || a[0] - b[0]);
    const lines: string[] = [];
    const s = m.start ?? {};
    lines.push(`Measured ${String(s.date ?? "?")} (to ${String(m.end?.date ?? "?")}) by \`bash bench/scale.sh\` on ${String(s.cores ?? "?")} cores, ` +
        `${String(s.memoryGiB ?? "?")} GiB, kernel ${String(s.kernel ?? "?")}, Docker ${String(s.docker ?? "?")}, Pulumi ${String(s.pulumi ?? "?")}, ` +
        `Kubernetes ${String(s.kubernetes ?? "?")}; load average at the start ${JSON.stringify(s.load ?? [])}, at the end ${JSON.stringify(m.end?.load ?? [])}; ` +
        `busiest processes at the start: ${String(s.busiest ?? "?")}.`);
    lines.push("");
    lines.push("Time to every container running (Docker) / every Pod Ready (Kubernetes), one run per cell:");
    lines.push("");
    lines.push(`| groups × members (containers) | ${TARGET_COLUMNS.map((t) => t.title).join(" | ")} | pulumi up ÷ docker run |`);
    lines.push(`|---|${TARGET_COLUMNS.map(() => "---").join("|")}|---|`);
    for (const [g, mm] of shapes) {
        const row = TARGET_COLUMNS.map((t) => sec(find(cells, t.target, g, mm, t.variant)?.readyMs));
        const p = find(cells, "pulumi", g, mm); const d = find(cells, "docker", g, mm);
        const r = p && d ? (p.readyMs / d.readyMs).toFixed(1) : "–";
        lines.push(`| ${g} × ${mm} (${g * (mm + 1)}) | ${row.join(" | ")} | ${r} |`);
    }
    lines.push("");
    lines.push("Destroy (docker: one `docker rm -f` of all; pulumi: `pulumi destroy`; kubernetes: `kubectl delete` until gone):");
    lines.push("");
    lines.push(`| groups × members | ${TARGET_COLUMNS.map((t) => t.title.replace(" → Ready", "")).join(" | ")} |`);
    lines.push(`|---|${TARGET_COLUMNS.map(() => "---").join("|")}|`);
    for (const [g, mm] of shapes) {
        lines.push(`| ${g} × ${mm} | ${TARGET_COLUMNS.map((t) => sec(find(cells, t.target, g, mm, t.variant)?.destroyMs)).join(" | ")} |`);
    }
    lines.push("");
    lines.push("Memory with the cell running (VmRSS): pause processes (sum), containerd shims (sum; one per container " +
        "on Docker, one per Pod on Kubernetes), supervisor; the daemons:");
    lines.push("");
    lines.push("| cell | runtime | pauses | shims | supervisor | daemons |");
    lines.push("|---|---|---|---|---|---|");
    for (const c of cells.filter((x) => x.variant === "plain" && x.target !== "pulumi")) {
        const daemons = c.target === "kubernetes" ? c.memory.clusterRssKiB : c.memory.dockerDaemonsRssKiB;
        lines.push(`| ${c.groups} × ${c.members} | ${c.target} | ${c.memory.pauseRssKiB} KiB (${c.memory.pauses}) | ${mib(c.memory.shimRssKiB)} (${c.memory.shims}) | ` +
            `${c.memory.supervisorRssKiB > 0 ? mib(c.memory.supervisorRssKiB) : "not running"} | ` +
            `${Object.entries(daemons).map(([k, v]) => `${k} ${mib(v)}`).join(", ")} (total ${mib(Object.values(daemons).reduce((a, b) => a + b, 0))}) |`);
    }
    lines.push("");
    lines.push("Memory per group (VmRSS ÷ groups): shims + pause + the supervisor's share is what one more group " +
        "adds; the daemons' share is the host's daemons divided by the groups (pulumi: Docker with the supervisor; " +
        "docker: `docker run`, no supervisor; the members' own processes are the same on both and left out):");
    lines.push("");
    lines.push("| cell | runtime | shims per group | shims | pause | supervisor | per group | daemons' share | " +
        "with the daemons |");
    lines.push("|---|---|---|---|---|---|---|---|---|");
    for (const g of (summary.memoryPerGroup as GroupMemory[])) {
        lines.push(`| ${g.groups} × ${g.members} | ${g.target} | ${g.shimsPerGroup} | ${mib(g.shimKiB)} | ` +
            `${g.pauseKiB} KiB | ${g.supervisorKiB > 0 ? mib(g.supervisorKiB) : "–"} | **${mib(g.totalKiB)}** | ` +
            `${mib(g.daemonsKiB)} | ${mib(g.withDaemonsKiB)} |`);
    }
    lines.push("");
    const rc = summary.ratioCell as { groups: number; members: number };
    const goals = summary.goals as Record<string, { atMost: number; met: boolean }>;
    const pm = summary.perMemberMs as Record<string, unknown>;
    lines.push(`- \`pulumiUpOverDockerRun\` (${rc.groups} groups × ${rc.members + 1} containers): **${String(summary.pulumiUpOverDockerRun)}** ` +
        `(goal ≤ ${goals.pulumiUpOverDockerRun.atMost}: ${goals.pulumiUpOverDockerRun.met ? "met" : "not met"}); tuned: ${String(summary.pulumiUpOverDockerRunTuned)}`);
    lines.push(`- \`perMemberOverDockerRun\`: **${String(summary.perMemberOverDockerRun)}** (goal ≤ ${goals.perMemberOverDockerRun.atMost}: ` +
        `${goals.perMemberOverDockerRun.met ? "met" : "not met"}); tuned: ${String(summary.perMemberOverDockerRunTuned)}; per extra member: ` +
        `docker ${String(pm.docker)} ms, pulumi ${String(pm.pulumi)} ms, tuned ${String(pm.pulumiTuned)} ms, kubernetes ${String(pm.kubernetes)} ms`);
    lines.push(`- \`fixedOverheadMs\` (one \`pulumi up\` with nothing to do): **${String(summary.fixedOverheadMs)}** ms; ` +
        `without ts-node's type check ${String(summary.fixedOverheadTranspileOnlyMs)} ms; \`pulumi version\` alone ` +
        `${String(median((summary.fixedOverhead as Fixed | null)?.cliVersionMs ?? []))} ms`);
    lines.push("");
    lines.push("Where `pulumi up` spends its time (ms after the command started; Docker's event times):");
    lines.push("");
    lines.push("| cell | variant | first resource registered | first container created | last container started | up returned | pause start → first member create (median) | a group's first member create → last member start (median) | `pulumi preview` alone |");
    lines.push("|---|---|---|---|---|---|---|---|---|");
    for (const c of cells.filter((x) => x.profile !== undefined)) {
        const p = c.profile!;
        lines.push(`| ${c.groups} × ${c.members} | ${c.target === "docker" ? "docker run" : c.variant} | ${p.firstRegistrationMs ?? "–"} | ${p.firstCreateMs} | ${p.lastStartMs} | ${c.readyMs} | ${p.pauseToMemberMs ?? "–"} | ${p.memberSpreadMs ?? "–"} | ${c.previewMs ?? "–"} |`);
    }
    const rec = summary.massRecovery as Record<string, unknown> | null;
    if (rec !== null) {
        lines.push("");
        lines.push(`Mass recovery, ${String(rec.groups)} groups of a pause + 2 members: time until every group is whole again (ms):`);
        lines.push("");
        lines.push("| event | docker + supervisor | kubernetes |");
        lines.push("|---|---|---|");
        for (const row of (rec.table as { event: string; docker: string; kubernetes: string }[] | undefined) ?? []) {
            lines.push(`| ${row.event} | ${row.docker} | ${row.kubernetes} |`);
        }
        for (const note of (rec.notes as string[] | undefined) ?? []) lines.push(`- ${note}`);
    }
    return lines.join("\n") + "\n";
}

/** A grouped bar chart of time to ready per cell and target (log-free, seconds). */
export function svg(summary: ReturnType<typeof summarise>): string {
    const cells = summary.cells as Cell[];
    const shapes = [...new Map(cells.map((c) => [`${c.groups}x${c.members}`, [c.groups, c.members] as const])).values()]
        .sort((a, b) => a[1] - b[1] || a[0] - b[0]);
    const cols = TARGET_COLUMNS.filter((t) => cells.some((c) => c.target === t.target && c.variant === t.variant));
    const max = Math.max(1, ...cells.map((c) => c.readyMs)) / 1000;
    const step = max > 40 ? 10 : max > 16 ? 5 : max > 8 ? 2 : 1;
    const top = Math.ceil(max / step) * step;
    const W = 120 + shapes.length * (cols.length * 26 + 30), H = 380, x0 = 70, y0 = 40, ph = 260;
    const y = (s: number) => y0 + ph - (s / top) * ph;
    const out: string[] = [];
    out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`);
    out.push(`<text x="${x0}" y="20" font-size="14">Time to all running / Ready (s), N groups × M members: ${String((summary.machine as { start?: { date?: string } }).start?.date ?? "")}</text>`);
    for (let s = 0; s <= top; s += step) {
        out.push(`<line x1="${x0}" x2="${W - 20}" y1="${y(s)}" y2="${y(s)}" stroke="#ddd"/><text x="${x0 - 8}" y="${y(s) + 4}" text-anchor="end">${s}</text>`);
    }
    shapes.forEach(([g, mm], i) => {
        const gx = x0 + 15 + i * (cols.length * 26 + 30);
        cols.forEach((t, j) => {
            const c = find(cells, t.target, g, mm, t.variant);
            if (c === undefined) return;
            const v = c.readyMs / 1000;
            out.push(`<rect x="${gx + j * 26}" y="${y(v)}" width="22" height="${y(0) - y(v)}" fill="${t.colour}"><title>${t.title}, ${g} × ${mm}: ${v.toFixed(2)} s</title></rect>`);
            out.push(`<text x="${gx + j * 26 + 11}" y="${y(v) - 3}" text-anchor="middle" font-size="9">${v.toFixed(1)}</text>`);
        });
        out.push(`<text x="${gx + (cols.length * 26) / 2}" y="${y0 + ph + 18}" text-anchor="middle">${g} × ${mm}</text>`);
    });
    cols.forEach((t, j) => {
        const lx = x0 + j * 190;
        out.push(`<rect x="${lx}" y="${H - 40}" width="12" height="12" fill="${t.colour}"/><text x="${lx + 18}" y="${H - 30}">${t.title}</text>`);
    });
    out.push("</svg>");
    return out.join("\n") + "\n";
}

function main(): void {
    const [work, outDir] = process.argv.slice(2);
    if (work === undefined || outDir === undefined) throw new Error("usage: report.js WORK_DIR OUT_DIR");
    const summary = summarise(work);
    fs.mkdirSync(outDir, { recursive: true });
    fs.writeFileSync(path.join(outDir, "scale.json"), JSON.stringify(summary, null, 2) + "\n");
    const md = markdown(summary);
    fs.writeFileSync(path.join(outDir, "scale.md"), `# Scale benchmark\n\n${md}`);
    fs.writeFileSync(path.join(outDir, "scale.svg"), svg(summary));
    process.stdout.write(md);
    process.stdout.write(`\nwritten: ${path.join(outDir, "scale.json")}, scale.md, scale.svg\n`);
}

if (require.main === module) {
    try {
        main();
    } catch (e) {
        process.stderr.write(`scale report: ${e instanceof Error ? e.message : String(e)}\n`);
        process.exit(1);
    }
}
