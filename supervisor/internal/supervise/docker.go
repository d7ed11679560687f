package supervise

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"io"
	"strconv"
	"sync"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/events"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/client"
	"github.com/docker/docker/errdefs"
	"github.com/docker/docker/pkg/stdcopy"
)

// Docker is the little the supervisor asks of the Docker engine (an interface, so that
// reconcile logic can be tested without one).
type Docker interface {
	// GroupContainers lists every supervised container, or only those of one group when group != "".
	GroupContainers(ctx context.Context, group string) ([]Container, error)
	// Inspect reads one container.
	Inspect(ctx context.Context, id string) (Container, error)
	Start(ctx context.Context, id string) error
	// Stop sends the container's stop signal (SIGTERM), then SIGKILL after grace (whole seconds, at least 1).
	Stop(ctx context.Context, id string, grace time.Duration) error
	// Kill sends SIGKILL and waits until Docker sees the container stopped.
	Kill(ctx context.Context, id string) error
	// Exec runs cmd in a running container (as user, "" for the container's) until it ends or ctx
	// does; returns its exit code and its output (stdout then stderr, at most 10 KiB).
	Exec(ctx context.Context, id, user string, cmd []string) (ExecResult, error)
	// ReadFile reads a file of a container (running or stopped) through the archive API: at most
	// the last max bytes; a missing file is an empty result, no error.
	ReadFile(ctx context.Context, id, path string, max int) ([]byte, error)
	// Logs returns the last tail lines of a container's output (stdout and stderr interleaved).
	Logs(ctx context.Context, id string, tail int) ([]byte, error)
	// Remove force-removes a container with its anonymous volumes. The supervisor removes one
	// container only: its own, when no group is left (idle.go).
	Remove(ctx context.Context, id string) error
	// Ping checks that the engine answers.
	Ping(ctx context.Context) error
	// Events streams the start, die, destroy and kill events of supervised containers, until ctx
	// ends or the stream breaks (then an error arrives).
	Events(ctx context.Context) (<-chan Event, <-chan error)
}

// EngineDocker implements Docker with the Docker Engine API client.
type EngineDocker struct{ Client *client.Client }

// NewEngineDocker connects like the docker CLI (DOCKER_HOST, ...) and negotiates the API version,
// so that it works with an older daemon (Debian's 20.10 speaks API 1.41).
func NewEngineDocker() (*EngineDocker, error) {
	c, err := client.NewClientWithOpts(client.FromEnv, client.WithAPIVersionNegotiation())
	if err != nil {
		return nil, err
	}
	return &EngineDocker{Client: c}, nil
}

func (d *EngineDocker) GroupContainers(ctx context.Context, group string) ([]Container, error) {
	f := filters.NewArgs(filters.Arg("label", SupervisedSelector))
	if group != "" {
		f.Add("label", LabelGroup+"="+group)
	}
	list, err := d.Client.ContainerList(ctx, container.ListOptions{All: true, Filters: f})
	if err != nil {
		return nil, err
	}
	// Inspected in parallel: this is on the path from a pause's death to its recovery.
	found := make([]*Container, len(list))
	errs := make([]error, len(list))
	var wg sync.WaitGroup
	for i, s := range list {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := d.Client.ContainerInspect(ctx, s.ID)
			if err != nil {
				if !client.IsErrNotFound(err) { // else removed meanwhile
					errs[i] = err
				}
				return
			}
			c := FromInspect(r)
			found[i] = &c
		}()
	}
	wg.Wait()
	out := make([]Container, 0, len(list))
	for i := range list {
		if errs[i] != nil {
			return nil, errs[i]
		}
		if found[i] != nil {
			out = append(out, *found[i])
		}
	}
	return out, nil
}

// ExecResult is what a command run by Exec did.
type ExecResult struct {
	ExitCode int
	Output   string
}

// maxExecOutput: kubelet keeps at most 10 KiB of an exec probe's output.
const maxExecOutput = 10 * 1024

func (d *EngineDocker) Inspect(ctx context.Context, id string) (Container, error) {
	r, err := d.Client.ContainerInspect(ctx, id)
	if err != nil {
		return Container{}, err
	}
	return FromInspect(r), nil
}

func (d *EngineDocker) Start(ctx context.Context, id string) error {
	return d.Client.ContainerStart(ctx, id, container.StartOptions{})
}

// Stop sends SIGTERM, then SIGKILL after grace (the time left of the container's
// terminationGracePeriodSeconds once its preStop hook ran).
func (d *EngineDocker) Stop(ctx context.Context, id string, grace time.Duration) error {
	secs := int((grace + time.Second - 1) / time.Second)
	if secs < 1 {
		secs = 1
	}
	return d.Client.ContainerStop(ctx, id, container.StopOptions{Timeout: &secs})
}

func (d *EngineDocker) Exec(ctx context.Context, id, user string, cmd []string) (ExecResult, error) {
	created, err := d.Client.ContainerExecCreate(ctx, id, container.ExecOptions{
		User: user, Cmd: cmd, AttachStdout: true, AttachStderr: true,
	})
	if err != nil {
		return ExecResult{ExitCode: -1}, err
	}
	att, err := d.Client.ContainerExecAttach(ctx, created.ID, container.ExecAttachOptions{})
	if err != nil {
		return ExecResult{ExitCode: -1}, err
	}
	defer att.Close()
	var stdout, stderr limitedBuffer
	stdout.max, stderr.max = maxExecOutput, maxExecOutput
	done := make(chan error, 1)
	go func() {
		_, err := stdcopy.StdCopy(&stdout, &stderr, att.Reader)
		done <- err
	}()
	select {
	case <-ctx.Done():
		att.Close()
		<-done
		return ExecResult{ExitCode: -1, Output: stdout.String() + stderr.String()}, ctx.Err()
	case err := <-done:
		if err != nil {
			return ExecResult{ExitCode: -1}, err
		}
	}
	out := stdout.String() + stderr.String()
	if len(out) > maxExecOutput {
		out = out[:maxExecOutput]
	}
	ins, err := d.Client.ContainerExecInspect(ctx, created.ID)
	if err != nil {
		return ExecResult{ExitCode: -1, Output: out}, err
	}
	return ExecResult{ExitCode: ins.ExitCode, Output: out}, nil
}

// limitedBuffer keeps the first max bytes written to it and drops the rest.
type limitedBuffer struct {
	bytes.Buffer
	max int
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if room := b.max - b.Len(); room > 0 {
		if len(p) > room {
			b.Buffer.Write(p[:room])
		} else {
			b.Buffer.Write(p)
		}
	}
	return len(p), nil
}

func (d *EngineDocker) ReadFile(ctx context.Context, id, path string, max int) ([]byte, error) {
	rc, _, err := d.Client.CopyFromContainer(ctx, id, path)
	if err != nil {
		if errdefs.IsNotFound(err) {
			return nil, nil
		}
		return nil, err
	}
	defer rc.Close()
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			return nil, err
		}
		if len(b) > max {
			b = b[len(b)-max:]
		}
		return b, nil
	}
}

func (d *EngineDocker) Logs(ctx context.Context, id string, tail int) ([]byte, error) {
	rc, err := d.Client.ContainerLogs(ctx, id, container.LogsOptions{ShowStdout: true, ShowStderr: true, Tail: strconv.Itoa(tail)})
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	var out bytes.Buffer
	// Interleaved as written: one buffer for both streams (multiplexed: PodGroup refuses tty).
	_, err = stdcopy.StdCopy(&out, &out, rc)
	return out.Bytes(), err
}

func (d *EngineDocker) Kill(ctx context.Context, id string) error {
	resC, errC := d.Client.ContainerWait(ctx, id, container.WaitConditionNotRunning)
	if err := d.Client.ContainerKill(ctx, id, "KILL"); err != nil && !errdefs.IsConflict(err) {
		return err // (a conflict: it is not running any more)
	}
	_, err := waitResult(resC, errC)
	return err
}

func (d *EngineDocker) Remove(ctx context.Context, id string) error {
	return d.Client.ContainerRemove(ctx, id, container.RemoveOptions{Force: true, RemoveVolumes: true})
}

func (d *EngineDocker) Ping(ctx context.Context) error {
	_, err := d.Client.Ping(ctx)
	return err
}

// Event is one Docker event of a supervised container.
type Event struct {
	Group, ID, Action string
	// Signal: the signal of a kill event ("15", "9"; Docker writes the number).
	Signal string
}

func (d *EngineDocker) Events(ctx context.Context) (<-chan Event, <-chan error) {
	f := filters.NewArgs(
		filters.Arg("type", string(events.ContainerEventType)),
		filters.Arg("label", SupervisedSelector),
		filters.Arg("event", string(events.ActionStart)),
		filters.Arg("event", string(events.ActionDie)),
		filters.Arg("event", string(events.ActionDestroy)),
		filters.Arg("event", string(events.ActionKill)),
	)
	msgs, errs := d.Client.Events(ctx, events.ListOptions{Filters: f})
	out := make(chan Event)
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case m := <-msgs:
				if g := m.Actor.Attributes[LabelGroup]; g != "" {
					select {
					case out <- Event{Group: g, ID: m.Actor.ID, Action: string(m.Action), Signal: m.Actor.Attributes["signal"]}:
					case <-ctx.Done():
						return
					}
				}
			}
		}
	}()
	return out, errs
}

func waitResult(resC <-chan container.WaitResponse, errC <-chan error) (int, error) {
	select {
	case r := <-resC:
		if r.Error != nil && r.Error.Message != "" {
			return int(r.StatusCode), fmt.Errorf("wait: %s", r.Error.Message)
		}
		return int(r.StatusCode), nil
	case err := <-errC:
		return -1, err
	}
}
