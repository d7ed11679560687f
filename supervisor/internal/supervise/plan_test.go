package supervise

import (
	"reflect"
	"testing"
	"time"
)

// noBackoff lets every start happen now; waitAll makes every start wait.
type noBackoff struct{}

func (noBackoff) Remaining(string, time.Time) time.Duration { return 0 }

type waitAll time.Duration

func (w waitAll) Remaining(string, time.Time) time.Duration { return time.Duration(w) }

var t0 = time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)

func at(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }

// ctr builds a container: started at s (-1: never), running, or exited at s+1 with code.
func ctr(name string, role Role, idx int, started int, running bool, code int) Container {
	c := Container{ID: name + "-id", Name: name, Role: role, Index: idx, Running: running, ExitCode: code, JoinsID: "pause-id"}
	if role == RolePause {
		c.JoinsID = ""
		c.ID = "pause-id"
	}
	if started >= 0 {
		c.StartedAt = at(started)
		if !running {
			c.FinishedAt = at(started + 1)
		}
	}
	return c
}

func group(policy RestartPolicy, pause Container, inits []Container, members []Container) Group {
	p := pause
	return Group{Name: "g", RestartPolicy: policy, Pause: &p, Inits: inits, Members: members}
}

func TestComputeKillsAtOnceWhenThePIDNamespaceDied(t *testing.T) {
	for _, share := range []bool{true, false} {
		g := group(RestartAlways, ctr("pause", RolePause, 0, 0, false, 137), nil, []Container{ctr("web", RoleMember, 0, 3, true, 0)})
		g.SharePID = share
		p := Compute(g, noBackoff{})
		if len(p.Actions) != 2 || p.Actions[0].Kind != ActKill || p.Actions[0].Force != share {
			t.Fatalf("sharePID %v: actions %+v", share, p.Actions)
		}
	}
}

func kinds(p Plan) []string {
	out := []string{}
	for _, a := range p.Actions {
		out = append(out, string(a.Kind)+" "+a.Container.Name)
	}
	return out
}

func TestComputeTable(t *testing.T) {
	up := func(started int) Container { return ctr("pause", RolePause, 0, started, true, 0) }
	dead := func(started int) Container { return ctr("pause", RolePause, 0, started, false, 137) }
	cases := []struct {
		name    string
		g       Group
		bo      BackoffView
		want    []string
		phase   string
		waiting []string
	}{
		{
			name:  "everything running in the current sandbox: nothing to do",
			g:     group(RestartAlways, up(0), []Container{ctr("i1", RoleInit, 0, 1, false, 0)}, []Container{ctr("web", RoleMember, 0, 3, true, 0)}),
			want:  []string{},
			phase: "Running",
		},
		{
			name: "pause died (members died with it): start the pause first",
			g: group(RestartAlways, dead(0), []Container{ctr("i1", RoleInit, 0, 1, false, 0)},
				[]Container{ctr("web", RoleMember, 0, 3, false, 137)}),
			want:  []string{"start-pause pause"},
			phase: "Pending",
		},
		{
			name: "pause died, members without shared PID still run: kill them, then start the pause",
			g: group(RestartAlways, dead(0), nil,
				[]Container{ctr("web", RoleMember, 0, 3, true, 0), ctr("side", RoleMember, 1, 3, false, 137)}),
			want:  []string{"kill web", "start-pause pause"},
			phase: "Pending",
		},
		{
			name: "new sandbox: init containers run again from the first",
			g: group(RestartAlways, up(10), []Container{ctr("i1", RoleInit, 0, 1, false, 0), ctr("i2", RoleInit, 1, 2, false, 0)},
				[]Container{ctr("web", RoleMember, 0, 3, false, 137)}),
			want:  []string{"run-init i1"},
			phase: "Pending",
		},
		{
			name: "new sandbox, first init done: the second runs",
			g: group(RestartAlways, up(10), []Container{ctr("i1", RoleInit, 0, 11, false, 0), ctr("i2", RoleInit, 1, 2, false, 0)},
				[]Container{ctr("web", RoleMember, 0, 3, false, 137)}),
			want:  []string{"run-init i2"},
			phase: "Pending",
		},
		{
			name: "new sandbox, an init is running: wait for its exit (a later look)",
			g: group(RestartAlways, up(10), []Container{ctr("i1", RoleInit, 0, 11, true, 0), ctr("i2", RoleInit, 1, 2, false, 0)},
				[]Container{ctr("web", RoleMember, 0, 3, false, 137)}),
			want:  []string{},
			phase: "Pending",
		},
		{
			name: "new sandbox, inits done: every member starts",
			g: group(RestartAlways, up(10), []Container{ctr("i1", RoleInit, 0, 11, false, 0)},
				[]Container{ctr("web", RoleMember, 0, 3, false, 137), ctr("side", RoleMember, 1, 3, false, 0)}),
			want:  []string{"start-member web", "start-member side"},
			phase: "Running",
		},
		{
			name: "pause restarted by someone else, a member still runs in the old sandbox: kill it first",
			g: group(RestartAlways, up(10), []Container{ctr("i1", RoleInit, 0, 1, false, 0)},
				[]Container{ctr("web", RoleMember, 0, 3, true, 0)}),
			want:  []string{"kill web"},
			phase: "Pending",
		},
		{
			name: "init failed in this sandbox under Always: restart it",
			g: group(RestartAlways, up(10), []Container{ctr("i1", RoleInit, 0, 11, false, 1)},
				[]Container{ctr("web", RoleMember, 0, 3, false, 137)}),
			want:  []string{"run-init i1"},
			phase: "Pending",
		},
		{
			name: "init failed under Never: the group failed, nothing starts",
			g: group(RestartNever, up(0), []Container{ctr("i1", RoleInit, 0, 1, false, 1)},
				[]Container{ctr("web", RoleMember, 0, -1, false, 0)}),
			want:  []string{"kill pause"},
			phase: "Failed",
		},
		{
			name: "init never started (deployer creating it): leave the group alone",
			g: group(RestartAlways, up(0), []Container{ctr("i1", RoleInit, 0, -1, false, 0)},
				nil),
			want:  []string{},
			phase: "Pending",
		},
		{
			name:  "pause died with nothing joining it (group being destroyed): leave it",
			g:     group(RestartAlways, dead(0), nil, nil),
			want:  []string{},
			phase: "Pending",
		},
		{
			name:  "pause never started: the deployer's job",
			g:     group(RestartAlways, ctr("pause", RolePause, 0, -1, false, 0), nil, nil),
			want:  []string{},
			phase: "Pending",
		},
		{
			name: "member never started (deployer starting it) is not started by the supervisor",
			g: group(RestartAlways, up(0), nil,
				[]Container{ctr("web", RoleMember, 0, -1, false, 0)}),
			want:  []string{},
			phase: "Pending",
		},
		// Members that exit on their own, per restartPolicy (the conformance table).
		{
			name:  "Always, member exited 0: restart",
			g:     group(RestartAlways, up(0), nil, []Container{ctr("web", RoleMember, 0, 3, false, 0)}),
			want:  []string{"start-member web"},
			phase: "Running",
		},
		{
			name:  "Always, member failed: restart",
			g:     group(RestartAlways, up(0), nil, []Container{ctr("web", RoleMember, 0, 3, false, 1)}),
			want:  []string{"start-member web"},
			phase: "Running",
		},
		{
			name:  "OnFailure, member failed: restart",
			g:     group(RestartOnFailure, up(0), nil, []Container{ctr("web", RoleMember, 0, 3, false, 1)}),
			want:  []string{"start-member web"},
			phase: "Running",
		},
		{
			name:  "OnFailure, member succeeded: stays down, group Succeeded",
			g:     group(RestartOnFailure, up(0), nil, []Container{ctr("web", RoleMember, 0, 3, false, 0)}),
			want:  []string{"kill pause"},
			phase: "Succeeded",
		},
		{
			name:  "Never, member failed: stays down, group Failed",
			g:     group(RestartNever, up(0), nil, []Container{ctr("web", RoleMember, 0, 3, false, 1)}),
			want:  []string{"kill pause"},
			phase: "Failed",
		},
		{
			name:    "Always, member in back-off: wait",
			g:       group(RestartAlways, up(0), nil, []Container{ctr("web", RoleMember, 0, 3, false, 1)}),
			bo:      waitAll(7 * time.Second),
			want:    []string{},
			phase:   "Running",
			waiting: []string{"web"},
		},
		// Sandbox death per restartPolicy (TestComputePodActions).
		{
			name: "Never, pause died after containers ran: no new sandbox, kill what runs",
			g: group(RestartNever, dead(0), nil,
				[]Container{ctr("web", RoleMember, 0, 3, true, 0), ctr("side", RoleMember, 1, 3, false, 0)}),
			want:  []string{"kill web"},
			phase: "Failed",
		},
		{
			name: "OnFailure, pause died after every member succeeded: no new sandbox",
			g: group(RestartOnFailure, dead(0), nil,
				[]Container{ctr("web", RoleMember, 0, 3, false, 0)}),
			want:  []string{},
			phase: "Succeeded",
		},
		{
			name: "OnFailure, pause died with a member killed: new sandbox",
			g: group(RestartOnFailure, dead(0), nil,
				[]Container{ctr("web", RoleMember, 0, 3, false, 137), ctr("side", RoleMember, 1, 3, false, 0)}),
			want:  []string{"start-pause pause"},
			phase: "Pending",
		},
		{
			name: "OnFailure, new sandbox: only members that did not succeed start",
			g: group(RestartOnFailure, up(10), nil,
				[]Container{ctr("web", RoleMember, 0, 3, false, 137), ctr("side", RoleMember, 1, 3, false, 0)}),
			want:  []string{"start-member web"},
			phase: "Running",
		},
		{
			name: "pause in back-off: wait",
			g: group(RestartAlways, dead(0), nil,
				[]Container{ctr("web", RoleMember, 0, 3, false, 137)}),
			bo:      waitAll(time.Second),
			want:    []string{},
			phase:   "Pending",
			waiting: []string{"pause"},
		},
		{
			name: "member joining another pause (deployer replacing the group) is ignored",
			g: group(RestartAlways, up(0), nil,
				[]Container{func() Container { c := ctr("web", RoleMember, 0, 3, false, 1); c.JoinsID = "old"; return c }()}),
			want:  []string{},
			phase: "Pending",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			bo := tc.bo
			if bo == nil {
				bo = noBackoff{}
			}
			p := Compute(tc.g, bo)
			if got := kinds(p); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("actions = %v, want %v", got, tc.want)
			}
			if p.Phase != tc.phase {
				t.Errorf("phase = %q, want %q", p.Phase, tc.phase)
			}
			for _, w := range tc.waiting {
				if _, ok := p.Waiting[w]; !ok {
					t.Errorf("%s not waiting in back-off (waiting: %v)", w, p.Waiting)
				}
			}
			if len(p.Actions) == 0 && p.Idle == "" {
				t.Errorf("no actions and no reason given")
			}
		})
	}
}

func TestComputeLeavesAmbiguousGroupsAlone(t *testing.T) {
	cs := []Container{
		ctr("pause", RolePause, 0, 0, false, 0),
		func() Container {
			c := ctr("pause", RolePause, 0, 0, true, 0)
			c.ID = "other"
			c.DockerName = "x"
			return c
		}(),
	}
	g := BuildGroup("g", cs)
	if len(g.Problems) == 0 {
		t.Fatalf("two pauses not reported")
	}
	if p := Compute(g, noBackoff{}); len(p.Actions) != 0 {
		t.Fatalf("acted on an ambiguous group: %v", kinds(p))
	}
}

func TestBuildGroupOrdersByIndex(t *testing.T) {
	cs := []Container{
		ctr("b", RoleInit, 1, 0, false, 0), ctr("a", RoleInit, 0, 0, false, 0),
		ctr("z", RoleMember, 0, 0, true, 0), ctr("y", RoleMember, 1, 0, true, 0),
		ctr("pause", RolePause, 0, 0, true, 0),
	}
	for i := range cs {
		cs[i].Labels = map[string]string{LabelRestartPolicy: "OnFailure"}
	}
	g := BuildGroup("g", cs)
	if g.Inits[0].Name != "a" || g.Inits[1].Name != "b" || g.Members[0].Name != "z" || g.Members[1].Name != "y" {
		t.Fatalf("order: inits %s,%s members %s,%s", g.Inits[0].Name, g.Inits[1].Name, g.Members[0].Name, g.Members[1].Name)
	}
	if g.RestartPolicy != RestartOnFailure {
		t.Fatalf("policy %s", g.RestartPolicy)
	}
}
