package supervise

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/podgroup/podgroup/supervisor/internal/contract"
)

// Termination-message files (kubelet bind-mounts a fresh 0666 host file at each container's
// terminationMessagePath and reads its last 4096 bytes when the container ended). On Docker the
// default path, /dev/termination-log, is inside a tmpfs that is gone once the container stopped,
// so a supervised group gets the same files: <state dir>/termination/<group>/<container name> on
// the host, created 0666 by the group's pause at its start (`pause -termination-files`), each
// bind-mounted by the renderer at its container's terminationMessagePath. The supervisor reads a
// container's file when it sees the container's exit, empties it before each start it makes (a
// fresh file per run, as kubelet's); the directory goes with the group's other state (gone.go).

// TerminationDir is the directory of the groups' termination-message files under the state dir.
func TerminationDir(stateDir string) string {
	return filepath.Join(stateDir, contract.SupervisorTerminationSubdir)
}

// pathComponent: s can be used as one path element (group and container names come from labels).
func pathComponent(s string) bool {
	return s != "" && s != "." && s != ".." && !strings.ContainsAny(s, "/\\\x00")
}

// terminationFile is the file of container name of group, or "" when there is none to use.
func (r *Reconciler) terminationFile(group, name string) string {
	if r.TerminationDir == "" || !pathComponent(group) || !pathComponent(name) {
		return ""
	}
	return filepath.Join(r.TerminationDir, group, name)
}

// readTail reads at most the last max bytes of a regular file (not through a symlink); found is
// false when the file does not exist.
func readTail(path string, max int) (b []byte, found bool, err error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if errors.Is(err, os.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, true, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, true, err
	}
	if !info.Mode().IsRegular() {
		return nil, true, fmt.Errorf("%s is not a regular file", path)
	}
	if info.Size() > int64(max) {
		if _, err := f.Seek(info.Size()-int64(max), io.SeekStart); err != nil {
			return nil, true, err
		}
	}
	b, err = io.ReadAll(io.LimitReader(f, int64(max)))
	return b, true, err
}

// readTerminationFile reads c's termination message from its file; ok is false when the group
// has no file for it (a group deployed before the files, or a state directory the renderer did
// not use): the caller then reads terminationMessagePath from the stopped container.
func (r *Reconciler) readTerminationFile(group, name string) (msg []byte, ok bool) {
	path := r.terminationFile(group, name)
	if path == "" {
		return nil, false
	}
	b, found, err := readTail(path, maxTerminationMessage)
	if err != nil {
		r.Log.Warn("termination message file unreadable", "group", group, "container", name, "path", path, "err", err)
	}
	return b, found
}

// emptyTerminationFile empties c's file before a start (kubelet gives each run a fresh file). A
// missing file is left missing: only the pause creates them.
func (r *Reconciler) emptyTerminationFile(group, name string) {
	path := r.terminationFile(group, name)
	if path == "" {
		return
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if errors.Is(err, os.ErrNotExist) {
		return
	}
	if err == nil {
		err = f.Close()
	}
	if err != nil {
		r.Log.Warn("termination message file not emptied", "group", group, "container", name, "path", path, "err", err)
	}
}
