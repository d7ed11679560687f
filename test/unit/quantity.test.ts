// Kubernetes quantities -> Docker units.
import { formatDockerCpus, isDockerCpusExact, nearestExactDockerCpus, parseCpu, parseMemory, parseQuantity, toDockerMemoryMb } from "../../components/quantity";

describe("quantities", () => {
    it.each([
        ["500m", 5e8], ["0.5", 5e8], ["1", 1e9], ["2", 2e9], ["1.5", 1.5e9], ["100m", 1e8], ["1e0", 1e9],
    ])("parses CPU %s as %d nano-CPUs", (text, nano) => {
        expect(parseCpu(text)).toBe(nano);
    });

    it.each([
        ["64Mi", 64 * 2 ** 20], ["1Gi", 2 ** 30], ["100M", 1e8], ["1G", 1e9], ["128974848", 128974848], ["129e6", 129e6], ["512Ki", 512 * 1024], ["1.5Gi", 1.5 * 2 ** 30],
    ])("parses memory %s as %d bytes", (text, bytes) => {
        expect(parseMemory(text)).toBe(bytes);
    });

    it("rejects what is not a quantity, zero, negatives and milli-bytes, saying why", () => {
        expect(() => parseQuantity("64MB")).toThrow("\"64MB\" is not a Kubernetes quantity (examples: \"500m\", \"2\", \"64Mi\", \"1G\")");
        expect(() => parseQuantity(" 1")).toThrow("is not a Kubernetes quantity");
        expect(() => parseCpu("0")).toThrow("CPU limit \"0\" must be greater than zero");
        expect(() => parseCpu("0.1n")).toThrow("below 1m");
        expect(() => parseMemory("-1Mi")).toThrow("memory limit \"-1Mi\" must be greater than zero");
        expect(() => parseMemory("500m")).toThrow("uses \"m\" (milli); use \"M\" (megabytes) or \"Mi\" (mebibytes)");
        expect(() => parseQuantity(true as unknown as string)).toThrow("a quantity must be a string such as \"500m\" or \"64Mi\" or a number, got a boolean");
        expect(parseCpu(0.5)).toBe(5e8);
        expect(parseMemory(1024)).toBe(1024);
    });

    it.each([
        ["500m", "0.5"], ["1", "1.0"], ["2", "2.0"], ["250m", "0.25"], ["100m", "0.1"], ["1.5", "1.5"], ["10", "10."], ["15m", "0.015"], ["20.5", "20.5"],
    ])("spells CPU %s as the Docker provider reads it back: %s", (text, spelled) => {
        expect(formatDockerCpus(parseCpu(text))).toBe(spelled);
        expect(isDockerCpusExact(parseCpu(text))).toBe(true);
    });

    it("knows which CPU limits the Docker provider's spelling would change, and the nearest that it keeps", () => {
        expect(formatDockerCpus(parseCpu("50m"))).toBe("0.1");
        expect(isDockerCpusExact(parseCpu("50m"))).toBe(false);
        expect(isDockerCpusExact(parseCpu("10m"))).toBe(false);
        expect(nearestExactDockerCpus(parseCpu("50m"))).toBe(51e6);
        expect(nearestExactDockerCpus(parseCpu("1m"))).toBe(11e6);
    });

    it("formats memory the way the Docker provider takes it", () => {
        expect(toDockerMemoryMb(parseMemory("64Mi"))).toBe(64);
        expect(toDockerMemoryMb(parseMemory("100M"))).toBe(96);
        expect(toDockerMemoryMb(parseMemory("1Gi"))).toBe(1024);
    });
});
