package supervise

import (
	"fmt"
	"time"
)

// ActionKind is one step of a reconcile, in kubelet SyncPod order.
type ActionKind string

const (
	// ActKill stops a running container (its sandbox died or was replaced).
	ActKill ActionKind = "kill"
	// ActStartPause starts the group's pause container: a new sandbox.
	ActStartPause ActionKind = "start-pause"
	// ActRunInit starts an init container and waits for it to exit.
	ActRunInit ActionKind = "run-init"
	// ActWaitInit waits for an init container already running in the current sandbox.
	ActWaitInit ActionKind = "wait-init"
	// ActStartMember starts a member container.
	ActStartMember ActionKind = "start-member"
)

// Reasons recorded in the status file (lastReason) and in the log.
const (
	ReasonSandboxChanged = "SandboxChanged" // (re)started or killed because the sandbox was re-created
	ReasonSandboxDied    = "SandboxDied"    // killed: the sandbox died and is not re-created
	ReasonInitFailed     = "InitFailed"     // an init container failed under restartPolicy Never
)

// Action is one thing to do to one container.
type Action struct {
	Kind      ActionKind
	Container Container
	Reason    string
	// Force (kills only): SIGKILL at once. Used when the pause died and the group shares its PID
	// namespace: the kernel already killed every member, Docker may just not have noticed yet,
	// and a graceful stop could wait out the stop timeout.
	Force bool
}

func (a Action) String() string {
	return fmt.Sprintf("%s %s (%s)", a.Kind, a.Container.Name, a.Reason)
}

// Plan is what a reconcile does next. Actions run in order; when they are done the supervisor
// looks at Docker again and computes a new plan, until a plan has no actions.
type Plan struct {
	Actions []Action
	// RequeueAfter > 0: look again after this long (a back-off expires then).
	RequeueAfter time.Duration
	// Waiting: containers that will be started once their back-off expires, with the time left.
	Waiting map[string]time.Duration
	// Idle says why nothing is done, when Actions is empty (for the log and the status file).
	Idle string
	// Phase is the group's pod phase as far as the supervisor can tell.
	Phase string
}

// BackoffView answers how long a container must still wait before it may be started.
type BackoffView interface {
	Remaining(key string, exitedAt time.Time) time.Duration
}

// planner accumulates a plan.
type planner struct {
	g    Group
	bo   BackoffView
	plan Plan
}

// start schedules the start of c unless it is in back-off; returns true when scheduled now.
func (p *planner) start(kind ActionKind, c Container, reason string) bool {
	if rem := p.bo.Remaining(BackoffKey(p.g.Name, c), c.FinishedAt); rem > 0 {
		p.plan.Waiting[c.Name] = rem
		if p.plan.RequeueAfter == 0 || rem < p.plan.RequeueAfter {
			p.plan.RequeueAfter = rem
		}
		return false
	}
	p.plan.Actions = append(p.plan.Actions, Action{Kind: kind, Container: c, Reason: reason})
	return true
}

func (p *planner) kill(c Container, reason string) {
	p.plan.Actions = append(p.plan.Actions, Action{Kind: ActKill, Container: c, Reason: reason})
}

// Compute decides the next steps for a group, the way kubelet's computePodActions does
// (pkg/kubelet/kuberuntime/kuberuntime_manager.go), from nothing but what Docker shows:
//
//   - no pause, a pause never started, or an init container never started: the deployer
//     (Pulumi) is creating or changing the group; leave it alone.
//   - pause not running: kill what still runs; re-create the sandbox (start the pause) unless
//     restartPolicy is Never and containers already ran, or OnFailure and every member
//     succeeded.
//   - pause running: containers started before the pause's current start run in a stale
//     sandbox: kill them. Then init containers, one at a time in order, each to exit 0 in the
//     current sandbox (a failed one restarts with back-off, or fails the group under Never).
//     Then members: a member not yet started in this sandbox starts (OnFailure: unless it
//     succeeded; Never: no); a member that exited in this sandbox restarts per restartPolicy
//     (Always: always, OnFailure: non-zero exit) with back-off.
func Compute(g Group, bo BackoffView) Plan {
	p := &planner{g: g, bo: bo, plan: Plan{Waiting: map[string]time.Duration{}}}
	switch {
	case len(g.Problems) > 0:
		return p.idle("Unknown", "left alone: "+g.Problems[0])
	case g.Pause == nil:
		return p.idle("Pending", "no pause container (being created or removed by its deployer)")
	case !g.Pause.EverStarted():
		return p.idle("Pending", "pause never started (being created by its deployer)")
	}
	pause := *g.Pause
	// Containers that join another pause (a stale id during a deployer's replacement) are not ours.
	inits := ownContainers(g.Inits, pause.ID)
	members := ownContainers(g.Members, pause.ID)
	if !pause.Running {
		return p.sandboxDead(pause, inits, members)
	}
	if p.killStale(pause, append(append([]Container{}, inits...), members...)) {
		p.plan.Phase = "Pending"
		return p.plan
	}
	if !p.initsDone(pause, inits) {
		return p.plan
	}
	p.members(pause, members)
	return p.plan
}

// idle ends a plan that does nothing, saying why.
func (p *planner) idle(phase, why string) Plan {
	p.plan.Idle, p.plan.Phase = why, phase
	return p.plan
}

// killStale plans to stop what still runs from before the pause's current start (it lives in a
// dead sandbox); true when there is any.
func (p *planner) killStale(pause Container, cs []Container) bool {
	for _, c := range cs {
		if c.Running && c.StartedAt.Before(pause.StartedAt) {
			p.kill(c, ReasonSandboxChanged)
		}
	}
	return len(p.plan.Actions) > 0
}

// initsDone is true when every init container completed in the current sandbox; otherwise it
// plans the next step of the first one that did not (wait for it, run it, or fail the group).
func (p *planner) initsDone(pause Container, inits []Container) bool {
	for _, c := range inits {
		if !c.EverStarted() {
			p.idle("Pending", fmt.Sprintf("init container %s never started (being created by its deployer)", c.Name))
			return false
		}
		current := !c.StartedAt.Before(pause.StartedAt)
		switch {
		case current && c.Running:
			p.plan.Actions = append(p.plan.Actions, Action{Kind: ActWaitInit, Container: c, Reason: "running"})
		case current && c.ExitCode == 0:
			continue
		case current && p.g.RestartPolicy == RestartNever: // failed in this sandbox, for good
			p.idle("Failed", fmt.Sprintf("init container %s failed (exit %d) under restartPolicy Never", c.Name, c.ExitCode))
			return false
		case current: // failed in this sandbox
			p.start(ActRunInit, c, c.TerminationReason())
		default: // ran in an earlier sandbox: run again in this one
			p.start(ActRunInit, c, ReasonSandboxChanged)
		}
		p.plan.Phase = "Pending"
		return false
	}
	return true
}

// members plans the start of every member that should run and does not, and the group's phase.
func (p *planner) members(pause Container, members []Container) {
	running, succeeded, failed := 0, 0, 0
	for _, c := range members {
		switch {
		case !c.EverStarted(): // created by its deployer, who starts it
		case c.Running:
			running++
		case !restarts(p.g.RestartPolicy, c):
			if c.Succeeded() {
				succeeded++
			} else {
				failed++
			}
		default:
			reason := c.TerminationReason()
			if c.StartedAt.Before(pause.StartedAt) {
				reason = ReasonSandboxChanged
			}
			if p.start(ActStartMember, c, reason) {
				running++
			}
		}
	}
	p.plan.Phase = memberPhase(len(p.plan.Waiting), running, succeeded, failed)
	if len(p.plan.Actions) == 0 && p.plan.Idle == "" {
		p.plan.Idle = "in sync"
		if len(p.plan.Waiting) > 0 {
			p.plan.Idle = "back-off"
		}
	}
}

// restarts: whether an exited member starts again under the policy (kubelet's ShouldContainerBeRestarted).
func restarts(policy RestartPolicy, c Container) bool {
	switch policy {
	case RestartOnFailure:
		return !c.Succeeded()
	case RestartNever:
		return false
	default:
		return true
	}
}

// sandboxDead plans for a group whose pause is not running.
func (p *planner) sandboxDead(pause Container, inits, members []Container) Plan {
	g := p.g
	if len(inits)+len(members) == 0 {
		// Nothing joins this pause (any more): its deployer is removing the group (pulumi destroy
		// deletes the members first); re-creating the sandbox would only fight it.
		p.plan.Idle = "pause not running and nothing joins it (being removed by its deployer)"
		p.plan.Phase = "Pending"
		return p.plan
	}
	anyRan := false
	for _, c := range append(append([]Container{}, inits...), members...) {
		if c.EverStarted() {
			anyRan = true
		}
	}
	recreate := true
	why := ""
	switch {
	case g.RestartPolicy == RestartNever && anyRan:
		recreate, why = false, "sandbox died; restartPolicy Never: not re-created"
	case g.RestartPolicy == RestartOnFailure && len(members) > 0 && allSucceeded(members):
		recreate, why = false, "sandbox died after every member succeeded; restartPolicy OnFailure: not re-created"
	}
	reason := ReasonSandboxChanged
	if !recreate {
		reason = ReasonSandboxDied
	}
	for _, c := range append(append([]Container{}, inits...), members...) {
		if c.Running {
			p.kill(c, reason)
			p.plan.Actions[len(p.plan.Actions)-1].Force = g.SharePID
		}
	}
	if !recreate {
		p.plan.Idle = why
		p.plan.Phase = deadPhase(members)
		return p.plan
	}
	if !p.start(ActStartPause, pause, "sandbox not running") {
		p.plan.Idle = "back-off before re-creating the sandbox"
	}
	p.plan.Phase = "Pending"
	return p.plan
}

func ownContainers(cs []Container, pauseID string) []Container {
	out := make([]Container, 0, len(cs))
	for _, c := range cs {
		if c.JoinsID == "" || c.JoinsID == pauseID {
			out = append(out, c)
		}
	}
	return out
}

func allSucceeded(cs []Container) bool {
	for _, c := range cs {
		if !c.Succeeded() {
			return false
		}
	}
	return true
}

func deadPhase(members []Container) string {
	if len(members) > 0 && allSucceeded(members) {
		return "Succeeded"
	}
	return "Failed"
}

func memberPhase(waiting, running, succeeded, failed int) string {
	switch {
	case running > 0 || waiting > 0:
		return "Running"
	case failed > 0:
		return "Failed"
	case succeeded > 0:
		return "Succeeded"
	default:
		return "Pending"
	}
}
