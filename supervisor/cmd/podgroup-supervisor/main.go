// Command podgroup-supervisor gives supervised Docker PodGroups kubelet's sandbox behaviour:
// it starts a group's init containers (native sidecars included) in order, then its members, with
// their postStart hooks; runs their startup, liveness and readiness probes; restarts what exits
// per the group's restartPolicy (sidecars always) with kubelet's back-off; re-creates the sandbox
// when the pause dies; and writes a Pod-like status file per group. See docs/supervisor.md.
// Its flags, environment variables and defaults are contract/docker-contract.json's.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/podgroup/podgroup/supervisor/internal/contract"
	"github.com/podgroup/podgroup/supervisor/internal/supervise"
)

// version is set at build time (-ldflags -X main.version=...).
var version = "dev"

// config is what the flags (or their environment variables) say.
type config struct {
	stateDir                         string
	base, max, reset, resync, giveUp time.Duration
	exitWhenIdle                     time.Duration
	maxSandboxStarts                 int
	showVersion                      bool
	// terminate, sandbox: the subcommand that deletes one group's sandbox (terminate.go).
	terminate, sandbox string
}

// sandboxStartBound: the bound on sandbox starts in flight; the default (0) is twice the CPUs.
func (c config) sandboxStartBound() int {
	if c.maxSandboxStarts > 0 {
		return c.maxSandboxStarts
	}
	return 2 * runtime.NumCPU()
}

// envInt reads an integer flag's environment variable, else its contract default.
func envInt(o contract.Option) int {
	def, err := strconv.Atoi(o.Default)
	if err != nil {
		panic(fmt.Sprintf("contract default of %s: %v", o.Flag, err))
	}
	if v := os.Getenv(o.Env); v != "" {
		if n, err := strconv.Atoi(v); err == nil && n >= 0 {
			return n
		}
		fmt.Fprintf(os.Stderr, "ignoring %s=%q: not a whole number >= 0\n", o.Env, v)
	}
	return def
}

// envDuration reads a duration flag's environment variable, else its contract default.
func envDuration(o contract.Option) time.Duration {
	def, err := time.ParseDuration(o.Default)
	if err != nil {
		panic(fmt.Sprintf("contract default of %s: %v", o.Flag, err))
	}
	if v := os.Getenv(o.Env); v != "" {
		if d, err := time.ParseDuration(v); err == nil {
			return d
		}
		if s, err := strconv.ParseFloat(v, 64); err == nil {
			return time.Duration(s * float64(time.Second))
		}
		fmt.Fprintf(os.Stderr, "ignoring %s=%q: not a duration\n", o.Env, v)
	}
	return def
}

func envString(o contract.Option) string {
	if v := os.Getenv(o.Env); v != "" {
		return v
	}
	return o.Default
}

func durationFlag(p *time.Duration, o contract.Option, usage string) {
	flag.DurationVar(p, o.Flag, envDuration(o), fmt.Sprintf("%s (env %s)", usage, o.Env))
}

func parseFlags() config {
	var c config
	flag.StringVar(&c.stateDir, contract.OptionStateDir.Flag, envString(contract.OptionStateDir),
		fmt.Sprintf("directory for status/ files and the lock (env %s)", contract.OptionStateDir.Env))
	durationFlag(&c.base, contract.OptionBackoffBase, "crash-loop back-off after the first (immediate) restart; 0 disables back-off")
	durationFlag(&c.max, contract.OptionBackoffMax, "back-off ceiling")
	durationFlag(&c.reset, contract.OptionBackoffReset, "a back-off not used for this long starts again from zero")
	durationFlag(&c.resync, contract.OptionResync, "look at every group at least this often")
	durationFlag(&c.giveUp, contract.OptionExitAfterUnreachable,
		"exit (Docker restarts the container, re-mounting the socket) when dockerd does not answer for this long; 0: never")
	durationFlag(&c.exitWhenIdle, contract.OptionExitWhenIdle,
		"remove this supervisor's own container (and exit) once Docker has shown no supervised group "+
			"for this long; 0: never")
	flag.IntVar(&c.maxSandboxStarts, contract.OptionMaxSandboxStarts.Flag, envInt(contract.OptionMaxSandboxStarts),
		fmt.Sprintf("sandbox (pause) starts in flight at most, across groups; 0 or less: twice the CPUs (env %s)", contract.OptionMaxSandboxStarts.Env))
	flag.BoolVar(&c.showVersion, "version", false, "print the version and exit")
	flag.StringVar(&c.terminate, contract.TerminateFlag, "",
		"instead of supervising: delete this group's sandbox (-"+contract.TerminateSandboxFlag+") as kubelet "+
			"terminates a pod, in kubelet's order, and exit 0 once every container of it is stopped "+
			"(run with docker exec in the running supervisor's container; the pause is left to the deployer)")
	flag.StringVar(&c.sandbox, contract.TerminateSandboxFlag, "",
		"with -"+contract.TerminateFlag+": the id of the group's pause")
	flag.Parse()
	if c.resync <= 0 {
		c.resync, _ = time.ParseDuration(contract.OptionResync.Default)
	}
	return c
}

// lockState makes this the one active supervisor of the host: a second one (a replacement
// starting before the old one stopped) waits here until the first exits; the kernel drops the
// lock when a process dies.
// The returned file must stay reachable (and open) for as long as the lock is to be held.
func lockState(stateDir string, log *slog.Logger) (*os.File, error) {
	if err := os.MkdirAll(supervise.StatusDir(stateDir), 0o755); err != nil {
		return nil, fmt.Errorf("state directory: %w", err)
	}
	lock, err := os.OpenFile(filepath.Join(stateDir, contract.SupervisorLockFile), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock file: %w", err)
	}
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		log.Info("another supervisor holds the lock; waiting for it to exit")
		if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
			return nil, fmt.Errorf("lock: %w", err)
		}
	}
	return lock, nil
}

func main() {
	t0 := time.Now()
	c := parseFlags()
	if c.showVersion {
		fmt.Println(version)
		return
	}
	if c.terminate != "" {
		os.Exit(terminate(c))
	}
	log := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{Level: slog.LevelInfo}))
	lock, err := lockState(c.stateDir, log)
	if err != nil {
		log.Error("state", "err", err)
		os.Exit(1)
	}
	defer runtime.KeepAlive(lock) // the lock is held until the process exits
	engine, err := supervise.NewEngineDocker()
	if err != nil {
		log.Error("docker client", "err", err)
		os.Exit(1)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	// SIGUSR1: the terminate subcommand asks for a look at every group now (wakeSupervisor).
	wake := make(chan struct{}, 1)
	usr1 := make(chan os.Signal, 1)
	signal.Notify(usr1, syscall.SIGUSR1)
	go func() {
		for range usr1 {
			select {
			case wake <- struct{}{}:
			default:
			}
		}
	}()

	log.Info("podgroup-supervisor starting", "version", version, "stateDir", c.stateDir,
		"backoffBase", c.base, "backoffMax", c.max, "backoffReset", c.reset, "resync", c.resync,
		"maxSandboxStarts", c.sandboxStartBound(), "exitWhenIdle", c.exitWhenIdle)
	r := &supervise.Reconciler{
		Docker:    engine,
		StatusDir: supervise.StatusDir(c.stateDir),
		// A gone group's status file and termination directory go at the first resync at least
		// one resync period after the group went (a group that `pulumi up` replaces is back long before).
		TerminationDir:   supervise.TerminationDir(c.stateDir),
		TerminationGrace: c.resync,
		DeletingDir:      supervise.DeletingDir(c.stateDir),
		Backoff:          supervise.NewBackoff(c.base, c.max, c.reset, nil),
		Log:              log,
		Probes:           &supervise.Prober{Docker: engine, Log: log},
		SandboxStarts:    supervise.NewLimiter(c.sandboxStartBound()),
	}
	hostname, _ := os.Hostname() // "": not known, the supervisor then never removes a container
	w := &supervise.Watcher{
		Reconciler: r, Docker: engine, Resync: c.resync, Log: log, GiveUpAfter: c.giveUp,
		ExitWhenIdle: c.exitWhenIdle, Hostname: hostname, Wake: wake,
		Ready: func() {
			log.Info(contract.SupervisorReadyMessage, "startup", time.Since(t0).Round(time.Millisecond), "dockerAPI", engine.Client.ClientVersion())
		},
	}
	err = w.Run(ctx)
	runtime.KeepAlive(lock)
	switch {
	case errors.Is(err, supervise.ErrIdle):
		log.Info("podgroup-supervisor stopped: no supervised group left")
	case err != nil:
		os.Exit(1)
	default:
		log.Info("podgroup-supervisor stopped")
	}
}

// terminate runs the terminate subcommand (supervise.Termination); its exit code.
func terminate(c config) int {
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	engine, err := supervise.NewEngineDocker()
	if err != nil {
		fmt.Fprintf(os.Stderr, "terminate %s: docker client: %v\n", c.terminate, err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	t := &supervise.Termination{
		Docker: engine, StateDir: c.stateDir, Group: c.terminate, Sandbox: c.sandbox, Out: os.Stdout, Log: log,
	}
	if nextToSupervisor() {
		// The main loop acknowledges at its next look: at once when woken, else at its resync.
		t.Wake = func() { _ = syscall.Kill(1, syscall.SIGUSR1) }
		t.AckTimeout = c.resync + 5*time.Second
	}
	if err := t.Run(ctx); err != nil {
		fmt.Fprintf(os.Stderr, "terminate %s: %v\n", c.terminate, err)
		return 1
	}
	return 0
}

// nextToSupervisor: this process runs in the supervisor's container, next to its main loop (PID 1
// there is this same binary, supervising), which SIGUSR1 wakes.
func nextToSupervisor() bool {
	if os.Getpid() == 1 {
		return false
	}
	b, err := os.ReadFile("/proc/1/cmdline")
	if err != nil {
		return false
	}
	argv0, _, _ := strings.Cut(string(b), "\x00")
	self, _, _ := strings.Cut(os.Args[0], "\x00")
	return argv0 != "" && filepath.Base(argv0) == filepath.Base(self)
}
