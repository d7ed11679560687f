package supervise

import (
	"context"
	"time"
)

// Limiter bounds how many sandbox (pause) starts run at once across every group: when a daemon
// restart or a mass kill leaves every group without its sandbox, the supervisor does not flood
// the engine with one start per group at once. (dockerd sets up sandboxes' network namespaces one
// after the other anyway, so the bound does not change how long the whole recovery takes.) A nil
// Limiter does not bound.
type Limiter struct{ slots chan struct{} }

// NewLimiter allows n starts at once; n <= 0 means no bound.
func NewLimiter(n int) *Limiter {
	if n <= 0 {
		return nil
	}
	return &Limiter{slots: make(chan struct{}, n)}
}

// Acquire waits for a slot (or the end of ctx) and says how long it waited; release it with Release.
func (l *Limiter) Acquire(ctx context.Context) (time.Duration, error) {
	if l == nil {
		return 0, nil
	}
	t0 := time.Now()
	select {
	case l.slots <- struct{}{}:
		return time.Since(t0), nil
	case <-ctx.Done():
		return time.Since(t0), ctx.Err()
	}
}

// Release gives back a slot taken by Acquire.
func (l *Limiter) Release() {
	if l != nil {
		<-l.slots
	}
}
