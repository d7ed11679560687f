package supervise

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func statusExists(t *testing.T, r *Reconciler, group string) bool {
	t.Helper()
	_, err := os.Stat(StatusPath(r.StatusDir, group))
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return err == nil
}

// A group destroyed as its deployer does it (members removed first, then the pause): its last
// status, written while only the pause was left, says Pending, "waiting for 2 of 2 containers to
// be created". The file stays for the grace (a group `pulumi up` replaces comes back with its
// back-off), then goes with the termination directory; a live group's file stays.
func TestSweepGoneRemovesTheStatusFileOfADestroyedGroup(t *testing.T) {
	fake := newFakeDocker()
	fake.declare("shop", RestartAlways, nil, nil, []string{"web", "db"})
	fake.declare("live", RestartAlways, nil, nil, []string{"web"})
	r := newReconciler(t, fake)
	r.TerminationGrace = 10 * time.Second
	withTerminationFiles(t, r, "shop", map[string]string{"web": "", "db": ""})
	syncGroup(t, r, "shop")
	syncGroup(t, r, "live")

	fake.removeContainers("shop", "web", "db")
	syncGroup(t, r, "shop")
	if st, err := LoadStatus(r.StatusDir, "shop"); err != nil || st.Phase != "Pending" ||
		st.Message != "waiting for 2 of 2 containers to be created" {
		t.Fatalf("status with only the pause left: %v %q %q", err, st.Phase, st.Message)
	}
	fake.removeContainers("shop", "pause")
	if _, exists, err := r.Sync(context.Background(), "shop"); exists || err != nil {
		t.Fatalf("sync of the removed group: exists %v, err %v", exists, err)
	}
	sweepAcrossTheGrace(t, r, fake, "shop")
	if _, err := os.Stat(filepath.Join(r.TerminationDir, "shop")); !os.IsNotExist(err) {
		t.Fatalf("shop's termination directory: %v, want it removed with the status file", err)
	}
	// The live group's next step writes its file as before.
	syncGroup(t, r, "live")
	if !statusExists(t, r, "live") {
		t.Fatal("live group's status file gone")
	}
}

// A status file of a group this supervisor never saw (removed while no supervisor ran) goes a
// grace after the first sweep that finds it; files that are not status files are left alone.
func TestSweepGoneRemovesLeftOverStatusFiles(t *testing.T) {
	fake := newFakeDocker()
	fake.declare("live", RestartAlways, nil, nil, []string{"web"})
	r := newReconciler(t, fake)
	r.TerminationGrace = 10 * time.Second
	syncGroup(t, r, "live")
	for _, name := range []string{"old.json", ".old.123.tmp", "notes.txt"} {
		if err := os.WriteFile(filepath.Join(r.StatusDir, name), []byte("{}"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	sweepAcrossTheGrace(t, r, fake, "old")
	for _, name := range []string{".old.123.tmp", "notes.txt"} {
		if _, err := os.Stat(filepath.Join(r.StatusDir, name)); err != nil {
			t.Fatalf("%s: %v, want it left alone", name, err)
		}
	}
}

// A Sync whose listing predates the group's end does not write the file back once the sweep
// removed it: here its deployer removes the group while the supervisor starts a member, and the
// sweep removes the state before that step ends.
func TestNoStatusWrittenForAGroupWhoseStateWasRemoved(t *testing.T) {
	fake := newFakeDocker()
	fake.declare("g", RestartAlways, nil, nil, []string{"web"})
	r := newReconciler(t, fake)
	r.TerminationGrace = 10 * time.Second
	if err := os.WriteFile(StatusPath(r.StatusDir, "g"), []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	fake.beforeStart = func(string) {
		fake.beforeStart = nil
		fake.removeContainers("g", "pause", "web")
		r.SweepGone(nil)
		fake.clock = fake.clock.Add(10 * time.Second)
		r.SweepGone(nil)
		if statusExists(t, r, "g") {
			t.Error("status file not removed by the sweep")
		}
	}
	if _, _, err := r.Sync(context.Background(), "g"); err == nil {
		t.Fatal("start of a removed container succeeded")
	}
	if statusExists(t, r, "g") {
		t.Fatal("status file written back for a gone group")
	}
	// Its next Sync sees it gone and writes nothing either.
	if _, exists, err := r.Sync(context.Background(), "g"); exists || err != nil || statusExists(t, r, "g") {
		t.Fatalf("next sync: exists %v, err %v, file %v", exists, err, statusExists(t, r, "g"))
	}
}

// sweepAcrossTheGrace sweeps (the group "live" live) when gone is first seen gone, 9 s later and
// 10 s later (the grace): gone keeps its status file until the last sweep, live keeps its own.
func sweepAcrossTheGrace(t *testing.T, r *Reconciler, fake *fakeDocker, gone string) {
	t.Helper()
	live := []string{"live"}
	r.SweepGone(live)
	fake.clock = fake.clock.Add(9 * time.Second)
	r.SweepGone(live)
	if !statusExists(t, r, gone) {
		t.Fatalf("%s's status file removed within the grace", gone)
	}
	fake.clock = fake.clock.Add(time.Second)
	r.SweepGone(live)
	if statusExists(t, r, gone) || !statusExists(t, r, "live") {
		t.Fatalf("after the grace: %s's file %v, live's %v; want only live's", gone, statusExists(t, r, gone),
			statusExists(t, r, "live"))
	}
}
