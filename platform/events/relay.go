package events

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/zap"
)

// Relay publishes a service's outbox to JetStream.
type Relay struct {
	pool     *pgxpool.Pool
	js       jetstream.JetStream
	service  string
	log      *zap.Logger
	interval time.Duration
	batch    int
}

// NewRelay returns a relay for service's outbox in pool.
func NewRelay(pool *pgxpool.Pool, js jetstream.JetStream, service string, log *zap.Logger) *Relay {
	return &Relay{
		pool: pool, js: js, service: service, log: log.Named("relay"),
		interval: 100 * time.Millisecond, batch: 100,
	}
}

// Run publishes pending rows until ctx ends. Published rows are kept for
// OutboxRetention (see PurgeOutbox).
func (r *Relay) Run(ctx context.Context) error {
	if _, err := EnsureStream(ctx, r.js, r.service); err != nil {
		return err
	}
	tick := time.NewTicker(r.interval)
	defer tick.Stop()
	for {
		n, err := r.Flush(ctx)
		if err != nil && ctx.Err() == nil {
			r.log.Warn("outbox relay", zap.Error(err))
		}
		if n == r.batch {
			continue // more are waiting
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}

// Flush publishes one batch of pending rows and returns how many it published.
// Rows are locked with SKIP LOCKED so several replicas can relay side by side.
func (r *Relay) Flush(ctx context.Context) (int, error) {
	published := 0
	var pubErr error
	err := pgx.BeginFunc(ctx, r.pool, func(tx pgx.Tx) error {
		const q = `SELECT id, subject, type, payload, request_id FROM outbox
			WHERE published_at IS NULL ORDER BY created_at, id LIMIT $1 FOR UPDATE SKIP LOCKED`
		rows, err := tx.Query(ctx, q, r.batch)
		if err != nil {
			return err
		}
		type row struct {
			id                      uuid.UUID
			subject, typ, requestID string
			payload                 []byte
		}
		pending, err := pgx.CollectRows(rows, func(rw pgx.CollectableRow) (row, error) {
			var x row
			err := rw.Scan(&x.id, &x.subject, &x.typ, &x.payload, &x.requestID)
			return x, err
		})
		if err != nil {
			return err
		}
		var sent []uuid.UUID
		for _, p := range pending {
			msg := &nats.Msg{Subject: p.subject, Data: p.payload, Header: nats.Header{}}
			msg.Header.Set(HeaderMsgID, p.id.String())
			msg.Header.Set(HeaderType, p.typ)
			if p.requestID != "" {
				msg.Header.Set(HeaderRequestID, p.requestID)
			}
			if _, pubErr = r.js.PublishMsg(ctx, msg); pubErr != nil {
				pubErr = fmt.Errorf("publish %s %s: %w", p.subject, p.id, pubErr)
				break // keep order: later rows wait for this one
			}
			sent = append(sent, p.id)
		}
		if len(sent) > 0 {
			if _, err := tx.Exec(ctx, `UPDATE outbox SET published_at = now() WHERE id = ANY($1)`, sent); err != nil {
				return err
			}
		}
		published = len(sent)
		return nil // commit what was sent even when a later publish failed
	})
	if err == nil {
		err = pubErr
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		return published, fmt.Errorf("events: relay %s: %w", r.service, err)
	}
	return published, err
}
