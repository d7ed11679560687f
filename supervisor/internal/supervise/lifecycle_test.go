package supervise

import (
	"context"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

// The deployer now creates every container with start:false and the pause declares the counts:
// nothing happens until every declared container exists.
func TestSyncWaitsForEveryDeclaredContainer(t *testing.T) {
	fake := newFakeDocker()
	fake.declare("g", RestartAlways, []string{"i1"}, nil, []string{"web"})
	fake.set("g", "pause", func(c *Container) { c.Labels[LabelMemberCount] = "2" }) // one member not created yet
	r := newReconciler(t, fake)
	syncGroup(t, r, "g")
	expectCalls(t, fake)
	st := r.status("g")
	if st.Phase != "Pending" || st.Message != "waiting for 1 of 3 containers to be created" {
		t.Fatalf("phase %s message %q", st.Phase, st.Message)
	}
	fake.add("g", RestartAlways, RoleMember, "late", 1)
	syncGroup(t, r, "g")
	expectCalls(t, fake, "run i1", "start late", "start web")
}

// kubelet order (test/e2e_node/container_lifecycle_test.go "should launch init container
// serially before a regular container"): init containers one at a time, a sidecar started
// before the next init container, then the members together.
func TestSyncStartsDeclaredContainersInKubeletOrder(t *testing.T) {
	fake := newFakeDocker()
	fake.declare("g", RestartNever, []string{"i1", "side", "i2"}, map[string]bool{"side": true}, []string{"web", "worker"})
	r := newReconciler(t, fake)
	syncGroup(t, r, "g")
	expectCalls(t, fake, "run i1", "start side", "run i2", "start web", "start worker")
	st := r.status("g")
	if st.Phase != "Running" || cond(st, "Initialized") != "True" || cond(st, "Ready") != "True" {
		t.Fatalf("phase %s conditions %+v", st.Phase, st.Conditions)
	}
	names := func(ss []PodContainerStatus) (out []string) {
		for _, s := range ss {
			out = append(out, s.Name)
		}
		return out
	}
	if got := names(st.InitContainerStatuses); !reflect.DeepEqual(got, []string{"i1", "side", "i2"}) {
		t.Fatalf("initContainerStatuses %v", got)
	}
	i1 := st.InitContainerStatuses[0]
	if i1.State.Terminated == nil || i1.State.Terminated.Reason != "Completed" || !i1.Ready || i1.ContainerID != "docker://g-i1-id" || i1.Image != "img/i1" {
		t.Fatalf("i1 %+v", i1)
	}
	side := st.InitContainerStatuses[1]
	if side.State.Running == nil || !side.Started || !side.Ready {
		t.Fatalf("sidecar %+v", side)
	}
}

func cond(st *GroupStatus, typ string) string {
	for _, c := range st.Conditions {
		if c.Type == typ {
			return c.Status
		}
	}
	return ""
}

// A sidecar whose startupProbe has not succeeded holds the next init container back
// ("should not launch regular containers if restartable init container's startup probe fails").
func TestComputeWaitsForASidecarToStart(t *testing.T) {
	side := ctr("side", RoleInit, 0, 1, true, 0)
	side.Spec.Sidecar = true
	g := group(RestartAlways, ctr("pause", RolePause, 0, 0, true, 0),
		[]Container{side, ctr("i2", RoleInit, 1, -1, false, 0)}, []Container{ctr("web", RoleMember, 0, -1, false, 0)})
	g.CountsDeclared, g.InitCount, g.MemberCount = true, 2, 1
	p := Compute(g, noBackoff{})
	if len(p.Actions) != 0 || p.Phase != "Pending" || p.Initialized || !strings.Contains(p.Idle, "sidecar side") {
		t.Fatalf("not started: %v %q %s", kinds(p), p.Idle, p.Phase)
	}
	g.Inits[0].Started = true
	if p := Compute(g, noBackoff{}); !reflect.DeepEqual(kinds(p), []string{"run-init i2"}) {
		t.Fatalf("started: %v", kinds(p))
	}
}

// "should restart a restartable init container that exits, regardless of restartPolicy" (Never
// here), with back-off: immediate, then 10 s.
func TestSyncRestartsAnExitedSidecarUnderNever(t *testing.T) {
	fake := newFakeDocker()
	fake.declare("g", RestartNever, []string{"side"}, map[string]bool{"side": true}, []string{"web"})
	r := newReconciler(t, fake)
	syncGroup(t, r, "g")
	expectCalls(t, fake, "start side", "start web")
	fake.crash("g", "side", 0)
	expectRequeue(t, r, fake, 0, "start side")
	fake.crash("g", "side", 1)
	expectRequeue(t, r, fake, 10*time.Second)
	st := r.status("g")
	side := st.InitContainerStatuses[0]
	if side.State.Waiting == nil || side.State.Waiting.Reason != "CrashLoopBackOff" || side.LastState.Terminated == nil ||
		side.LastState.Terminated.ExitCode != 1 || side.RestartCount != 1 || st.Phase != "Running" {
		t.Fatalf("sidecar in back-off: %+v phase %s", side, st.Phase)
	}
	if cond(st, "Ready") != "False" || cond(st, "Initialized") != "True" {
		t.Fatalf("conditions %+v", st.Conditions)
	}
	fake.clock = fake.clock.Add(10 * time.Second)
	expectRequeue(t, r, fake, 0, "start side")
}

// "should terminate sidecars in reverse order after all main containers have exited": the group
// completes (sidecars do not count for the phase); the sidecars stop, the last one first, and
// are not restarted.
func TestSyncStopsSidecarsInReverseOrderWhenMembersComplete(t *testing.T) {
	fake := newFakeDocker()
	fake.declare("g", RestartNever, []string{"s1", "s2"}, map[string]bool{"s1": true, "s2": true}, []string{"job"})
	fake.set("g", "s1", func(c *Container) { c.Spec.Lifecycle.PreStop = &Handler{Exec: &ExecAction{Command: []string{"bye"}}} })
	r := newReconciler(t, fake)
	syncGroup(t, r, "g")
	expectCalls(t, fake, "start job", "start s1", "start s2") // (sorted: one verb)
	fake.crash("g", "job", 0)
	syncGroup(t, r, "g")
	if got := fake.calls; !reflect.DeepEqual(got, []string{"stop s2", "stop s1", "stop pause"}) { // unsorted: the order is the point
		t.Fatalf("calls %q", got)
	}
	fake.takeCalls()
	if got := fake.takeExecs(); !reflect.DeepEqual(got, []string{"s1 bye"}) {
		t.Fatalf("preStop execs %q", got)
	}
	st := r.status("g")
	if st.Phase != "Succeeded" || st.Containers["s1"].LastReason != ReasonPodCompleted {
		t.Fatalf("phase %s s1 %+v", st.Phase, st.Containers["s1"])
	}
	if cond(st, "Ready") != "False" || st.Conditions[3].Reason != "PodCompleted" {
		t.Fatalf("conditions %+v", st.Conditions)
	}
	syncGroup(t, r, "g")
	expectCalls(t, fake)
}

// init_container.go "should not start app containers and fail the pod if init containers fail
// on a RestartNever pod"; "should not start app containers if init containers fail on a
// RestartAlways pod" (retried with back-off, then the rest continues).
func TestSyncInitFailure(t *testing.T) {
	t.Run("Never", func(t *testing.T) {
		fake := newFakeDocker()
		fake.declare("g", RestartNever, []string{"i1", "i2"}, nil, []string{"web"})
		fake.exits["i1"] = []int{1}
		r := newReconciler(t, fake)
		syncGroup(t, r, "g")
		expectCalls(t, fake, "run i1", "stop pause")
		st := r.status("g")
		web := st.ContainerStatuses[0]
		if st.Phase != "Failed" || cond(st, "Initialized") != "False" || web.State.Waiting == nil || web.State.Waiting.Reason != "PodInitializing" {
			t.Fatalf("phase %s conditions %+v web %+v", st.Phase, st.Conditions, web)
		}
		i1 := st.InitContainerStatuses[0]
		if i1.State.Terminated == nil || i1.State.Terminated.ExitCode != 1 || i1.State.Terminated.Reason != "Error" {
			t.Fatalf("i1 %+v", i1)
		}
		if !strings.Contains(st.Conditions[1].Message, "[i1 i2]") {
			t.Fatalf("Initialized message %q", st.Conditions[1].Message)
		}
	})
	for _, policy := range []RestartPolicy{RestartAlways, RestartOnFailure} {
		t.Run(string(policy), func(t *testing.T) {
			fake := newFakeDocker()
			fake.declare("g", policy, []string{"i1", "i2"}, nil, []string{"web"})
			fake.exits["i1"] = []int{1, 1, 1}
			r := newReconciler(t, fake)
			expectRequeue(t, r, fake, 10*time.Second, "run i1", "run i1") // the first restart is immediate
			fake.clock = fake.clock.Add(10 * time.Second)
			expectRequeue(t, r, fake, 20*time.Second, "run i1")
			st := r.status("g")
			if i1 := st.InitContainerStatuses[0]; i1.State.Waiting == nil || i1.State.Waiting.Reason != "CrashLoopBackOff" || i1.RestartCount != 2 || st.Phase != "Pending" {
				t.Fatalf("i1 %+v phase %s", i1, st.Phase)
			}
			fake.clock = fake.clock.Add(20 * time.Second)
			expectRequeue(t, r, fake, 0, "run i1", "run i2", "start web")
		})
	}
}

// lifecycle_hook.go: postStart runs right after the start; a failing one kills the container
// (preStop too), which then restarts per the policy.
func TestSyncPostStartHook(t *testing.T) {
	fake := newFakeDocker()
	fake.declare("g", RestartAlways, nil, nil, []string{"web"})
	fake.set("g", "web", func(c *Container) {
		c.Spec.Lifecycle.PostStart = &Handler{Exec: &ExecAction{Command: []string{"post"}}}
	})
	fails := 1
	var mu sync.Mutex
	fake.execFn = func(c *Container, user string, cmd []string) ExecResult {
		mu.Lock()
		defer mu.Unlock()
		if cmd[0] == "post" && fails > 0 {
			fails--
			return ExecResult{ExitCode: 3, Output: "no"}
		}
		return ExecResult{}
	}
	r := newReconciler(t, fake)
	syncGroup(t, r, "g")
	expectCalls(t, fake, "start web", "stop web", "start web")
	if got := fake.takeExecs(); !reflect.DeepEqual(got, []string{"web post", "web post"}) {
		t.Fatalf("execs %q", got)
	}
	st := r.status("g")
	web := st.Containers["web"]
	if web.LastReason != ReasonPostStartHook || web.RestartCount != 1 || !strings.Contains(web.HookMessage, "exited with 3") {
		t.Fatalf("web %+v", web)
	}
	if ps := st.ContainerStatuses[0]; ps.State.Running == nil || ps.LastState.Terminated == nil || ps.LastState.Terminated.ExitCode != 137 {
		t.Fatalf("web status %+v", ps)
	}
}

// terminationMessagePath / FallbackToLogsOnError (runtime.go "should report termination message ...").
func TestSyncReadsTerminationMessages(t *testing.T) {
	fake := newFakeDocker()
	fake.declare("g", RestartNever, nil, nil, []string{"file", "fallback", "fileWins"})
	fake.setTerminationMessage("g", "/dev/termination-log", TerminationMessageFile, "file")
	fake.setTerminationMessage("g", "/dev/termination-log", TerminationMessageFallbackToLogsOnError, "fallback", "fileWins")
	fake.files["file:/dev/termination-log"] = "DONE"
	fake.files["fileWins:/dev/termination-log"] = "from file"
	fake.logs["fallback"] = strings.Repeat("x\n", 100) + "last words\n"
	fake.logs["fileWins"] = "logs\n"
	r := newReconciler(t, fake)
	syncGroup(t, r, "g")
	fake.takeCalls()
	fake.crash("g", "file", 0)
	fake.crash("g", "fallback", 2)
	fake.crash("g", "fileWins", 2)
	syncGroup(t, r, "g")
	st := r.status("g")
	msgs := terminatedMessages(st)
	if msgs["file"] != "DONE" || msgs["fileWins"] != "from file" || !strings.HasSuffix(msgs["fallback"], "last words\n") ||
		strings.Count(msgs["fallback"], "\n") != 80 {
		t.Fatalf("messages %q", msgs)
	}
	if st.Phase != "Failed" {
		t.Fatalf("phase %s", st.Phase)
	}
}

// preStop runs before the stop, within the grace period (sandbox change kills a stale member);
// the stop gets what is left of the grace, at least kubelet's 2 s.
func TestKillRunsPreStopBeforeStop(t *testing.T) {
	fake := newFakeDocker()
	fake.declare("g", RestartAlways, nil, nil, []string{"web", "quick"})
	for _, n := range []string{"web", "quick"} {
		fake.set("g", n, func(c *Container) {
			c.Spec.Lifecycle.PreStop = &Handler{Exec: &ExecAction{Command: []string{"pre"}}}
		})
	}
	fake.set("g", "quick", func(c *Container) { c.StopTimeout = 1 })
	runningAtPreStop := map[string]bool{}
	fake.execFn = func(c *Container, user string, cmd []string) ExecResult {
		runningAtPreStop[c.Name] = c.Running
		return ExecResult{}
	}
	r := newReconciler(t, fake)
	syncGroup(t, r, "g")
	fake.takeCalls()
	st := r.status("g")
	for _, n := range []string{"web", "quick"} {
		c, _ := fake.Inspect(context.Background(), "g-"+n+"-id")
		if err := r.kill(context.Background(), Group{Name: "g", Pause: fake.cs["g-pause-id"]}, st, Action{Kind: ActKill, Container: c, Reason: "test"}); err != nil {
			t.Fatal(err)
		}
	}
	expectCalls(t, fake, "stop quick", "stop web")
	if got := fake.takeExecs(); !reflect.DeepEqual(got, []string{"web pre", "quick pre"}) || !runningAtPreStop["web"] || !runningAtPreStop["quick"] {
		t.Fatalf("preStop execs %q, running then %v", got, runningAtPreStop)
	}
	if g := fake.graces["web"]; g <= 29*time.Second || g > 30*time.Second {
		t.Fatalf("web's stop grace %v, want the rest of its 30 s", g)
	}
	if g := fake.graces["quick"]; g != minimumGracePeriod {
		t.Fatalf("quick's stop grace %v, want the minimum %v", g, minimumGracePeriod)
	}
}

// A stop someone else sends (the deployer's termination on `pulumi destroy`, a `docker stop`) is
// not undone: the member and the sidecar it stopped stay down. SIGKILL is a crash: restarted.
// The supervisor's own stops (probe kills) are not taken for someone else's.
func TestSyncLeavesContainersStoppedBySomeoneElse(t *testing.T) {
	fake := newFakeDocker()
	fake.declare("g", RestartAlways, []string{"side"}, map[string]bool{"side": true}, []string{"web", "crashy"})
	r := newReconciler(t, fake)
	syncGroup(t, r, "g")
	fake.takeCalls()
	r.markSelfStop("g-crashy-id", time.Second)
	r.NoteKillEvent("g-crashy-id", "15", time.Now()) // the supervisor's own stop: ignored
	r.NoteKillEvent("g-web-id", "15", time.Now())
	r.NoteKillEvent("g-side-id", "15", time.Now())
	fake.crash("g", "web", 143)
	fake.crash("g", "side", 143)
	fake.crash("g", "crashy", 137)
	syncGroup(t, r, "g")
	expectCalls(t, fake, "start crashy")
	if st := r.status("g"); st.Phase != "Running" {
		t.Fatalf("phase %s", st.Phase)
	}
	r.NoteKillEvent("g-crashy-id", "9", time.Now()) // SIGKILL: a crash
	fake.crash("g", "crashy", 137)
	fake.clock = fake.clock.Add(time.Minute)
	syncGroup(t, r, "g")
	expectCalls(t, fake, "start crashy")
}

// A SIGKILL nobody in the supervisor sent (the OOM killer, `kill -9`) is a crash, not a stop:
// the member restarts. (The test above sends its SIGKILL to a container the supervisor had
// stopped, which is ignored either way.)
func TestSyncRestartsAfterAnOutsideSIGKILL(t *testing.T) {
	for _, signal := range []string{"9", "SIGKILL", "KILL"} {
		fake := newFakeDocker()
		fake.declare("g", RestartAlways, nil, nil, []string{"web"})
		r := newReconciler(t, fake)
		syncGroup(t, r, "g")
		fake.takeCalls()
		r.NoteKillEvent("g-web-id", signal, time.Now())
		fake.crash("g", "web", 137)
		syncGroup(t, r, "g")
		expectCalls(t, fake, "start web")
	}
}
