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

/**
 * A quantity as the API server stores it, written as text: a number (`1`, `0.5`, which YAML and
 * `pulumi config set --path` produce) is the quantity that number's decimal text spells.
 */
export function quantityText(q: string | number): string {
    return typeof q === "number" ? String(q) : q;
}

/** The value of a Kubernetes quantity (a string, or a number as the API server accepts) in base units (cores for CPU, bytes for memory). */
export function parseQuantity(quantity: string | number): number {
    if (typeof quantity === "number" && !Number.isFinite(quantity)) {
        throw new QuantityError(`the number ${String(quantity)} is not a Kubernetes quantity`);
    }
    if (typeof quantity !== "string" && typeof quantity !== "number") {
        throw new QuantityError(`a quantity must be a string such as "500m" or "64Mi" or a number, got ${quantity === null ? "null" : Array.isArray(quantity) ? "a list" : `a ${typeof quantity}`}`);
    }
    const text = quantityText(quantity);
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
export function parseCpu(quantity: string | number): number {
    const text = quantityText(quantity);
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
export function parseMemory(quantity: string | number): number {
    const text = quantityText(quantity);
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
 * Nano-CPUs as the string the Docker provider (terraform-provider-docker) stores for `cpus` when it
 * reads a container back: nine decimals, then either one decimal when that string holds exactly
 * nine '0' characters ("1" -> "1.0", "0.5" -> "0.5") or the trailing zeros trimmed
 * ("0.25", "1.5", "10."). `cpus` forces replacement, so any other spelling would replace the
 * container on every update. See {@link isDockerCpusExact} for values that spelling changes.
 */
export function formatDockerCpus(nanoCpus: number): string {
    if (nanoCpus === 0) {
        return "0";
    }
    const whole = Math.floor(nanoCpus / 1e9);
    const nine = `${whole}.${String(nanoCpus - whole * 1e9).padStart(9, "0")}`;
    if ((nine.match(/0/g) ?? []).length === 9) {
        const tenths = Math.round(nanoCpus / 1e8);
        return `${Math.floor(tenths / 10)}.${tenths % 10}`;
    }
    return nine.replace(/0+$/, "");
}

/**
 * The CPU limit closest to `nanoCpus`, in whole millicores, that Docker accepts (>= 10m) and
 * {@link formatDockerCpus} spells exactly.
 */
export function nearestExactDockerCpus(nanoCpus: number): number {
    const milli = Math.max(Math.round(nanoCpus / 1e6), DOCKER_MIN_NANO_CPUS / 1e6);
    for (let step = 0; step < 1000; step++) {
        for (const candidate of [milli + step, milli - step]) {
            if (candidate * 1e6 >= DOCKER_MIN_NANO_CPUS && isDockerCpusExact(candidate * 1e6)) {
                return candidate * 1e6;
            }
        }
    }
    return 1e9;
}

/** True when {@link formatDockerCpus} spells `nanoCpus` without changing its value (e.g. not 50m -> "0.1"). */
export function isDockerCpusExact(nanoCpus: number): boolean {
    return Math.round(Number(formatDockerCpus(nanoCpus)) * 1e9) === nanoCpus;
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
