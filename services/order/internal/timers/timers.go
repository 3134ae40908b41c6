// Package timers schedules and works the order service's timers on the
// platform's job queue (river): a job inserted in the checkout transaction
// expires the order at the end of its payment window.
package timers

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
)

// ExpireArgs is the job that ends an order's payment window.
type ExpireArgs struct {
	OrderID string `json:"order_id"`
}

// Kind implements river.JobArgs.
func (ExpireArgs) Kind() string { return "order.expire" }

// Timers implements app.Timers with river.
type Timers struct {
	jobs *river.Client[pgx.Tx]
}

// New returns the timers over the service's job client.
func New(jobs *river.Client[pgx.Tx]) *Timers { return &Timers{jobs: jobs} }

// ExpireAt schedules the expiry of orderID at at, in tx.
func (t *Timers) ExpireAt(ctx context.Context, tx pgx.Tx, orderID string, at time.Time) error {
	if _, err := t.jobs.InsertTx(ctx, tx, ExpireArgs{OrderID: orderID}, &river.InsertOpts{ScheduledAt: at}); err != nil {
		return fmt.Errorf("schedule expiry of %s: %w", orderID, err)
	}
	return nil
}

// Expirer is what the worker runs.
type Expirer interface {
	Expire(ctx context.Context, orderID string) (bool, error)
}

// ExpireWorker cancels an order still unpaid when its window ends. Running
// it twice is harmless: the order's row decides.
type ExpireWorker struct {
	river.WorkerDefaults[ExpireArgs]
	App Expirer
}

// Work implements river.Worker.
func (w *ExpireWorker) Work(ctx context.Context, job *river.Job[ExpireArgs]) error {
	_, err := w.App.Expire(ctx, job.Args.OrderID)
	return err
}
