package supervise

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/docker/docker/api/types/container"
)

// Container is what the supervisor knows of one container: all of it read from `docker inspect`.
type Container struct {
	ID         string
	DockerName string
	// Name is the container's name in the spec (label podgroup.io/container).
	Name  string
	Role  Role
	Index int
	// Running is true while the container's process runs (Docker's Running or Restarting).
	Running    bool
	StartedAt  time.Time // zero when never started
	FinishedAt time.Time // zero when never exited
	ExitCode   int
	OOMKilled  bool
	// JoinsID is the id in the container's `container:<id>` network mode (empty for the pause).
	JoinsID string
	Labels  map[string]string
	// Image is the image the container was created from (Config.Image).
	Image string
	// StopTimeout: the container's terminationGracePeriodSeconds (Docker's StopTimeout; 10 when unset, Docker's own default).
	StopTimeout int
	// Spec: what the labels say of probes, hooks, termination message and sidecar-ness.
	Spec Spec
	// SpecError: a spec label that cannot be read (the group is then left alone).
	SpecError string

	// What the supervisor knows beyond Docker, filled in before each plan (Reconciler.annotate):
	// Started: running, postStart returned and the startup probe (if any) succeeded.
	Started bool
	// Ready: the readiness probe's verdict (no probe: Started).
	Ready bool
	// ProbeKill: a liveness or startup probe failed for good on this run; the container is to be
	// killed (the reason, e.g. LivenessProbeFailed).
	ProbeKill string
	// Held: its last run was stopped by someone else (a stop signal the supervisor did not send):
	// it is not restarted in this sandbox.
	Held bool
}

// Sidecar: a native sidecar (init container with restartPolicy Always).
func (c Container) Sidecar() bool { return c.Role == RoleInit && c.Spec.Sidecar }

// RegularInit: an init container that runs to completion (not a sidecar).
func (c Container) RegularInit() bool { return c.Role == RoleInit && !c.Spec.Sidecar }

// InSandbox: c's current (or last) run started in pause's current sandbox (at or after its start).
func (c Container) InSandbox(pause Container) bool {
	return c.EverStarted() && !c.StartedAt.Before(pause.StartedAt)
}

// EverStarted is false for a container that was created but never started (its deployer's job).
func (c Container) EverStarted() bool { return !c.StartedAt.IsZero() }

// Exited is true when the container ran and is no longer running.
func (c Container) Exited() bool { return c.EverStarted() && !c.Running }

// Succeeded is true when the container's last run ended with exit code 0.
func (c Container) Succeeded() bool { return c.Exited() && c.ExitCode == 0 && !c.FinishedAt.IsZero() }

// TerminationReason is Kubernetes' reason for the container's last exit.
func (c Container) TerminationReason() string {
	switch {
	case c.OOMKilled:
		return "OOMKilled"
	case c.ExitCode == 0:
		return "Completed"
	default:
		return "Error"
	}
}

// Group is one PodGroup as Docker shows it.
type Group struct {
	Name          string
	RestartPolicy RestartPolicy
	// SharePID: members share the pause's PID namespace (label podgroup.io/share-pid).
	SharePID bool
	Pause    *Container
	Inits    []Container // by init-index
	Members  []Container // by member-index, then name
	// Problems found while assembling the group (e.g. two pause containers); the group is left alone.
	Problems []string
	// InitCount, MemberCount: how many init containers (sidecars included) and members the spec
	// declares (pause labels podgroup.io/init-count, member-count), when CountsDeclared. A group
	// whose pause has no such labels was deployed before them: its deployer starts what it creates.
	InitCount, MemberCount int
	CountsDeclared         bool
}

// PauseID is the id of the group's pause ("" when it has none).
func (g Group) PauseID() string {
	if g.Pause == nil {
		return ""
	}
	return g.Pause.ID
}

// Containers is the group's init containers, then its members.
func (g Group) Containers() []Container {
	return append(append(make([]Container, 0, len(g.Inits)+len(g.Members)), g.Inits...), g.Members...)
}

func parseDockerTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil || t.Year() <= 1 {
		return time.Time{}
	}
	return t
}

// FromInspect converts Docker's inspect answer.
func FromInspect(r container.InspectResponse) Container {
	c := Container{ID: r.ID, DockerName: strings.TrimPrefix(r.Name, "/"), Index: -1}
	c.StopTimeout = 10
	if r.Config != nil {
		c.Labels = r.Config.Labels
		c.Image = r.Config.Image
		if r.Config.StopTimeout != nil {
			c.StopTimeout = *r.Config.StopTimeout
		}
		spec, err := ParseSpec(r.Config.Labels)
		c.Spec = spec
		if err != nil {
			c.SpecError = err.Error()
		}
		c.Name = r.Config.Labels[LabelContainer]
		c.Role = Role(r.Config.Labels[LabelRole])
		idx := r.Config.Labels[LabelInitIndex]
		if c.Role == RoleMember {
			idx = r.Config.Labels[LabelMemberIndex]
		}
		if n, err := strconv.Atoi(idx); err == nil {
			c.Index = n
		}
	}
	if c.Name == "" {
		c.Name = c.DockerName
	}
	if r.State != nil {
		c.Running = r.State.Running || r.State.Restarting
		c.StartedAt = parseDockerTime(r.State.StartedAt)
		c.FinishedAt = parseDockerTime(r.State.FinishedAt)
		c.ExitCode = r.State.ExitCode
		c.OOMKilled = r.State.OOMKilled
	}
	if r.HostConfig != nil {
		mode := string(r.HostConfig.NetworkMode)
		if strings.HasPrefix(mode, "container:") {
			c.JoinsID = strings.TrimPrefix(mode, "container:")
		}
	}
	return c
}

// BuildGroup assembles one group from its containers (all carrying podgroup.io/group=name).
func BuildGroup(name string, cs []Container) Group {
	g := Group{Name: name, RestartPolicy: RestartAlways}
	policySet := false
	for i := range cs {
		c := cs[i]
		if !policySet {
			g.RestartPolicy = ParseRestartPolicy(c.Labels[LabelRestartPolicy])
			policySet = true
		}
		if c.SpecError != "" {
			g.Problems = append(g.Problems, fmt.Sprintf("container %s: %s", c.DockerName, c.SpecError))
		}
		switch c.Role {
		case RolePause:
			if g.Pause != nil {
				g.Problems = append(g.Problems, fmt.Sprintf("two pause containers (%s, %s)", g.Pause.DockerName, c.DockerName))
				continue
			}
			g.Pause = &c
		case RoleInit:
			g.Inits = append(g.Inits, c)
		case RoleMember:
			g.Members = append(g.Members, c)
		default:
			g.Problems = append(g.Problems, fmt.Sprintf("container %s has unknown role %q", c.DockerName, c.Role))
		}
	}
	if g.Pause != nil {
		g.RestartPolicy = ParseRestartPolicy(g.Pause.Labels[LabelRestartPolicy])
		g.SharePID = g.Pause.Labels[LabelSharePID] == "true"
		var errI, errM error
		g.InitCount, errI = parseCount(g.Pause.Labels, LabelInitCount)
		g.MemberCount, errM = parseCount(g.Pause.Labels, LabelMemberCount)
		for _, err := range []error{errI, errM} {
			if err != nil {
				g.Problems = append(g.Problems, fmt.Sprintf("pause %s: %v", g.Pause.DockerName, err))
			}
		}
		g.CountsDeclared = g.InitCount >= 0 && g.MemberCount >= 0
	}
	byIndex := func(s []Container) func(i, j int) bool {
		return func(i, j int) bool {
			if s[i].Index != s[j].Index {
				return s[i].Index < s[j].Index
			}
			return s[i].Name < s[j].Name
		}
	}
	sort.SliceStable(g.Inits, byIndex(g.Inits))
	sort.SliceStable(g.Members, byIndex(g.Members))
	return g
}
