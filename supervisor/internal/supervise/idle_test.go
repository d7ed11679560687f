package supervise

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// The supervisor's own container on the fake engine: Docker names its host after the id's first
// 12 digits.
const (
	selfID       = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	selfHostname = "0123456789ab"
	selfName     = "podgroup-supervisor"
)

// logBuffer collects a logger's lines (written from several goroutines).
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// idleWatcher is a Watcher on the fake engine that resyncs every 10 ms and leaves after idle; its
// reconciler keeps a gone group's state for an hour of the fake's clock (which stands still), so
// only leaving removes it.
type idleWatcher struct {
	w       *Watcher
	log     *logBuffer
	ready   chan struct{}
	started time.Time
	done    chan error
	cancel  context.CancelFunc
}

func startIdleWatcher(t *testing.T, fake *fakeDocker, idle time.Duration, hostname string) *idleWatcher {
	t.Helper()
	r := newReconciler(t, fake)
	r.TerminationDir = t.TempDir()
	r.TerminationGrace = time.Hour
	iw := &idleWatcher{log: &logBuffer{}, ready: make(chan struct{}), done: make(chan error, 1)}
	r.Log = slog.New(slog.NewTextHandler(iw.log, nil))
	iw.w = &Watcher{Reconciler: r, Docker: fake, Resync: 10 * time.Millisecond, Log: r.Log,
		ExitWhenIdle: idle, Hostname: hostname, Ready: func() { close(iw.ready) }}
	return iw
}

func (iw *idleWatcher) run(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	iw.cancel = cancel
	iw.started = time.Now()
	go func() { iw.done <- iw.w.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		<-iw.done
	})
	select {
	case <-iw.ready:
	case <-time.After(5 * time.Second):
		t.Fatal("watcher not ready")
	}
}

// left waits for Run to return and checks that it returned ErrIdle.
func (iw *idleWatcher) left(t *testing.T, within time.Duration) {
	t.Helper()
	select {
	case err := <-iw.done:
		iw.done <- err // for the clean-up
		if !errors.Is(err, ErrIdle) {
			t.Fatalf("Run returned %v, want ErrIdle\n%s", err, iw.log)
		}
	case <-time.After(within):
		t.Fatalf("still running after %v\n%s", within, iw.log)
	}
}

// stays checks that Run is still running after d.
func (iw *idleWatcher) stays(t *testing.T, d time.Duration) {
	t.Helper()
	select {
	case err := <-iw.done:
		iw.done <- err
		t.Fatalf("Run returned %v, want it running\n%s", err, iw.log)
	case <-time.After(d):
	}
}

func writeState(t *testing.T, r *Reconciler, group string) {
	t.Helper()
	if err := os.WriteFile(StatusPath(r.StatusDir, group), []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(r.TerminationDir, group), 0o755); err != nil {
		t.Fatal(err)
	}
}

func hasState(r *Reconciler, group string) (status, termination bool) {
	_, err1 := os.Stat(StatusPath(r.StatusDir, group))
	_, err2 := os.Stat(filepath.Join(r.TerminationDir, group))
	return err1 == nil, err2 == nil
}

// With no supervised group for the idle time, the supervisor removes its own container (found by
// its hostname, labelled as the supervisor's) and Run returns ErrIdle; not before that time.
func TestLeavesAfterTheIdleTimeWithNoGroup(t *testing.T) {
	fake := newFakeDocker()
	fake.addSupervisor(selfName, selfID, true)
	fake.addSupervisor("other-supervisor", "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210", true)
	iw := startIdleWatcher(t, fake, 200*time.Millisecond, selfHostname)
	iw.run(t)
	iw.left(t, 5*time.Second)
	fake.mu.Lock()
	defer fake.mu.Unlock()
	at, removed := fake.removed[selfName]
	if !removed || len(fake.removed) != 1 {
		t.Fatalf("removed %v, want only %s", fake.removed, selfName)
	}
	if waited := at.Sub(iw.started); waited < 200*time.Millisecond {
		t.Fatalf("left after %v, before the idle time", waited)
	}
	if !strings.Contains(iw.log.String(), "leaving, removing this supervisor's container") {
		t.Fatalf("no line saying it leaves:\n%s", iw.log)
	}
}

// Before it removes its container, the leaving supervisor has removed the status file and
// termination directory of every gone group (here with a 30 ms grace on the real clock).
func TestLeavingRemovesTheStateOfEveryGoneGroupFirst(t *testing.T) {
	fake := newFakeDocker()
	fake.addSupervisor(selfName, selfID, true)
	iw := startIdleWatcher(t, fake, 100*time.Millisecond, selfHostname)
	r := iw.w.Reconciler
	r.TerminationGrace, r.Now = 30*time.Millisecond, time.Now
	for _, g := range []string{"destroyed", "orphan"} {
		writeState(t, r, g)
	}
	var leftAtRemoval []string
	fake.onRemove = func(string) {
		for _, g := range []string{"destroyed", "orphan"} {
			if s, d := hasState(r, g); s || d {
				leftAtRemoval = append(leftAtRemoval, g)
			}
		}
	}
	iw.run(t)
	iw.left(t, 5*time.Second)
	if _, removed := fake.removed[selfName]; !removed || leftAtRemoval != nil {
		t.Fatalf("container removed %v; state still there when it was: %q", removed, leftAtRemoval)
	}
}

// While a group exists the supervisor stays, however long; its state stays too.
func TestDoesNotLeaveWhileAGroupExists(t *testing.T) {
	fake := newFakeDocker()
	fake.addSupervisor(selfName, selfID, true)
	fake.declare("shop", RestartAlways, nil, nil, []string{"web"})
	iw := startIdleWatcher(t, fake, 50*time.Millisecond, selfHostname)
	iw.run(t)
	iw.stays(t, time.Second)
	if removed := fake.removedNames(); removed != nil {
		t.Fatalf("removed %q", removed)
	}
	if s, _ := hasState(iw.w.Reconciler, "shop"); !s {
		t.Fatal("the group's status file is gone")
	}
}

// A group seen during the idle time starts the wait again: the supervisor leaves no earlier than
// the idle time after the group went.
func TestAGroupAppearingResetsTheIdleTime(t *testing.T) {
	const idle = 500 * time.Millisecond
	fake := newFakeDocker()
	fake.addSupervisor(selfName, selfID, true)
	iw := startIdleWatcher(t, fake, idle, selfHostname)
	// The gone group's state must age past its grace before the supervisor may leave.
	iw.w.Reconciler.TerminationGrace, iw.w.Reconciler.Now = 50*time.Millisecond, time.Now
	iw.run(t)
	fake.mu.Lock() // (the watcher runs)
	fake.declare("shop", RestartAlways, nil, nil, []string{"web"})
	fake.mu.Unlock()
	for s, _ := hasState(iw.w.Reconciler, "shop"); !s; s, _ = hasState(iw.w.Reconciler, "shop") {
		if time.Since(iw.started) > idle/2 {
			t.Skipf("the group was not seen within %v (a slow machine): the test needs it seen "+
				"well within the idle time", idle/2)
		}
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(idle/2 - time.Since(iw.started))
	fake.removeContainers("shop", "pause", "web")
	gone := time.Now()
	iw.left(t, 5*time.Second)
	if after := fake.removed[selfName].Sub(gone); after < idle {
		t.Fatalf("left %v after the group went, want at least the idle time %v", after, idle)
	}
}

// An event of a group's container (a start, a die, a kill: not a destroy) starts the wait again
// too, between two resyncs that see no group.
func TestAnEventOfAGroupResetsTheIdleTime(t *testing.T) {
	const idle = 300 * time.Millisecond
	fake := newFakeDocker()
	fake.addSupervisor(selfName, selfID, true)
	fake.events = make(chan Event)
	iw := startIdleWatcher(t, fake, idle, selfHostname)
	iw.run(t)
	send := func(action string) {
		select {
		case fake.events <- Event{Group: "shop", ID: "shop-web-id", Action: action}:
		case err := <-iw.done:
			iw.done <- err
			t.Fatalf("Run returned %v while events came\n%s", err, iw.log)
		}
	}
	var last time.Time
	for time.Since(iw.started) < 2*idle {
		send("die")
		last = time.Now()
		time.Sleep(20 * time.Millisecond)
	}
	send("destroy") // does not start the wait again
	iw.left(t, 5*time.Second)
	if after := fake.removed[selfName].Sub(last); after < idle {
		t.Fatalf("left %v after the last event, want at least the idle time %v", after, idle)
	}
}

// 0 (the default) never leaves.
func TestZeroIdleTimeNeverLeaves(t *testing.T) {
	fake := newFakeDocker()
	fake.addSupervisor(selfName, selfID, true)
	iw := startIdleWatcher(t, fake, 0, selfHostname)
	iw.run(t)
	iw.stays(t, 500*time.Millisecond)
	if removed := fake.removedNames(); removed != nil {
		t.Fatalf("removed %q", removed)
	}
}

// A group that appears after the wait ended, before the supervisor removes its container, keeps
// it: leave lists the groups once more and stays.
func TestLeaveStaysForAGroupThatAppeared(t *testing.T) {
	fake := newFakeDocker()
	fake.addSupervisor(selfName, selfID, true)
	iw := startIdleWatcher(t, fake, time.Hour, selfHostname)
	fake.declare("late", RestartAlways, nil, nil, []string{"web"})
	iw.w.workers = map[string]chan struct{}{}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	groups, err := iw.w.leave(ctx, time.Hour)
	if removed := fake.removedNames(); err != nil || strings.Join(groups, " ") != "late" || removed != nil {
		t.Fatalf("leave: groups %q, err %v, removed %q; want it to stay for late", groups, err, removed)
	}
	// It woke the group: its status is written.
	for s, _ := hasState(iw.w.Reconciler, "late"); !s; s, _ = hasState(iw.w.Reconciler, "late") {
		time.Sleep(5 * time.Millisecond)
	}
}

// Outside a container of its own (run on the host, or in a container not labelled as the
// supervisor's), the supervisor removes nothing and just exits.
func TestLeavingOutsideItsContainerRemovesNothing(t *testing.T) {
	for _, c := range []struct{ what, hostname string }{
		{"a host's name", "vm"},
		{"an id Docker does not know", "aaaaaaaaaaaa"},
		{"a container not labelled as the supervisor's", selfHostname},
	} {
		t.Run(c.what, func(t *testing.T) {
			fake := newFakeDocker()
			fake.addSupervisor("not-the-supervisor", selfID, false)
			iw := startIdleWatcher(t, fake, 50*time.Millisecond, c.hostname)
			iw.run(t)
			iw.left(t, 5*time.Second)
			if len(fake.removed) != 0 {
				t.Fatalf("removed %v", fake.removed)
			}
		})
	}
}

// A termination directory the sweep sees for the first time may belong to a group whose pause
// started just after the supervisor's last listing (its members bind-mount files in it): leaving
// waits out its grace instead of removing it (here an hour of the fake's clock: it stays).
func TestLeavingKeepsStateWithinItsGrace(t *testing.T) {
	fake := newFakeDocker()
	fake.addSupervisor(selfName, selfID, true)
	iw := startIdleWatcher(t, fake, 50*time.Millisecond, selfHostname)
	r := iw.w.Reconciler
	writeState(t, r, "just-started")
	iw.run(t)
	iw.stays(t, 400*time.Millisecond)
	if s, d := hasState(r, "just-started"); !s || !d {
		t.Fatalf("state removed within its grace: status %v, termination %v\n%s", s, d, iw.log)
	}
	if !strings.Contains(iw.log.String(), "within its grace: staying") {
		t.Fatalf("no line saying why it stays:\n%s", iw.log)
	}
}
