package supervise

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// Reconciler brings groups to their kubelet-like state. It keeps no state that Docker cannot
// give back: the status files are a cache of restart counts and back-off.
type Reconciler struct {
	Docker    Docker
	StatusDir string
	Backoff   *Backoff
	Log       *slog.Logger
	Now       func() time.Time
	// Probes runs the containers' probes; nil: no probes (every running container is started and ready).
	Probes *Prober
	// TerminationDir: the groups' termination-message files (<state dir>/termination, see
	// termination.go); "" reads every message from the stopped container. TerminationGrace: how
	// long a group must have been gone before SweepGone removes its status file and termination
	// directory (gone.go).
	TerminationDir   string
	TerminationGrace time.Duration
	// DeletingDir: the deletion markers of groups being deleted (<state dir>/deleting, see
	// deleting.go); "": no group is ever taken for one being deleted.
	DeletingDir string
	// SandboxStarts bounds the pause starts in flight across groups (nil: no bound).
	SandboxStarts *Limiter

	mu       sync.Mutex
	statuses map[string]*GroupStatus
	lastIdle map[string]string
	// selfStops: containers the supervisor is stopping (until when its kill events may still come);
	// external: containers someone else asked to stop (a non-SIGKILL kill event), and when.
	selfStops map[string]time.Time
	external  map[string]time.Time
	// gone: groups seen without containers, and since when (their state goes, gone.go).
	gone map[string]time.Time
	// files orders status writes and the removal of a gone group's state; removals counts the
	// removals of each group's state (a Sync's write is dropped when the count changed).
	files    sync.Mutex
	removals map[string]uint64
}

// NoteKillEvent records a kill event. A stop signal (not SIGKILL) sent by someone else than the
// supervisor is a deliberate stop (the deployer terminating the group, a `docker stop`): that run
// is left alone, not restarted, as Docker leaves a manually stopped container. SIGKILL is taken
// for a crash (OOM killer, `kill -9`): the restart policy applies.
func (r *Reconciler) NoteKillEvent(id, signal string, at time.Time) {
	if signal == "9" || signal == "SIGKILL" || signal == "KILL" {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if until, ok := r.selfStops[id]; ok && at.Before(until) {
		return
	}
	if r.external == nil {
		r.external = map[string]time.Time{}
	}
	r.external[id] = at
}

// markSelfStop notes that the supervisor stops id within grace.
func (r *Reconciler) markSelfStop(id string, grace time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.selfStops == nil {
		r.selfStops = map[string]time.Time{}
	}
	now := time.Now()
	for k, until := range r.selfStops {
		if now.After(until) {
			delete(r.selfStops, k)
		}
	}
	r.selfStops[id] = now.Add(grace + 10*time.Second)
}

// stoppedBySomeoneElse: c's current run ended after a stop someone else asked for.
func (r *Reconciler) stoppedBySomeoneElse(c Container) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	at, ok := r.external[c.ID]
	if !ok {
		return false
	}
	if c.Running || at.Before(c.StartedAt.Add(-time.Second)) {
		// Started again since (by whoever stopped it): the mark is spent. (A second of slack:
		// StartedAt is the daemon's clock, the mark the supervisor's.)
		if !c.Running {
			delete(r.external, c.ID)
		}
		return false
	}
	return true
}

// maxStepsPerSync bounds one Sync (a group whose containers keep dying is looked at again later).
const maxStepsPerSync = 64

func (r *Reconciler) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

func (r *Reconciler) status(group string) *GroupStatus {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.statuses == nil {
		r.statuses, r.lastIdle = map[string]*GroupStatus{}, map[string]string{}
	}
	st, ok := r.statuses[group]
	if !ok {
		var err error
		st, err = LoadStatus(r.StatusDir, group)
		if err != nil {
			r.Log.Warn("status file unreadable", "group", group, "err", err)
		}
		st.RestoreBackoff(group, r.Backoff)
		r.statuses[group] = st
	}
	return st
}

// Groups lists the names of every supervised group Docker knows.
func (r *Reconciler) Groups(ctx context.Context) ([]string, error) {
	cs, err := r.Docker.GroupContainers(ctx, "")
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []string
	for _, c := range cs {
		if g := c.Labels[LabelGroup]; g != "" && !seen[g] {
			seen[g] = true
			out = append(out, g)
		}
	}
	return out, nil
}

// Sync reconciles one group until nothing is left to do now. It returns when to look again
// (0: only on the next event or resync) and whether the group still exists.
// A group without containers gets no status: its file stays as last written until SweepGone
// removes it, and none is written once the sweep did.
func (r *Reconciler) Sync(ctx context.Context, group string) (requeue time.Duration, exists bool, err error) {
	var st *GroupStatus
	for step := 0; step < maxStepsPerSync; step++ {
		removals := r.removalCount(group)
		cs, err := r.Docker.GroupContainers(ctx, group)
		if err != nil {
			return time.Second, true, fmt.Errorf("list containers: %w", err)
		}
		if len(cs) == 0 {
			r.Log.Info("group gone", "group", group)
			r.noteGroupGone(group)
			if r.Probes != nil {
				r.Probes.StopGroup(group)
			}
			r.mu.Lock()
			delete(r.statuses, group)
			delete(r.lastIdle, group)
			r.mu.Unlock()
			return 0, false, nil
		}
		r.noteGroupSeen(group)
		if st == nil {
			st = r.status(group)
		}
		g := BuildGroup(group, cs)
		r.annotate(g)
		plan := r.plan(g, st)
		st.Observe(g, plan, r.messages(ctx, st, g), r.now())
		if len(plan.Actions) == 0 {
			r.idle(group, plan)
			st.SaveBackoff(g, r.Backoff)
			r.writeStatus(st, removals)
			return plan.RequeueAfter, true, nil
		}
		r.mu.Lock()
		delete(r.lastIdle, group)
		r.mu.Unlock()
		if err := r.execute(ctx, g, st, plan); err != nil {
			st.SaveBackoff(g, r.Backoff)
			r.writeStatus(st, removals)
			return time.Second, true, err
		}
		st.SaveBackoff(g, r.Backoff)
		r.writeStatus(st, removals)
	}
	return time.Second, true, nil
}

// idle logs why a group needs nothing, once per change.
func (r *Reconciler) idle(group string, p Plan) {
	msg := p.Idle
	if len(p.Waiting) > 0 {
		msg = fmt.Sprintf("%s; back-off %v", msg, p.Waiting)
	}
	r.mu.Lock()
	prev := r.lastIdle[group]
	r.lastIdle[group] = p.Idle
	r.mu.Unlock()
	if prev != p.Idle || len(p.Waiting) > 0 {
		r.Log.Info("idle", "group", group, "phase", p.Phase, "why", msg)
	}
}

// annotate fills in what the supervisor knows beyond Docker: started / ready / a probe's kill
// request of each running container (the probe workers follow the group's runs first).
func (r *Reconciler) annotate(g Group) {
	if r.Probes != nil {
		r.Probes.Sync(g)
	}
	for _, cs := range [][]Container{g.Inits, g.Members} {
		for i := range cs {
			c := &cs[i]
			switch {
			case !c.Running:
				c.Held = c.Exited() && r.stoppedBySomeoneElse(*c)
			case r.Probes == nil:
				c.Started, c.Ready = true, true
			default:
				c.Started, c.Ready, c.ProbeKill = r.Probes.Started(*c), r.Probes.Ready(*c), r.Probes.Kill(*c)
			}
		}
	}
}

// Termination messages: kubelet reads the last 4096 bytes of terminationMessagePath; with
// FallbackToLogsOnError, an empty file and a non-zero exit, the last 80 log lines cut to 2048 bytes.
const (
	maxTerminationMessage = 4096
	fallbackLogLines      = 80
	maxFallbackLog        = 2048
)

// messages reads the termination message of every container whose exit the status has not seen yet.
func (r *Reconciler) messages(ctx context.Context, st *GroupStatus, g Group) map[string]string {
	out := map[string]string{}
	for _, c := range g.Containers() {
		tm := c.Spec.TerminationMessage
		if tm == nil || !st.NewExit(c) {
			continue
		}
		// The group's file for c (bind-mounted at tm.Path) when it has one; else the path in the
		// stopped container (a path in its image or a volume; Docker's /dev is gone by now).
		b, ok := r.readTerminationFile(g.Name, c.Name)
		if !ok {
			var err error
			b, err = r.Docker.ReadFile(ctx, c.ID, tm.Path, maxTerminationMessage)
			if err != nil {
				r.Log.Warn("termination message unreadable", "group", g.Name, "container", c.Name, "path", tm.Path, "err", err)
			}
		}
		msg := string(b)
		if msg == "" && tm.Policy == TerminationMessageFallbackToLogsOnError && c.ExitCode != 0 {
			logs, err := r.Docker.Logs(ctx, c.ID, fallbackLogLines)
			if err != nil {
				r.Log.Warn("logs unreadable", "group", g.Name, "container", c.Name, "err", err)
			}
			if len(logs) > maxFallbackLog {
				logs = logs[len(logs)-maxFallbackLog:]
			}
			msg = string(logs)
		}
		if msg != "" {
			out[c.Name] = msg
		}
	}
	return out
}

// execute runs a plan's actions in order: kills together, then the pause, then init containers
// one at a time (start and postStart; their exit is seen by a later look), then members together.
func (r *Reconciler) execute(ctx context.Context, g Group, st *GroupStatus, p Plan) error {
	var kills, members []Action
	for _, a := range p.Actions {
		switch a.Kind {
		case ActKill:
			kills = append(kills, a)
		case ActStartMember:
			members = append(members, a)
		}
	}
	if err := r.parallel(kills, func(a Action) error { return r.kill(ctx, g, st, a) }); err != nil {
		return err
	}
	for _, a := range p.Actions {
		switch a.Kind {
		case ActStartPause:
			if err := r.startSandbox(ctx, g, st, a); err != nil {
				return err
			}
		case ActRunInit:
			if err := r.start(ctx, g, st, a); err != nil {
				return err
			}
		}
	}
	return r.parallel(members, func(a Action) error { return r.start(ctx, g, st, a) })
}

// startSandbox starts the group's pause, within the bound on sandbox starts in flight.
func (r *Reconciler) startSandbox(ctx context.Context, g Group, st *GroupStatus, a Action) error {
	waited, err := r.SandboxStarts.Acquire(ctx)
	if err != nil {
		return err
	}
	defer r.SandboxStarts.Release()
	t0 := time.Now()
	r.Backoff.Next(BackoffKey(g.Name, a.Container))
	err = r.Docker.Start(ctx, a.Container.ID)
	r.logAction(g, a, t0, err, "generation", st.SandboxGeneration+1, "queued", waited.Round(time.Millisecond))
	return err
}

// start starts a container and runs its postStart hook (kubelet's startContainer: the hook is
// synchronous; when it fails the container is killed, and the restart policy applies).
func (r *Reconciler) start(ctx context.Context, g Group, st *GroupStatus, a Action) error {
	c := a.Container
	if c.EverStarted() {
		// kubelet's doBackOff: only a restart of an exited container counts (the first start does not).
		r.Backoff.Next(BackoffKey(g.Name, c))
	}
	st.NoteStart(c, a.Reason)
	// Each run starts with an empty termination-message file (its last exit was read before this
	// plan: Observe comes first in every step).
	r.emptyTerminationFile(g.Name, c.Name)
	t0 := time.Now()
	err := r.Docker.Start(ctx, c.ID)
	r.logAction(g, a, t0, err)
	if err != nil || c.Spec.Lifecycle.PostStart == nil {
		return err
	}
	t1 := time.Now()
	out, herr := r.runHandler(ctx, g, c, c.Spec.Lifecycle.PostStart)
	if herr == nil {
		r.Log.Info("postStart hook", "group", g.Name, "container", c.Name, "took", time.Since(t1).Round(time.Millisecond))
		return nil
	}
	r.Log.Warn("FailedPostStartHook: killing the container", "group", g.Name, "container", c.Name, "err", herr, "output", out)
	now, err := r.Docker.Inspect(ctx, c.ID)
	if err != nil {
		return err
	}
	st.NoteHookFailure(now, fmt.Sprintf("PostStartHook failed: %v", herr))
	return r.kill(ctx, g, st, Action{Kind: ActKill, Container: now, Reason: ReasonPostStartHook})
}

// kill stops a container: SIGKILL at once when forced (the PID namespace died with the pause);
// else kubelet's killContainer: the preStop hook (bounded by the grace period and counted
// against it), then SIGTERM, and SIGKILL when the rest of the grace (at least 2 s) is over.
func (r *Reconciler) kill(ctx context.Context, g Group, st *GroupStatus, a Action) error {
	_, err := r.killContainer(ctx, g, st, a)
	return err
}

// killOutcome is what one kill did (the deletion prints it, terminate.go).
type killOutcome struct {
	// Hook: the preStop handler that ran ("exec", "httpGet", "sleep"; "" when none did), how
	// long it took and its error.
	Hook     string
	HookTook time.Duration
	HookErr  error
	// Grace: the stop's grace (what the hook left of the container's, at least 2 s); 0 when forced.
	Grace time.Duration
	Took  time.Duration
}

// killContainer is kill, saying what it did.
func (r *Reconciler) killContainer(ctx context.Context, g Group, st *GroupStatus, a Action) (killOutcome, error) {
	var o killOutcome
	c := a.Container
	grace := time.Duration(c.StopTimeout) * time.Second
	st.NoteKill(c, a.Reason)
	r.markSelfStop(c.ID, grace)
	t0 := time.Now()
	if a.Force {
		err := r.Docker.Kill(ctx, c.ID)
		r.logAction(g, a, t0, err, "force", true)
		o.Took = time.Since(t0)
		return o, err
	}
	if h := c.Spec.Lifecycle.PreStop; h != nil && grace > 0 {
		hctx, cancel := context.WithTimeout(ctx, grace)
		out, err := r.runHandler(hctx, g, c, h)
		cancel()
		o.Hook, o.HookTook, o.HookErr = h.Kind(), time.Since(t0), err
		if err != nil {
			r.Log.Warn("FailedPreStopHook", "group", g.Name, "container", c.Name, "err", err, "output", out)
		} else {
			r.Log.Info("preStop hook", "group", g.Name, "container", c.Name, "took", time.Since(t0).Round(time.Millisecond))
		}
	}
	left := grace - time.Since(t0)
	if left < minimumGracePeriod {
		left = minimumGracePeriod
	}
	o.Grace = left
	err := r.Docker.Stop(ctx, c.ID, left)
	r.logAction(g, a, t0, err, "grace", left.Round(time.Millisecond))
	o.Took = time.Since(t0)
	return o, err
}

// minimumGracePeriod: kubelet gives StopContainer at least 2 s, even after a preStop hook used the grace.
const minimumGracePeriod = 2 * time.Second

func (r *Reconciler) parallel(as []Action, f func(Action) error) error {
	if len(as) == 1 {
		return f(as[0])
	}
	errs := make([]error, len(as))
	var wg sync.WaitGroup
	for i, a := range as {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = f(a)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func (r *Reconciler) logAction(g Group, a Action, t0 time.Time, err error, extra ...any) {
	args := append([]any{"group", g.Name, "container", a.Container.Name, "reason", a.Reason,
		"took", time.Since(t0).Round(time.Millisecond)}, extra...)
	if err != nil {
		r.Log.Error(string(a.Kind)+" failed", append(args, "err", err)...)
		return
	}
	r.Log.Info(string(a.Kind), args...)
}
