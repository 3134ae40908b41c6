// Package timers ends asks and bids at their expiry time: a river job
// inserted in the placing transaction, worked once across replicas. The
// service registers its worker with service.Work.
package timers

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/jangteo/jangteo/platform/service"
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
	return service.ScheduleAt(ctx, t.jobs, tx, ExpireArgs{OfferID: offerID}, at)
}

// ExpireAll schedules the end of each offer at its time, in tx, in one statement.
func (t *Timers) ExpireAll(ctx context.Context, tx pgx.Tx, ends []service.Deadline) error {
	return service.ScheduleAll(ctx, t.jobs, tx, ends)
}

// Expiry is the job that ends the offer id at at, for ExpireAll.
func (*Timers) Expiry(id string, at time.Time) service.Deadline {
	return service.Deadline{Args: ExpireArgs{OfferID: id}, At: at}
}
