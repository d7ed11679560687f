package supervise

import (
	"encoding/json"
	"os"
	"testing"
	"time"
)

func TestObserveCountsRestartsAndSandboxGenerations(t *testing.T) {
	st := &GroupStatus{Group: "g", Containers: map[string]*ContainerStatus{}}
	pause := ctr("pause", RolePause, 0, 0, true, 0)
	web := ctr("web", RoleMember, 0, 1, true, 0)
	st.Observe(group(RestartAlways, pause, nil, []Container{web}), Plan{Phase: "Running"}, nil, time.Time{})
	if st.SandboxGeneration != 1 || st.Containers["web"].RestartCount != 0 || st.Containers["web"].State != "running" {
		t.Fatalf("first sight: %+v %+v", st, st.Containers["web"])
	}
	// The member exits 1 and is started again in the same sandbox.
	webDead := ctr("web", RoleMember, 0, 1, false, 1)
	st.Observe(group(RestartAlways, pause, nil, []Container{webDead}), Plan{Phase: "Running", Waiting: map[string]time.Duration{"web": time.Second}}, nil, time.Time{})
	rec := st.Containers["web"]
	if rec.State != "waiting" || rec.LastReason != "Error" || rec.LastExitCode == nil || *rec.LastExitCode != 1 {
		t.Fatalf("after exit: %+v", rec)
	}
	st.Observe(group(RestartAlways, pause, nil, []Container{ctr("web", RoleMember, 0, 5, true, 0)}), Plan{Phase: "Running"}, nil, time.Time{})
	if rec.RestartCount != 1 || rec.State != "running" {
		t.Fatalf("after restart: %+v", rec)
	}
	// The pause is restarted: a new generation; the member's restart counts too.
	st.NoteKill(ctr("web", RoleMember, 0, 5, true, 0), ReasonSandboxChanged)
	st.Observe(group(RestartAlways, ctr("pause", RolePause, 0, 10, true, 0), nil, []Container{ctr("web", RoleMember, 0, 5, false, 137)}), Plan{}, nil, time.Time{})
	if rec.LastReason != ReasonSandboxChanged {
		t.Fatalf("killed member reason %q", rec.LastReason)
	}
	st.Observe(group(RestartAlways, ctr("pause", RolePause, 0, 10, true, 0), nil, []Container{ctr("web", RoleMember, 0, 11, true, 0)}), Plan{}, nil, time.Time{})
	if st.SandboxGeneration != 2 || rec.RestartCount != 2 {
		t.Fatalf("after new sandbox: generation %d restarts %d", st.SandboxGeneration, rec.RestartCount)
	}
}

func TestStatusFileRoundTripAndReplacementResets(t *testing.T) {
	dir := t.TempDir()
	st := &GroupStatus{Group: "g", Containers: map[string]*ContainerStatus{}}
	pause := ctr("pause", RolePause, 0, 0, true, 0)
	st.Observe(group(RestartAlways, pause, nil, []Container{ctr("web", RoleMember, 0, 1, true, 0)}), Plan{}, nil, time.Time{})
	st.Observe(group(RestartAlways, pause, nil, []Container{ctr("web", RoleMember, 0, 3, true, 0)}), Plan{}, nil, time.Time{})
	if err := st.Write(dir, t0); err != nil {
		t.Fatal(err)
	}
	// The harness's keys are there, with these names.
	raw, _ := os.ReadFile(StatusPath(dir, "g"))
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"group", "sandboxGeneration", "containers", "updatedAt"} {
		if _, ok := m[k]; !ok {
			t.Fatalf("status file lacks %q: %s", k, raw)
		}
	}
	web := m["containers"].(map[string]any)["web"].(map[string]any)
	for _, k := range []string{"restartCount", "lastReason", "state", "lastExitCode"} {
		if _, ok := web[k]; !ok {
			t.Fatalf("container status lacks %q: %s", k, raw)
		}
	}
	// A new supervisor process picks the count up from the file.
	st2, err := LoadStatus(dir, "g")
	if err != nil {
		t.Fatal(err)
	}
	st2.Observe(group(RestartAlways, pause, nil, []Container{ctr("web", RoleMember, 0, 7, true, 0)}), Plan{}, nil, time.Time{})
	if st2.Containers["web"].RestartCount != 2 {
		t.Fatalf("restart count after reload: %d, want 2", st2.Containers["web"].RestartCount)
	}
	// Docker wins: a container with another id (re-deployed) starts from zero.
	other := ctr("web", RoleMember, 0, 8, true, 0)
	other.ID = "new-id"
	st2.Observe(group(RestartAlways, pause, nil, []Container{other}), Plan{}, nil, time.Time{})
	if st2.Containers["web"].RestartCount != 0 {
		t.Fatalf("replaced container kept count %d", st2.Containers["web"].RestartCount)
	}
	// A corrupt file is an empty status, not a crash.
	os.WriteFile(StatusPath(dir, "bad"), []byte("{"), 0o644)
	if st3, err := LoadStatus(dir, "bad"); err == nil || st3 == nil || st3.Containers == nil {
		t.Fatalf("corrupt file: %v %+v", err, st3)
	}
}

func TestBackoffSurvivesViaStatus(t *testing.T) {
	clk := &fakeClock{t: t0}
	b := NewBackoff(10*time.Second, 5*time.Minute, 10*time.Minute, clk.now)
	web := ctr("web", RoleMember, 0, 1, false, 1)
	g := group(RestartAlways, ctr("pause", RolePause, 0, 0, true, 0), nil, []Container{web})
	st := &GroupStatus{Group: "g", Containers: map[string]*ContainerStatus{}}
	st.Observe(g, Plan{}, nil, time.Time{})
	b.Next(BackoffKey("g", web))
	b.Next(BackoffKey("g", web))
	st.SaveBackoff(g, b)
	b2 := NewBackoff(10*time.Second, 5*time.Minute, 10*time.Minute, clk.now)
	st.RestoreBackoff("g", b2)
	if e, ok := b2.Get(BackoffKey("g", web)); !ok || e.Delay != 20*time.Second {
		t.Fatalf("restored %+v %v", e, ok)
	}
}

func TestObserveSeesAnExitRecordedBeforeTheStart(t *testing.T) {
	st := &GroupStatus{Group: "g", Containers: map[string]*ContainerStatus{}}
	pause := ctr("pause", RolePause, 0, 0, true, 0)
	st.Observe(group(RestartAlways, pause, []Container{ctr("init", RoleInit, 0, 1, false, 0)}, nil), Plan{}, nil, time.Time{})
	st.NoteStart(ctr("init", RoleInit, 0, 1, false, 0), ReasonSandboxChanged)
	quick := ctr("init", RoleInit, 0, 5, false, 0)
	quick.FinishedAt = quick.StartedAt.Add(-time.Millisecond) // containerd's exit time, Docker's start time
	st.Observe(group(RestartAlways, pause, []Container{quick}, nil), Plan{}, nil, time.Time{})
	if rec := st.Containers["init"]; rec.RestartCount != 1 || rec.LastReason != "Completed" || rec.State != "terminated" {
		t.Fatalf("quick init: %+v", rec)
	}
}
