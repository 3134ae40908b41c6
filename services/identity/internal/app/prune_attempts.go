package app

import (
	"context"

	"github.com/riverqueue/river"
)

// PruneAttemptsArgs is the periodic job that forgets throttling rows no
// window still needs.
type PruneAttemptsArgs struct{}

// Kind names the job.
func (PruneAttemptsArgs) Kind() string { return "identity_prune_attempts" }

// PruneAttemptsWorker runs PruneAttempts.
type PruneAttemptsWorker struct {
	river.WorkerDefaults[PruneAttemptsArgs]
	App *App
}

// Work runs the job.
func (w PruneAttemptsWorker) Work(ctx context.Context, _ *river.Job[PruneAttemptsArgs]) error {
	_, err := w.App.PruneAttempts(ctx)
	return err
}
