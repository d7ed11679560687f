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

	mu       sync.Mutex
	statuses map[string]*GroupStatus
	lastIdle map[string]string
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
func (r *Reconciler) Sync(ctx context.Context, group string) (requeue time.Duration, exists bool, err error) {
	st := r.status(group)
	for step := 0; step < maxStepsPerSync; step++ {
		cs, err := r.Docker.GroupContainers(ctx, group)
		if err != nil {
			return time.Second, true, fmt.Errorf("list containers: %w", err)
		}
		if len(cs) == 0 {
			r.Log.Info("group gone", "group", group)
			r.mu.Lock()
			delete(r.statuses, group)
			delete(r.lastIdle, group)
			r.mu.Unlock()
			return 0, false, nil
		}
		g := BuildGroup(group, cs)
		plan := Compute(g, r.Backoff)
		st.Observe(g, plan)
		if len(plan.Actions) == 0 {
			r.idle(group, plan)
			st.SaveBackoff(g, r.Backoff)
			if err := st.Write(r.StatusDir, r.now()); err != nil {
				r.Log.Error("write status", "group", group, "err", err)
			}
			return plan.RequeueAfter, true, nil
		}
		r.mu.Lock()
		delete(r.lastIdle, group)
		r.mu.Unlock()
		if err := r.execute(ctx, g, st, plan); err != nil {
			st.SaveBackoff(g, r.Backoff)
			_ = st.Write(r.StatusDir, r.now())
			return time.Second, true, err
		}
		st.SaveBackoff(g, r.Backoff)
		if err := st.Write(r.StatusDir, r.now()); err != nil {
			r.Log.Error("write status", "group", group, "err", err)
		}
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

// execute runs a plan's actions in order: kills together, then the pause, then one init
// container to completion, then members together.
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
			r.Backoff.Next(BackoffKey(g.Name, a.Container))
			t0 := time.Now()
			err := r.Docker.Start(ctx, a.Container.ID)
			r.logAction(g, a, t0, err, "generation", st.SandboxGeneration+1)
			if err != nil {
				return err
			}
		case ActRunInit:
			r.Backoff.Next(BackoffKey(g.Name, a.Container))
			st.NoteStart(a.Container, a.Reason)
			t0 := time.Now()
			code, err := r.Docker.StartAndWait(ctx, a.Container.ID)
			r.logAction(g, a, t0, err, "exitCode", code)
			if err != nil {
				return err
			}
		case ActWaitInit:
			t0 := time.Now()
			code, err := r.Docker.Wait(ctx, a.Container.ID)
			r.logAction(g, a, t0, err, "exitCode", code)
			if err != nil {
				return err
			}
		}
	}
	return r.parallel(members, func(a Action) error {
		r.Backoff.Next(BackoffKey(g.Name, a.Container))
		st.NoteStart(a.Container, a.Reason)
		t0 := time.Now()
		err := r.Docker.Start(ctx, a.Container.ID)
		r.logAction(g, a, t0, err)
		return err
	})
}

// kill stops a container: SIGKILL at once when forced, else Docker's stop (SIGTERM, then SIGKILL).
func (r *Reconciler) kill(ctx context.Context, g Group, st *GroupStatus, a Action) error {
	st.NoteKill(a.Container, a.Reason)
	t0 := time.Now()
	var err error
	if a.Force {
		err = r.Docker.Kill(ctx, a.Container.ID)
	} else {
		err = r.Docker.Stop(ctx, a.Container.ID)
	}
	r.logAction(g, a, t0, err, "force", a.Force)
	return err
}

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
