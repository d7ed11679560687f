/**
 * The Docker backend's two modes. Supervised is the default: the supervisor runs the group as
 * kubelet runs a Pod (start order, restarts with back-off, probes, hooks, sandbox re-creation).
 * The bare mode, a pause and members under Docker's own restart policies, is there for whoever
 * asks for it by name with `docker: { supervise: false }`.
 */

/** What `docker.supervise` means when it is not given. */
export const SUPERVISE_DEFAULT = true;

/** Whether a Docker group with this `supervise` option is supervised. */
export function isSupervised(supervise: boolean | undefined): boolean {
    return supervise ?? SUPERVISE_DEFAULT;
}
