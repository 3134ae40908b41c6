package service

import (
	"sync"
	"testing"
	"time"
)

// Services starting one after another get one release, after the last start.
func TestReleaserRunsOnceAfterTheLastStart(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var released []time.Time
	r := &releaser{after: 100 * time.Millisecond, release: func() {
		mu.Lock()
		defer mu.Unlock()
		released = append(released, time.Now())
	}}
	var last time.Time
	for range 3 {
		last = time.Now()
		r.schedule()
		time.Sleep(30 * time.Millisecond)
	}
	time.Sleep(time.Second)
	mu.Lock()
	defer mu.Unlock()
	if len(released) != 1 {
		t.Fatalf("released %d times, want once", len(released))
	}
	if wait := released[0].Sub(last); wait < r.after {
		t.Fatalf("released %v after the last start, want at least %v", wait, r.after)
	}
}
