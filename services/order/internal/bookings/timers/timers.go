// Package timers runs space rental's timers on the platform's job queue
// (river): a job inserted in the booking's transaction ends an unpaid hold
// at hold_until, and one inserted on confirmation completes the booking
// when its slot ends.
package timers

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
)

// ExpireArgs is the job that ends a booking's hold.
type ExpireArgs struct {
	BookingID string `json:"booking_id"`
}

// Kind implements river.JobArgs.
func (ExpireArgs) Kind() string { return "booking.expire" }

// Timers implements app.Timers with river.
type Timers struct {
	jobs *river.Client[pgx.Tx]
}

// New returns the timers over the service's job client.
func New(jobs *river.Client[pgx.Tx]) *Timers { return &Timers{jobs: jobs} }

// ExpireAt schedules the end of bookingID's hold at at, in tx.
func (t *Timers) ExpireAt(ctx context.Context, tx pgx.Tx, bookingID string, at time.Time) error {
	if _, err := t.jobs.InsertTx(ctx, tx, ExpireArgs{BookingID: bookingID}, &river.InsertOpts{ScheduledAt: at}); err != nil {
		return fmt.Errorf("schedule expiry of booking %s: %w", bookingID, err)
	}
	return nil
}

// Expirer is what the worker runs.
type Expirer interface {
	Expire(ctx context.Context, bookingID string) (bool, error)
}

// ExpireWorker expires a booking still unpaid at the end of its hold.
// Running it twice is harmless: the booking's row decides.
type ExpireWorker struct {
	river.WorkerDefaults[ExpireArgs]
	App Expirer
}

// Work implements river.Worker.
func (w *ExpireWorker) Work(ctx context.Context, job *river.Job[ExpireArgs]) error {
	_, err := w.App.Expire(ctx, job.Args.BookingID)
	return err
}

// CompleteArgs is the job that closes a confirmed booking after its slot.
type CompleteArgs struct {
	BookingID string `json:"booking_id"`
}

// Kind implements river.JobArgs.
func (CompleteArgs) Kind() string { return "booking.complete" }

// CompleteAt schedules the completion of bookingID at at, in tx.
func (t *Timers) CompleteAt(ctx context.Context, tx pgx.Tx, bookingID string, at time.Time) error {
	if _, err := t.jobs.InsertTx(ctx, tx, CompleteArgs{BookingID: bookingID}, &river.InsertOpts{ScheduledAt: at}); err != nil {
		return fmt.Errorf("schedule completion of booking %s: %w", bookingID, err)
	}
	return nil
}

// Completer is what the completion worker runs.
type Completer interface {
	Complete(ctx context.Context, bookingID string) (bool, error)
}

// CompleteWorker closes a booking whose slot has ended; a booking
// cancelled meanwhile is left alone.
type CompleteWorker struct {
	river.WorkerDefaults[CompleteArgs]
	App Completer
}

// Work implements river.Worker.
func (w *CompleteWorker) Work(ctx context.Context, job *river.Job[CompleteArgs]) error {
	_, err := w.App.Complete(ctx, job.Args.BookingID)
	return err
}
