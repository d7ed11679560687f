package supervise

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// runHandler runs a lifecycle hook of c (kubelet pkg/kubelet/lifecycle/handlers.go): exec in the
// container (no timeout of its own: ctx bounds it), httpGet through the pause's helper in the
// group's network namespace (any HTTP answer is a success, only no answer fails), or sleep.
func (r *Reconciler) runHandler(ctx context.Context, g Group, c Container, h *Handler) (string, error) {
	switch {
	case h.Exec != nil:
		res, err := r.Docker.Exec(ctx, c.ID, "", h.Exec.Command)
		out := strings.TrimSpace(res.Output)
		if err != nil {
			return out, err
		}
		if res.ExitCode != 0 {
			return out, fmt.Errorf("command %q exited with %d: %s", h.Exec.Command, res.ExitCode, out)
		}
		return out, nil
	case h.HTTPGet != nil:
		if g.Pause == nil {
			return "", fmt.Errorf("no pause container to send the request from")
		}
		timeout := 24 * time.Hour
		if dl, ok := ctx.Deadline(); ok {
			timeout = time.Until(dl)
		}
		secs := int((timeout + time.Second - 1) / time.Second)
		if secs < 1 {
			secs = 1
		}
		res, err := r.Docker.Exec(ctx, g.Pause.ID, PauseProbeUser,
			[]string{"/pause", "-probe-http", strconv.Itoa(h.HTTPGet.Port), h.HTTPGet.Path, strconv.Itoa(secs)})
		out := strings.TrimSpace(res.Output)
		switch {
		case err != nil:
			return out, err
		case res.ExitCode == 0 || strings.HasPrefix(out, "fail: HTTP"): // an answer, whatever its status
			return out, nil
		default:
			return out, fmt.Errorf("http GET %s on port %d: %s", h.HTTPGet.Path, h.HTTPGet.Port, out)
		}
	case h.Sleep != nil:
		t := time.NewTimer(time.Duration(h.Sleep.Seconds) * time.Second)
		defer t.Stop()
		select {
		case <-t.C:
			return "", nil
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
	return "", fmt.Errorf("hook has no handler")
}
