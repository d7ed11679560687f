package supervise

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// withTerminationFiles gives r a termination directory with group g's files (as the pause
// creates them) holding the given contents.
func withTerminationFiles(t *testing.T, r *Reconciler, g string, contents map[string]string) string {
	t.Helper()
	r.TerminationDir = t.TempDir()
	dir := filepath.Join(r.TerminationDir, g)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, content := range contents {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o666); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func fileContent(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// setTerminationMessage gives the named containers of group g a terminationMessagePath and policy.
func (f *fakeDocker) setTerminationMessage(g, path, policy string, names ...string) {
	for _, n := range names {
		f.set(g, n, func(c *Container) {
			c.Spec.TerminationMessage = &TerminationMessage{Path: path, Policy: policy}
		})
	}
}

// terminatedMessages is each member's message of the run that ended (by name).
func terminatedMessages(st *GroupStatus) map[string]string {
	out := map[string]string{}
	for _, s := range st.ContainerStatuses {
		out[s.Name] = s.State.Terminated.Message
	}
	return out
}

func termination(s PodContainerStatus, last bool) *ContainerStateTerminated {
	if last {
		return s.LastState.Terminated
	}
	return s.State.Terminated
}

// kubelet gives each run a fresh file and reads the last 4096 bytes of it when the run ended:
// the group's file wins over the stopped container's path (/dev/termination-log is gone on
// Docker), it is emptied before each start, and the next run's message is its own.
func TestSyncReadsAndEmptiesTerminationFiles(t *testing.T) {
	fake := newFakeDocker()
	fake.declare("g", RestartAlways, nil, nil, []string{"web", "big"})
	fake.setTerminationMessage("g", "/dev/termination-log", TerminationMessageFile, "web", "big")
	fake.files["web:/dev/termination-log"] = "from the archive"
	r := newReconciler(t, fake)
	dir := withTerminationFiles(t, r, "g", map[string]string{"web": "stale, from an earlier deployment", "big": ""})
	syncGroup(t, r, "g")
	expectCalls(t, fake, "start big", "start web")
	if got := fileContent(t, filepath.Join(dir, "web")); got != "" {
		t.Fatalf("web's file before its first run: %q, want it emptied", got)
	}

	// The run writes its message and exits 3; the next run starts with an empty file.
	if err := os.WriteFile(filepath.Join(dir, "web"), []byte("bye"), 0o666); err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("a", 5000) + "END"
	if err := os.WriteFile(filepath.Join(dir, "big"), []byte(long), 0o666); err != nil {
		t.Fatal(err)
	}
	fake.crash("g", "web", 3)
	fake.crash("g", "big", 1)
	syncGroup(t, r, "g")
	expectCalls(t, fake, "start big", "start web")
	st := r.status("g")
	web, big := st.ContainerStatuses[0], st.ContainerStatuses[1]
	if web.Name != "web" || web.RestartCount != 1 || web.State.Running == nil {
		t.Fatalf("web %+v", web)
	}
	if m := termination(web, true); m == nil || m.Message != "bye" || m.ExitCode != 3 {
		t.Fatalf("web lastState %+v, want message bye, exit 3", m)
	}
	if m := termination(big, true); m == nil || len(m.Message) != maxTerminationMessage || m.Message != long[len(long)-maxTerminationMessage:] {
		t.Fatalf("big's message: %d bytes, want the last %d", len(m.Message), maxTerminationMessage)
	}
	for _, n := range []string{"web", "big"} {
		if got := fileContent(t, filepath.Join(dir, n)); got != "" {
			t.Fatalf("%s's file after the restart: %q, want it empty", n, got)
		}
	}

	// The second run says nothing: its exit has no message (not the first run's).
	fake.crash("g", "web", 4)
	syncGroup(t, r, "g")
	if m := termination(r.status("g").ContainerStatuses[0], true); m == nil || m.ExitCode != 4 || m.Message != "" {
		t.Fatalf("second run's end %+v, want exit 4 and no message", m)
	}
}

// Without a file for the container (a group deployed before the files, another state
// directory), the message is read from the stopped container; FallbackToLogsOnError reads the
// logs when the file is empty and the exit code is not 0.
func TestSyncTerminationFileFallbacks(t *testing.T) {
	fake := newFakeDocker()
	fake.declare("g", RestartNever, nil, nil, []string{"nofile", "logs", "ok"})
	fake.setTerminationMessage("g", "/msg", TerminationMessageFallbackToLogsOnError, "nofile", "logs", "ok")
	fake.files["nofile:/msg"] = "from the archive"
	fake.files["logs:/msg"] = "not read: the file exists"
	fake.logs["logs"] = "last words\n"
	fake.logs["ok"] = "not read: exit 0\n"
	r := newReconciler(t, fake)
	withTerminationFiles(t, r, "g", map[string]string{"logs": "", "ok": ""})
	syncGroup(t, r, "g")
	fake.takeCalls()
	fake.crash("g", "nofile", 1)
	fake.crash("g", "logs", 2)
	fake.crash("g", "ok", 0)
	syncGroup(t, r, "g")
	got := terminatedMessages(r.status("g"))
	if got["nofile"] != "from the archive" || got["logs"] != "last words\n" || got["ok"] != "" {
		t.Fatalf("messages %q", got)
	}
}

// A name that is not one path element is never used as a file (a label is only a string).
func TestTerminationFileNames(t *testing.T) {
	r := &Reconciler{TerminationDir: "/state/termination"}
	for _, c := range []struct{ group, name, want string }{
		{"shop", "web", "/state/termination/shop/web"},
		{"..", "web", ""},
		{"shop", "..", ""},
		{"a/b", "web", ""},
		{"shop", "", ""},
	} {
		if got := r.terminationFile(c.group, c.name); got != c.want {
			t.Errorf("terminationFile(%q, %q) = %q, want %q", c.group, c.name, got, c.want)
		}
	}
	if got := (&Reconciler{}).terminationFile("shop", "web"); got != "" {
		t.Errorf("no termination directory: %q", got)
	}
}

// A group's termination directory goes once the group has been gone for the grace: seen gone by
// Sync (its containers were removed) or by two sweeps; a group back within the grace keeps it.
func TestSweepGoneRemovesTerminationDirectoriesAfterTheGrace(t *testing.T) {
	fake := newFakeDocker()
	fake.declare("live", RestartAlways, nil, nil, []string{"web"})
	r := newReconciler(t, fake)
	r.TerminationGrace = 10 * time.Second
	withTerminationFiles(t, r, "live", map[string]string{"web": "x"})
	for _, g := range []string{"destroyed", "orphan", "replaced"} {
		if err := os.MkdirAll(filepath.Join(r.TerminationDir, g), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(r.TerminationDir, g, "c"), nil, 0o666); err != nil {
			t.Fatal(err)
		}
	}
	exists := func(g string) bool {
		_, err := os.Stat(filepath.Join(r.TerminationDir, g))
		return err == nil
	}
	// destroyed and replaced: Sync finds no container of theirs.
	for _, g := range []string{"destroyed", "replaced"} {
		if _, ok, err := r.Sync(context.Background(), g); ok || err != nil {
			t.Fatalf("sync %s: exists %v, err %v", g, ok, err)
		}
	}
	live := []string{"live"}
	r.SweepGone(live) // orphan: first seen gone now
	for _, g := range []string{"live", "destroyed", "orphan", "replaced"} {
		if !exists(g) {
			t.Fatalf("%s removed before the grace", g)
		}
	}
	fake.clock = fake.clock.Add(10 * time.Second)
	r.SweepGone(append(live, "replaced")) // replaced: deployed again meanwhile
	if exists("destroyed") || exists("orphan") || !exists("live") || !exists("replaced") {
		t.Fatalf("after the grace: destroyed %v orphan %v live %v replaced %v, want only live and replaced",
			exists("destroyed"), exists("orphan"), exists("live"), exists("replaced"))
	}
	// replaced goes later, if it is gone for a whole grace again.
	r.SweepGone(live)
	fake.clock = fake.clock.Add(9 * time.Second)
	r.SweepGone(live)
	if !exists("replaced") {
		t.Fatal("replaced removed before a whole grace")
	}
	fake.clock = fake.clock.Add(time.Second)
	r.SweepGone(live)
	if exists("replaced") || !exists("live") {
		t.Fatalf("replaced %v live %v", exists("replaced"), exists("live"))
	}
}

// readTail keeps the last max bytes of a regular file, says when there is no file, and neither
// follows a symlink nor blocks on a FIFO (the files live in a directory a group's pause writes).
func TestReadTail(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big")
	if err := os.WriteFile(big, []byte(strings.Repeat("a", 10)+"0123456789"), 0o644); err != nil {
		t.Fatal(err)
	}
	if b, found, err := readTail(big, 10); string(b) != "0123456789" || !found || err != nil {
		t.Fatalf("tail %q, %v, %v", b, found, err)
	}
	if b, found, err := readTail(big, 100); len(b) != 20 || !found || err != nil {
		t.Fatalf("whole %q, %v, %v", b, found, err)
	}
	if b, found, err := readTail(filepath.Join(dir, "missing"), 10); b != nil || found || err != nil {
		t.Fatalf("missing %q, %v, %v", b, found, err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(big, link); err != nil {
		t.Fatal(err)
	}
	if b, found, err := readTail(link, 10); b != nil || !found || err == nil {
		t.Fatalf("symlink %q, %v, %v: want an error", b, found, err)
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, found, err := readTail(fifo, 10); !found || err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Fatalf("fifo %v, %v: want not a regular file", found, err)
	}
}
