/**
 * Reads the order log the shared fixture's containers append to (fixtures/toolbox.ts
 * `orderLogLine`) and says whether one start-up round followed kubelet's order. Pure functions,
 * so their verdicts are unit-tested on hand-written logs.
 */

export interface OrderEntry {
    who: string;
    what: string;
    /** Node uptime in seconds when the line was written. */
    t: number;
    /** PID 1's command line as the writer saw it. */
    pid1: string;
}

/** Parses the order log the fixtures write (`<who> <what> <uptime> pid1=<command>` per line). */
export function parseOrderLog(text: string): OrderEntry[] {
    return text.split("\n").map((l) => /^(\S+) (\S+) ([\d.]+) pid1=(.*)$/.exec(l.trim())).filter((m) => m !== null)
        .map((m) => ({ who: m[1], what: m[2], t: Number(m[3]), pid1: m[4].trim() }));
}

/** Splits the log into start-up rounds, each beginning with the first init container's start. */
export function splitRounds(entries: OrderEntry[], firstInit: string): OrderEntry[][] {
    const rounds: OrderEntry[][] = [];
    for (const e of entries) {
        if ((e.who === firstInit && e.what === "start") || rounds.length === 0) {
            rounds.push([]);
        }
        rounds[rounds.length - 1].push(e);
    }
    return rounds;
}

/**
 * Problems with one round (empty when it is right): the pause runs first (PID 1 is /pause when
 * `sharedPid`), init containers start and end one at a time in spec order, and every member
 * starts after the last init container ended.
 */
export function orderProblems(round: OrderEntry[], inits: string[], members: string[], sharedPid: boolean): string[] {
    const problems: string[] = [];
    const expected = inits.flatMap((n) => [`${n} start`, `${n} end`]);
    const head = round.slice(0, expected.length).map((e) => `${e.who} ${e.what}`);
    if (head.join(",") !== expected.join(",")) {
        problems.push(`init containers did not run one at a time in order: saw [${head.join(", ")}], expected [${expected.join(", ")}]`);
    }
    for (let i = 1; i < Math.min(round.length, expected.length); i++) {
        if (round[i].t < round[i - 1].t) {
            problems.push(`log times go backwards at "${round[i].who} ${round[i].what}"`);
        }
    }
    const lastInitEnd = round.slice(0, expected.length).reduce((m, e) => Math.max(m, e.t), 0);
    for (const m of members) {
        const idx = round.findIndex((e) => e.who === m && e.what === "start");
        if (idx === -1) {
            problems.push(`member ${m} did not start in this round`);
        } else if (idx < expected.length || round[idx].t < lastInitEnd) {
            problems.push(`member ${m} started before the init containers were done`);
        }
    }
    if (sharedPid) {
        const notPause = round.filter((e) => !e.pid1.startsWith("/pause"));
        if (notPause.length > 0) {
            problems.push(`PID 1 was not the pause for: ${notPause.map((e) => `${e.who} ${e.what} (pid1=${e.pid1})`).join(", ")}`);
        }
    }
    return problems;
}
