package supervise

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"time"

	"github.com/docker/docker/client"
)

// Leaving when idle (Watcher.ExitWhenIdle > 0): a supervisor started on demand by the first
// supervised group of an engine goes once the last one is gone, as testcontainers' reaper does.
// When Docker has shown no supervised group for ExitWhenIdle (the resync's listing empty, and no
// event of a group's container meanwhile: any group resets the wait), the supervisor
//  1. lists the groups (the last resync may be a resync period old) and stays if there is one;
//  2. sweeps the state of gone groups (status files, termination directories, deletion markers)
//     as every resync does, with the grace, and stays while any is left: a group whose pause has just started (and
//     made its termination directory) after that listing would otherwise lose its directory, and
//     its members could never start. The regular sweeps of the idle time have already removed the
//     state of the groups that went before it, so this wait is rare and short;
//  3. lists the groups once more, and stays if one appeared;
//  4. logs that it leaves and removes its own container through the Engine API, with force (its
//     restart policy is `always`: a plain exit would be restarted by Docker).
//
// A group whose containers are created right after the last listing finds no supervisor: its
// deployer ensures one again on every poll while it waits for the group, and starts a new one.
// The re-list makes that window the time of one Engine API call.

// ErrIdle: the supervisor left (or, outside a container of its own, is to exit) because no
// supervised group was left.
var ErrIdle = errors.New("no supervised group left")

// shortID is the hostname Docker gives a container: the first 12 hex digits of its id.
var shortID = regexp.MustCompile(`^[0-9a-f]{12}$`)

// idleTimer measures how long Docker has shown no supervised group; C fires after that long.
type idleTimer struct {
	after time.Duration
	timer *time.Timer
	since time.Time
}

// saw takes a look at the groups: none starts the wait (if not started), any ends it.
func (t *idleTimer) saw(groups int) {
	switch {
	case t.after <= 0:
	case groups > 0:
		t.stop()
	case t.timer == nil:
		t.since, t.timer = time.Now(), time.NewTimer(t.after)
	}
}

func (t *idleTimer) stop() {
	if t.timer != nil {
		t.timer.Stop()
		t.timer = nil
	}
}

// C fires when the wait is over (nil while not waiting).
func (t *idleTimer) C() <-chan time.Time {
	if t.timer == nil {
		return nil
	}
	return t.timer.C
}

// fired ends the wait that C signalled and says how long it was.
func (t *idleTimer) fired() time.Duration {
	t.timer = nil
	return time.Since(t.since).Round(time.Millisecond)
}

// leave ends an idle supervisor (steps above). It returns ErrIdle when the process is to exit
// (its container is being removed, or it runs in no container of its own), an error when Docker
// could not be listed, else the groups of the last listing: it stays.
func (w *Watcher) leave(ctx context.Context, idle time.Duration) ([]string, error) {
	r := w.Reconciler
	groups, err := r.Groups(ctx)
	if err != nil || len(groups) > 0 {
		return w.stay(ctx, groups, err)
	}
	r.SweepGone(nil)
	if pending := r.pendingGoneState(); len(pending) > 0 {
		w.Log.Info("no supervised group left, but the state of gone groups is within its grace: staying",
			"groups", strings.Join(pending, " "), "grace", r.TerminationGrace)
		return nil, nil
	}
	groups, err = r.Groups(ctx)
	if err != nil || len(groups) > 0 {
		return w.stay(ctx, groups, err)
	}
	self, err := w.self(ctx)
	if err != nil {
		w.Log.Error("no supervised group left, but this supervisor's container is not known: staying", "err", err)
		return nil, nil
	}
	if self == nil {
		w.Log.Info("no supervised group left: exiting (not in a container labelled "+LabelSupervisor+"=true)",
			"idle", idle, "hostname", w.Hostname)
		return nil, ErrIdle
	}
	w.Log.Info("no supervised group left: leaving, removing this supervisor's container",
		"idle", idle, "container", self.DockerName, "id", w.Hostname)
	if err := w.Docker.Remove(ctx, self.ID); err != nil {
		w.Log.Error("own container not removed: staying", "container", self.DockerName, "err", err)
		return nil, nil
	}
	return nil, ErrIdle // (in a container, Docker has killed the process before this)
}

// stay: a group appeared (or Docker did not answer) while the supervisor was leaving.
func (w *Watcher) stay(ctx context.Context, groups []string, err error) ([]string, error) {
	if err != nil {
		return nil, err
	}
	w.Log.Info("not leaving: a supervised group appeared", "groups", strings.Join(groups, " "))
	for _, g := range groups {
		w.kick(ctx, g)
	}
	return groups, nil
}

// self finds the container this process runs in: Docker sets a container's hostname to the
// first 12 hex digits of its id (the supervisor is given no other hostname). nil, no error: not
// in a container of this engine (run on the host, e.g. in a test), or in one that is not labelled
// as the supervisor's: then nothing is removed.
func (w *Watcher) self(ctx context.Context) (*Container, error) {
	if !shortID.MatchString(w.Hostname) {
		return nil, nil
	}
	c, err := w.Docker.Inspect(ctx, w.Hostname)
	switch {
	case client.IsErrNotFound(err):
		return nil, nil
	case err != nil:
		return nil, err
	case !strings.HasPrefix(c.ID, w.Hostname): // a container named like the hostname
		return nil, nil
	case c.Labels[LabelSupervisor] != "true":
		w.Log.Warn("own container not labelled "+LabelSupervisor+"=true: not removing it",
			"container", c.DockerName)
		return nil, nil
	}
	return &c, nil
}
