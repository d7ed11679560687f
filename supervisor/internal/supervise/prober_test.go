package supervise

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

type probeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *probeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}
func (c *probeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}
func (c *probeClock) NewTicker(time.Duration) Ticker { return idleTicker{} }

type idleTicker struct{}

func (idleTicker) C() <-chan time.Time { return nil }
func (idleTicker) Stop()               {}

// scripted answers exec probes from a list of exit codes (the last one repeats).
type scripted struct {
	mu    sync.Mutex
	codes []int
	calls int
}

func (s *scripted) exec(*Container, string, []string) ExecResult {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	code := s.codes[0]
	if len(s.codes) > 1 {
		s.codes = s.codes[1:]
	}
	return ExecResult{ExitCode: code}
}

// newWorker makes a worker by hand (no goroutine): the test calls probeOnce at the times it wants.
func newWorker(p *Prober, kind ProbeType, spec Probe, run time.Time, gated bool) *worker {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.addLocked(&worker{key: workerKey{"g-c-id", kind}, group: "g", name: "c", run: run, spec: spec, gated: gated,
		cancel: func() {}})
}

func execProbe(initial, period, success, failure int) Probe {
	return Probe{Exec: &ExecAction{Command: []string{"check"}}, InitialDelaySeconds: initial, PeriodSeconds: period,
		TimeoutSeconds: 1, SuccessThreshold: success, FailureThreshold: failure}
}

// container_probe.go "should not be ready before initial delay and never restart": nothing runs
// before startedAt + initialDelaySeconds, and a readiness probe says not ready until it succeeded
// successThreshold times in a row.
func TestProbeReadinessInitialDelayAndThresholds(t *testing.T) {
	clock := &probeClock{now: t0}
	fake := newFakeDocker()
	fake.add("g", RestartAlways, RoleMember, "c", 0)
	answers := &scripted{codes: []int{0, 1, 0, 0}}
	fake.execFn = answers.exec
	kicks := 0
	p := &Prober{Docker: fake, Clock: clock, Kick: func(string) { kicks++ }}
	w := newWorker(p, ProbeReadiness, execProbe(5, 1, 2, 3), t0, false)
	ctx := context.Background()
	for i := 0; i < 5; i++ { // t = 0..4 s: before the initial delay
		w.probeOnce(ctx)
		clock.advance(time.Second)
	}
	if answers.calls != 0 || w.result != resultFailure {
		t.Fatalf("probed %d times before the initial delay, result %v", answers.calls, w.result)
	}
	for i, want := range []probeResult{resultFailure, resultFailure, resultFailure, resultSuccess} { // answers 0, 1, 0, 0
		w.probeOnce(ctx)
		if w.result != want {
			t.Fatalf("probe %d: result %v, want %v", i+1, w.result, want)
		}
	}
	if kicks != 1 {
		t.Fatalf("kicks %d, want 1 (one flip)", kicks)
	}
}

// A liveness probe kills after failureThreshold failures in a row (a success in between starts
// the count again), then stops probing (kubelet puts the worker on hold).
func TestProbeLivenessFailureThreshold(t *testing.T) {
	clock := &probeClock{now: t0}
	fake := newFakeDocker()
	fake.add("g", RestartAlways, RoleMember, "c", 0)
	answers := &scripted{codes: []int{1, 1, 0, 1, 1, 1}}
	fake.execFn = answers.exec
	p := &Prober{Docker: fake, Clock: clock}
	w := newWorker(p, ProbeLiveness, execProbe(0, 10, 1, 3), t0, false)
	c := Container{ID: "g-c-id", Running: true, StartedAt: t0}
	ctx := context.Background()
	for i := 0; i < 5; i++ {
		if !w.probeOnce(ctx) || p.Kill(c) != "" {
			t.Fatalf("killed after %d probes", i+1)
		}
	}
	if w.probeOnce(ctx) || p.Kill(c) != ReasonLivenessProbe {
		t.Fatalf("not killed after three failures in a row")
	}
	if other := (Container{ID: "g-c-id", Running: true, StartedAt: t0.Add(time.Minute)}); p.Kill(other) != "" {
		t.Fatalf("a new run inherits the kill")
	}
}

// Startup gates liveness and readiness: they do not probe until the startup probe succeeded;
// then startup stops probing.
func TestProbeStartupGatesTheOthers(t *testing.T) {
	clock := &probeClock{now: t0}
	fake := newFakeDocker()
	fake.add("g", RestartAlways, RoleMember, "c", 0)
	answers := &scripted{codes: []int{1, 0, 0}}
	fake.execFn = answers.exec
	p := &Prober{Docker: fake, Clock: clock}
	startup := newWorker(p, ProbeStartup, execProbe(0, 1, 1, 30), t0, false)
	live := &worker{p: p, key: workerKey{"g-c-id", ProbeLiveness}, group: "g", run: t0, spec: execProbe(0, 1, 1, 3), gated: true, result: resultSuccess}
	p.workers[live.key] = live
	c := Container{ID: "g-c-id", Running: true, StartedAt: t0, Spec: Spec{Probes: Probes{Startup: &Probe{}, Liveness: &Probe{}}}}
	ctx := context.Background()
	live.probeOnce(ctx)
	startup.probeOnce(ctx) // fails (1 of 30)
	live.probeOnce(ctx)
	if answers.calls != 1 || p.Started(c) {
		t.Fatalf("calls %d started %v: liveness probed before startup succeeded", answers.calls, p.Started(c))
	}
	startup.probeOnce(ctx) // succeeds
	if !p.Started(c) {
		t.Fatalf("not started after the startup probe succeeded")
	}
	live.probeOnce(ctx)
	startup.probeOnce(ctx) // no more startup probes
	if answers.calls != 3 {
		t.Fatalf("calls %d, want 3", answers.calls)
	}
}

// End to end with goroutines: a member whose liveness probe fails is killed (preStop, stop) and
// restarted per the policy; the probe workers follow the runs and end with the group.
func TestSyncRestartsOnLivenessFailureAndStopsWorkers(t *testing.T) {
	fake := newFakeDocker()
	fake.declare("g", RestartAlways, []string{"side"}, map[string]bool{"side": true}, []string{"web"})
	fake.set("g", "web", func(c *Container) {
		c.Spec.Probes.Liveness = &Probe{Exec: &ExecAction{Command: []string{"live"}}, PeriodSeconds: 1, TimeoutSeconds: 1, SuccessThreshold: 1, FailureThreshold: 2}
		c.Spec.Probes.Readiness = &Probe{TCPSocket: &TCPSocketAction{Port: 80}, PeriodSeconds: 1, TimeoutSeconds: 1, SuccessThreshold: 1, FailureThreshold: 1}
	})
	var failing atomic.Bool
	failing.Store(true)
	fake.execFn = func(c *Container, user string, cmd []string) ExecResult {
		if cmd[0] == "live" && failing.Load() {
			return ExecResult{ExitCode: 1}
		}
		if cmd[0] == "/pause" && (c.Name != "pause" || user != PauseProbeUser || cmd[1] != "-probe-tcp" || cmd[2] != "80") {
			return ExecResult{ExitCode: 2, Output: "wrong helper call"}
		}
		return ExecResult{}
	}
	r := newReconciler(t, fake)
	var kicked atomic.Int32
	r.Probes = &Prober{Docker: fake, Log: r.Log, Second: 20 * time.Millisecond, Kick: func(string) { kicked.Add(1) }}
	before := runtime.NumGoroutine()
	syncGroup(t, r, "g")
	expectCalls(t, fake, "start side", "start web")
	syncGroup(t, r, "g") // the workers start for the runs Docker shows
	if n := r.Probes.Workers(); n != 2 {
		t.Fatalf("workers %d, want 2", n)
	}
	deadline := time.Now().Add(5 * time.Second)
	var calls []string
	for time.Now().Before(deadline) {
		syncGroup(t, r, "g")
		if calls = append(calls, fake.takeCalls()...); len(calls) >= 2 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if len(calls) < 2 || calls[0] != "stop web" || calls[1] != "start web" {
		t.Fatalf("calls %q, want a stop and a start of web", calls)
	}
	failing.Store(false)
	st := r.status("g")
	if web := st.Containers["web"]; web.LastReason != ReasonLivenessProbe || web.RestartCount != 1 {
		t.Fatalf("web %+v", web)
	}
	for time.Now().Before(deadline) && cond(st, "Ready") != "True" {
		time.Sleep(10 * time.Millisecond)
		syncGroup(t, r, "g")
	}
	if cond(st, "Ready") != "True" || kicked.Load() == 0 {
		t.Fatalf("not ready after the restart: %+v (kicks %d)", st.Conditions, kicked.Load())
	}
	// The group goes away: every worker ends.
	fake.mu.Lock()
	fake.cs = map[string]*Container{}
	fake.mu.Unlock()
	if _, exists, _ := r.Sync(context.Background(), "g"); exists {
		t.Fatal("group still exists")
	}
	if n := r.Probes.Workers(); n != 0 {
		t.Fatalf("workers %d after the group went away", n)
	}
	for time.Now().Before(deadline) && runtime.NumGoroutine() > before {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Fatalf("goroutines %d, %d before: probe workers leak", n, before)
	}
}
