package supervise

import (
	"testing"
	"time"
)

type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }

func TestBackoffFollowsKubelet(t *testing.T) {
	clk := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	b := NewBackoff(10*time.Second, 5*time.Minute, 10*time.Minute, clk.now)
	key := "g/web@1"

	// First exit: restart at once.
	if rem := b.Remaining(key, clk.t); rem != 0 {
		t.Fatalf("first restart waits %v, want 0", rem)
	}
	b.Next(key)
	// Each later exit waits base, then twice as long, counted from the exit, up to max.
	want := []time.Duration{10, 20, 40, 80, 160, 300, 300}
	for i, w := range want {
		clk.advance(time.Second) // runs 1 s, exits
		exited := clk.t
		if rem := b.Remaining(key, exited); rem != w*time.Second {
			t.Fatalf("restart %d: waits %v, want %v", i+2, rem, w*time.Second)
		}
		clk.advance(w*time.Second - time.Second)
		if rem := b.Remaining(key, exited); rem != time.Second {
			t.Fatalf("restart %d: 1 s before expiry waits %v", i+2, rem)
		}
		clk.advance(time.Second)
		if rem := b.Remaining(key, exited); rem != 0 {
			t.Fatalf("restart %d: still waits %v after the back-off", i+2, rem)
		}
		b.Next(key)
	}
}

func TestBackoffResetsAfterQuietPeriod(t *testing.T) {
	clk := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	b := NewBackoff(10*time.Second, 5*time.Minute, 10*time.Minute, clk.now)
	key := "g/web@1"
	b.Next(key)
	b.Next(key)
	b.Next(key) // 40 s
	clk.advance(10*time.Minute + time.Second)
	if rem := b.Remaining(key, clk.t); rem != 0 {
		t.Fatalf("after 10 min running the restart waits %v, want 0", rem)
	}
	b.Next(key)
	if e, _ := b.Get(key); e.Delay != 10*time.Second {
		t.Fatalf("after reset the next back-off is %v, want 10s", e.Delay)
	}
}

func TestBackoffZeroBaseDisablesIt(t *testing.T) {
	clk := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	b := NewBackoff(0, 5*time.Minute, 10*time.Minute, clk.now)
	for i := 0; i < 5; i++ {
		b.Next("k")
		if rem := b.Remaining("k", clk.t); rem != 0 {
			t.Fatalf("base 0: waits %v", rem)
		}
	}
}

func TestBackoffSetRestoresOnlyUnknownKeys(t *testing.T) {
	clk := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	b := NewBackoff(10*time.Second, 5*time.Minute, 10*time.Minute, clk.now)
	b.Set("k", BackoffEntry{Delay: 40 * time.Second, LastUpdate: clk.t})
	if rem := b.Remaining("k", clk.t); rem != 40*time.Second {
		t.Fatalf("restored entry waits %v, want 40s", rem)
	}
	b.Set("k", BackoffEntry{Delay: 80 * time.Second, LastUpdate: clk.t})
	if e, _ := b.Get("k"); e.Delay != 40*time.Second {
		t.Fatalf("Set overwrote a known entry: %v", e.Delay)
	}
}
