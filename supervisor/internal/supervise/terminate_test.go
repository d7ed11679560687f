package supervise

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

// terminatedGroup deploys a group with a completed init container, two native sidecars and two
// members (every container with a preStop exec hook "pre"), started by a main loop whose state
// directory is the termination's.
func terminatedGroup(t *testing.T) (*fakeDocker, *Reconciler, *Termination, *bytes.Buffer) {
	t.Helper()
	fake := newFakeDocker()
	fake.declare("g", RestartAlways, []string{"i1", "s1", "s2"}, map[string]bool{"s1": true, "s2": true},
		[]string{"web", "worker"})
	for _, n := range []string{"s1", "s2", "web", "worker"} {
		fake.set("g", n, func(c *Container) {
			c.Spec.Lifecycle.PreStop = &Handler{Exec: &ExecAction{Command: []string{"pre"}}}
		})
	}
	state := t.TempDir()
	r := newReconciler(t, fake)
	r.StatusDir, r.DeletingDir = StatusDir(state), DeletingDir(state)
	syncGroup(t, r, "g")
	fake.takeCalls()
	var out bytes.Buffer
	term := &Termination{Docker: fake, StateDir: state, Group: "g", Sandbox: "g-pause-id", Out: &out,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	return fake, r, term, &out
}

// kubelet's order for a pod with a deletionTimestamp: the regular containers at once (their
// preStop hooks run together, each while its container still runs), then the sidecars, the last
// one first; the pause is left to the deployer. One line per container.
func TestTerminationStopsInKubeletOrder(t *testing.T) {
	fake, _, term, out := terminatedGroup(t)
	var mu sync.Mutex
	runningAtPreStop := map[string]bool{}
	workerHook := make(chan struct{})
	fake.execFn = func(c *Container, user string, cmd []string) ExecResult {
		mu.Lock()
		runningAtPreStop[c.Name] = c.Running
		mu.Unlock()
		switch c.Name {
		case "worker":
			close(workerHook)
		case "web": // only returns once worker's hook ran: the two run in parallel
			select {
			case <-workerHook:
			case <-time.After(5 * time.Second):
				return ExecResult{ExitCode: 1, Output: "worker's preStop did not run meanwhile"}
			}
		}
		return ExecResult{}
	}
	if err := term.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	fake.mu.Lock()
	calls := append([]string{}, fake.calls...)
	fake.mu.Unlock()
	regulars := append([]string{}, calls[:2]...)
	if len(calls) != 4 || !reflect.DeepEqual(sortedCopy(regulars), []string{"stop web", "stop worker"}) ||
		!reflect.DeepEqual(calls[2:], []string{"stop s2", "stop s1"}) {
		t.Fatalf("calls %q: want web and worker, then s2, then s1; the pause untouched", calls)
	}
	for _, n := range []string{"web", "worker", "s1", "s2"} {
		if !runningAtPreStop[n] {
			t.Fatalf("%s's preStop ran after it stopped (%v)", n, runningAtPreStop)
		}
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 5 || !strings.HasPrefix(lines[2], "s2: preStop exec ") ||
		!strings.Contains(lines[2], "exit code 137") || strings.Contains(out.String(), "failed") || !strings.Contains(lines[4], "4 container(s) stopped") {
		t.Fatalf("output:\n%s", out)
	}
	if got := deletingSandbox(DeletingDir(term.StateDir), "g"); got != "g-pause-id" {
		t.Fatalf("deletion marker %q", got)
	}
}

func sortedCopy(s []string) []string {
	out := append([]string{}, s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

// The preStop hook counts against terminationGracePeriodSeconds; the stop gets the rest, at least 2 s.
func TestTerminationSplitsTheGrace(t *testing.T) {
	fake, _, term, _ := terminatedGroup(t)
	fake.set("g", "worker", func(c *Container) { c.StopTimeout = 1 })
	fake.set("g", "web", func(c *Container) {
		c.Spec.Lifecycle.PreStop = &Handler{Sleep: &SleepAction{Seconds: 1}}
		c.StopTimeout = 5
	})
	if err := term.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if g := fake.graces["web"]; g < 3900*time.Millisecond || g > 4*time.Second {
		t.Fatalf("web's stop grace %v: want its 5 s less the 1 s preStop sleep", g)
	}
	if g := fake.graces["worker"]; g != minimumGracePeriod {
		t.Fatalf("worker's stop grace %v: want kubelet's minimum %v", g, minimumGracePeriod)
	}
	if g := fake.graces["s1"]; g <= 29*time.Second || g > 30*time.Second {
		t.Fatalf("s1's stop grace %v: want the rest of its 30 s", g)
	}
}

// Once marked, the main loop starts, restarts and re-creates nothing of the sandbox, and reports
// a terminating pod's phase: Running while a member runs, Failed once they all stopped (137).
func TestMarkedGroupIsNotRestarted(t *testing.T) {
	fake, r, term, _ := terminatedGroup(t)
	if err := MarkDeleting(r.DeletingDir, "g", "g-pause-id"); err != nil {
		t.Fatal(err)
	}
	fake.crash("g", "worker", 1)
	syncGroup(t, r, "g")
	expectCalls(t, fake)
	if st := r.status("g"); st.Phase != "Running" || st.Message != TerminatingMessage {
		t.Fatalf("while terminating: phase %s message %q", st.Phase, st.Message)
	}
	if err := term.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	fake.takeCalls()
	fake.crash("g", "pause", 137)
	syncGroup(t, r, "g")
	expectCalls(t, fake) // no sandbox re-created, no container started
	st := r.status("g")
	if st.Phase != "Failed" || cond(st, "Ready") != "False" || cond(st, "PodReadyToStartContainers") != "False" {
		t.Fatalf("terminated: phase %s conditions %+v", st.Phase, st.Conditions)
	}
	// The deployer removes the containers, the pause last: the phase the group ended with stays.
	fake.removeContainers("g", "i1", "s1", "s2", "web", "worker")
	syncGroup(t, r, "g")
	if st := r.status("g"); st.Phase != "Failed" || st.Message != TerminatingMessage {
		t.Fatalf("members removed: phase %s message %q", st.Phase, st.Message)
	}
	// A new deployment of the group (another pause) is not concerned.
	fake.removeContainers("g", "pause")
	fake.declare("g", RestartAlways, nil, nil, []string{"web"})
	fake.set("g", "pause", func(c *Container) { c.ID = "g-pause-id-2" })
	fake.cs["g-pause-id-2"] = fake.cs["g-pause-id"]
	delete(fake.cs, "g-pause-id")
	fake.set("g", "web", func(c *Container) { c.JoinsID = "g-pause-id-2" })
	syncGroup(t, r, "g")
	expectCalls(t, fake, "start web")
}

// A container that a step of the main loop already under way starts after the first pass does not
// survive: the termination waits for the main loop to show the group terminating, then looks again.
func TestTerminationStopsWhatTheMainLoopStartedMeanwhile(t *testing.T) {
	fake, r, term, out := terminatedGroup(t)
	term.AckTimeout, term.Poll = 5*time.Second, time.Millisecond
	done := make(chan struct{})
	term.Wake = func() {
		go func() {
			defer close(done)
			// The step in flight: it starts web again once the first pass stopped it, then the next
			// step sees the marker and writes the status the termination waits for.
			for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
				if c, _ := fake.Inspect(context.Background(), "g-s1-id"); !c.Running {
					break
				}
			}
			_ = fake.Start(context.Background(), "g-web-id")
			if _, _, err := r.Sync(context.Background(), "g"); err != nil {
				t.Error(err)
			}
		}()
	}
	if err := term.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	<-done
	if c, _ := fake.Inspect(context.Background(), "g-web-id"); c.Running {
		t.Fatalf("web still runs; output:\n%s", out)
	}
	if n := strings.Count(strings.Join(fake.takeCalls(), ","), "stop web"); n != 2 {
		t.Fatalf("web stopped %d times, want 2 (once in each pass); output:\n%s", n, out)
	}
}

// The wrong pause is refused before anything is marked or stopped.
func TestTerminationRefusesAnotherGroupsPause(t *testing.T) {
	fake, _, term, _ := terminatedGroup(t)
	fake.declare("other", RestartAlways, nil, nil, []string{"web"})
	term.Sandbox = "other-pause-id"
	if err := term.Run(context.Background()); err == nil || !strings.Contains(err.Error(), "not the pause of group g") {
		t.Fatalf("err %v", err)
	}
	expectCalls(t, fake)
	if _, err := os.Stat(filepath.Join(DeletingDir(term.StateDir), "g")); !os.IsNotExist(err) {
		t.Fatalf("marker: %v", err)
	}
}

// The marker goes with the group's other state once the group is gone (after the grace).
func TestSweepGoneRemovesTheDeletionMarker(t *testing.T) {
	fake, r, term, _ := terminatedGroup(t)
	r.TerminationGrace = 10 * time.Second
	if err := term.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := MarkDeleting(r.DeletingDir, "left-over", "x"); err != nil { // of a group removed while no supervisor ran
		t.Fatal(err)
	}
	fake.removeContainers("g", "pause", "i1", "s1", "s2", "web", "worker")
	if _, exists, err := r.Sync(context.Background(), "g"); exists || err != nil {
		t.Fatalf("sync of the removed group: exists %v, err %v", exists, err)
	}
	r.SweepGone(nil)
	marker := filepath.Join(r.DeletingDir, "g")
	if _, err := os.Stat(marker); err != nil {
		t.Fatalf("marker removed within the grace: %v", err)
	}
	fake.clock = fake.clock.Add(10 * time.Second)
	r.SweepGone(nil)
	for _, p := range []string{marker, filepath.Join(r.DeletingDir, "left-over")} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Fatalf("%s after the grace: %v", p, err)
		}
	}
}
