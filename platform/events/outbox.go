package events

import (
	"context"
	"fmt"
	"hash/fnv"
	"time"

	"github.com/google/uuid"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/protobuf/proto"

	"github.com/jangteo/jangteo/platform/logging"
	"github.com/jangteo/jangteo/platform/postgres"
)

// Option adds detail to an enqueued event.
type Option func(*enqueueOptions)

type enqueueOptions struct {
	aggregate string
}

// Aggregate names the entity the event is about (a product id, an order id).
// Every consumer applies the events of one aggregate in the order they were
// enqueued; events without one may be applied in any order.
func Aggregate(id string) Option {
	return func(o *enqueueOptions) { o.aggregate = id }
}

// Enqueue writes msg to the outbox on subject, inside the caller's transaction,
// and returns the new event's id. The event is published only if that
// transaction commits. It carries the trace context, correlation and
// causation ids of ctx.
func Enqueue(ctx context.Context, tx postgres.DB, subject string, msg proto.Message, opts ...Option) (string, error) {
	var o enqueueOptions
	for _, opt := range opts {
		opt(&o)
	}
	payload, err := proto.Marshal(msg)
	if err != nil {
		return "", fmt.Errorf("events: marshal %s: %w", subject, err)
	}
	id := uuid.Must(uuid.NewV7())
	ctx, span := tracer.Start(ctx, "outbox "+subject, trace.WithSpanKind(trace.SpanKindProducer),
		trace.WithAttributes(attribute.String("messaging.destination.name", subject), attribute.String("messaging.message.id", id.String())))
	defer span.End()
	tc := injectTrace(ctx)
	requestID := logging.RequestID(ctx)
	correlation, causation := Correlation(ctx)
	if correlation == "" {
		correlation = requestID
	}
	if correlation == "" {
		correlation = id.String()
	}
	if causation == "" {
		causation = requestID
	}
	key := o.aggregate
	if key == "" {
		key = id.String()
	}
	args := []any{id, subject, string(msg.ProtoReflect().Descriptor().FullName()), payload, requestID,
		tc[HeaderTraceparent], tc[HeaderTracestate], correlation, causation, partitionOf(key)}
	if o.aggregate == "" {
		const q = `INSERT INTO outbox (id, subject, type, payload, request_id, traceparent, tracestate, correlation_id, causation_id, partition)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`
		_, err = tx.Exec(ctx, q, args...)
	} else {
		// The upsert locks the aggregate's counter until commit, so its
		// events get their sequence (and outbox position) in commit order.
		const q = `WITH agg AS (
				INSERT INTO outbox_aggregates AS a (aggregate_id, seq, subjects, subjects_before)
				VALUES ($11, 1, jsonb_build_object($2::text, 1), '{}')
				ON CONFLICT (aggregate_id) DO UPDATE
				SET seq = a.seq + 1, subjects = a.subjects || jsonb_build_object($2::text, a.seq + 1), subjects_before = a.subjects
				RETURNING seq, subjects_before
			)
			INSERT INTO outbox (id, subject, type, payload, request_id, traceparent, tracestate, correlation_id, causation_id, partition,
				aggregate_id, aggregate_seq, aggregate_prev)
			SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, agg.seq, agg.subjects_before FROM agg`
		_, err = tx.Exec(ctx, q, append(args, o.aggregate)...)
	}
	if err != nil {
		span.RecordError(err)
		return "", fmt.Errorf("events: enqueue %s: %w", subject, err)
	}
	return id.String(), nil
}

// partitionOf is the relay partition of an aggregate (or of a lone event).
func partitionOf(key string) int16 {
	h := fnv.New32a()
	_, _ = h.Write([]byte(key))
	return int16(h.Sum32() % Partitions)
}

type correlationKey struct{}

type correlation struct{ correlationID, causationID string }

// WithCorrelation returns ctx carrying the ids that Enqueue writes into the
// events enqueued under it. Consume sets them for handlers: the consumed
// event's correlation id, and its id as the causation.
func WithCorrelation(ctx context.Context, correlationID, causationID string) context.Context {
	return context.WithValue(ctx, correlationKey{}, correlation{correlationID, causationID})
}

// Correlation returns the correlation and causation ids carried by ctx.
func Correlation(ctx context.Context) (correlationID, causationID string) {
	c, _ := ctx.Value(correlationKey{}).(correlation)
	return c.correlationID, c.causationID
}

// KeepPublished is how long published events stay in the outbox, for audit.
const KeepPublished = 7 * 24 * time.Hour

// PurgePublished deletes events published longer than KeepPublished ago, in
// batches so no transaction grows large, and returns how many it deleted.
// service runs it as a periodic job on one replica.
func PurgePublished(ctx context.Context, db postgres.DB) (int64, error) {
	const q = `DELETE FROM outbox WHERE id IN (
		SELECT id FROM outbox WHERE published_at < $1 LIMIT 5000)`
	var total int64
	for {
		tag, err := db.Exec(ctx, q, time.Now().Add(-KeepPublished))
		if err != nil {
			return total, fmt.Errorf("events: purge outbox: %w", err)
		}
		total += tag.RowsAffected()
		if tag.RowsAffected() < 5000 {
			return total, nil
		}
	}
}
