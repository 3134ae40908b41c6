package service

import (
	"runtime/debug"
	"sync"
	"time"
)

// settleAfter is how long after the last service of a process started
// running its start-up garbage (migrations, the validator's and the job
// client's set-up, the first consumers' and relay's rounds) is handed back to
// the operating system. Until a collection shrinks the heap the runtime keeps
// those pages, and an idle service collects only every two minutes.
const settleAfter = 5 * time.Second

// releaser runs release once, after the last of a burst of schedule calls:
// the services of one process (jangteo dev runs six) start one after another
// and share the heap, so one release after the last start serves them all.
type releaser struct {
	after   time.Duration
	release func()

	mu    sync.Mutex
	timer *time.Timer
}

func (r *releaser) schedule() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.timer == nil {
		r.timer = time.AfterFunc(r.after, r.release)
		return
	}
	r.timer.Reset(r.after)
}

// startupMemory returns the heap's free pages to the operating system (a
// forced collection, then a scavenge) settleAfter after the last service of
// the process started running.
var startupMemory = &releaser{after: settleAfter, release: debug.FreeOSMemory}
