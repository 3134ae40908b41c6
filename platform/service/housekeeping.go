package service

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"

	"github.com/jangteo/jangteo/platform/events"
)

// housekeeping registers the platform's own periodic jobs on every service.
func (rt *Runtime) housekeeping() {
	AddWorker(rt, purgeOutboxWorker{pool: rt.Pool})
	rt.Periodic(time.Hour, purgeOutboxArgs{})
}

// purgeOutboxArgs is the hourly job that deletes outbox rows published more
// than events.OutboxRetention ago.
type purgeOutboxArgs struct{}

func (purgeOutboxArgs) Kind() string { return "platform_purge_outbox" }

type purgeOutboxWorker struct {
	river.WorkerDefaults[purgeOutboxArgs]
	pool *pgxpool.Pool
}

func (w purgeOutboxWorker) Work(ctx context.Context, _ *river.Job[purgeOutboxArgs]) error {
	_, err := events.PurgeOutbox(ctx, w.pool, time.Now().Add(-events.OutboxRetention))
	return err
}
