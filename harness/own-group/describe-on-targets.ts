/**
 * The jest entry for your own groups: `describeOnTargets(title, group, body, { targets })`
 * declares one `describe` per target (`describe.each`), deploys the group on that target in
 * `beforeAll`, runs your `it`s against it through the target's adapter, and destroys it in
 * `afterAll`. The few jest globals used are typed here, so the package's declarations do not
 * need @types/jest.
 */
import { ExecResult, GroupRef, GroupStatus, KillResult, ProcessInfo, RuntimeAdapter } from "../adapters/runtime-adapter";
import { DeployedGroup } from "../deploy/pulumi-deployer";
import { Target } from "../targets";
import { GroupOnTarget, OwnGroup, OwnGroupOptions, startGroupOnTarget } from "./group-on-target";

type Hook = (fn: () => Promise<void>, timeoutMs?: number) => void;

/** The jest globals {@link describeOnTargets} declares blocks and hooks with. */
export interface JestLikeGlobals {
    describe: {
        (name: string, fn: () => void): void;
        each(table: ReadonlyArray<readonly unknown[]>): (name: string, fn: (...row: never[]) => void) => void;
    };
    beforeAll: Hook;
    afterAll: Hook;
}

/** Options of {@link describeOnTargets}. */
export interface DescribeOnTargetsOptions extends OwnGroupOptions {
    /** The targets to deploy on, one `describe` block each (e.g. `[dockerTarget(), kubernetesTarget({...})]`). */
    targets: Target[];
    /** Time limit of the deploy (beforeAll) and of the destroy (afterAll). Default 10 minutes. */
    hookTimeoutMs?: number;
    /** The jest globals. Default: the ones jest injects (`globalThis.describe`, ...). */
    jest?: JestLikeGlobals;
}

function jestGlobals(): JestLikeGlobals {
    const g = globalThis as unknown as Partial<JestLikeGlobals>;
    if (typeof g.describe !== "function" || typeof g.beforeAll !== "function" || typeof g.afterAll !== "function") {
        throw new Error("describeOnTargets declares jest blocks: call it at the top level of a jest test file " +
            "(or pass { jest: { describe, beforeAll, afterAll } } from @jest/globals)");
    }
    return g as JestLikeGlobals;
}

/**
 * The group your `it`s see: the target is known when the blocks are declared; the adapter, ref
 * and deployment once `beforeAll` has deployed the group.
 */
class DeferredGroup implements GroupOnTarget {
    started: GroupOnTarget | undefined;

    constructor(readonly target: Target, private readonly title: string) {}

    private get now(): GroupOnTarget {
        if (this.started === undefined) {
            throw new Error(`${this.title} is not deployed on ${this.target.id}: use the group inside it() (it is deployed in beforeAll), ` +
                "and see the beforeAll error above if deploying failed");
        }
        return this.started;
    }
    get adapter(): RuntimeAdapter { return this.now.adapter; }
    get ref(): GroupRef { return this.now.ref; }
    get deployed(): DeployedGroup { return this.now.deployed; }
    exec(container: string, argv: string[]): Promise<ExecResult> { return this.now.exec(container, argv); }
    processes(container: string): Promise<ProcessInfo[]> { return this.now.processes(container); }
    kill(container: string): Promise<KillResult> { return this.now.kill(container); }
    status(): Promise<GroupStatus> { return this.now.status(); }
    waitForStatus(what: string, done: (s: GroupStatus) => boolean, timeoutMs?: number): Promise<GroupStatus> {
        return this.now.waitForStatus(what, done, timeoutMs);
    }
    async stop(): Promise<void> {
        const started = this.started;
        this.started = undefined;
        await started?.stop();
    }
}

/**
 * Declares `describe(title)` with one block per target (`on <target id>`): `beforeAll` deploys
 * `group` on the target, `body(group)` declares your `it`s, `afterAll` destroys it. A target
 * that cannot be reached or deployed on fails that block's tests (never skips them).
 */
export function describeOnTargets(title: string, group: OwnGroup, body: (group: GroupOnTarget) => void,
    options: DescribeOnTargetsOptions): void {
    const jest = options.jest ?? jestGlobals();
    if (options.targets.length === 0) {
        throw new Error(`describeOnTargets("${title}"): options.targets is empty; give at least one target, e.g. [dockerTarget()]`);
    }
    const timeout = options.hookTimeoutMs ?? 10 * 60_000;
    const rows = options.targets.map((t) => [t.id, t] as const);
    jest.describe(title, () => {
        jest.describe.each(rows)("on %s", ((_id: string, target: Target) => {
            const deferred = new DeferredGroup(target, group.groupName);
            jest.beforeAll(async () => {
                deferred.started = await startGroupOnTarget(target, group, options);
            }, timeout);
            jest.afterAll(() => deferred.stop(), timeout);
            body(deferred);
        }) as (...row: never[]) => void);
    });
}
