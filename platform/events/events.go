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
	"embed"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
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

// Migrations create the outbox and inbox in a service's schema: the set
// "events", applied by service.Start beside the service's own migrations. A
// change to these tables is a new numbered file in platform/events/migrations.
var Migrations = postgres.MigrationSet{Name: "events", FS: migrationFiles, Dir: "migrations"}

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Setup applies Migrations to the pool's schema (tests that use the outbox
// without a whole service).
func Setup(ctx context.Context, pool *pgxpool.Pool) error {
	return postgres.Migrate(ctx, pool, Migrations)
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
