// Package timers ends asks and bids at their expiry time: a river job
// inserted in the placing transaction, worked once across replicas.
package timers

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
)

// ExpireArgs is the job that ends an offer's life in the book.
type ExpireArgs struct {
	OfferID string `json:"offer_id"`
}

// Kind implements river.JobArgs.
func (ExpireArgs) Kind() string { return "market.expire" }

// Timers implements the market app's Timers with river.
type Timers struct{ jobs *river.Client[pgx.Tx] }

// New returns the timers over the service's job client.
func New(jobs *river.Client[pgx.Tx]) *Timers { return &Timers{jobs: jobs} }

// ExpireAt schedules the end of offerID at at, in tx.
func (t *Timers) ExpireAt(ctx context.Context, tx pgx.Tx, offerID string, at time.Time) error {
	if _, err := t.jobs.InsertTx(ctx, tx, ExpireArgs{OfferID: offerID}, &river.InsertOpts{ScheduledAt: at}); err != nil {
		return fmt.Errorf("schedule expiry of offer %s: %w", offerID, err)
	}
	return nil
}

// Expirer is what the worker runs.
type Expirer interface {
	Expire(ctx context.Context, offerID string) error
}

// ExpireWorker ends an offer still open at its expiry time; an offer that
// traded or was cancelled meanwhile is left alone, so running twice is harmless.
type ExpireWorker struct {
	river.WorkerDefaults[ExpireArgs]
	App Expirer
}

// Work implements river.Worker.
func (w *ExpireWorker) Work(ctx context.Context, job *river.Job[ExpireArgs]) error {
	return w.App.Expire(ctx, job.Args.OfferID)
}
