// Package timers runs space rental's timers on the platform's job queue
// (river): a job inserted in the booking's transaction ends an unpaid hold
// at hold_until, and one inserted on confirmation completes the booking
// when its slot ends. The service registers their workers with service.Work.
package timers

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/jangteo/jangteo/platform/service"
)

// ExpireArgs is the job that ends a booking's hold.
type ExpireArgs struct {
	BookingID string `json:"booking_id"`
}

// Kind implements river.JobArgs.
func (ExpireArgs) Kind() string { return "booking.expire" }

// CompleteArgs is the job that closes a confirmed booking after its slot.
type CompleteArgs struct {
	BookingID string `json:"booking_id"`
}

// Kind implements river.JobArgs.
func (CompleteArgs) Kind() string { return "booking.complete" }

// Timers implements app.Timers with river.
type Timers struct{ jobs *river.Client[pgx.Tx] }

// New returns the timers over the service's job client.
func New(jobs *river.Client[pgx.Tx]) *Timers { return &Timers{jobs: jobs} }

// ExpireAt schedules the end of bookingID's hold at at, in tx.
func (t *Timers) ExpireAt(ctx context.Context, tx pgx.Tx, bookingID string, at time.Time) error {
	return service.ScheduleAt(ctx, t.jobs, tx, ExpireArgs{BookingID: bookingID}, at)
}

// CompleteAt schedules the completion of bookingID at at, in tx.
func (t *Timers) CompleteAt(ctx context.Context, tx pgx.Tx, bookingID string, at time.Time) error {
	return service.ScheduleAt(ctx, t.jobs, tx, CompleteArgs{BookingID: bookingID}, at)
}
