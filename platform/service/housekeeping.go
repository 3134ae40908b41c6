package service

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"

	"github.com/jangteo/jangteo/platform/events"
	"github.com/jangteo/jangteo/platform/idempotency"
)

// How often the platform's own periodic jobs run.
const (
	purgeKeysEvery   = time.Hour
	purgeOutboxEvery = time.Hour
)

// housekeeping registers the platform's own periodic jobs on every service.
func (rt *Runtime) housekeeping() {
	AddWorker(rt, purgeKeysWorker{keys: rt.Keys})
	rt.Periodic(purgeKeysEvery, PurgeIdempotencyKeys{})
	AddWorker(rt, purgeOutboxWorker{pool: rt.Pool})
	rt.Periodic(purgeOutboxEvery, PurgeOutbox{})
}

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

// PurgeOutbox is the periodic job that deletes outbox rows published more
// than events.OutboxRetention ago (one replica at a time).
type PurgeOutbox struct{}

// Kind implements river.JobArgs.
func (PurgeOutbox) Kind() string { return "platform.purge_outbox" }

type purgeOutboxWorker struct {
	river.WorkerDefaults[PurgeOutbox]
	pool *pgxpool.Pool
}

func (w purgeOutboxWorker) Work(ctx context.Context, _ *river.Job[PurgeOutbox]) error {
	_, err := events.PurgeOutbox(ctx, w.pool, time.Now().Add(-events.OutboxRetention))
	return err
}
