/**
 * Kubernetes resource quantities ("500m", "1.5", "64Mi", "1G", "1e6") parsed into the units Docker
 * takes: nano-CPUs for CPU limits and bytes for memory limits. Shared by validation and both renderers.
 */

/** Thrown when a quantity cannot be parsed; `message` says what is accepted. */
export class QuantityError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "QuantityError";
    }
}

const BINARY_SUFFIXES: Record<string, number> = {
    Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};
const DECIMAL_SUFFIXES: Record<string, number> = {
    n: 1e-9, u: 1e-6, m: 1e-3, "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
};

// A Kubernetes quantity: a signed decimal number, then a binary suffix, a decimal suffix or an exponent.
const QUANTITY = /^([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?$/;

/** The value of a Kubernetes quantity in base units (cores for CPU, bytes for memory). */
export function parseQuantity(text: string): number {
    if (typeof text !== "string") {
        throw new QuantityError(`a quantity must be a string such as "500m" or "64Mi", got ${typeof text}`);
    }
    const match = QUANTITY.exec(text.trim());
    if (text.trim() !== text || match === null) {
        throw new QuantityError(`"${text}" is not a Kubernetes quantity (examples: "500m", "2", "64Mi", "1G")`);
    }
    const value = Number(match[1]);
    const suffix = match[2] ?? "";
    if (suffix in BINARY_SUFFIXES) {
        return value * BINARY_SUFFIXES[suffix];
    }
    if (suffix in DECIMAL_SUFFIXES) {
        return value * DECIMAL_SUFFIXES[suffix];
    }
    return value * 10 ** Number(suffix.slice(1));
}

/** A CPU quantity ("250m", "0.5", "2") as nano-CPUs (1 CPU = 1e9), rounded to the nearest integer. */
export function parseCpu(text: string): number {
    const cores = parseQuantity(text);
    if (!(cores > 0)) {
        throw new QuantityError(`CPU limit "${text}" must be greater than zero (examples: "250m", "1")`);
    }
    const nano = Math.round(cores * 1e9);
    if (nano < 1e6) {
        throw new QuantityError(`CPU limit "${text}" is below 1m, the smallest CPU unit`);
    }
    return nano;
}

/** A memory quantity ("64Mi", "100M", "1Gi", "1048576") as bytes, rounded up to a whole byte. */
export function parseMemory(text: string): number {
    const bytes = parseQuantity(text);
    if (!(bytes > 0)) {
        throw new QuantityError(`memory limit "${text}" must be greater than zero (examples: "64Mi", "1Gi")`);
    }
    if (/m$/.test(text)) {
        throw new QuantityError(`memory limit "${text}" uses "m" (milli); use "M" (megabytes) or "Mi" (mebibytes)`);
    }
    return Math.ceil(bytes);
}

/**
 * Nano-CPUs as the decimal string @pulumi/docker's `cpus` takes ("0.5", "1", "0.25"): the
 * shortest decimal, the way Docker prints NanoCPUs back, so there is no diff on refresh.
 */
export function formatDockerCpus(nanoCpus: number): string {
    return String(nanoCpus / 1e9);
}

/**
 * Bytes as the whole mebibytes @pulumi/docker's `memory` takes, rounded up so the limit
 * is never lower than asked for.
 */
export function toDockerMemoryMb(bytes: number): number {
    return Math.ceil(bytes / 2 ** 20);
}

/** Docker refuses memory limits below 6 MiB. */
export const DOCKER_MIN_MEMORY_BYTES = 6 * 2 ** 20;
/** Docker refuses CPU limits below 0.01 CPU. */
export const DOCKER_MIN_NANO_CPUS = 1e7;
