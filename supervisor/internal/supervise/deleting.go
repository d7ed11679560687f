package supervise

import (
	"errors"
	"os"
	"path/filepath"
	"strings"

	"github.com/podgroup/podgroup/supervisor/internal/contract"
)

// A group being deleted: its deployer's destroy runs the supervisor's terminate subcommand
// (terminate.go), which first writes <state dir>/deleting/<group>, holding the id of the pause
// whose sandbox goes (kubelet's deletionTimestamp on a pod). From then on the main loop treats
// that sandbox as terminating (Terminating): it starts, restarts and kills nothing and re-creates
// no sandbox, and reports the phase kubelet reports for a terminating pod. A new deployment of the
// group (another pause) is not concerned. The marker goes with the group's other state once the
// group is gone (gone.go).

// DeletingDir is the directory of the deletion markers under the state dir.
func DeletingDir(stateDir string) string {
	return filepath.Join(stateDir, contract.SupervisorDeletingSubdir)
}

// MarkDeleting writes group's deletion marker in dir (atomically: a reader sees the whole id or no file).
func MarkDeleting(dir, group, sandbox string) error {
	if !pathComponent(group) {
		return errors.New("group name " + group + " cannot name a file")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, "."+group+".*.tmp")
	if err != nil {
		return err
	}
	_, err = f.WriteString(sandbox + "\n")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), filepath.Join(dir, group))
	}
	if err != nil {
		_ = os.Remove(f.Name())
	}
	return err
}

// deletingSandbox reads group's deletion marker: the pause id it names, "" when there is none.
func deletingSandbox(dir, group string) string {
	if dir == "" || !pathComponent(group) {
		return ""
	}
	b, err := os.ReadFile(filepath.Join(dir, group))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// deleting: g's current sandbox is being deleted (or, with no pause left, the group was).
func (r *Reconciler) deleting(g Group) bool {
	id := deletingSandbox(r.DeletingDir, g.Name)
	return id != "" && (g.Pause == nil || g.Pause.ID == id)
}

// plan is the group's next step: kubelet's (Compute), or a terminating pod's (Terminating). The
// terminal phase a group being deleted reached stays once the deployer removed its members.
func (r *Reconciler) plan(g Group, st *GroupStatus) Plan {
	if !r.deleting(g) {
		return Compute(g, r.Backoff)
	}
	p := Terminating(g, r.Backoff)
	if p.Phase == "Pending" && (st.Phase == "Succeeded" || st.Phase == "Failed") && st.Sandbox.ID == g.PauseID() {
		p.Phase = st.Phase
	}
	return p
}
