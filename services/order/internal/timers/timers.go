// Package timers schedules the order service's timers on the platform's job
// queue (river): a job inserted in the checkout transaction expires the order
// at the end of its payment window. The service registers the worker with
// service.Work.
package timers

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/jangteo/jangteo/platform/service"
)

// ExpireArgs is the job that ends an order's payment window.
type ExpireArgs struct {
	OrderID string `json:"order_id"`
}

// Kind implements river.JobArgs.
func (ExpireArgs) Kind() string { return "order.expire" }

// Timers implements app.Timers with river.
type Timers struct{ jobs *river.Client[pgx.Tx] }

// New returns the timers over the service's job client.
func New(jobs *river.Client[pgx.Tx]) *Timers { return &Timers{jobs: jobs} }

// ExpireAt schedules the expiry of orderID at at, in tx.
func (t *Timers) ExpireAt(ctx context.Context, tx pgx.Tx, orderID string, at time.Time) error {
	return service.ScheduleAt(ctx, t.jobs, tx, ExpireArgs{OrderID: orderID}, at)
}

// ExpireAll schedules the end of each order at its time, in tx, in one statement.
func (t *Timers) ExpireAll(ctx context.Context, tx pgx.Tx, ends []service.Deadline) error {
	return service.ScheduleAll(ctx, t.jobs, tx, ends)
}

// Expiry is the job that ends the order id at at, for ExpireAll.
func (*Timers) Expiry(id string, at time.Time) service.Deadline {
	return service.Deadline{Args: ExpireArgs{OrderID: id}, At: at}
}
