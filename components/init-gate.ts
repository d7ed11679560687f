/**
 * The gate of a plain Docker group's init container: a dynamic resource created once the init
 * container has exited (the Docker provider attaches to it), that fails with the exit code and
 * the last log lines when the exit code is not 0. Later init containers and the members depend on
 * it, so they are not created; the failure is an ordinary resource failure, reported once and
 * cleanly by `pulumi up` (a CLI program and an Automation API inline program alike).
 */
import * as pulumi from "@pulumi/pulumi";

/**
 * How many log lines a failed init container's error shows. Not exported: compiled TypeScript
 * reads an exported const through `exports`, which the provider's closure would then capture.
 */
const INIT_LOG_TAIL_LINES = 20;

/** What a gate checks: the init container's run as the Docker provider reported it. */
export interface InitGateInputs {
    groupName: string;
    container: string;
    index: number;
    /** The container's id: a re-created init container is checked again. */
    containerId: string;
    exitCode?: number;
    logs?: string;
}

type Inputs<T> = { [K in keyof T]: pulumi.Input<T[K]> };

/**
 * The message of a failed init container, or undefined when it exited 0. Self-contained: the
 * dynamic provider below is serialised with it.
 */
export function initFailureMessage(groupName: string, container: string, index: number,
    exitCode: number | undefined | null, logs: string | undefined): string | undefined {
    if (exitCode === 0) return undefined;
    const lines = (logs ?? "").replace(/\r/g, "").split("\n").filter((l, i, all) => !(l === "" && i === all.length - 1)).slice(-INIT_LOG_TAIL_LINES);
    const code = exitCode === undefined || exitCode === null ? "without reporting an exit code" : `with exit code ${exitCode}`;
    const tail = lines.length === 0 ? "  (no output)" : lines.map((l) => `  | ${l}`).join("\n");
    return `PodGroup "${groupName}": init container "${container}" (spec.initContainers[${index}]) exited ${code}; ` +
        "the later init containers and the members were not started. Fix the init container, then run `pulumi up` again " +
        `(or \`pulumi up --replace\` its container to re-run it unchanged). Last ${INIT_LOG_TAIL_LINES} log lines:\n${tail}`;
}

const initGateProvider: pulumi.dynamic.ResourceProvider = {
    async create(inputs: InitGateInputs) {
        const message = initFailureMessage(inputs.groupName, inputs.container, inputs.index, inputs.exitCode, inputs.logs);
        if (message !== undefined) throw new Error(message);
        return { id: `${inputs.groupName}/${inputs.container}/${inputs.containerId}`, outs: inputs };
    },
    async diff(_id: string, olds: InitGateInputs, news: InitGateInputs) {
        // A new run of the init container (a new container) is checked again, as a new gate.
        const changed = olds.containerId !== news.containerId || olds.exitCode !== news.exitCode;
        return { changes: changed, replaces: changed ? ["containerId"] : [], deleteBeforeReplace: true };
    },
};

/** One per init container of a plain Docker group. */
export class DockerInitGate extends pulumi.dynamic.Resource {
    constructor(name: string, args: Inputs<InitGateInputs>, opts?: pulumi.CustomResourceOptions) {
        super(initGateProvider, name, args, opts);
    }
}
