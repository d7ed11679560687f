package supervise

import (
	"fmt"
	"time"
)

// ActionKind is one step of a reconcile, in kubelet SyncPod order.
type ActionKind string

const (
	// ActKill stops a running container (its sandbox died or was replaced, a probe failed, or it
	// is a sidecar of a group whose members are done): preStop, then SIGTERM, grace, SIGKILL.
	ActKill ActionKind = "kill"
	// ActStartPause starts the group's pause container: a new sandbox.
	ActStartPause ActionKind = "start-pause"
	// ActRunInit starts an init container (a regular one or a native sidecar) and runs its
	// postStart hook; its exit (or its start, for a sidecar) is seen by a later look.
	ActRunInit ActionKind = "run-init"
	// ActStartMember starts a member container and runs its postStart hook.
	ActStartMember ActionKind = "start-member"
)

// Reasons recorded in the status file (lastReason) and in the log.
const (
	ReasonSandboxChanged = "SandboxChanged" // (re)started or killed because the sandbox was re-created
	ReasonSandboxDied    = "SandboxDied"    // killed: the sandbox died and is not re-created
	ReasonInitFailed     = "InitFailed"     // an init container failed under restartPolicy Never
	// ReasonLivenessProbe, ReasonStartupProbe: killed because the probe failed failureThreshold times.
	ReasonLivenessProbe = "LivenessProbeFailed"
	ReasonStartupProbe  = "StartupProbeFailed"
	// ReasonPostStartHook: killed because its postStart hook failed (kubelet's PostStartHookError).
	ReasonPostStartHook = "PostStartHookError"
	// ReasonPodCompleted: a sidecar stopped because every member terminated for good.
	ReasonPodCompleted = "PodCompleted"
	// ReasonGroupDeleted: stopped because the group is being deleted (its deployer's destroy).
	ReasonGroupDeleted = "GroupDeleted"
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
	// Initialized: every regular init container completed and every sidecar started in the
	// current sandbox, or a member already started in it (kubelet's Initialized condition).
	Initialized bool
	// Incomplete: the init containers that keep the group from being initialized.
	Incomplete []string
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

// Compute decides the next steps for a group, the way kubelet's computePodActions and
// computeInitContainerActions do (pkg/kubelet/kuberuntime/kuberuntime_manager.go), from what
// Docker shows plus what the supervisor knows of each run (Container.Started, Ready, ProbeKill):
//
//   - no pause, a pause never started, or (when the pause declares the counts) fewer containers
//     than declared: the deployer (Pulumi) is creating or changing the group; leave it alone.
//   - pause not running: kill what still runs; re-create the sandbox (start the pause) unless
//     restartPolicy is Never and containers already ran, or OnFailure and every member
//     succeeded.
//   - pause running: containers started before the pause's current start run in a stale
//     sandbox: kill them. A running container whose liveness or startup probe failed: kill it.
//   - every member terminated for good (Never, or OnFailure with exit 0): the group is
//     Succeeded/Failed; running sidecars are stopped, the last one first, one at a time.
//   - init containers in order: a native sidecar is started (again, with back-off, whenever it
//     exited, whatever the restartPolicy) and the next one waits until it is started; a regular
//     one must exit 0 in the current sandbox (a failed one restarts with back-off, or fails the
//     group under Never).
//   - then members: a member not yet started in this sandbox starts (OnFailure: unless it
//     succeeded; Never: no, once it ran); a member that exited in this sandbox restarts per
//     restartPolicy (Always: always, OnFailure: non-zero exit) with back-off.
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
	if g.CountsDeclared && (len(inits) < g.InitCount || len(members) < g.MemberCount) {
		want := g.InitCount + g.MemberCount
		return p.idle("Pending", fmt.Sprintf("waiting for %d of %d containers to be created", want-len(inits)-len(members), want))
	}
	if !pause.Running {
		return p.sandboxDead(pause, inits, members)
	}
	if p.killStale(pause, append(append([]Container{}, inits...), members...)) {
		p.plan.Phase = "Pending"
		return p.plan
	}
	for _, c := range append(append([]Container{}, inits...), members...) {
		if c.Running && c.ProbeKill != "" {
			p.kill(c, c.ProbeKill)
		}
	}
	p.plan.Initialized = startedIn(pause, members)
	if finished, phase := membersFinished(g.RestartPolicy, members); finished {
		p.plan.Initialized = true
		p.stopSidecars(pause, inits, phase, "every member terminated")
		return p.plan
	}
	walk := p.walkInits(pause, inits)
	if walk != initsDone {
		// kubelet's Initialized condition names every init container not done yet.
		for _, c := range inits {
			current := c.InSandbox(pause)
			if (c.Sidecar() && !(current && c.Running && c.Started)) || (!c.Sidecar() && !(current && c.Succeeded())) {
				p.plan.Incomplete = append(p.plan.Incomplete, c.Name)
			}
		}
	}
	switch walk {
	case initsFailed:
		p.plan.Actions = p.plan.Actions[:0]
		p.stopSidecars(pause, inits, "Failed", p.plan.Idle)
		return p.plan
	case initsPending:
		p.plan.Phase = "Pending"
		return p.plan
	}
	p.plan.Initialized = true
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
		if c.Running && !c.InSandbox(pause) {
			p.kill(c, ReasonSandboxChanged)
		}
	}
	return len(p.plan.Actions) > 0
}

// startedIn: a member started in the current sandbox (kubelet: once an app container started,
// the pod stays initialized).
func startedIn(pause Container, members []Container) bool {
	for _, c := range members {
		if c.InSandbox(pause) {
			return true
		}
	}
	return false
}

// membersFinished: every member ran and terminated for good (it will not restart under the
// policy); the group's phase is then Succeeded or Failed (sidecars do not count, as kubelet's getPhase).
func membersFinished(policy RestartPolicy, members []Container) (bool, string) {
	if len(members) == 0 {
		return false, ""
	}
	for _, c := range members {
		if !c.Exited() || c.Held || restarts(policy, c) {
			return false, ""
		}
	}
	return true, deadPhase(members)
}

// stopSidecars ends a group whose members are done (or whose init failed under Never), as
// kubelet ends a terminal pod: the last running sidecar is stopped (one per look, so that they
// stop in reverse order), then the sandbox (the pause); nothing starts. A stopped sandbox of a
// finished group is not re-created (sandboxDead), so the group stays finished.
func (p *planner) stopSidecars(pause Container, inits []Container, phase, why string) {
	p.plan.Phase = phase
	p.plan.Waiting = map[string]time.Duration{}
	p.plan.RequeueAfter = 0
	if p.killLastSidecar(inits, ReasonPodCompleted) {
		return
	}
	if len(p.plan.Actions) == 0 && pause.Running {
		p.kill(pause, ReasonPodCompleted)
		return
	}
	if p.plan.Idle == "" {
		p.plan.Idle = why
	}
}

// killLastSidecar plans the stop of the last running init container: kubelet stops native
// sidecars in reverse spec order, each once the ones after it are gone (one per look). False when
// none runs.
func (p *planner) killLastSidecar(inits []Container, reason string) bool {
	for i := len(inits) - 1; i >= 0; i-- {
		if c := inits[i]; c.Running {
			p.kill(c, reason)
			return true
		}
	}
	return false
}

// TerminatingMessage is the status message of a group being deleted (deleting.go).
const TerminatingMessage = "terminating: the group is being deleted"

// ComputeTermination plans the next step of the deletion of the sandbox whose pause has the id
// sandbox, as kubelet kills a pod with a deletionTimestamp (killContainersWithSyncResult): every
// running regular container (the members, a regular init container still running) at once;
// once none runs, the native sidecars, the last one first (killLastSidecar). The pause is left to
// the deployer, who removes it after the containers that join it. No action: everything of the
// sandbox is stopped. Each kill is killContainer's: preStop within the grace, then the stop.
func ComputeTermination(g Group, sandbox string) Plan {
	p := &planner{g: g, plan: Plan{Waiting: map[string]time.Duration{}, Idle: TerminatingMessage}}
	inits, members := ownContainers(g.Inits, sandbox), ownContainers(g.Members, sandbox)
	for _, c := range append(append([]Container{}, inits...), members...) {
		if c.Running && !c.Sidecar() {
			p.kill(c, ReasonGroupDeleted)
		}
	}
	if len(p.plan.Actions) == 0 {
		p.killLastSidecar(inits, ReasonGroupDeleted)
	}
	p.plan.Phase = terminatingPhase(members)
	return p.plan
}

// Terminating is the main loop's plan for a group whose sandbox is being deleted: what Compute
// says of its initialization, but nothing is started, restarted, killed or re-created (the
// deletion stops the containers itself, ComputeTermination), and the phase is kubelet's for a
// terminating pod (terminatingPhase).
func Terminating(g Group, bo BackoffView) Plan {
	p := Compute(g, bo)
	p.Actions, p.Waiting, p.RequeueAfter = nil, map[string]time.Duration{}, 0
	p.Idle = TerminatingMessage
	members := g.Members
	if g.Pause != nil {
		members = ownContainers(g.Members, g.Pause.ID)
	}
	p.Phase = terminatingPhase(members)
	return p
}

// terminatingPhase is kubelet's getPhase for a terminating pod (podIsTerminal once its
// containers stopped): Running while a member runs; Pending when none ever ran; once every
// member stopped, Succeeded if they all exited 0, else Failed (they are not restarted whatever
// the restartPolicy).
func terminatingPhase(members []Container) string {
	ran := false
	for _, c := range members {
		if c.Running {
			return "Running"
		}
		ran = ran || c.EverStarted()
	}
	if !ran {
		return "Pending"
	}
	return deadPhase(members)
}

type initWalk int

const (
	initsDone initWalk = iota
	initsPending
	initsFailed
)

// walkInits goes through the init containers in order, as kubelet's computeInitContainerActions:
// it plans the next step of the first one that holds the group up, and restarts exited sidecars.
func (p *planner) walkInits(pause Container, inits []Container) initWalk {
	initialized := p.plan.Initialized
	pending := func(c Container, why string) initWalk {
		switch {
		case len(p.plan.Actions) > 0:
		case why != "":
			p.plan.Idle = why
		case len(p.plan.Waiting) > 0:
			p.plan.Idle = fmt.Sprintf("init container %s: back-off", c.Name)
		}
		return initsPending
	}
	for _, c := range inits {
		if !c.EverStarted() && !p.g.CountsDeclared {
			// A group deployed before the count labels: its deployer starts what it creates.
			p.idle("Pending", fmt.Sprintf("init container %s never started (being created by its deployer)", c.Name))
			return initsPending
		}
		current := c.InSandbox(pause)
		if c.Sidecar() {
			switch {
			case current && c.Running:
				if !c.Started && !initialized {
					return pending(c, fmt.Sprintf("waiting for sidecar %s to start", c.Name))
				}
			case current && c.Held: // stopped by someone else (the deployer terminating the group): left alone
			case current: // exited in this sandbox: always restarted, whatever the policy
				p.start(ActRunInit, c, c.TerminationReason())
				if !initialized {
					return pending(c, fmt.Sprintf("sidecar %s exited; back-off", c.Name))
				}
			default: // never started, or ran in an earlier sandbox
				reason := ""
				if c.EverStarted() {
					reason = ReasonSandboxChanged
				}
				p.start(ActRunInit, c, reason)
				if !initialized {
					return pending(c, "")
				}
			}
			continue
		}
		switch {
		case initialized: // a member already started in this sandbox: the init containers are behind us
			continue
		case !current:
			reason := ""
			if c.EverStarted() {
				reason = ReasonSandboxChanged
			}
			p.start(ActRunInit, c, reason)
			return pending(c, "")
		case c.Running:
			return pending(c, fmt.Sprintf("waiting for init container %s to complete", c.Name))
		case c.ExitCode == 0:
			continue
		case p.g.RestartPolicy == RestartNever: // failed in this sandbox, for good
			p.plan.Idle = fmt.Sprintf("init container %s failed (exit %d) under restartPolicy Never", c.Name, c.ExitCode)
			return initsFailed
		default: // failed in this sandbox: again, with back-off
			p.start(ActRunInit, c, c.TerminationReason())
			return pending(c, fmt.Sprintf("init container %s failed (exit %d); back-off", c.Name, c.ExitCode))
		}
	}
	return initsDone
}

// members plans the start of every member that should run and does not, and the group's phase.
func (p *planner) members(pause Container, members []Container) {
	running, waiting, succeeded, failed := 0, 0, 0, 0
	for _, c := range members {
		switch {
		case !c.EverStarted() && !p.g.CountsDeclared: // created by its deployer, who starts it
		case !c.EverStarted():
			if p.start(ActStartMember, c, "") {
				running++
			} else {
				waiting++
			}
		case c.Running:
			running++
		case c.Held && c.InSandbox(pause):
			running++ // stopped by someone else in this sandbox: left alone (the group is being taken down)
		case !restarts(p.g.RestartPolicy, c):
			if c.Succeeded() {
				succeeded++
			} else {
				failed++
			}
		default:
			reason := c.TerminationReason()
			if !c.InSandbox(pause) {
				reason = ReasonSandboxChanged
			}
			if p.start(ActStartMember, c, reason) {
				running++
			} else {
				waiting++
			}
		}
	}
	p.plan.Phase = memberPhase(waiting, running, succeeded, failed)
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
		for _, c := range members {
			if c.EverStarted() {
				p.plan.Initialized = true // it was, before the sandbox went (kubelet keeps Initialized)
			}
		}
		if !p.plan.Initialized {
			for _, c := range inits {
				if !c.Sidecar() && !c.Succeeded() {
					p.plan.Incomplete = append(p.plan.Incomplete, c.Name)
				}
			}
		}
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
