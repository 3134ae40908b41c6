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
	r, err := newRow(ctx, subject, msg, o.aggregate)
	if err != nil {
		return "", err
	}
	defer r.span.End()
	args := []any{r.id, subject, r.typ, r.payload, r.requestID, r.traceparent, r.tracestate, r.correlation, r.causation, r.partition}
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
		r.span.RecordError(err)
		return "", fmt.Errorf("events: enqueue %s: %w", subject, err)
	}
	return r.id, nil
}

// Pending is an event for EnqueueAll: its subject and message, and the
// context whose trace, correlation and causation it carries.
type Pending struct {
	Ctx     context.Context
	Subject string
	Msg     proto.Message
}

// EnqueueAll writes events without an aggregate to the outbox in one
// statement, inside the caller's transaction: Enqueue for a use case that
// writes many at once (the market's batch of trades).
func EnqueueAll(ctx context.Context, tx postgres.DB, evs []Pending) error {
	if len(evs) == 0 {
		return nil
	}
	n := len(evs)
	var (
		ids, subjects, types, requestIDs, parents, states, correlations, causations = make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		payloads                                                                    = make([][]byte, n)
		partitions                                                                  = make([]int16, n)
	)
	for i, e := range evs {
		r, err := newRow(e.Ctx, e.Subject, e.Msg, "")
		if err != nil {
			return err
		}
		r.span.End()
		ids[i], subjects[i], types[i], payloads[i], requestIDs[i] = r.id, e.Subject, r.typ, r.payload, r.requestID
		parents[i], states[i], correlations[i], causations[i], partitions[i] = r.traceparent, r.tracestate, r.correlation, r.causation, r.partition
	}
	const q = `INSERT INTO outbox (id, subject, type, payload, request_id, traceparent, tracestate, correlation_id, causation_id, partition)
		SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::bytea[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::smallint[])`
	if _, err := tx.Exec(ctx, q, ids, subjects, types, payloads, requestIDs, parents, states, correlations, causations, partitions); err != nil {
		return fmt.Errorf("events: enqueue %d events: %w", n, err)
	}
	return nil
}

// row is an outbox row being written, with the producer span that covers it.
type row struct {
	id, typ, requestID, traceparent, tracestate, correlation, causation string
	payload                                                             []byte
	partition                                                           int16
	span                                                                trace.Span
}

func newRow(ctx context.Context, subject string, msg proto.Message, aggregate string) (row, error) {
	payload, err := proto.Marshal(msg)
	if err != nil {
		return row{}, fmt.Errorf("events: marshal %s: %w", subject, err)
	}
	id := uuid.Must(uuid.NewV7()).String()
	ctx, span := tracer.Start(ctx, "outbox "+subject, trace.WithSpanKind(trace.SpanKindProducer),
		trace.WithAttributes(attribute.String("messaging.destination.name", subject), attribute.String("messaging.message.id", id)))
	tc := injectTrace(ctx)
	r := row{id: id, typ: string(msg.ProtoReflect().Descriptor().FullName()), payload: payload, requestID: logging.RequestID(ctx),
		traceparent: tc[HeaderTraceparent], tracestate: tc[HeaderTracestate], span: span}
	r.correlation, r.causation = Correlation(ctx)
	if r.correlation == "" {
		r.correlation = r.requestID
	}
	if r.correlation == "" {
		r.correlation = id
	}
	if r.causation == "" {
		r.causation = r.requestID
	}
	key := aggregate
	if key == "" {
		key = id
	}
	r.partition = partitionOf(key)
	return r, nil
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
