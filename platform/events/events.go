// Package events moves domain events from a service's database to NATS
// JetStream and into other services, with each effect applied exactly once.
//
// A service writes its state change and an outbox row in one transaction
// (Enqueue). The Relay publishes outbox rows to the service's stream with
// Nats-Msg-Id set to the event id, so JetStream drops a row published twice.
// Consumers are durable with explicit acks; Consume records every event id in
// an inbox table in the same transaction as the handler's effect, so a
// redelivered event changes nothing. A message that keeps failing goes to the
// dead-letter stream after MaxAttempts.
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
	HeaderType  = "Jangteo-Type"
	// HeaderRequestID carries the request id of the call that caused the event.
	HeaderRequestID = "Jangteo-Request-Id"
)

// DeadLetterStream holds messages that failed MaxAttempts times, on subjects
// deadletter.<consumer>.
const DeadLetterStream = "DEADLETTER"

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

// EnsureStream creates or updates the stream of service. Publishers and
// consumers both call it, so either may start first.
func EnsureStream(ctx context.Context, js jetstream.JetStream, service string) (jetstream.Stream, error) {
	return ensure(ctx, js, jetstream.StreamConfig{
		Name:       StreamName(service),
		Subjects:   []string{service + ".>"},
		Storage:    jetstream.FileStorage,
		Retention:  jetstream.LimitsPolicy,
		MaxAge:     7 * 24 * time.Hour,
		Duplicates: 10 * time.Minute,
	})
}

func ensureDeadLetter(ctx context.Context, js jetstream.JetStream) error {
	_, err := ensure(ctx, js, jetstream.StreamConfig{
		Name:     DeadLetterStream,
		Subjects: []string{"deadletter.>"},
		Storage:  jetstream.FileStorage,
		MaxAge:   30 * 24 * time.Hour,
	})
	return err
}

func ensure(ctx context.Context, js jetstream.JetStream, cfg jetstream.StreamConfig) (jetstream.Stream, error) {
	s, err := js.CreateOrUpdateStream(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("events: stream %s: %w", cfg.Name, err)
	}
	return s, nil
}
