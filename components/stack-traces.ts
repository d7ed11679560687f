/**
 * Pulumi's SDK records a stack trace for every output property of every resource it registers
 * (for its promise-leak report). Under ts-node, which runs a TypeScript program for `pulumi up`,
 * each trace is source-mapped frame by frame: measured (`node --cpu-prof` on `pulumi preview` of
 * 30 groups of 3 containers, docs/performance.md), 3.8 s of the program's 4.3 s went there, a
 * Docker container having about 100 properties. While a group registers its resources, V8's own
 * formatting is used instead: the same frames, with positions in the compiled JavaScript rather
 * than the TypeScript source. Errors thrown there (validation ran before) keep their message.
 */
export function withNativeStackTraces<T>(register: () => T): T {
    const errors = Error as { prepareStackTrace?: ErrorConstructor["prepareStackTrace"] };
    const prepare = errors.prepareStackTrace;
    if (prepare === undefined) return register();
    errors.prepareStackTrace = undefined;
    try {
        return register();
    } finally {
        errors.prepareStackTrace = prepare;
    }
}
