package supervise

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/podgroup/podgroup/supervisor/internal/contract"
)

// GroupStatus is the file <state dir>/status/<group>.json (host: /var/lib/podgroup/supervisor/status;
// contract/docker-contract.json names the directories and lists the keys). The first four keys are the contract with the conformance harness; the rest helps the
// supervisor pick up where it left off. The file is a cache: whatever Docker shows wins
// (a container with another id than recorded starts again from zero).
type GroupStatus struct {
	Group             string                      `json:"group"`
	SandboxGeneration int                         `json:"sandboxGeneration"`
	Containers        map[string]*ContainerStatus `json:"containers"`
	UpdatedAt         string                      `json:"updatedAt"`

	Phase         string        `json:"phase"`
	RestartPolicy RestartPolicy `json:"restartPolicy"`
	Message       string        `json:"message,omitempty"`
	Sandbox       SandboxStatus `json:"sandbox"`

	// The Pod-like part, named as core/v1 PodStatus.
	Conditions            []PodCondition       `json:"conditions"`
	InitContainerStatuses []PodContainerStatus `json:"initContainerStatuses"`
	ContainerStatuses     []PodContainerStatus `json:"containerStatuses"`
}

// PodCondition is core/v1 PodCondition (types PodReadyToStartContainers, Initialized,
// ContainersReady, Ready).
type PodCondition struct {
	Type               string `json:"type"`
	Status             string `json:"status"`
	Reason             string `json:"reason,omitempty"`
	Message            string `json:"message,omitempty"`
	LastTransitionTime string `json:"lastTransitionTime"`
}

// PodContainerStatus is core/v1 ContainerStatus.
type PodContainerStatus struct {
	Name         string         `json:"name"`
	ContainerID  string         `json:"containerID"`
	Image        string         `json:"image"`
	Ready        bool           `json:"ready"`
	Started      bool           `json:"started"`
	RestartCount int            `json:"restartCount"`
	State        ContainerState `json:"state"`
	LastState    ContainerState `json:"lastState"`
}

// ContainerState is core/v1 ContainerState: at most one of its members is set ({} when none).
type ContainerState struct {
	Waiting    *ContainerStateWaiting    `json:"waiting,omitempty"`
	Running    *ContainerStateRunning    `json:"running,omitempty"`
	Terminated *ContainerStateTerminated `json:"terminated,omitempty"`
}

// ContainerStateWaiting: reason ContainerCreating, PodInitializing or CrashLoopBackOff.
type ContainerStateWaiting struct {
	Reason  string `json:"reason"`
	Message string `json:"message,omitempty"`
}

// ContainerStateRunning is a running container's start.
type ContainerStateRunning struct {
	StartedAt string `json:"startedAt"`
}

// ContainerStateTerminated is one run's end: reason Completed, Error or OOMKilled (as the
// runtime says), message the termination message.
type ContainerStateTerminated struct {
	ExitCode   int    `json:"exitCode"`
	Reason     string `json:"reason"`
	Message    string `json:"message,omitempty"`
	StartedAt  string `json:"startedAt"`
	FinishedAt string `json:"finishedAt"`
}

// SandboxStatus records the pause container as last seen.
type SandboxStatus struct {
	ID           string `json:"id"`
	State        string `json:"state"`
	StartedAt    string `json:"startedAt,omitempty"`
	RestartCount int    `json:"restartCount"`
}

// ContainerStatus is one init container or member, keyed by its spec name.
type ContainerStatus struct {
	// RestartCount: how many times the container started again after its first start
	// (kubelet's restartCount: restarts of its own and restarts in a re-created sandbox).
	RestartCount int `json:"restartCount"`
	// LastReason: why it last stopped or was last restarted: Completed, Error, OOMKilled
	// (its own exit), SandboxChanged (killed or restarted for a new sandbox), SandboxDied.
	LastReason string `json:"lastReason"`
	// State: running, waiting (not started yet, or in back-off) or terminated.
	State string `json:"state"`
	// LastExitCode: exit code of the last run that ended; null when it never ended.
	LastExitCode *int `json:"lastExitCode"`

	Role           Role    `json:"role"`
	ID             string  `json:"id"`
	StartedAt      string  `json:"startedAt,omitempty"`
	FinishedAt     string  `json:"finishedAt,omitempty"`
	BackoffSeconds float64 `json:"backoffSeconds,omitempty"`
	BackoffSince   string  `json:"backoffSince,omitempty"`
	// KillReason/KilledRun: the supervisor stopped the run that started at KilledRun, for KillReason.
	KillReason string `json:"killReason,omitempty"`
	KilledRun  string `json:"killedRun,omitempty"`
	// Termination: the last run that ended, as Kubernetes reports it; PreviousTermination: the one
	// before (a container terminated for good shows them as state and lastState).
	Termination         *ContainerStateTerminated `json:"termination,omitempty"`
	PreviousTermination *ContainerStateTerminated `json:"previousTermination,omitempty"`
	// HookMessage: why the supervisor killed the run KilledRun (e.g. the failed postStart hook's error).
	HookMessage string `json:"hookMessage,omitempty"`
}

// StatusPath is where a group's status file lives under dir.
func StatusPath(dir, group string) string {
	return filepath.Join(dir, group+contract.SupervisorStatusSuffix)
}

// StatusDir is the directory of the status files under the supervisor's state directory.
func StatusDir(stateDir string) string {
	return filepath.Join(stateDir, contract.SupervisorStatusSubdir)
}

// LoadStatus reads a group's status file; a missing or unreadable file gives an empty status.
func LoadStatus(dir, group string) (*GroupStatus, error) {
	st := &GroupStatus{Group: group, Containers: map[string]*ContainerStatus{}}
	b, err := os.ReadFile(StatusPath(dir, group))
	if errors.Is(err, os.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return st, err
	}
	if err := json.Unmarshal(b, st); err != nil {
		return &GroupStatus{Group: group, Containers: map[string]*ContainerStatus{}}, fmt.Errorf("%s: %w (starting afresh)", StatusPath(dir, group), err)
	}
	if st.Containers == nil {
		st.Containers = map[string]*ContainerStatus{}
	}
	st.Group = group
	return st, nil
}

// Write saves the status atomically (write to a temporary file, then rename).
func (st *GroupStatus) Write(dir string, now time.Time) error {
	st.UpdatedAt = now.UTC().Format(time.RFC3339Nano)
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, "."+st.Group+".*.tmp")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), StatusPath(dir, st.Group))
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// Observe brings the status up to date with what Docker shows (and the current plan): counts a
// new start of a container as a restart, records exits (with their termination messages, msgs
// by container name), the sandbox generation, the phase, and the Pod-like statuses and conditions.
func (st *GroupStatus) Observe(g Group, p Plan, msgs map[string]string, now time.Time) {
	st.Phase = p.Phase
	st.RestartPolicy = g.RestartPolicy
	st.Message = p.Idle
	if g.Pause != nil {
		st.observeSandbox(*g.Pause)
	}
	seen := map[string]bool{}
	for _, c := range g.Containers() {
		seen[c.Name] = true
		_, waiting := p.Waiting[c.Name]
		st.observeContainer(c, waiting || willStart(p, c), msgs[c.Name])
	}
	for name := range st.Containers {
		if !seen[name] {
			delete(st.Containers, name)
		}
	}
	st.InitContainerStatuses = make([]PodContainerStatus, 0, len(g.Inits))
	for _, c := range g.Inits {
		st.InitContainerStatuses = append(st.InitContainerStatuses, st.podStatus(g, p, c))
	}
	st.ContainerStatuses = make([]PodContainerStatus, 0, len(g.Members))
	for _, c := range g.Members {
		st.ContainerStatuses = append(st.ContainerStatuses, st.podStatus(g, p, c))
	}
	st.observeConditions(g, p, now)
}

// NewExit: c ended a run the status has not recorded yet.
func (st *GroupStatus) NewExit(c Container) bool {
	if !c.Exited() || c.FinishedAt.IsZero() {
		return false
	}
	rec := st.Containers[c.Name]
	return rec == nil || rec.ID != c.ID || rec.FinishedAt != fmtTime(c.FinishedAt)
}

// podStatus is c's core/v1 ContainerStatus (kubelet's convertToAPIContainerStatuses).
func (st *GroupStatus) podStatus(g Group, p Plan, c Container) PodContainerStatus {
	rec := st.Containers[c.Name]
	if rec == nil {
		rec = &ContainerStatus{}
	}
	s := PodContainerStatus{Name: c.Name, ContainerID: "docker://" + c.ID, Image: c.Image, RestartCount: rec.RestartCount,
		Started: c.Running && c.Started, Ready: c.Running && c.Ready}
	last := func(t *ContainerStateTerminated) ContainerState {
		if t == nil {
			return ContainerState{}
		}
		return ContainerState{Terminated: t}
	}
	wait, inBackoff := p.Waiting[c.Name]
	switch {
	case c.Running:
		s.State = ContainerState{Running: &ContainerStateRunning{StartedAt: fmtTime(c.StartedAt)}}
		if rec.Termination != nil && rec.Termination.StartedAt != fmtTime(c.StartedAt) {
			s.LastState = last(rec.Termination)
		}
	case !c.EverStarted() || rec.Termination == nil:
		reason := "ContainerCreating"
		if c.Role == RoleInit || !p.Initialized {
			reason = "PodInitializing"
		}
		s.State = ContainerState{Waiting: &ContainerStateWaiting{Reason: reason}}
	case inBackoff:
		s.State = ContainerState{Waiting: &ContainerStateWaiting{Reason: "CrashLoopBackOff",
			Message: fmt.Sprintf("back-off %v restarting failed container=%s pod=%s", backoffDelay(rec, wait), c.Name, g.Name)}}
		s.LastState = last(rec.Termination)
	default:
		s.State = last(rec.Termination)
		s.LastState = last(rec.PreviousTermination)
		// kubelet: a regular init container that completed is ready.
		s.Ready = c.RegularInit() && c.ExitCode == 0
	}
	return s
}

// backoffDelay is the back-off's whole delay (kubelet's message names it, not the time left).
func backoffDelay(rec *ContainerStatus, left time.Duration) time.Duration {
	if rec.BackoffSeconds > 0 {
		return time.Duration(rec.BackoffSeconds * float64(time.Second))
	}
	return left.Round(time.Second)
}

// observeConditions sets the pod conditions (kubelet pkg/kubelet/status/generate.go), keeping
// each one's lastTransitionTime while its status does not change.
func (st *GroupStatus) observeConditions(g Group, p Plan, now time.Time) {
	prev := map[string]PodCondition{}
	for _, c := range st.Conditions {
		prev[c.Type] = c
	}
	set := func(typ string, ok bool, reason, message string) PodCondition {
		c := PodCondition{Type: typ, Status: "False", Reason: reason, Message: message, LastTransitionTime: fmtTime(now)}
		if ok {
			c.Status, c.Reason, c.Message = "True", "", ""
		}
		if old, found := prev[typ]; found && old.Status == c.Status && old.LastTransitionTime != "" {
			c.LastTransitionTime = old.LastTransitionTime
		}
		return c
	}
	sandbox := g.Pause != nil && g.Pause.Running
	terminal := p.Phase == "Succeeded" || p.Phase == "Failed"
	var unready []string
	for _, c := range g.Inits {
		if c.Spec.Sidecar && !(c.Running && c.Ready) {
			unready = append(unready, c.Name)
		}
	}
	for _, c := range g.Members {
		if !(c.Running && c.Ready) {
			unready = append(unready, c.Name)
		}
	}
	initMsg := ""
	if len(p.Incomplete) > 0 {
		initMsg = fmt.Sprintf("containers with incomplete status: [%s]", strings.Join(p.Incomplete, " "))
	}
	readyReason, readyMsg := "ContainersNotReady", fmt.Sprintf("containers with unready status: [%s]", strings.Join(unready, " "))
	if terminal {
		readyReason, readyMsg = "PodCompleted", ""
	}
	ready := !terminal && len(unready) == 0 && len(g.Members) > 0
	st.Conditions = []PodCondition{
		set("PodReadyToStartContainers", sandbox, "", ""),
		set("Initialized", p.Initialized, "ContainersNotInitialized", initMsg),
		set("ContainersReady", ready, readyReason, readyMsg),
		set("Ready", ready, readyReason, readyMsg),
	}
	if terminal && p.Initialized {
		st.Conditions[1].Reason = "PodCompleted"
	}
}

// observeSandbox counts a new StartedAt of the pause as a new sandbox generation; a pause with
// another id is a new deployment of the group: everything starts from zero.
func (st *GroupStatus) observeSandbox(pause Container) {
	started := fmtTime(pause.StartedAt)
	switch {
	case st.Sandbox.ID != pause.ID:
		st.Sandbox = SandboxStatus{ID: pause.ID}
		st.Containers = map[string]*ContainerStatus{}
		st.SandboxGeneration = 0
		if started != "" {
			st.SandboxGeneration = 1
		}
	case started != "" && st.Sandbox.StartedAt == "":
		st.SandboxGeneration = 1
	case started != "" && started != st.Sandbox.StartedAt:
		st.SandboxGeneration++
		st.Sandbox.RestartCount++
	}
	st.Sandbox.StartedAt = started
	st.Sandbox.State = stateOf(pause, false)
}

// observeContainer counts a new StartedAt as a restart and records a new exit (msg: its termination message).
func (st *GroupStatus) observeContainer(c Container, pending bool, msg string) {
	rec := st.Containers[c.Name]
	if rec == nil || rec.ID != c.ID {
		rec = &ContainerStatus{ID: c.ID}
		st.Containers[c.Name] = rec
	}
	rec.Role = c.Role
	started, finished := fmtTime(c.StartedAt), fmtTime(c.FinishedAt)
	if started != "" && rec.StartedAt != "" && started != rec.StartedAt {
		rec.RestartCount++
	}
	// A new FinishedAt on a stopped container is a new exit. (FinishedAt is containerd's exit
	// time and StartedAt Docker's clock after the start returned: a container that exits at
	// once can show FinishedAt before StartedAt.)
	if c.Exited() && finished != "" && finished != rec.FinishedAt {
		code := c.ExitCode
		rec.LastExitCode = &code
		if rec.KilledRun != "" && rec.KilledRun == started {
			rec.LastReason = rec.KillReason
		} else {
			rec.LastReason = c.TerminationReason()
		}
		if rec.Termination != nil && rec.Termination.StartedAt != started {
			rec.PreviousTermination = rec.Termination
		}
		rec.Termination = &ContainerStateTerminated{ExitCode: code, Reason: c.TerminationReason(), Message: msg,
			StartedAt: started, FinishedAt: finished}
	}
	rec.StartedAt, rec.FinishedAt = started, finished
	rec.State = stateOf(c, pending)
}

func willStart(p Plan, c Container) bool {
	for _, a := range p.Actions {
		if a.Container.ID == c.ID && (a.Kind == ActRunInit || a.Kind == ActStartMember || a.Kind == ActStartPause) {
			return true
		}
	}
	return false
}

func stateOf(c Container, pending bool) string {
	switch {
	case c.Running:
		return "running"
	case pending || !c.EverStarted():
		return "waiting"
	default:
		return "terminated"
	}
}

// NoteKill records that the supervisor stops c's current run, and why.
func (st *GroupStatus) NoteKill(c Container, reason string) {
	if rec := st.Containers[c.Name]; rec != nil && rec.ID == c.ID {
		rec.KillReason, rec.KilledRun = reason, fmtTime(c.StartedAt)
	}
}

// NoteHookFailure records why the supervisor kills c's current run (a failed postStart hook).
func (st *GroupStatus) NoteHookFailure(c Container, message string) {
	if rec := st.Containers[c.Name]; rec != nil && rec.ID == c.ID {
		rec.HookMessage = message
	}
}

// NoteStart records why the supervisor starts c again (SandboxChanged, or its own exit's reason).
func (st *GroupStatus) NoteStart(c Container, reason string) {
	if rec := st.Containers[c.Name]; rec != nil && rec.ID == c.ID && reason != "" && c.EverStarted() {
		if rec.KilledRun != "" && rec.KilledRun == fmtTime(c.StartedAt) && reason != ReasonSandboxChanged {
			reason = rec.KillReason // its run ended because the supervisor killed it (probe, hook)
		}
		rec.LastReason = reason
	}
}

// SaveBackoff copies the back-off entries of the group's containers into the status.
func (st *GroupStatus) SaveBackoff(g Group, b *Backoff) {
	for _, c := range g.Containers() {
		rec := st.Containers[c.Name]
		if rec == nil {
			continue
		}
		if e, ok := b.Get(BackoffKey(g.Name, c)); ok {
			rec.BackoffSeconds, rec.BackoffSince = e.Delay.Seconds(), fmtTime(e.LastUpdate)
		} else {
			rec.BackoffSeconds, rec.BackoffSince = 0, ""
		}
	}
}

// RestoreBackoff loads back-off entries recorded by an earlier supervisor process.
func (st *GroupStatus) RestoreBackoff(group string, b *Backoff) {
	for name, rec := range st.Containers {
		if rec.BackoffSeconds <= 0 || rec.BackoffSince == "" {
			continue
		}
		since, err := time.Parse(time.RFC3339Nano, rec.BackoffSince)
		if err != nil {
			continue
		}
		b.Set(BackoffKey(group, Container{Name: name, ID: rec.ID}), BackoffEntry{
			Delay: time.Duration(rec.BackoffSeconds * float64(time.Second)), LastUpdate: since,
		})
	}
}
