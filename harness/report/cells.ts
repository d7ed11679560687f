/** How a matrix cell reads, shared by the Markdown and HTML reports. */
import { Cell, Comparison } from "../model/verdict";

export const OUTCOME_MARK: Record<string, string> = { pass: "PASS", fail: "FAIL", error: "ERROR", unsupported: "UNSUPPORTED" };

export const COMPARISON_TEXT: Record<Comparison, string> = {
    reference: "reference",
    agree: "agrees",
    "differ-expected": "differs (expected)",
    "differ-unexpected": "DIFFERS (unexpected)",
    error: "ERROR",
};

export function cellText(cell: Cell | undefined): string {
    if (cell === undefined) return "-";
    return `${OUTCOME_MARK[cell.outcome]}, ${COMPARISON_TEXT[cell.comparison]}`;
}
