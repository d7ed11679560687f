package supervise

import (
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/podgroup/podgroup/supervisor/internal/contract"
)

// What a group leaves in the state directory: its status file (<state dir>/status/<group>.json),
// its termination-message directory (<state dir>/termination/<group>/) and, once its deployer
// deleted it, its deletion marker (<state dir>/deleting/<group>, deleting.go). They go together once
// the group has been gone for TerminationGrace: seen without containers by Sync, or missing from
// the resync's listing at two sweeps that far apart. The grace keeps the state of a group that
// `pulumi up` replaces (its containers are removed, then created again under the same name): the
// status file carries its back-off (RestoreBackoff), the pause of the new deployment uses the
// termination directory. A file or directory of a group removed while no supervisor ran is found
// by listing the directories, so the next supervisor removes it too.

// noteGroupGone: Sync saw no container of group; its state goes at the first sweep a grace later.
func (r *Reconciler) noteGroupGone(group string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.gone == nil {
		r.gone = map[string]time.Time{}
	}
	if _, ok := r.gone[group]; !ok {
		r.gone[group] = r.now()
	}
}

// noteGroupSeen: Sync saw containers of group: it is not gone (any more).
func (r *Reconciler) noteGroupSeen(group string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.gone, group)
}

// SweepGone removes the status file, termination directory and deletion marker of every group that has been gone
// for at least TerminationGrace: absent from live (the groups Docker showed just before) and
// already absent, or seen gone by Sync, that long ago. A group in live keeps its state; so does
// one first seen absent now (one created between the listing and this sweep is back in the next).
func (r *Reconciler) SweepGone(live []string) {
	r.sweepGone(live, r.TerminationGrace)
}

// pendingGoneState lists the groups whose state a sweep may still remove (sorted).
func (r *Reconciler) pendingGoneState() []string {
	var out []string
	for g := range r.groupsWithState() {
		if pathComponent(g) {
			out = append(out, g)
		}
	}
	sort.Strings(out)
	return out
}

func (r *Reconciler) sweepGone(live []string, grace time.Duration) {
	present := r.groupsWithState()
	alive := map[string]bool{}
	for _, g := range live {
		alive[g] = true
	}
	now := r.now()
	r.mu.Lock()
	if r.gone == nil {
		r.gone = map[string]time.Time{}
	}
	var remove []string
	for g := range present {
		since, marked := r.gone[g]
		if alive[g] || !pathComponent(g) {
			delete(r.gone, g)
			continue
		}
		if !marked {
			since = now
			r.gone[g] = now
		}
		if now.Sub(since) >= grace {
			remove = append(remove, g)
			delete(r.gone, g)
		}
	}
	for g := range r.gone {
		if !present[g] {
			delete(r.gone, g) // nothing left of it (or a Sync of a group that had no state)
		}
	}
	r.mu.Unlock()
	sort.Strings(remove)
	for _, g := range remove {
		r.removeGroupState(g)
	}
}

// groupsWithState lists the groups that have a status file, a termination directory or a deletion marker.
func (r *Reconciler) groupsWithState() map[string]bool {
	out := map[string]bool{}
	for _, e := range r.readDir(r.TerminationDir, "termination directory") {
		out[e.Name()] = true
	}
	for _, e := range r.readDir(r.DeletingDir, "deletion markers' directory") {
		// Markers only: one being written is ".<group>.<random>.tmp" (MarkDeleting).
		if n := e.Name(); e.Type().IsRegular() && !strings.HasPrefix(n, ".") {
			out[n] = true
		}
	}
	for _, e := range r.readDir(r.StatusDir, "status directory") {
		// Status files only: a write in progress is ".<group>.<random>.tmp" (GroupStatus.Write).
		if g, ok := strings.CutSuffix(e.Name(), contract.SupervisorStatusSuffix); ok && e.Type().IsRegular() && g != "" {
			out[g] = true
		}
	}
	return out
}

func (r *Reconciler) readDir(dir, what string) []os.DirEntry {
	if dir == "" {
		return nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		r.Log.Warn(what+" unreadable", "path", dir, "err", err)
	}
	return entries
}

// removeGroupState removes a gone group's status file, termination directory and deletion
// marker, and forgets its cached status. Under files: a Sync whose listing predates this removal
// does not write the file back (writeStatus).
func (r *Reconciler) removeGroupState(g string) {
	r.files.Lock()
	if r.removals == nil {
		r.removals = map[string]uint64{}
	}
	r.removals[g]++
	var removed []string
	removeFile := func(dir, path, what string) {
		if dir == "" {
			return
		}
		if err := os.Remove(path); err == nil {
			removed = append(removed, path)
		} else if !errors.Is(err, os.ErrNotExist) {
			r.Log.Warn(what+" not removed", "group", g, "path", path, "err", err)
		}
	}
	removeFile(r.StatusDir, StatusPath(r.StatusDir, g), "status file")
	removeFile(r.DeletingDir, filepath.Join(r.DeletingDir, g), "deletion marker")
	if r.TerminationDir != "" {
		path := filepath.Join(r.TerminationDir, g)
		if _, err := os.Lstat(path); err == nil {
			if err := os.RemoveAll(path); err != nil {
				r.Log.Warn("termination directory not removed", "group", g, "path", path, "err", err)
			} else {
				removed = append(removed, path)
			}
		}
	}
	r.files.Unlock()
	r.mu.Lock()
	delete(r.statuses, g)
	delete(r.lastIdle, g)
	r.mu.Unlock()
	if len(removed) > 0 {
		r.Log.Info("state of a gone group removed", "group", g, "removed", strings.Join(removed, " "))
	}
}

// removalCount is how many times the group's state was removed; a Sync reads it before listing
// the group's containers and hands it to writeStatus.
func (r *Reconciler) removalCount(group string) uint64 {
	r.files.Lock()
	defer r.files.Unlock()
	return r.removals[group]
}

// writeStatus saves a group's status, unless its state was removed since the Sync read removals
// (before the listing the status comes from): that listing predates the group's end, and the
// write would bring a gone group's file back.
func (r *Reconciler) writeStatus(st *GroupStatus, removals uint64) {
	r.files.Lock()
	defer r.files.Unlock()
	if r.removals[st.Group] != removals {
		r.Log.Info("status not written: the group is gone", "group", st.Group)
		return
	}
	if err := st.Write(r.StatusDir, r.now()); err != nil {
		r.Log.Error("write status", "group", st.Group, "err", err)
	}
}
