/** bench/scale/report.ts: the memory per group beside the cluster's, in scale.json and scale.md. */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Cell, GroupMemory, groupMemory, markdown, summarise } from "../../bench/scale/report";

function cell(target: Cell["target"], shims: number, shimRssKiB: number, supervisorRssKiB: number,
    daemons: Record<string, number>): Cell {
    return {
        target, variant: "plain", groups: 30, members: 5, containers: 180, readyMs: 1000, destroyMs: 100,
        memory: {
            pauses: 30, pauseRssKiB: 30 * 26, shims, shimRssKiB, supervisorRssKiB,
            dockerDaemonsRssKiB: target === "kubernetes" ? {} : daemons,
            clusterRssKiB: target === "kubernetes" ? daemons : {},
        },
    };
}

const pulumi = cell("pulumi", 180, 180 * 13_100, 16_000, { dockerd: 160_000, containerd: 54_000 });
const kube = cell("kubernetes", 30, 30 * 14_500, 0, { "kube-apiserver": 340_000, kubelet: 130_000, etcd: 86_000 });

describe("memory per group", () => {
    test("a Docker group pays a shim per container and a share of the supervisor", () => {
        const g = groupMemory(pulumi);
        expect(g.shimsPerGroup).toBe(6);
        expect(g.shimKiB).toBe(6 * 13_100);
        expect(g.pauseKiB).toBe(26);
        expect(g.supervisorKiB).toBe(Math.round(16_000 / 30));
        expect(g.totalKiB).toBe(g.shimKiB + g.pauseKiB + g.supervisorKiB);
        expect(g.daemonsKiB).toBe(Math.round(214_000 / 30));
        expect(g.withDaemonsKiB).toBe(g.totalKiB + g.daemonsKiB);
    });

    test("a Pod pays one shim; the cluster's daemons are its daemons' share", () => {
        const g = groupMemory(kube);
        expect(g.shimsPerGroup).toBe(1);
        expect(g.totalKiB).toBe(14_500 + 26);
        expect(g.supervisorKiB).toBe(0);
        expect(g.daemonsKiB).toBe(Math.round(556_000 / 30));
    });

    test("scale.json and the Markdown carry it for every plain cell", () => {
        const work = fs.mkdtempSync(path.join(os.tmpdir(), "scale-report-"));
        try {
            const tuned = { ...pulumi, variant: "tuned" as const };
            const lines = [pulumi, tuned, kube].map((c) => JSON.stringify(c));
            fs.writeFileSync(path.join(work, "cells.jsonl"), lines.join("\n"));
            const summary = summarise(work);
            const rows = summary.memoryPerGroup as GroupMemory[];
            expect(rows.map((r) => r.target)).toEqual(["pulumi", "kubernetes"]);
            const md = markdown(summary);
            expect(md).toContain("| 30 × 5 | pulumi | 6 | 76.8 MiB | 26 KiB | 0.5 MiB | **77.3 MiB** | 7.0 MiB | "
                + "84.3 MiB |");
            expect(md).toContain("| 30 × 5 | kubernetes | 1 | 14.2 MiB | 26 KiB | – | **14.2 MiB** | 18.1 MiB | "
                + "32.3 MiB |");
        } finally {
            fs.rmSync(work, { recursive: true, force: true });
        }
    });
});
