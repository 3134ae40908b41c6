package service

import (
	"context"
	"time"

	"github.com/riverqueue/river"

	"github.com/jangteo/jangteo/platform/events"
	"github.com/jangteo/jangteo/platform/idempotency"
	"github.com/jangteo/jangteo/platform/postgres"
)

// purgeKeysEvery is how often expired idempotency keys and old outbox rows are deleted.
const purgeKeysEvery = time.Hour

// PurgeIdempotencyKeys is the periodic job that deletes expired idempotency
// keys of the service (one replica at a time).
type PurgeIdempotencyKeys struct{}

// Kind implements river.JobArgs.
func (PurgeIdempotencyKeys) Kind() string { return "platform.purge_idempotency_keys" }

type purgeKeysWorker struct {
	river.WorkerDefaults[PurgeIdempotencyKeys]
	keys *idempotency.Keys
}

func (w purgeKeysWorker) Work(ctx context.Context, _ *river.Job[PurgeIdempotencyKeys]) error {
	_, err := w.keys.Purge(ctx)
	return err
}

// PurgeOutbox is the periodic job that deletes events published more than
// events.KeepPublished ago (one replica at a time).
type PurgeOutbox struct{}

// Kind implements river.JobArgs.
func (PurgeOutbox) Kind() string { return "platform.purge_outbox" }

type purgeOutboxWorker struct {
	river.WorkerDefaults[PurgeOutbox]
	db postgres.DB
}

func (w purgeOutboxWorker) Work(ctx context.Context, _ *river.Job[PurgeOutbox]) error {
	_, err := events.PurgePublished(ctx, w.db)
	return err
}

// housekeeping registers the platform's own periodic jobs.
func (rt *Runtime) housekeeping() {
	AddWorker(rt, purgeKeysWorker{keys: rt.Keys})
	rt.Periodic(purgeKeysEvery, PurgeIdempotencyKeys{})
	AddWorker(rt, purgeOutboxWorker{db: rt.Pool})
	rt.Periodic(purgeKeysEvery, PurgeOutbox{})
}
