package supervise

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/docker/docker/errdefs"
)

// fakeDocker is an engine in memory: containers with Docker's state fields, a clock that moves
// on by a millisecond at every state change (so start times order like Docker's), and the list
// of calls the supervisor made. Init containers exit with the codes queued in exits (0 when none).
type fakeDocker struct {
	mu    sync.Mutex
	clock time.Time
	cs    map[string]*Container // by id
	calls []string
	exits map[string][]int // init container name -> exit codes of its next runs
	// execs: the commands run by Exec ("name cmd..."), apart from calls (probes run concurrently).
	execs []string
	// execFn answers Exec (nil: exit 0, no output).
	execFn func(c *Container, user string, cmd []string) ExecResult
	files  map[string]string // "name:path" -> content, for ReadFile
	logs   map[string]string // name -> output, for Logs
	// graces: the grace period of the last Stop of each container, by name.
	graces map[string]time.Duration
	// beforeStart, when set, runs at each Start before the container starts (outside the lock).
	beforeStart func(id string)
	// removed: when each container was removed by Remove (by name); onRemove runs at each Remove
	// before the removal (outside the lock).
	removed  map[string]time.Time
	onRemove func(id string)
	// events: what Events delivers (nil: nothing).
	events chan Event
}

func newFakeDocker() *fakeDocker {
	return &fakeDocker{clock: time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC), cs: map[string]*Container{}, exits: map[string][]int{},
		files: map[string]string{}, logs: map[string]string{}, graces: map[string]time.Duration{},
		removed: map[string]time.Time{}}
}

func (f *fakeDocker) now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.clock
}

func (f *fakeDocker) tick() time.Time {
	f.clock = f.clock.Add(time.Millisecond)
	return f.clock
}

// add creates a container of group g the way the renderer labels it, not started.
func (f *fakeDocker) add(g string, policy RestartPolicy, role Role, name string, index int) *Container {
	labels := map[string]string{LabelGroup: g, LabelRole: string(role), LabelContainer: name,
		LabelRestartPolicy: string(policy), LabelSharePID: "true", LabelSupervised: "true"}
	c := &Container{ID: g + "-" + name + "-id", DockerName: g + "-" + name, Name: name, Role: role, Index: index, Labels: labels,
		Image: "img/" + name, StopTimeout: 30}
	if role != RolePause {
		c.JoinsID = g + "-pause-id"
		key := LabelMemberIndex
		if role == RoleInit {
			key = LabelInitIndex
		}
		labels[key] = strconv.Itoa(index)
	}
	f.cs[c.ID] = c
	return c
}

// deploy adds and starts a group as its deployer does: pause, inits to completion, members.
func (f *fakeDocker) deploy(g string, policy RestartPolicy, inits, members []string) {
	f.run(f.add(g, policy, RolePause, "pause", 0), true, 0)
	for i, n := range inits {
		f.run(f.add(g, policy, RoleInit, n, i), false, 0)
	}
	for i, n := range members {
		f.run(f.add(g, policy, RoleMember, n, i), true, 0)
	}
}

// declare adds a group the way the deployer now creates it: the pause started, with the
// declared counts, every init container (sidecars: names in sidecars), and member created, none
// started. The supervisor starts them.
func (f *fakeDocker) declare(g string, policy RestartPolicy, inits []string, sidecars map[string]bool, members []string) {
	pause := f.add(g, policy, RolePause, "pause", 0)
	pause.Labels[LabelInitCount] = strconv.Itoa(len(inits))
	pause.Labels[LabelMemberCount] = strconv.Itoa(len(members))
	f.run(pause, true, 0)
	for i, n := range inits {
		c := f.add(g, policy, RoleInit, n, i)
		if sidecars[n] {
			c.Labels[LabelContainerRestartPolicy] = "Always"
			c.Spec.Sidecar = true
		}
	}
	for i, n := range members {
		f.add(g, policy, RoleMember, n, i)
	}
}

// removeContainers deletes the named containers of group g, as its deployer removes them.
func (f *fakeDocker) removeContainers(g string, names ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, n := range names {
		delete(f.cs, g+"-"+n+"-id")
	}
}

// set changes a container's spec in place (probes, hooks, termination message).
func (f *fakeDocker) set(g, name string, do func(c *Container)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	do(f.cs[g+"-"+name+"-id"])
}

// run starts c; a container that does not keep running exits at once with code.
func (f *fakeDocker) run(c *Container, keepRunning bool, code int) {
	c.StartedAt, c.Running = f.tick(), true
	if !keepRunning {
		f.exit(c, code)
	}
}

func (f *fakeDocker) exit(c *Container, code int) {
	c.Running, c.FinishedAt, c.ExitCode = false, f.tick(), code
}

// crash ends the named container's process, as SIGKILL from outside would.
func (f *fakeDocker) crash(g, name string, code int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.exit(f.cs[g+"-"+name+"-id"], code)
}

// get finds a container as Docker does: by its id, its name or a unique prefix of its id.
func (f *fakeDocker) get(ref string) (*Container, error) {
	if c, ok := f.cs[ref]; ok {
		return c, nil
	}
	var found []*Container
	for _, c := range f.cs {
		if c.DockerName == ref {
			return c, nil
		}
		if strings.HasPrefix(c.ID, ref) {
			found = append(found, c)
		}
	}
	if len(found) == 1 {
		return found[0], nil
	}
	return nil, errdefs.NotFound(fmt.Errorf("no such container %s", ref))
}

// addSupervisor adds a running container as the supervisor's (labelled podgroup.io/supervisor
// when labelled) with a 64-digit id; its hostname is the id's first 12 digits.
func (f *fakeDocker) addSupervisor(name, id string, labelled bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	labels := map[string]string{}
	if labelled {
		labels[LabelSupervisor] = "true"
	}
	f.cs[id] = &Container{ID: id, DockerName: name, Name: name, Labels: labels, Running: true, StartedAt: f.tick()}
}

// removedNames lists the containers Remove removed.
func (f *fakeDocker) removedNames() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for n := range f.removed {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Remove deletes a container, recording "remove name" and when.
func (f *fakeDocker) Remove(_ context.Context, id string) error {
	if f.onRemove != nil {
		f.onRemove(id)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	c, err := f.get(id)
	if err != nil {
		return err
	}
	f.record("remove", c)
	f.removed[c.Name] = time.Now()
	delete(f.cs, c.ID)
	return nil
}

func (f *fakeDocker) record(verb string, c *Container) { f.calls = append(f.calls, verb+" "+c.Name) }

// takeCalls returns the calls made since the last takeCalls; calls made in parallel (kills,
// member starts) come sorted within each run of one verb.
func (f *fakeDocker) takeCalls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := f.calls
	f.calls = nil
	verb := func(s string) string { return strings.Fields(s)[0] }
	for i := 0; i < len(out); {
		j := i
		for j < len(out) && verb(out[j]) == verb(out[i]) {
			j++
		}
		sort.Strings(out[i:j])
		i = j
	}
	return out
}

func (f *fakeDocker) GroupContainers(_ context.Context, group string) ([]Container, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Container
	for _, c := range f.cs {
		if c.Labels[LabelSupervised] == "true" && (group == "" || c.Labels[LabelGroup] == group) {
			out = append(out, *c)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// act runs do on the container with that id under the lock, recording the call as "verb name".
func (f *fakeDocker) act(verb, id string, do func(c *Container) int) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, err := f.get(id)
	if err != nil {
		return -1, err
	}
	f.record(verb, c)
	return do(c), nil
}

func (f *fakeDocker) Inspect(_ context.Context, id string) (Container, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, err := f.get(id)
	if err != nil {
		return Container{}, err
	}
	return *c, nil
}

// Start runs a container. A regular init container ("run" in the calls) exits at once with the
// next code queued in exits (else 0); a member or sidecar keeps running unless a code is queued.
func (f *fakeDocker) Start(_ context.Context, id string) error {
	if f.beforeStart != nil {
		f.beforeStart(id)
	}
	verb := "start"
	f.mu.Lock()
	if c, ok := f.cs[id]; ok && c.Role == RoleInit && !c.Spec.Sidecar {
		verb = "run"
	}
	f.mu.Unlock()
	_, err := f.act(verb, id, func(c *Container) int {
		q, queued := f.exits[c.Name]
		if len(q) > 0 || (c.Role == RoleInit && !c.Spec.Sidecar) {
			code := 0
			if queued && len(q) > 0 {
				code, f.exits[c.Name] = q[0], q[1:]
			}
			f.run(c, false, code)
			return code
		}
		f.run(c, true, 0)
		return 0
	})
	return err
}

func (f *fakeDocker) Exec(_ context.Context, id, user string, cmd []string) (ExecResult, error) {
	f.mu.Lock()
	c, err := f.get(id)
	if err != nil {
		f.mu.Unlock()
		return ExecResult{ExitCode: -1}, err
	}
	f.execs = append(f.execs, c.Name+" "+strings.Join(cmd, " "))
	fn := f.execFn
	cc := *c
	f.mu.Unlock()
	if fn == nil {
		return ExecResult{}, nil
	}
	return fn(&cc, user, cmd), nil
}

func (f *fakeDocker) takeExecs() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := f.execs
	f.execs = nil
	return out
}

func (f *fakeDocker) ReadFile(_ context.Context, id, path string, max int) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, err := f.get(id)
	if err != nil {
		return nil, err
	}
	b := []byte(f.files[c.Name+":"+path])
	if len(b) > max {
		b = b[len(b)-max:]
	}
	return b, nil
}

func (f *fakeDocker) Logs(_ context.Context, id string, tail int) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, err := f.get(id)
	if err != nil {
		return nil, err
	}
	lines := strings.SplitAfter(f.logs[c.Name], "\n")
	if len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	if len(lines) > tail {
		lines = lines[len(lines)-tail:]
	}
	return []byte(strings.Join(lines, "")), nil
}

// stop ends a running container as Docker's stop or kill does (exit 137).
func (f *fakeDocker) stop(verb, id string) error {
	_, err := f.act(verb, id, func(c *Container) int {
		if c.Running {
			f.exit(c, 137)
		}
		return c.ExitCode
	})
	return err
}

func (f *fakeDocker) Stop(_ context.Context, id string, grace time.Duration) error {
	f.mu.Lock()
	if c, ok := f.cs[id]; ok {
		f.graces[c.Name] = grace
	}
	f.mu.Unlock()
	return f.stop("stop", id)
}
func (f *fakeDocker) Kill(_ context.Context, id string) error { return f.stop("kill", id) }

func (f *fakeDocker) Ping(context.Context) error { return nil }

func (f *fakeDocker) Events(ctx context.Context) (<-chan Event, <-chan error) {
	if f.events != nil {
		return f.events, make(chan error)
	}
	return make(chan Event), make(chan error)
}
