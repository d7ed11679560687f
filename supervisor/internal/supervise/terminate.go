package supervise

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/docker/docker/client"
)

// Termination deletes one sandbox of a group, as kubelet terminates a pod with a
// deletionTimestamp: the supervisor's terminate subcommand, which the deployer's destroy runs
// with `docker exec` in the running supervisor's container (same state dir, same socket; the
// supervisor has no network). It
//  1. marks the sandbox as being deleted (deleting.go), so that the main loop starts, restarts
//     and re-creates nothing of it from then on, and wakes the main loop (Wake);
//  2. stops its containers in kubelet's order (ComputeTermination, one look at a time as Sync
//     does), each as kubelet's killContainer (Reconciler.killContainer: preStop within the
//     grace, SIGTERM with the rest of it, at least 2 s, SIGKILL at its end), printing one line
//     per container;
//  3. waits until the main loop shows, in the group's status file, that it treats the group as
//     terminating (a step of it that began before the marker may still have started a
//     container), then looks again and stops what runs;
//  4. fails when a container of the sandbox still runs. The pause is left to the deployer, which
//     removes it after every container that joins it.
type Termination struct {
	Docker Docker
	// StateDir: the supervisor's state directory (the marker and the group's status file are there).
	StateDir string
	Group    string
	// Sandbox: the id of the group's pause whose sandbox goes.
	Sandbox string
	// Out gets one line per container stopped, and a last line for the group.
	Out io.Writer
	Log *slog.Logger
	// Wake asks the running supervisor to look at its groups now (nil: at its next resync or event).
	Wake func()
	// AckTimeout: how long to wait for the main loop's acknowledgement (step 3); 0: no main loop
	// runs, do not wait.
	AckTimeout time.Duration
	// Poll: how often the status file is read while waiting (default 100 ms).
	Poll time.Duration

	mu sync.Mutex
}

// Run deletes the sandbox (see Termination); an error says what is left running or what failed.
func (t *Termination) Run(ctx context.Context) error {
	t0 := time.Now()
	if !pathComponent(t.Group) {
		return fmt.Errorf("group name %q cannot name a file", t.Group)
	}
	if t.Sandbox == "" {
		return fmt.Errorf("no sandbox given: the id of the group's pause container")
	}
	pause, err := t.Docker.Inspect(ctx, t.Sandbox)
	switch {
	case client.IsErrNotFound(err):
		t.printf("sandbox %.12s of group %s: its pause is gone\n", t.Sandbox, t.Group)
	case err != nil:
		return fmt.Errorf("inspect the pause %s: %w", t.Sandbox, err)
	case pause.Role != RolePause || pause.Labels[LabelGroup] != t.Group:
		return fmt.Errorf("container %s is not the pause of group %s", t.Sandbox, t.Group)
	default:
		t.Sandbox = pause.ID
	}
	if err := MarkDeleting(DeletingDir(t.StateDir), t.Group, t.Sandbox); err != nil {
		return fmt.Errorf("mark the group as being deleted: %w", err)
	}
	if t.Wake != nil {
		t.Wake()
	}
	r := &Reconciler{Docker: t.Docker, Log: t.Log}
	st := &GroupStatus{Group: t.Group, Containers: map[string]*ContainerStatus{}}
	stopped, err := t.pass(ctx, r, st)
	if err != nil {
		return err
	}
	if t.AckTimeout > 0 {
		if !t.acknowledged(ctx) {
			t.printf("the supervisor did not show group %s as terminating within %v; looking again\n", t.Group, t.AckTimeout)
		}
		n, err := t.pass(ctx, r, st)
		if err != nil {
			return err
		}
		stopped += n
	}
	g, err := t.look(ctx)
	if err != nil {
		return err
	}
	var running []string
	for _, c := range g.Containers() {
		if c.Running {
			running = append(running, c.Name)
		}
	}
	if len(running) > 0 {
		return fmt.Errorf("group %s: still running after its termination: %s", t.Group, strings.Join(running, ", "))
	}
	t.printf("group %s (sandbox %.12s): %d container(s) stopped in %v; the pause is left to its deployer\n",
		t.Group, t.Sandbox, stopped, time.Since(t0).Round(time.Millisecond))
	return nil
}

// look lists what joins the sandbox (and its pause) as a group.
func (t *Termination) look(ctx context.Context) (Group, error) {
	cs, err := t.Docker.GroupContainers(ctx, t.Group)
	if err != nil {
		return Group{}, fmt.Errorf("list the group's containers: %w", err)
	}
	mine := make([]Container, 0, len(cs))
	for _, c := range cs {
		if c.ID == t.Sandbox || c.JoinsID == t.Sandbox {
			mine = append(mine, c)
		}
	}
	return BuildGroup(t.Group, mine), nil
}

// pass stops the sandbox's containers in kubelet's order until none runs; returns how many it stopped.
func (t *Termination) pass(ctx context.Context, r *Reconciler, st *GroupStatus) (int, error) {
	stopped := 0
	for step := 0; step < maxStepsPerSync; step++ {
		g, err := t.look(ctx)
		if err != nil {
			return stopped, err
		}
		plan := ComputeTermination(g, t.Sandbox)
		if len(plan.Actions) == 0 {
			return stopped, nil
		}
		err = r.parallel(plan.Actions, func(a Action) error {
			o, err := r.killContainer(ctx, g, st, a)
			if client.IsErrNotFound(err) {
				err = nil // removed meanwhile
			}
			t.report(ctx, a.Container, o, err)
			return err
		})
		if err != nil {
			return stopped, fmt.Errorf("stop: %w", err)
		}
		stopped += len(plan.Actions)
	}
	return stopped, fmt.Errorf("group %s: containers keep running after %d rounds of stops", t.Group, maxStepsPerSync)
}

// report prints one line for a container stopped: what ran, how long it took, how it ended.
func (t *Termination) report(ctx context.Context, c Container, o killOutcome, err error) {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: ", c.Name)
	if o.Hook != "" {
		fmt.Fprintf(&b, "preStop %s %v", o.Hook, o.HookTook.Round(time.Millisecond))
		if o.HookErr != nil {
			fmt.Fprintf(&b, " (failed: %v)", o.HookErr)
		}
		b.WriteString(", then ")
	}
	fmt.Fprintf(&b, "SIGTERM with %vs of grace (SIGKILL after)", int((o.Grace+time.Second-1)/time.Second))
	if err != nil {
		fmt.Fprintf(&b, ": stop failed after %v: %v", o.Took.Round(time.Millisecond), err)
	} else {
		fmt.Fprintf(&b, ": stopped in %v", o.Took.Round(time.Millisecond))
		if now, ierr := t.Docker.Inspect(ctx, c.ID); ierr == nil && !now.Running {
			fmt.Fprintf(&b, ", exit code %d", now.ExitCode)
		}
	}
	t.printf("%s\n", b.String())
}

// acknowledged waits (at most AckTimeout) until the group's status file shows the sandbox as
// terminating: written by a step of the main loop that began after the marker.
func (t *Termination) acknowledged(ctx context.Context) bool {
	poll := t.Poll
	if poll <= 0 {
		poll = 100 * time.Millisecond
	}
	deadline := time.Now().Add(t.AckTimeout)
	for {
		if st, err := LoadStatus(StatusDir(t.StateDir), t.Group); err == nil &&
			st.Sandbox.ID == t.Sandbox && st.Message == TerminatingMessage {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		select {
		case <-ctx.Done():
			return false
		case <-time.After(poll):
		}
	}
}

func (t *Termination) printf(format string, args ...any) {
	t.mu.Lock()
	defer t.mu.Unlock()
	fmt.Fprintf(t.Out, format, args...)
}
