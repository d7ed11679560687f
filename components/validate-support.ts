/**
 * The small pieces every part of validation shares: how a value is described in a message (its
 * type always named), near-miss suggestions for misspelt field names, and the Kubernetes name
 * syntaxes (DNS-1123 labels, IANA service names, label keys and values).
 */

import type { StricterRuleId } from "./stricter";

/** One problem in a spec: the field's path and what is wrong with it and how to fix it. */
export interface ValidationProblem {
    /** Path of the field, e.g. `spec.containers[1].ports[0].containerPort`. */
    propertyPath: string;
    /** What is wrong and the fix. */
    reason: string;
    /** Set when the API server would accept it: the rule of components/stricter.ts that refuses it. */
    rule?: StricterRuleId;
}

/** Collects problems (errors) and warnings with their field paths. */
export class Findings {
    readonly problems: ValidationProblem[] = [];
    readonly warnings: ValidationProblem[] = [];

    add(propertyPath: string, reason: string, rule?: StricterRuleId): void {
        this.problems.push(rule === undefined ? { propertyPath, reason } : { propertyPath, reason, rule });
    }

    warn(propertyPath: string, reason: string): void {
        this.warnings.push({ propertyPath, reason });
    }
}

export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A value as a message shows it: with its type, so "8080" (a string) and 8080 (a number) differ. */
export function describe(v: unknown): string {
    if (v === undefined) return "nothing";
    if (v === null) return "null";
    if (typeof v === "string") return `the string ${JSON.stringify(v)}`;
    if (typeof v === "number") return `the number ${String(v)}`;
    if (typeof v === "boolean") return `the boolean ${String(v)}`;
    if (Array.isArray(v)) return `a list (${JSON.stringify(v).slice(0, 40)})`;
    if (typeof v === "object") return `an object (${JSON.stringify(v).slice(0, 40)})`;
    return `a ${typeof v}`;
}

/** A required string field left out: absent, null or "" (the API server's "Required value"). */
export function isMissing(v: unknown): boolean {
    return v === undefined || v === null || v === "";
}

/**
 * Why `v`, which is not a string, cannot fill a field that takes one: its type named, and for a
 * number or boolean (what YAML reads an unquoted 5 or true as) how to write it as a string.
 */
export function notAString(v: unknown): string {
    const quote = typeof v === "number" || typeof v === "boolean"
        ? ` (YAML reads an unquoted ${String(v)} as a ${typeof v}: quote it)` : "";
    return `must be a string, got ${describe(v)}${quote}`;
}

/** Levenshtein distance, for did-you-mean suggestions. */
export function editDistance(a: string, b: string): number {
    const row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        let diagonal = row[0];
        row[0] = i;
        for (let j = 1; j <= b.length; j++) {
            const above = row[j];
            row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
            diagonal = above;
        }
    }
    return row[b.length];
}

/** The candidate closest to `word` (case-insensitively, or as a plural/singular), when it is near enough. */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
    const lower = word.toLowerCase();
    let best: { name: string; distance: number } | undefined;
    for (const name of candidates) {
        const c = name.toLowerCase();
        const distance = c === lower || c === `${lower}s` || `${c}s` === lower ? 0 : editDistance(lower, c);
        if (best === undefined || distance < best.distance) best = { name, distance };
    }
    const limit = Math.max(1, Math.min(3, Math.floor(word.length / 3)));
    return best !== undefined && best.distance <= limit ? best.name : undefined;
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

export const DNS1123_HINT = "lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters";

export function isDns1123Label(v: unknown): v is string {
    return typeof v === "string" && v.length <= 63 && DNS1123_LABEL.test(v);
}

export function isDns1123Subdomain(v: unknown): boolean {
    return typeof v === "string" && v.length <= 253 && DNS1123_SUBDOMAIN.test(v);
}

/** A DNS-1123 label close to `v`, for "use e.g." hints. */
export function suggestLabel(v: string): string {
    const s = v.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 63).replace(/-+$/, "");
    return s === "" ? "app" : s;
}

/** Kubernetes' IANA_SVC_NAME (port names): at most 15 of [a-z0-9-], a letter, no leading, trailing or double '-'. */
export function isPortName(v: unknown): v is string {
    return typeof v === "string" && v.length >= 1 && v.length <= 15 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(v)
        && /[a-z]/.test(v) && !v.includes("--");
}

export const PORT_NAME_HINT = "at most 15 lower-case letters, digits and '-', with at least one letter, no '--', not starting or ending with '-'";

/** A Kubernetes label key: an optional DNS-1123 subdomain prefix (<= 253) and '/', then a name of at most 63 characters. */
export function labelKeyProblem(key: string): string | undefined {
    const slash = key.indexOf("/");
    const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
    const name = slash >= 0 ? key.slice(slash + 1) : key;
    if (prefix !== undefined && !isDns1123Subdomain(prefix)) {
        return `the prefix "${prefix.slice(0, 60)}${prefix.length > 60 ? "..." : ""}" (${prefix.length} characters) is not a DNS-1123 subdomain (at most 253 lower-case letters, digits, '-' and '.')`;
    }
    if (name.length === 0 || name.length > 63 || !LABEL_NAME.test(name)) {
        return "the name part is not a label name (at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit)";
    }
    return undefined;
}

/** A Kubernetes label value: empty, or at most 63 letters, digits, '-', '_', '.', alphanumeric at both ends. */
export function isLabelValue(v: unknown): v is string {
    return typeof v === "string" && (v === "" || (v.length <= 63 && LABEL_NAME.test(v)));
}

/** The largest value of an int32 field (user and group ids). */
export const INT32_MAX = 2147483647;

export function isInt(v: unknown, min: number, max = Number.MAX_SAFE_INTEGER): v is number {
    return typeof v === "number" && Number.isInteger(v) && v >= min && v <= max;
}

export function isStringList(v: unknown): v is string[] {
    return Array.isArray(v) && v.every((x) => typeof x === "string");
}

/** The first item of a list that is not a string, with its index, for messages. */
export function firstNonString(v: unknown[]): string {
    const i = v.findIndex((x) => typeof x !== "string");
    return `item [${i}] is ${describe(v[i])}`;
}
