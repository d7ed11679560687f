// Command podgroup-supervisor gives supervised Docker PodGroups kubelet's sandbox behaviour:
// when a group's pause container dies (or dockerd restarts), it kills what is left, starts the
// pause, runs the init containers again in order, then starts the members; members that exit
// restart per the group's restartPolicy with kubelet's back-off. See docs/supervisor.md.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/podgroup/podgroup/supervisor/internal/supervise"
)

// version is set at build time (-ldflags -X main.version=...).
var version = "dev"

func envDuration(name string, def time.Duration) time.Duration {
	if v := os.Getenv(name); v != "" {
		if d, err := time.ParseDuration(v); err == nil {
			return d
		}
		if s, err := strconv.ParseFloat(v, 64); err == nil {
			return time.Duration(s * float64(time.Second))
		}
		fmt.Fprintf(os.Stderr, "ignoring %s=%q: not a duration\n", name, v)
	}
	return def
}

func envString(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func main() {
	t0 := time.Now()
	stateDir := flag.String("state-dir", envString("PODGROUP_SUPERVISOR_STATE", "/state"), "directory for status/ files and the lock (env PODGROUP_SUPERVISOR_STATE)")
	base := flag.Duration("backoff-base", envDuration("PODGROUP_SUPERVISOR_BACKOFF_BASE", 10*time.Second), "crash-loop back-off after the first (immediate) restart; 0 disables back-off (env PODGROUP_SUPERVISOR_BACKOFF_BASE)")
	max := flag.Duration("backoff-max", envDuration("PODGROUP_SUPERVISOR_BACKOFF_MAX", 5*time.Minute), "back-off ceiling (env PODGROUP_SUPERVISOR_BACKOFF_MAX)")
	reset := flag.Duration("backoff-reset", envDuration("PODGROUP_SUPERVISOR_BACKOFF_RESET", 10*time.Minute), "a back-off not used for this long starts again from zero (env PODGROUP_SUPERVISOR_BACKOFF_RESET)")
	resync := flag.Duration("resync", envDuration("PODGROUP_SUPERVISOR_RESYNC", 10*time.Second), "look at every group at least this often (env PODGROUP_SUPERVISOR_RESYNC)")
	giveUp := flag.Duration("exit-after-unreachable", envDuration("PODGROUP_SUPERVISOR_EXIT_AFTER_UNREACHABLE", 5*time.Second), "exit (Docker restarts the container, re-mounting the socket) when dockerd does not answer for this long; 0: never (env PODGROUP_SUPERVISOR_EXIT_AFTER_UNREACHABLE)")
	showVersion := flag.Bool("version", false, "print the version and exit")
	flag.Parse()
	if *showVersion {
		fmt.Println(version)
		return
	}
	log := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{Level: slog.LevelInfo}))
	if *resync <= 0 {
		*resync = 10 * time.Second
	}

	if err := os.MkdirAll(filepath.Join(*stateDir, "status"), 0o755); err != nil {
		log.Error("state directory", "err", err)
		os.Exit(1)
	}
	// One active supervisor per host: a second one (a replacement starting before the old one
	// stopped) waits here until the first exits; the kernel drops the lock when a process dies.
	lock, err := os.OpenFile(filepath.Join(*stateDir, "supervisor.lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		log.Error("lock file", "err", err)
		os.Exit(1)
	}
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		log.Info("another supervisor holds the lock; waiting for it to exit")
		if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
			log.Error("lock", "err", err)
			os.Exit(1)
		}
	}

	engine, err := supervise.NewEngineDocker()
	if err != nil {
		log.Error("docker client", "err", err)
		os.Exit(1)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()

	log.Info("podgroup-supervisor starting", "version", version, "stateDir", *stateDir,
		"backoffBase", *base, "backoffMax", *max, "backoffReset", *reset, "resync", *resync)
	r := &supervise.Reconciler{
		Docker:    engine,
		StatusDir: filepath.Join(*stateDir, "status"),
		Backoff:   supervise.NewBackoff(*base, *max, *reset, nil),
		Log:       log,
	}
	w := &supervise.Watcher{
		Reconciler: r, Engine: engine, Resync: *resync, Log: log, GiveUpAfter: *giveUp,
		Ready: func() {
			log.Info("ready", "startup", time.Since(t0).Round(time.Millisecond), "dockerAPI", engine.Client.ClientVersion())
		},
	}
	if err := w.Run(ctx); err != nil {
		os.Exit(1)
	}
	log.Info("podgroup-supervisor stopped")
}
