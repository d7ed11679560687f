/**
 * kubelet's `$(VAR)` expansion, for the Docker backend (Docker expands nothing in exec-form
 * commands; kubelet does, before it starts a container):
 *
 * - `$(NAME)` is a reference; the name runs up to the first `)`. Known names are replaced,
 *   unknown ones stay as written, `$(` without a `)` stays.
 * - `$$` is an escaped `$`. Any other `$` (`$NAME`, `${NAME}`, a trailing `$`) is plain text, and a
 *   backslash escapes nothing.
 * - One pass: a replacement is never expanded again.
 * - env values are expanded in order, each against the entries before it (a later entry is not
 *   visible yet); secret values are visible to later entries but never expanded themselves (as
 *   kubelet treats valueFrom); command and args are expanded against the container's final env.
 */

/** Expands the `$(NAME)` references of `input` from `lookup` (undefined: leave the reference as written). */
export function expandVars(input: string, lookup: (name: string) => string | undefined): string {
    let out = "";
    let i = 0;
    while (i < input.length) {
        const c = input[i];
        if (c !== "$" || i + 1 >= input.length) {
            out += c;
            i++;
            continue;
        }
        const next = input[i + 1];
        if (next === "$") {
            out += "$";
            i += 2;
        } else if (next === "(") {
            const close = input.indexOf(")", i + 2);
            if (close < 0) {
                // No closing parenthesis: "$(" is plain text and the rest is read on.
                out += "$(";
                i += 2;
                continue;
            }
            const name = input.slice(i + 2, close);
            out += lookup(name) ?? input.slice(i, close + 1);
            i = close + 1;
        } else {
            out += c + next;
            i += 2;
        }
    }
    return out;
}

/** One env entry as expansion sees it: a plain value, or a secret (known only when it resolves). */
export interface ExpandableEnv {
    name: string;
    /** Plain value (expanded); undefined for a secret. */
    value?: string;
    /** Secret value, already resolved (never expanded, visible to command and args). */
    secret?: string;
}

/**
 * The container's env after expansion, in order, as `NAME=value` pairs, and the map command
 * and args are expanded against (the last definition of a name wins).
 */
export function expandEnv(env: readonly ExpandableEnv[]): { values: string[]; final: Map<string, string> } {
    const seen = new Map<string, string>();
    const values: string[] = [];
    for (const e of env) {
        const value = e.value !== undefined ? expandVars(e.value, (n) => seen.get(n)) : (e.secret ?? "");
        seen.set(e.name, value);
        values.push(value);
    }
    return { values, final: seen };
}

/** command or args expanded against the final env. */
export function expandArgs(args: readonly string[] | undefined, final: Map<string, string>): string[] | undefined {
    return args?.map((a) => expandVars(a, (n) => final.get(n)));
}

/** True when `s` holds something expansion could change (`$(` or `$$`). */
export function mayExpand(s: string): boolean {
    return s.includes("$(") || s.includes("$$");
}

/**
 * An exec probe's command as kubelet's prober runs it (ExpandContainerCommandOnlyStatic):
 * `$(NAME)` is expanded against the container's env values as written, not expanded themselves;
 * a secret (valueFrom) entry stands for the empty string there; the last entry of a name wins.
 * `value` is undefined for a secret entry. (Exec lifecycle hooks are not expanded at all.)
 */
export function expandProbeCommand(command: readonly string[], env: readonly { name: string; value?: string }[]): string[] {
    const written = new Map<string, string>();
    for (const e of env) written.set(e.name, e.value ?? "");
    return command.map((a) => expandVars(a, (n) => written.get(n)));
}
