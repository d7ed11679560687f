package supervise

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Clock is the prober's time (a fake one in tests).
type Clock interface {
	Now() time.Time
	NewTicker(d time.Duration) Ticker
}

// Ticker is time.Ticker behind an interface.
type Ticker interface {
	C() <-chan time.Time
	Stop()
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }
func (realClock) NewTicker(d time.Duration) Ticker {
	return realTicker{time.NewTicker(d)}
}

type realTicker struct{ t *time.Ticker }

func (t realTicker) C() <-chan time.Time { return t.t.C }
func (t realTicker) Stop()               { t.t.Stop() }

// ProbeType is startup, liveness or readiness.
type ProbeType string

const (
	ProbeStartup   ProbeType = "startup"
	ProbeLiveness  ProbeType = "liveness"
	ProbeReadiness ProbeType = "readiness"
)

type probeResult int

const (
	resultUnknown probeResult = iota
	resultSuccess
	resultFailure
)

func (r probeResult) String() string {
	return [...]string{"Unknown", "Success", "Failure"}[r]
}

// PauseProbeUser runs the pause's probe helper modes as the pause's own identity.
const PauseProbeUser = "65535:65535"

// Prober runs the probes of every running supervised container, as kubelet's prober manager
// (pkg/kubelet/prober): one goroutine per probe per container run, probing every periodSeconds.
// A result that flips (after failureThreshold / successThreshold equal results in a row) wakes
// the group (Kick); the reconciler reads the results before each plan (Started, Ready, Kill).
// Workers end with the run they probe (Sync stops them), and a liveness or startup worker ends
// once it has asked for the kill.
type Prober struct {
	Docker Docker
	Log    *slog.Logger
	// Clock: nil is the real one.
	Clock Clock
	// Second is the unit of the probes' *Seconds fields (0: time.Second; tests shrink it).
	Second time.Duration
	// Kick wakes a group's reconcile (set by the Watcher); nil: nobody is woken.
	Kick func(group string)

	mu      sync.Mutex
	workers map[workerKey]*worker
}

type workerKey struct {
	id   string
	kind ProbeType
}

type worker struct {
	p                    *Prober
	key                  workerKey
	group, name, pauseID string
	run                  time.Time // StartedAt of the run it probes
	spec                 Probe
	gated                bool // the container has a startup probe: liveness and readiness wait for it
	cancel               context.CancelFunc
	result, lastResult   probeResult // guarded by p.mu
	resultRun            int
}

func (p *Prober) clock() Clock {
	if p.Clock == nil {
		return realClock{}
	}
	return p.Clock
}

func (p *Prober) second() time.Duration {
	if p.Second <= 0 {
		return time.Second
	}
	return p.Second
}

func probesOf(c Container) map[ProbeType]*Probe {
	out := map[ProbeType]*Probe{}
	if c.RegularInit() {
		return out // Kubernetes refuses probes on regular init containers
	}
	if c.Spec.Probes.Startup != nil {
		out[ProbeStartup] = c.Spec.Probes.Startup
	}
	if c.Spec.Probes.Liveness != nil {
		out[ProbeLiveness] = c.Spec.Probes.Liveness
	}
	if c.Spec.Probes.Readiness != nil {
		out[ProbeReadiness] = c.Spec.Probes.Readiness
	}
	return out
}

// Sync makes the workers match the group: one per probe of every running container's current
// run; workers of runs that ended or of containers that are gone stop.
func (p *Prober) Sync(g Group) {
	want := map[workerKey]Container{}
	for _, c := range g.Containers() {
		if !c.Running {
			continue
		}
		for kind := range probesOf(c) {
			want[workerKey{c.ID, kind}] = c
		}
	}
	pauseID := ""
	if g.Pause != nil {
		pauseID = g.Pause.ID
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for key, w := range p.workers {
		if w.group != g.Name {
			continue
		}
		if c, ok := want[key]; !ok || !c.StartedAt.Equal(w.run) {
			p.stopLocked(w)
		}
	}
	for key, c := range want {
		if _, ok := p.workers[key]; ok {
			continue
		}
		ctx, cancel := context.WithCancel(context.Background())
		w := p.addLocked(&worker{key: key, group: g.Name, name: c.Name, pauseID: pauseID, run: c.StartedAt,
			spec: *probesOf(c)[key.kind], gated: c.Spec.Probes.Startup != nil && key.kind != ProbeStartup,
			cancel: cancel})
		go w.loop(ctx)
	}
}

// addLocked registers w with kubelet's initial result for its kind: readiness Failure,
// liveness Success, startup Unknown.
func (p *Prober) addLocked(w *worker) *worker {
	w.p = p
	switch w.key.kind {
	case ProbeReadiness:
		w.result = resultFailure
	case ProbeLiveness:
		w.result = resultSuccess
	}
	if p.workers == nil {
		p.workers = map[workerKey]*worker{}
	}
	p.workers[w.key] = w
	return w
}

// StopGroup stops every worker of a group (the group is gone).
func (p *Prober) StopGroup(group string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, w := range p.workers {
		if w.group == group {
			p.stopLocked(w)
		}
	}
}

// Workers is how many probe goroutines run (for tests and the log).
func (p *Prober) Workers() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.workers)
}

func (p *Prober) stopLocked(w *worker) {
	w.cancel()
	delete(p.workers, w.key)
}

// resultLocked is the published result of c's current run for kind, and whether a worker exists.
func (p *Prober) resultLocked(c Container, kind ProbeType) (probeResult, bool) {
	w, ok := p.workers[workerKey{c.ID, kind}]
	if !ok || !w.run.Equal(c.StartedAt) {
		return resultUnknown, false
	}
	return w.result, true
}

// Started: c runs and its startup probe (if any) succeeded on this run.
func (p *Prober) Started(c Container) bool {
	return c.Running && p.passes(c, ProbeStartup)
}

// Ready: c is started and its readiness probe (if any) says ready.
func (p *Prober) Ready(c Container) bool {
	return p.Started(c) && p.passes(c, ProbeReadiness)
}

// passes: c has no probe of kind (or its role takes none), or that probe succeeded on this run.
func (p *Prober) passes(c Container, kind ProbeType) bool {
	if probesOf(c)[kind] == nil {
		return true
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	r, _ := p.resultLocked(c, kind)
	return r == resultSuccess
}

// Kill: the reason to kill c's current run (its liveness or startup probe failed), or "".
func (p *Prober) Kill(c Container) string {
	if !c.Running {
		return ""
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if r, ok := p.resultLocked(c, ProbeStartup); ok && r == resultFailure {
		return ReasonStartupProbe
	}
	if r, ok := p.resultLocked(c, ProbeLiveness); ok && r == resultFailure {
		return ReasonLivenessProbe
	}
	return ""
}

// startedLocked: the startup worker of the same run succeeded (for gated workers).
func (p *Prober) startedLocked(id string, run time.Time) bool {
	w, ok := p.workers[workerKey{id, ProbeStartup}]
	return ok && w.run.Equal(run) && w.result == resultSuccess
}

// loop probes at once, then every periodSeconds, until stopped or on hold (kubelet worker.run).
func (w *worker) loop(ctx context.Context) {
	t := w.p.clock().NewTicker(time.Duration(w.spec.PeriodSeconds) * w.p.second())
	defer t.Stop()
	for w.probeOnce(ctx) {
		select {
		case <-ctx.Done():
			return
		case <-t.C():
		}
	}
}

// probeOnce is kubelet's worker.doProbe; false when the worker should stop.
func (w *worker) probeOnce(ctx context.Context) bool {
	p := w.p
	if ctx.Err() != nil {
		return false
	}
	// kubelet: int32(time.Since(startedAt).Seconds()) < initialDelaySeconds: no probe yet.
	if int(p.clock().Now().Sub(w.run)/p.second()) < w.spec.InitialDelaySeconds {
		return true
	}
	p.mu.Lock()
	skip := (w.gated && !p.startedLocked(w.key.id, w.run)) || (w.key.kind == ProbeStartup && w.result == resultSuccess)
	p.mu.Unlock()
	if skip {
		return true
	}
	res, out := w.execute(ctx)
	if ctx.Err() != nil {
		return false
	}
	p.mu.Lock()
	if res == w.lastResult {
		w.resultRun++
	} else {
		w.lastResult, w.resultRun = res, 1
	}
	if (res == resultFailure && w.resultRun < w.spec.FailureThreshold) || (res == resultSuccess && w.resultRun < w.spec.SuccessThreshold) {
		p.mu.Unlock()
		if res == resultFailure && p.Log != nil {
			p.Log.Info("probe failed", "group", w.group, "container", w.name, "probe", w.key.kind,
				"inARow", w.resultRun, "failureThreshold", w.spec.FailureThreshold, "output", out)
		}
		return true
	}
	changed := w.result != res
	w.result = res
	// kubelet stops probing a container it is about to restart.
	hold := res == resultFailure && (w.key.kind == ProbeLiveness || w.key.kind == ProbeStartup)
	p.mu.Unlock()
	if changed {
		if p.Log != nil {
			p.Log.Info("probe result", "group", w.group, "container", w.name, "probe", w.key.kind, "result", res.String(), "output", out)
		}
		if p.Kick != nil {
			p.Kick(w.group)
		}
	}
	return !hold
}

// execute runs the probe once: exec in the container, httpGet/tcpSocket through the pause's
// helper in the group's network namespace; a timeout or an error is a failure (kubelet: Unknown
// counts as Failure).
func (w *worker) execute(ctx context.Context) (probeResult, string) {
	spec := w.spec
	timeout := time.Duration(spec.TimeoutSeconds) * w.p.second()
	var id, user string
	var cmd []string
	slack := 500 * time.Millisecond // docker exec's own overhead
	switch {
	case spec.Exec != nil:
		id, cmd = w.key.id, spec.Exec.Command
	case spec.HTTPGet != nil:
		id, user = w.pauseID, PauseProbeUser
		cmd = []string{"/pause", "-probe-http", strconv.Itoa(spec.HTTPGet.Port), spec.HTTPGet.Path, strconv.Itoa(spec.TimeoutSeconds)}
		slack = 5 * time.Second // the helper times itself out
	case spec.TCPSocket != nil:
		id, user = w.pauseID, PauseProbeUser
		cmd = []string{"/pause", "-probe-tcp", strconv.Itoa(spec.TCPSocket.Port), strconv.Itoa(spec.TimeoutSeconds)}
		slack = 5 * time.Second
	default:
		return resultFailure, "no probe handler"
	}
	ectx, cancel := context.WithTimeout(ctx, timeout+slack)
	defer cancel()
	t0 := time.Now()
	r, err := w.p.Docker.Exec(ectx, id, user, cmd)
	out := strings.TrimSpace(r.Output)
	switch {
	case err != nil && ectx.Err() != nil && ctx.Err() == nil:
		return resultFailure, fmt.Sprintf("timeout after %v", time.Since(t0).Round(time.Millisecond))
	case err != nil:
		return resultFailure, err.Error()
	case spec.Exec != nil && time.Since(t0) > timeout+slack:
		return resultFailure, "timeout: " + out
	case r.ExitCode != 0:
		return resultFailure, fmt.Sprintf("exit %d: %s", r.ExitCode, out)
	}
	return resultSuccess, out
}
