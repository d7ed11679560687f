/**
 * What a check did and what it saw: every command run in a container, every kill, every status
 * read and every wait, with the runtime's answer. Reports print it so a reader can verify a
 * verdict without re-running anything.
 */

/** What an entry records: a command in a container, a kill, a status read, a wait, events, the deploy, or a note. */
export type EvidenceKind = "exec" | "kill" | "status" | "wait" | "events" | "logs" | "deploy" | "note";

/** One thing a check did, with what came back. */
export interface EvidenceEntry {
    /** Milliseconds since the check started. */
    atMs: number;
    kind: EvidenceKind;
    /** The command or API call, as a person would type it. */
    command: string;
    /** What it returned (trimmed to {@link MAX_RESULT_CHARS}). */
    result: string;
}

/** Longest result text kept per entry. */
export const MAX_RESULT_CHARS = 4000;

/** The evidence of one check run, in order, with times relative to its start. */
export class Evidence {
    readonly entries: EvidenceEntry[] = [];
    private readonly started = Date.now();

    /** Appends an entry; long results are trimmed. */
    record(kind: EvidenceKind, command: string, result: string): void {
        const trimmed = result.length > MAX_RESULT_CHARS ? `${result.slice(0, MAX_RESULT_CHARS)}... (${result.length} chars)` : result;
        this.entries.push({ atMs: Date.now() - this.started, kind, command, result: trimmed });
    }
}
