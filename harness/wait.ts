/**
 * Polls a condition until it holds or a time limit passes, like Kubernetes' e2e
 * framework/pod/wait.go: each poll is logged at debug level, and the timeout error carries the
 * last state seen. The harness never sleeps a fixed time to "let things settle".
 */

/** Where polls are logged. */
export type DebugLog = (message: string) => void;

export interface WaitOptions {
    /** Give up after this many milliseconds. */
    timeoutMs: number;
    /** Pause between polls. Default 250 ms. */
    intervalMs?: number;
    /** Debug log for each poll. */
    log?: DebugLog;
}

/** Thrown when a condition did not hold in time; carries the last value (or error) seen. */
export class WaitTimeoutError extends Error {
    constructor(readonly what: string, readonly timeoutMs: number, readonly polls: number,
        readonly lastValue: unknown, readonly lastError: unknown) {
        super(`timed out after ${timeoutMs} ms (${polls} polls) waiting for ${what}; last state seen: ` +
            `${lastError !== undefined ? `error ${String(lastError instanceof Error ? lastError.message : lastError)}` : describe(lastValue)}`);
        this.name = "WaitTimeoutError";
    }
}

function describe(v: unknown): string {
    try {
        const s = JSON.stringify(v);
        return s === undefined ? String(v) : s.length > 2000 ? `${s.slice(0, 2000)}...` : s;
    } catch {
        return String(v);
    }
}

/** Resolves after `ms` milliseconds (only between polls). */
export function delay(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Calls `probe` until `done(value)` is true and returns that value. A probe that throws counts as
 * "not yet" (its error is kept as the last state).
 */
export async function waitFor<T>(what: string, probe: () => Promise<T>, done: (value: T) => boolean,
    options: WaitOptions): Promise<T> {
    const interval = options.intervalMs ?? 250;
    const deadline = Date.now() + options.timeoutMs;
    let polls = 0;
    let lastValue: unknown;
    let lastError: unknown;
    for (;;) {
        polls++;
        try {
            const value = await probe();
            lastValue = value;
            lastError = undefined;
            const ok = done(value);
            options.log?.(`wait ${what}: poll ${polls} ${ok ? "done" : "not yet"}: ${describe(value).slice(0, 300)}`);
            if (ok) {
                return value;
            }
        } catch (e) {
            lastError = e;
            options.log?.(`wait ${what}: poll ${polls} error: ${e instanceof Error ? e.message : String(e)}`);
        }
        if (Date.now() + interval > deadline) {
            throw new WaitTimeoutError(what, options.timeoutMs, polls, lastValue, lastError);
        }
        await delay(interval);
    }
}
