package supervise

import (
	"encoding/json"
	"fmt"
	"strconv"
)

// The parts of a container's Kubernetes spec the renderer writes into labels for the supervisor
// (contract/docker-contract.json "labels"; the JSON shapes are docs/supervisor.md's).

// ExecAction runs a command in the container (`docker exec`).
type ExecAction struct {
	Command []string `json:"command"`
}

// HTTPGetAction is a GET on 127.0.0.1 in the group's network namespace (the pause's helper mode).
type HTTPGetAction struct {
	Path   string `json:"path"`
	Port   int    `json:"port"`
	Scheme string `json:"scheme,omitempty"`
}

// TCPSocketAction is a connect to 127.0.0.1:port in the group's network namespace.
type TCPSocketAction struct {
	Port int `json:"port"`
}

// SleepAction (hooks only) waits.
type SleepAction struct {
	Seconds int `json:"seconds"`
}

// Probe is a Kubernetes probe with every default written out by the renderer.
type Probe struct {
	Exec                *ExecAction      `json:"exec,omitempty"`
	HTTPGet             *HTTPGetAction   `json:"httpGet,omitempty"`
	TCPSocket           *TCPSocketAction `json:"tcpSocket,omitempty"`
	InitialDelaySeconds int              `json:"initialDelaySeconds"`
	PeriodSeconds       int              `json:"periodSeconds"`
	TimeoutSeconds      int              `json:"timeoutSeconds"`
	SuccessThreshold    int              `json:"successThreshold"`
	FailureThreshold    int              `json:"failureThreshold"`
}

// Probes is label podgroup.io/probes.
type Probes struct {
	Startup   *Probe `json:"startup,omitempty"`
	Liveness  *Probe `json:"liveness,omitempty"`
	Readiness *Probe `json:"readiness,omitempty"`
}

// Handler is a lifecycle hook's action.
type Handler struct {
	Exec    *ExecAction    `json:"exec,omitempty"`
	HTTPGet *HTTPGetAction `json:"httpGet,omitempty"`
	Sleep   *SleepAction   `json:"sleep,omitempty"`
}

// Kind names the handler's action: "exec", "httpGet" or "sleep" ("" when it has none).
func (h *Handler) Kind() string {
	switch {
	case h.Exec != nil:
		return "exec"
	case h.HTTPGet != nil:
		return "httpGet"
	case h.Sleep != nil:
		return "sleep"
	}
	return ""
}

// Lifecycle is label podgroup.io/lifecycle.
type Lifecycle struct {
	PostStart *Handler `json:"postStart,omitempty"`
	PreStop   *Handler `json:"preStop,omitempty"`
}

// TerminationMessage is label podgroup.io/termination-message.
type TerminationMessage struct {
	Path   string `json:"path"`
	Policy string `json:"policy"`
}

// Termination message policies.
const (
	TerminationMessageFile                  = "File"
	TerminationMessageFallbackToLogsOnError = "FallbackToLogsOnError"
)

// Spec is what the labels of one container say beyond its role and place.
type Spec struct {
	// Sidecar: a native sidecar (init container with restartPolicy Always).
	Sidecar            bool
	Probes             Probes
	Lifecycle          Lifecycle
	TerminationMessage *TerminationMessage
}

func (p *Probe) check(what string) error {
	what += " probe"
	if err := checkAction(what, p.Exec, p.HTTPGet, "tcpSocket", p.TCPSocket != nil); err != nil {
		return err
	}
	if p.TCPSocket != nil && !isPort(p.TCPSocket.Port) {
		return fmt.Errorf("%s: tcpSocket.port %d is not a port", what, p.TCPSocket.Port)
	}
	// Kubernetes' defaults for what a hand-written label leaves out (the renderer writes them all).
	if p.PeriodSeconds < 1 {
		p.PeriodSeconds = 10
	}
	if p.TimeoutSeconds < 1 {
		p.TimeoutSeconds = 1
	}
	if p.SuccessThreshold < 1 {
		p.SuccessThreshold = 1
	}
	if p.FailureThreshold < 1 {
		p.FailureThreshold = 3
	}
	if p.InitialDelaySeconds < 0 {
		p.InitialDelaySeconds = 0
	}
	return nil
}

func (h *Handler) check(what string) error {
	what += " hook"
	if err := checkAction(what, h.Exec, h.HTTPGet, "sleep", h.Sleep != nil); err != nil {
		return err
	}
	if h.Sleep != nil && h.Sleep.Seconds < 0 {
		return fmt.Errorf("%s: sleep.seconds %d is negative", what, h.Sleep.Seconds)
	}
	return nil
}

// checkAction is what probes and hooks share: exactly one action is set (exec, httpGet or the
// third kind, named other), exec has a command, httpGet a port and (by default) path /.
func checkAction(what string, exec *ExecAction, httpGet *HTTPGetAction, other string, otherSet bool) error {
	n := 0
	for _, set := range []bool{exec != nil, httpGet != nil, otherSet} {
		if set {
			n++
		}
	}
	switch {
	case n != 1:
		return fmt.Errorf("%s: exactly one of exec, httpGet, %s must be set", what, other)
	case exec != nil && len(exec.Command) == 0:
		return fmt.Errorf("%s: exec.command is empty", what)
	case httpGet != nil && !isPort(httpGet.Port):
		return fmt.Errorf("%s: httpGet.port %d is not a port", what, httpGet.Port)
	}
	if httpGet != nil && httpGet.Path == "" {
		httpGet.Path = "/"
	}
	return nil
}

func isPort(n int) bool { return n >= 1 && n <= 65535 }

// ParseSpec reads a container's spec labels; an error names the label and what is wrong.
func ParseSpec(labels map[string]string) (Spec, error) {
	s := Spec{Sidecar: labels[LabelContainerRestartPolicy] == string(RestartAlways)}
	if v := labels[LabelProbes]; v != "" {
		if err := json.Unmarshal([]byte(v), &s.Probes); err != nil {
			return s, fmt.Errorf("label %s: %w", LabelProbes, err)
		}
		for what, p := range map[string]*Probe{"startup": s.Probes.Startup, "liveness": s.Probes.Liveness, "readiness": s.Probes.Readiness} {
			if p != nil {
				if err := p.check(what); err != nil {
					return s, fmt.Errorf("label %s: %w", LabelProbes, err)
				}
			}
		}
	}
	if v := labels[LabelLifecycle]; v != "" {
		if err := json.Unmarshal([]byte(v), &s.Lifecycle); err != nil {
			return s, fmt.Errorf("label %s: %w", LabelLifecycle, err)
		}
		for what, h := range map[string]*Handler{"postStart": s.Lifecycle.PostStart, "preStop": s.Lifecycle.PreStop} {
			if h != nil {
				if err := h.check(what); err != nil {
					return s, fmt.Errorf("label %s: %w", LabelLifecycle, err)
				}
			}
		}
	}
	if v := labels[LabelTerminationMessage]; v != "" {
		var tm TerminationMessage
		if err := json.Unmarshal([]byte(v), &tm); err != nil {
			return s, fmt.Errorf("label %s: %w", LabelTerminationMessage, err)
		}
		if tm.Path == "" {
			tm.Path = "/dev/termination-log"
		}
		if tm.Policy == "" {
			tm.Policy = TerminationMessageFile
		}
		if tm.Policy != TerminationMessageFile && tm.Policy != TerminationMessageFallbackToLogsOnError {
			return s, fmt.Errorf("label %s: policy %q is neither File nor FallbackToLogsOnError", LabelTerminationMessage, tm.Policy)
		}
		s.TerminationMessage = &tm
	}
	return s, nil
}

// parseCount reads a decimal count label; -1 when absent (a group deployed before the label).
func parseCount(labels map[string]string, key string) (int, error) {
	v, ok := labels[key]
	if !ok || v == "" {
		return -1, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return -1, fmt.Errorf("label %s=%q is not a count", key, v)
	}
	return n, nil
}
