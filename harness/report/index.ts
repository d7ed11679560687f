/** Writes the three reports (JSON, Markdown, HTML) into one directory. */
import { promises as fs } from "fs";
import * as path from "path";
import { SuiteReport } from "../model/results";
import { renderHtml } from "./html";
import { renderJson } from "./json";
import { renderMarkdown, renderMatrix } from "./markdown";

export { renderHtml, renderJson, renderMarkdown, renderMatrix };

/** The files {@link writeReports} wrote. */
export interface WrittenReports {
    json: string;
    markdown: string;
    html: string;
}

/** Writes `<dir>/<basename>.{json,md,html}`; default basename "conformance". */
export async function writeReports(report: SuiteReport, dir: string, basename = "conformance"): Promise<WrittenReports> {
    await fs.mkdir(dir, { recursive: true });
    const files = {
        json: path.join(dir, `${basename}.json`),
        markdown: path.join(dir, `${basename}.md`),
        html: path.join(dir, `${basename}.html`),
    };
    await Promise.all([
        fs.writeFile(files.json, renderJson(report)),
        fs.writeFile(files.markdown, renderMarkdown(report)),
        fs.writeFile(files.html, renderHtml(report)),
    ]);
    return files;
}
