package supervise

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"
)

// Watcher drives the Reconciler: Docker events of supervised containers (start, die, destroy)
// and a periodic resync wake one worker per group; workers of different groups run in parallel,
// one group's steps never do.
type Watcher struct {
	Reconciler *Reconciler
	Docker     Docker
	Resync     time.Duration
	Log        *slog.Logger
	// Ready is called once, after the first full resync was dispatched.
	Ready func()
	// GiveUpAfter: when dockerd cannot be reached for this long, Run returns ErrUnreachable
	// (0: never). The process then exits and Docker restarts its container (restart: always),
	// which mounts the socket afresh: a dockerd restarted with live-restore keeps this container
	// running but makes a new socket file, and a bind mount of the old one never answers again.
	GiveUpAfter time.Duration
	// ExitWhenIdle: when Docker has shown no supervised group for this long, the supervisor leaves
	// (idle.go) and Run returns ErrIdle; 0: never. Hostname: the process's, how it finds its own
	// container (Docker names a container's host after its short id).
	ExitWhenIdle time.Duration
	Hostname     string
	// Wake: each value asks for a resync now (the terminate subcommand's signal; nil: none).
	Wake <-chan struct{}

	mu      sync.Mutex
	workers map[string]chan struct{}
	running sync.WaitGroup // the workers
	ended   bool           // Run returns: no new worker
	once    sync.Once
}

// ErrUnreachable: dockerd did not answer for GiveUpAfter.
var ErrUnreachable = errors.New("dockerd unreachable")

// Run watches until ctx ends; a lost connection to the daemon (dockerd restarting) is retried
// until GiveUpAfter. It returns once every group's worker has ended (no status is written after).
func (w *Watcher) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer func() {
		cancel()
		w.mu.Lock()
		w.ended = true
		w.mu.Unlock()
		w.running.Wait()
	}()
	w.workers = map[string]chan struct{}{}
	if w.Reconciler.Probes != nil {
		// A probe result that flips looks at its group again at once.
		w.Reconciler.Probes.Kick = func(group string) { w.kick(ctx, group) }
	}
	delay := 250 * time.Millisecond
	var failingSince time.Time
	for ctx.Err() == nil {
		connected, err := w.watch(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if errors.Is(err, ErrIdle) {
			return err
		}
		if connected || failingSince.IsZero() {
			delay = 250 * time.Millisecond
			failingSince = time.Now()
		}
		if w.GiveUpAfter > 0 && time.Since(failingSince) >= w.GiveUpAfter {
			w.Log.Error("dockerd unreachable; exiting so that Docker restarts this container with a fresh socket mount",
				"for", time.Since(failingSince).Round(time.Millisecond), "err", err)
			return ErrUnreachable
		}
		w.Log.Warn("docker events lost; reconnecting", "err", err, "in", delay)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(delay):
		}
		if delay *= 2; delay > 2*time.Second {
			delay = 2 * time.Second
		}
	}
	return nil
}

// watch subscribes to events first, then lists every group, so no change falls in between.
func (w *Watcher) watch(ctx context.Context) (connected bool, err error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if err := w.Docker.Ping(ctx); err != nil {
		return false, err
	}
	evs, errs := w.Docker.Events(ctx)
	groups, err := w.resync(ctx)
	if err != nil {
		return false, err
	}
	idle := &idleTimer{after: w.ExitWhenIdle}
	defer idle.stop()
	idle.saw(len(groups))
	w.Log.Info("watching docker events", "resync", w.Resync)
	w.once.Do(func() {
		if w.Ready != nil {
			w.Ready()
		}
	})
	tick := time.NewTicker(w.Resync)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return true, ctx.Err()
		case err := <-errs:
			return true, err
		case e := <-evs:
			if e.Action != "destroy" {
				idle.saw(1) // a container of a group is there
			}
			if e.Action == "kill" {
				// Only a stop by someone else matters (the deployer terminating the group); the
				// die event that follows wakes the group.
				w.Reconciler.NoteKillEvent(e.ID, e.Signal, time.Now())
				continue
			}
			w.kick(ctx, e.Group)
		case <-w.Wake:
			groups, err := w.resync(ctx)
			if err != nil {
				return true, err
			}
			idle.saw(len(groups))
		case <-tick.C:
			groups, err := w.resync(ctx)
			if err != nil {
				return true, err
			}
			idle.saw(len(groups))
		case <-idle.C():
			groups, err := w.leave(ctx, idle.fired())
			if err != nil {
				return true, err
			}
			idle.saw(len(groups)) // stays: waits again (from now) if there is still no group
		}
	}
}

// resync wakes every group Docker shows, and sweeps the state of the gone ones.
func (w *Watcher) resync(ctx context.Context) ([]string, error) {
	groups, err := w.Reconciler.Groups(ctx)
	if err != nil {
		return nil, err
	}
	for _, g := range groups {
		w.kick(ctx, g)
	}
	w.Reconciler.SweepGone(groups)
	return groups, nil
}

// kick wakes the group's worker, starting one if needed; wake-ups coalesce.
func (w *Watcher) kick(ctx context.Context, group string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	ch, ok := w.workers[group]
	if !ok {
		if w.ended {
			return
		}
		ch = make(chan struct{}, 1)
		w.workers[group] = ch
		w.running.Add(1)
		go func() {
			defer w.running.Done()
			w.work(ctx, group, ch)
		}()
	}
	select {
	case ch <- struct{}{}:
	default:
	}
}

func (w *Watcher) work(ctx context.Context, group string, wake chan struct{}) {
	var timer <-chan time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case <-wake:
		case <-timer:
		}
		requeue, exists, err := w.Reconciler.Sync(ctx, group)
		if err != nil && ctx.Err() == nil {
			w.Log.Error("sync failed", "group", group, "err", err, "retry", requeue)
		}
		if !exists {
			w.mu.Lock()
			// A wake-up that raced with the group's end restarts the worker.
			select {
			case <-wake:
				w.mu.Unlock()
				continue
			default:
			}
			delete(w.workers, group)
			w.mu.Unlock()
			return
		}
		timer = nil
		if requeue > 0 {
			timer = time.After(requeue)
		}
	}
}
