package supervise

import (
	"context"
	"fmt"
	"sync"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/events"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/client"
	"github.com/docker/docker/errdefs"
)

// Docker is the little the supervisor asks of the Docker engine (an interface, so that
// reconcile logic can be tested without one).
type Docker interface {
	// GroupContainers lists every supervised container, or only those of one group when group != "".
	GroupContainers(ctx context.Context, group string) ([]Container, error)
	Start(ctx context.Context, id string) error
	Stop(ctx context.Context, id string) error
	// Kill sends SIGKILL and waits until Docker sees the container stopped.
	Kill(ctx context.Context, id string) error
	// StartAndWait starts a container and waits for that run to end; returns its exit code.
	StartAndWait(ctx context.Context, id string) (int, error)
	// Wait waits until a running container stops; returns its exit code.
	Wait(ctx context.Context, id string) (int, error)
	// Ping checks that the engine answers.
	Ping(ctx context.Context) error
	// Events streams the start, die and destroy events of supervised containers as the names of
	// their groups, until ctx ends or the stream breaks (then an error arrives).
	Events(ctx context.Context) (<-chan string, <-chan error)
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

func (d *EngineDocker) Start(ctx context.Context, id string) error {
	return d.Client.ContainerStart(ctx, id, container.StartOptions{})
}

// Stop sends SIGTERM, then SIGKILL after the container's own stop timeout (the group's
// terminationGracePeriodSeconds, set by the renderer).
func (d *EngineDocker) Stop(ctx context.Context, id string) error {
	return d.Client.ContainerStop(ctx, id, container.StopOptions{})
}

func (d *EngineDocker) Kill(ctx context.Context, id string) error {
	resC, errC := d.Client.ContainerWait(ctx, id, container.WaitConditionNotRunning)
	if err := d.Client.ContainerKill(ctx, id, "KILL"); err != nil && !errdefs.IsConflict(err) {
		return err // (a conflict: it is not running any more)
	}
	_, err := waitResult(resC, errC)
	return err
}

func (d *EngineDocker) StartAndWait(ctx context.Context, id string) (int, error) {
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// Registered before the start, so that a fast exit is not missed (as `docker run` does).
	resC, errC := d.Client.ContainerWait(wctx, id, container.WaitConditionNextExit)
	if err := d.Client.ContainerStart(ctx, id, container.StartOptions{}); err != nil {
		return -1, err
	}
	return waitResult(resC, errC)
}

func (d *EngineDocker) Wait(ctx context.Context, id string) (int, error) {
	resC, errC := d.Client.ContainerWait(ctx, id, container.WaitConditionNotRunning)
	return waitResult(resC, errC)
}

func (d *EngineDocker) Ping(ctx context.Context) error {
	_, err := d.Client.Ping(ctx)
	return err
}

func (d *EngineDocker) Events(ctx context.Context) (<-chan string, <-chan error) {
	f := filters.NewArgs(
		filters.Arg("type", string(events.ContainerEventType)),
		filters.Arg("label", SupervisedSelector),
		filters.Arg("event", string(events.ActionStart)),
		filters.Arg("event", string(events.ActionDie)),
		filters.Arg("event", string(events.ActionDestroy)),
	)
	msgs, errs := d.Client.Events(ctx, events.ListOptions{Filters: f})
	groups := make(chan string)
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case m := <-msgs:
				if g := m.Actor.Attributes[LabelGroup]; g != "" {
					select {
					case groups <- g:
					case <-ctx.Done():
						return
					}
				}
			}
		}
	}()
	return groups, errs
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
