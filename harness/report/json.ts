/** The machine-readable report: every result with its evidence, the matrix and the verdict. */
import { SuiteReport } from "../model/results";

/** The report as JSON, every result with its evidence. */
export function renderJson(report: SuiteReport): string {
    return `${JSON.stringify(report, null, 2)}\n`;
}
