package app

import (
	"context"
	"time"

	"github.com/riverqueue/river"
)

// ExpireReservationArgs is the job ReserveStock schedules at a reservation's
// expiry, in the transaction that creates it: the reservation's timer.
type ExpireReservationArgs struct {
	OrderID string `json:"order_id"`
}

// Kind names the job.
func (ExpireReservationArgs) Kind() string { return "catalog_expire_reservation" }

// ExpireReservationWorker releases a reservation whose time is up. Running it
// again changes nothing; a job that fires early (clocks differ) waits out the
// rest.
type ExpireReservationWorker struct {
	river.WorkerDefaults[ExpireReservationArgs]
	App *App
}

// Work runs the job.
func (w ExpireReservationWorker) Work(ctx context.Context, j *river.Job[ExpireReservationArgs]) error {
	left, err := w.App.ExpireReservation(ctx, j.Args.OrderID)
	if err != nil {
		return err
	}
	if left > 0 {
		return river.JobSnooze(left)
	}
	return nil
}

// SweepReservationsArgs is the periodic job that releases whatever expired
// reservation has no timer left (a reservation made before timers existed,
// or a job discarded after its retries).
type SweepReservationsArgs struct{}

// Kind names the job.
func (SweepReservationsArgs) Kind() string { return "catalog_sweep_reservations" }

// SweepReservationsWorker runs ReleaseExpired.
type SweepReservationsWorker struct {
	river.WorkerDefaults[SweepReservationsArgs]
	App *App
}

// Work runs the job.
func (w SweepReservationsWorker) Work(ctx context.Context, _ *river.Job[SweepReservationsArgs]) error {
	_, err := w.App.ReleaseExpired(ctx)
	return err
}

// Timeout bounds one sweep.
func (SweepReservationsWorker) Timeout(*river.Job[SweepReservationsArgs]) time.Duration {
	return 5 * time.Minute
}
