package supervise

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// slowSandboxDocker counts the pause starts in flight (each takes a while, as dockerd's network
// set-up does) and the most seen at once.
type slowSandboxDocker struct {
	*fakeDocker
	inFlight, most atomic.Int32
}

func (d *slowSandboxDocker) Start(ctx context.Context, id string) error {
	c, err := d.get(id)
	if err != nil || c.Role != RolePause {
		return d.fakeDocker.Start(ctx, id)
	}
	n := d.inFlight.Add(1)
	for m := d.most.Load(); n > m && !d.most.CompareAndSwap(m, n); m = d.most.Load() {
	}
	time.Sleep(20 * time.Millisecond)
	d.inFlight.Add(-1)
	return d.fakeDocker.Start(ctx, id)
}

// recoverAll kills every group's pause and syncs every group at once (the watcher's workers),
// returning the most pause starts that were in flight together.
func recoverAll(t *testing.T, limit *Limiter, groups int) int32 {
	t.Helper()
	fake := newFakeDocker()
	d := &slowSandboxDocker{fakeDocker: fake}
	r := newReconciler(t, fake)
	r.Docker, r.SandboxStarts = d, limit
	for i := 0; i < groups; i++ {
		fake.deploy(fmt.Sprintf("g%d", i), RestartAlways, nil, []string{"web"})
	}
	for i := 0; i < groups; i++ {
		syncGroup(t, r, fmt.Sprintf("g%d", i))
		fake.crash(fmt.Sprintf("g%d", i), "pause", 137)
	}
	var wg sync.WaitGroup
	for i := 0; i < groups; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, _, err := r.Sync(context.Background(), fmt.Sprintf("g%d", i)); err != nil {
				t.Errorf("sync g%d: %v", i, err)
			}
		}()
	}
	wg.Wait()
	for i := 0; i < groups; i++ {
		if st := r.status(fmt.Sprintf("g%d", i)); st.SandboxGeneration != 2 || st.Phase != "Running" {
			t.Errorf("g%d: generation %d phase %s, want whole again", i, st.SandboxGeneration, st.Phase)
		}
	}
	return d.most.Load()
}

// Every sandbox dies at once: the supervisor starts at most the bound of pauses together, and
// every group still comes back whole.
func TestSandboxStartsAreBoundedAcrossGroups(t *testing.T) {
	if most := recoverAll(t, NewLimiter(2), 8); most != 2 {
		t.Fatalf("at most %d pause starts in flight with a bound of 2, want exactly 2", most)
	}
	// Without the bound the same recovery starts more at once (the check above can fail).
	if most := recoverAll(t, nil, 8); most <= 2 {
		t.Fatalf("without a bound only %d pause starts were in flight together; the test shows nothing", most)
	}
}

func TestLimiterGivesUpWithItsContext(t *testing.T) {
	l := NewLimiter(1)
	if _, err := l.Acquire(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if _, err := l.Acquire(ctx); err == nil {
		t.Fatal("a second Acquire of a full limiter returned before its context ended")
	}
	l.Release()
	if _, err := l.Acquire(context.Background()); err != nil {
		t.Fatalf("after Release: %v", err)
	}
	if NewLimiter(0) != nil || cap(NewLimiter(3).slots) != 3 {
		t.Fatal("NewLimiter: 0 is no bound (nil), 3 three slots")
	}
}
