package supervise

import (
	"context"
	"io"
	"log/slog"
	"reflect"
	"testing"
	"time"
)

// newReconciler supervises fake with kubelet's back-off shape (base 10 s) on fake's clock.
func newReconciler(t *testing.T, fake *fakeDocker) *Reconciler {
	return &Reconciler{
		Docker:    fake,
		StatusDir: t.TempDir(),
		Backoff:   NewBackoff(10*time.Second, 5*time.Minute, 10*time.Minute, fake.now),
		Log:       slog.New(slog.NewTextHandler(io.Discard, nil)),
		Now:       fake.now,
	}
}

func syncGroup(t *testing.T, r *Reconciler, group string) time.Duration {
	t.Helper()
	requeue, exists, err := r.Sync(context.Background(), group)
	if err != nil || !exists {
		t.Fatalf("sync %s: exists %v, err %v", group, exists, err)
	}
	return requeue
}

func expectCalls(t *testing.T, fake *fakeDocker, want ...string) {
	t.Helper()
	if got := fake.takeCalls(); !reflect.DeepEqual(got, want) {
		t.Fatalf("calls:\n got  %q\n want %q", got, want)
	}
}

func TestSyncLeavesAWholeGroupAlone(t *testing.T) {
	fake := newFakeDocker()
	fake.deploy("g", RestartAlways, []string{"first"}, []string{"web"})
	r := newReconciler(t, fake)
	syncGroup(t, r, "g")
	expectCalls(t, fake)
	if st := r.status("g"); st.SandboxGeneration != 1 || st.Phase != "Running" {
		t.Fatalf("status %+v", st)
	}
}

// Pause death: what still runs is killed at once (the PID namespace is gone), then a new
// sandbox, the init containers again one at a time in order, then every member.
func TestSyncRebuildsTheSandboxAfterPauseDeath(t *testing.T) {
	fake := newFakeDocker()
	fake.deploy("g", RestartAlways, []string{"first", "second"}, []string{"web", "sidecar"})
	r := newReconciler(t, fake)
	syncGroup(t, r, "g")
	fake.crash("g", "pause", 137)

	syncGroup(t, r, "g")
	expectCalls(t, fake, "kill sidecar", "kill web", "start pause", "run first", "run second", "start sidecar", "start web")
	st := r.status("g")
	if st.SandboxGeneration != 2 || st.Phase != "Running" {
		t.Fatalf("generation %d phase %s", st.SandboxGeneration, st.Phase)
	}
	for _, name := range []string{"first", "second", "web", "sidecar"} {
		if c := st.Containers[name]; c.RestartCount != 1 {
			t.Errorf("%s: restartCount %d, want 1", name, c.RestartCount)
		}
	}
	syncGroup(t, r, "g")
	expectCalls(t, fake) // whole: nothing more to do
}

// A failed init container runs again (after its back-off) before the next one; nothing after it
// starts until it succeeded.
func TestSyncRetriesAFailedInitBeforeTheNext(t *testing.T) {
	fake := newFakeDocker()
	fake.deploy("g", RestartAlways, []string{"first", "second"}, []string{"web"})
	r := newReconciler(t, fake)
	syncGroup(t, r, "g")
	fake.exits["first"] = []int{1, 1}
	fake.crash("g", "pause", 137)

	// The re-run in the new sandbox is the container's first restart: immediate. Its retries wait
	// 10 s, then 20 s (kubelet's back-off); "second" and the member wait for "first".
	expectRequeue(t, r, fake, 10*time.Second, "kill web", "start pause", "run first")
	fake.clock = fake.clock.Add(10 * time.Second)
	expectRequeue(t, r, fake, 20*time.Second, "run first")
	fake.clock = fake.clock.Add(20 * time.Second)
	expectRequeue(t, r, fake, 0, "run first", "run second", "start web")
}

func expectRequeue(t *testing.T, r *Reconciler, fake *fakeDocker, requeue time.Duration, calls ...string) {
	t.Helper()
	if got := syncGroup(t, r, "g"); got != requeue {
		t.Fatalf("requeue %v, want %v (calls %q)", got, requeue, fake.takeCalls())
	}
	expectCalls(t, fake, calls...)
}

// kubernetes test/e2e/common/node/runtime.go, "Restart Policy": a member that exits is started
// again per the group's policy; one that does not restart leaves the phase Succeeded or Failed.
func TestSyncRestartsAnExitedMemberPerPolicy(t *testing.T) {
	for _, c := range []struct {
		policy  RestartPolicy
		code    int
		restart bool
		phase   string
	}{
		{RestartAlways, 0, true, "Running"},
		{RestartAlways, 1, true, "Running"},
		{RestartOnFailure, 1, true, "Running"},
		{RestartOnFailure, 0, false, "Succeeded"},
		{RestartNever, 1, false, "Failed"},
		{RestartNever, 0, false, "Succeeded"},
	} {
		fake := newFakeDocker()
		fake.deploy("g", c.policy, nil, []string{"worker"})
		r := newReconciler(t, fake)
		syncGroup(t, r, "g")
		fake.crash("g", "worker", c.code)
		syncGroup(t, r, "g")
		want := []string{"stop pause"} // a finished group's sandbox is stopped, as kubelet's
		if c.restart {
			want = []string{"start worker"}
		}
		if got := fake.takeCalls(); !reflect.DeepEqual(got, want) {
			t.Errorf("%s, exit %d: calls %q, want %q", c.policy, c.code, got, want)
		}
		if st := r.status("g"); st.Phase != c.phase {
			t.Errorf("%s, exit %d: phase %s, want %s", c.policy, c.code, st.Phase, c.phase)
		}
	}
}

// A member crash-looping waits 10 s, then 20 s (kubelet's back-off), counted from its exit.
func TestSyncBacksOffACrashLoopingMember(t *testing.T) {
	fake := newFakeDocker()
	fake.deploy("g", RestartAlways, nil, []string{"worker"})
	r := newReconciler(t, fake)
	syncGroup(t, r, "g")
	for i, wait := range []time.Duration{0, 10 * time.Second, 20 * time.Second} {
		fake.crash("g", "worker", 1)
		if requeue := syncGroup(t, r, "g"); requeue != wait {
			t.Fatalf("crash %d: requeue %v, want %v", i+1, requeue, wait)
		}
		if wait > 0 {
			expectCalls(t, fake)
			fake.clock = fake.clock.Add(wait)
			syncGroup(t, r, "g")
		}
		expectCalls(t, fake, "start worker")
	}
}

// restartPolicy Never: a dead sandbox is not re-created once containers ran; what still runs is
// stopped, and the group is Failed.
func TestSyncDoesNotRecreateTheSandboxUnderNever(t *testing.T) {
	fake := newFakeDocker()
	fake.deploy("g", RestartNever, nil, []string{"web"})
	r := newReconciler(t, fake)
	syncGroup(t, r, "g")
	fake.crash("g", "pause", 137)
	syncGroup(t, r, "g")
	expectCalls(t, fake, "kill web")
	st := r.status("g")
	if st.Phase != "Failed" || st.Containers["web"].LastReason != ReasonSandboxDied {
		t.Fatalf("phase %s, web %+v", st.Phase, st.Containers["web"])
	}
}
