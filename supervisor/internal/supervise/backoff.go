package supervise

import (
	"sync"
	"time"
)

// Backoff is kubelet's crash-loop back-off (k8s.io/client-go/util/flowcontrol.Backoff as kubelet
// uses it): the first restart of a container is immediate; each later restart waits, counted from
// the container's exit, base, then twice as long each time, up to max; an entry not updated for
// `reset` (kubelet: 2 x max = 10 min) starts again from zero.
type Backoff struct {
	mu      sync.Mutex
	base    time.Duration
	max     time.Duration
	reset   time.Duration
	now     func() time.Time
	entries map[string]*BackoffEntry
}

// BackoffEntry is the state of one key, exported so that the status file can persist it.
type BackoffEntry struct {
	Delay      time.Duration
	LastUpdate time.Time
}

// NewBackoff makes a back-off; now may be nil (time.Now).
func NewBackoff(base, max, reset time.Duration, now func() time.Time) *Backoff {
	if now == nil {
		now = time.Now
	}
	return &Backoff{base: base, max: max, reset: reset, now: now, entries: map[string]*BackoffEntry{}}
}

func (b *Backoff) expired(e *BackoffEntry, t time.Time) bool { return t.Sub(e.LastUpdate) > b.reset }

// Remaining is how long a restart of key, whose container exited at exitedAt, must still wait.
func (b *Backoff) Remaining(key string, exitedAt time.Time) time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	e, ok := b.entries[key]
	now := b.now()
	if !ok || b.expired(e, now) {
		return 0
	}
	if rem := e.Delay - now.Sub(exitedAt); rem > 0 {
		return rem
	}
	return 0
}

// Next records a restart of key now: the next restart waits longer.
func (b *Backoff) Next(key string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.now()
	e, ok := b.entries[key]
	if !ok || b.expired(e, now) {
		e = &BackoffEntry{Delay: b.base}
		b.entries[key] = e
	} else {
		e.Delay *= 2
		if e.Delay > b.max {
			e.Delay = b.max
		}
	}
	e.LastUpdate = now
}

// Get returns a copy of key's entry.
func (b *Backoff) Get(key string) (BackoffEntry, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	e, ok := b.entries[key]
	if !ok {
		return BackoffEntry{}, false
	}
	return *e, true
}

// Set restores key's entry (from the status file) unless one is already known.
func (b *Backoff) Set(key string, e BackoffEntry) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.entries[key]; !ok && e.Delay > 0 {
		c := e
		b.entries[key] = &c
	}
}

// BackoffKey is the back-off key of a container: a container replaced by its deployer (new id)
// starts with no back-off.
func BackoffKey(group string, c Container) string { return group + "/" + c.Name + "@" + c.ID }
