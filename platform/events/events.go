// Package events moves domain events from a service's database to NATS
// JetStream and into other services, with each effect applied exactly once
// and the events of one aggregate applied in order.
//
// A service writes its state change and an outbox row in one transaction
// (Enqueue). The row carries the trace context, correlation and causation ids
// and, for events about one entity, its aggregate id and a per-aggregate
// sequence. The Relay publishes outbox rows to the service's stream with
// Nats-Msg-Id set to the event id, so JetStream drops a row published twice.
// Consumers are durable with explicit acks; Consume records every event id in
// an inbox table in the same transaction as the handler's effect, so a
// redelivered event changes nothing, and holds back an event whose
// predecessor (for the same aggregate, among the subjects it consumes) is not
// applied yet. Transient failures retry with backoff for as long as they last;
// a poison message goes to the dead-letter stream.
package events

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/jangteo/jangteo/platform/postgres"
)

// Headers set on every published event.
const (
	HeaderMsgID = "Nats-Msg-Id" // the event id; JetStream dedupes on it
	// HeaderEventID is the event id too; a replayed dead letter keeps it
	// while its Nats-Msg-Id changes.
	HeaderEventID = "Jangteo-Event-Id"
	HeaderType    = "Jangteo-Type"
	// HeaderRequestID carries the request id of the call that caused the event.
	HeaderRequestID = "Jangteo-Request-Id"
	// HeaderCorrelationID is the id shared by every event of one saga: the
	// request id of the call that started it.
	HeaderCorrelationID = "Jangteo-Correlation-Id"
	// HeaderCausationID is the id of what directly caused this event: the
	// request id, or the id of the event whose handler enqueued it.
	HeaderCausationID = "Jangteo-Causation-Id"
	// HeaderAggregateID names the entity the event is about.
	HeaderAggregateID = "Jangteo-Aggregate-Id"
	// HeaderAggregateSeq is the event's position among its aggregate's events (1, 2, …).
	HeaderAggregateSeq = "Jangteo-Aggregate-Seq"
	// HeaderAggregatePrev maps each subject to the sequence of the
	// aggregate's latest earlier event on it (JSON), so a consumer knows which
	// earlier event it must apply first.
	HeaderAggregatePrev = "Jangteo-Aggregate-Prev"
	// HeaderEnqueued is when the event was written to the outbox (RFC 3339).
	HeaderEnqueued = "Jangteo-Enqueued"
	// HeaderReplayFor marks a replayed dead letter: only that consumer applies it.
	HeaderReplayFor = "Jangteo-Replay-For"
	// Traceparent and tracestate are the W3C trace context, as in HTTP.
	HeaderTraceparent = "traceparent"
	HeaderTracestate  = "tracestate"
)

// DeadLetterStream holds poison messages, on subjects deadletter.<consumer>.
const DeadLetterStream = "DEADLETTER"

// Partitions is how many parts the relay splits an outbox into: events of one
// aggregate fall in one partition, and each partition has one relay owner.
const Partitions = 16

// tablesSQL creates the outbox, inbox and their bookkeeping in a service's
// schema. It is idempotent so every service runs it at start after its
// migrations; columns added later come as ADD COLUMN IF NOT EXISTS.
const tablesSQL = `
CREATE TABLE IF NOT EXISTS outbox (
	id           uuid PRIMARY KEY,
	subject      text NOT NULL,
	type         text NOT NULL,
	payload      bytea NOT NULL,
	request_id   text NOT NULL DEFAULT '',
	created_at   timestamptz NOT NULL DEFAULT now(),
	published_at timestamptz
);
ALTER TABLE outbox
	ADD COLUMN IF NOT EXISTS position       bigint GENERATED ALWAYS AS IDENTITY,
	ADD COLUMN IF NOT EXISTS partition      smallint NOT NULL DEFAULT 0,
	ADD COLUMN IF NOT EXISTS aggregate_id   text NOT NULL DEFAULT '',
	ADD COLUMN IF NOT EXISTS aggregate_seq  bigint NOT NULL DEFAULT 0,
	ADD COLUMN IF NOT EXISTS aggregate_prev jsonb NOT NULL DEFAULT '{}',
	ADD COLUMN IF NOT EXISTS traceparent    text NOT NULL DEFAULT '',
	ADD COLUMN IF NOT EXISTS tracestate     text NOT NULL DEFAULT '',
	ADD COLUMN IF NOT EXISTS correlation_id text NOT NULL DEFAULT '',
	ADD COLUMN IF NOT EXISTS causation_id   text NOT NULL DEFAULT '';
DROP INDEX IF EXISTS outbox_pending;
CREATE INDEX IF NOT EXISTS outbox_unsent ON outbox (position) WHERE published_at IS NULL;

-- The last sequence of each aggregate and, per subject, of its latest event.
CREATE TABLE IF NOT EXISTS outbox_aggregates (
	aggregate_id    text PRIMARY KEY,
	seq             bigint NOT NULL,
	subjects        jsonb NOT NULL,
	subjects_before jsonb NOT NULL
);
-- Which relay replica publishes which partition, on a renewed lease.
CREATE TABLE IF NOT EXISTS outbox_partitions (
	partition   smallint PRIMARY KEY,
	owner       text NOT NULL DEFAULT '',
	lease_until timestamptz NOT NULL DEFAULT '-infinity'
);
INSERT INTO outbox_partitions (partition) SELECT generate_series(0, 15) ON CONFLICT DO NOTHING;
CREATE TABLE IF NOT EXISTS outbox_relays (
	relay   text PRIMARY KEY,
	seen_at timestamptz NOT NULL
);
-- A committed insert wakes the relays (LISTEN outbox_<schema>).
CREATE OR REPLACE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('outbox_' || current_schema(), '');
	RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER outbox_notify AFTER INSERT ON outbox
	FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify();

CREATE TABLE IF NOT EXISTS inbox (
	consumer     text NOT NULL,
	event_id     text NOT NULL,
	processed_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (consumer, event_id)
);
-- The last applied sequence of each aggregate, per consumer.
CREATE TABLE IF NOT EXISTS inbox_aggregates (
	consumer     text NOT NULL,
	aggregate_id text NOT NULL,
	seq          bigint NOT NULL,
	PRIMARY KEY (consumer, aggregate_id)
);
-- Failed attempts of events whose handler failed for a reason that is not
-- transient; at MaxAttempts the event is dead-lettered.
CREATE TABLE IF NOT EXISTS inbox_failures (
	consumer   text NOT NULL,
	event_id   text NOT NULL,
	attempts   int NOT NULL,
	last_error text NOT NULL,
	PRIMARY KEY (consumer, event_id)
);`

// Setup creates the outbox and inbox tables in the pool's schema. Replicas
// starting together take turns.
func Setup(ctx context.Context, db postgres.DB) error {
	b, ok := db.(interface {
		Begin(context.Context) (pgx.Tx, error)
	})
	if !ok {
		return fmt.Errorf("events: setup: %T cannot begin a transaction", db)
	}
	err := pgx.BeginFunc(ctx, b, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.jangteo_events_setup'))`); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, tablesSQL)
		return err
	})
	if err != nil {
		return fmt.Errorf("events: setup tables: %w", err)
	}
	return nil
}

// StreamName is the stream a service publishes to: one per service, holding
// the subjects "<service>.>".
func StreamName(service string) string { return strings.ToUpper(service) }

// EnsureStream returns the stream of service, creating it with one replica
// when it is missing. Publishers and consumers both ensure it, so either may
// start first.
func EnsureStream(ctx context.Context, js jetstream.JetStream, service string) (jetstream.Stream, error) {
	return EnsureStreamReplicas(ctx, js, service, 0)
}

// EnsureStreamReplicas creates or updates the stream of service to keep
// replicas copies (EVENTS_STREAM_REPLICAS: 1 in development, 3 in a
// cluster); 0 leaves an existing stream's count alone.
func EnsureStreamReplicas(ctx context.Context, js jetstream.JetStream, service string, replicas int) (jetstream.Stream, error) {
	if replicas == 0 {
		if s, err := js.Stream(ctx, StreamName(service)); err == nil {
			return s, nil
		}
	}
	return ensure(ctx, js, jetstream.StreamConfig{
		Name:       StreamName(service),
		Subjects:   []string{service + ".>"},
		Storage:    jetstream.FileStorage,
		Retention:  jetstream.LimitsPolicy,
		MaxAge:     7 * 24 * time.Hour,
		Duplicates: 10 * time.Minute,
		Replicas:   max(replicas, 1),
	})
}

func ensureDeadLetter(ctx context.Context, js jetstream.JetStream, replicas int) (jetstream.Stream, error) {
	if replicas == 0 {
		if s, err := js.Stream(ctx, DeadLetterStream); err == nil {
			return s, nil
		}
	}
	return ensure(ctx, js, jetstream.StreamConfig{
		Name:     DeadLetterStream,
		Subjects: []string{"deadletter.>"},
		Storage:  jetstream.FileStorage,
		MaxAge:   30 * 24 * time.Hour,
		Replicas: max(replicas, 1),
	})
}

func ensure(ctx context.Context, js jetstream.JetStream, cfg jetstream.StreamConfig) (jetstream.Stream, error) {
	s, err := js.CreateOrUpdateStream(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("events: stream %s: %w", cfg.Name, err)
	}
	return s, nil
}
