package supervise

import (
	"reflect"
	"strings"
	"testing"
)

// A hand-written label gets Kubernetes' defaults for what it leaves out; the renderer writes them all.
func TestParseSpecDefaults(t *testing.T) {
	s, err := ParseSpec(map[string]string{
		LabelContainerRestartPolicy: string(RestartAlways),
		LabelProbes:                 `{"liveness":{"httpGet":{"port":8080}},"readiness":{"tcpSocket":{"port":80},"initialDelaySeconds":-2}}`,
		LabelLifecycle:              `{"postStart":{"httpGet":{"port":80}},"preStop":{"sleep":{"seconds":0}}}`,
		LabelTerminationMessage:     `{}`,
	})
	if err != nil {
		t.Fatal(err)
	}
	if !s.Sidecar {
		t.Fatal("restartPolicy Always is a sidecar")
	}
	want := Probe{HTTPGet: &HTTPGetAction{Path: "/", Port: 8080}, PeriodSeconds: 10, TimeoutSeconds: 1, SuccessThreshold: 1, FailureThreshold: 3}
	if !reflect.DeepEqual(*s.Probes.Liveness, want) {
		t.Fatalf("liveness %+v, want %+v", *s.Probes.Liveness, want)
	}
	if r := s.Probes.Readiness; r.InitialDelaySeconds != 0 || r.PeriodSeconds != 10 || s.Probes.Startup != nil {
		t.Fatalf("probes %+v", s.Probes)
	}
	if h := s.Lifecycle.PostStart.HTTPGet; h.Path != "/" {
		t.Fatalf("postStart path %q, want /", h.Path)
	}
	if tm := *s.TerminationMessage; tm != (TerminationMessage{Path: "/dev/termination-log", Policy: TerminationMessageFile}) {
		t.Fatalf("termination message %+v", tm)
	}

	s, err = ParseSpec(map[string]string{})
	if err != nil || s.Sidecar || s.TerminationMessage != nil || s.Probes != (Probes{}) || s.Lifecycle != (Lifecycle{}) {
		t.Fatalf("no labels: %+v, %v", s, err)
	}
}

// A label the supervisor cannot act on is an error naming the label and what is wrong.
func TestParseSpecErrors(t *testing.T) {
	for _, tc := range []struct{ label, value, want string }{
		{LabelProbes, `{"liveness":`, "label " + LabelProbes + ": unexpected end of JSON input"},
		{LabelProbes, `{"liveness":{}}`, "liveness probe: exactly one of exec, httpGet, tcpSocket must be set"},
		{LabelProbes, `{"startup":{"exec":{"command":["a"]},"tcpSocket":{"port":1}}}`, "startup probe: exactly one of exec, httpGet, tcpSocket must be set"},
		{LabelProbes, `{"readiness":{"exec":{"command":[]}}}`, "readiness probe: exec.command is empty"},
		{LabelProbes, `{"liveness":{"httpGet":{"port":0}}}`, "liveness probe: httpGet.port 0 is not a port"},
		{LabelProbes, `{"liveness":{"tcpSocket":{"port":65536}}}`, "liveness probe: tcpSocket.port 65536 is not a port"},
		{LabelLifecycle, `[]`, "label " + LabelLifecycle + ": json: cannot unmarshal"},
		{LabelLifecycle, `{"preStop":{"sleep":{"seconds":1},"exec":{"command":["a"]}}}`, "preStop hook: exactly one of exec, httpGet, sleep must be set"},
		{LabelLifecycle, `{"postStart":{"exec":{}}}`, "postStart hook: exec.command is empty"},
		{LabelLifecycle, `{"postStart":{"httpGet":{"port":70000}}}`, "postStart hook: httpGet.port 70000 is not a port"},
		{LabelLifecycle, `{"preStop":{"sleep":{"seconds":-1}}}`, "preStop hook: sleep.seconds -1 is negative"},
		{LabelTerminationMessage, `{"policy":"Always"}`, `label ` + LabelTerminationMessage + `: policy "Always" is neither File nor FallbackToLogsOnError`},
	} {
		_, err := ParseSpec(map[string]string{tc.label: tc.value})
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "label "+tc.label+": ") {
			t.Errorf("%s=%s: error %v, want one with %q", tc.label, tc.value, err, tc.want)
		}
	}
}

// The pause's count labels: absent is -1 (a group deployed before them), a bad value an error.
func TestParseCount(t *testing.T) {
	labels := map[string]string{"n": "3", "empty": "", "neg": "-1", "word": "two"}
	for key, want := range map[string]int{"n": 3, "empty": -1, "absent": -1} {
		if n, err := parseCount(labels, key); n != want || err != nil {
			t.Errorf("%s: %d, %v; want %d", key, n, err, want)
		}
	}
	for _, key := range []string{"neg", "word"} {
		if _, err := parseCount(labels, key); err == nil || !strings.Contains(err.Error(), "is not a count") {
			t.Errorf("%s: error %v, want not a count", key, err)
		}
	}
}
