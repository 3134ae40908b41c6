package events

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/trace"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/jangteo/jangteo/platform/logging"
	"github.com/jangteo/jangteo/platform/postgres"
)

// A consumer's log lines and spans carry the trace of the request that
// enqueued the event, and its correlation and causation ids.
func TestConsumerContinuesTheProducersTrace(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	// The REST request: a server span and a request id, as the gateway and
	// the gRPC server set them.
	reqCtx, root := otel.Tracer("test").Start(logging.WithRequestID(ctx, "req-42"), "POST /v1/things", trace.WithSpanKind(trace.SpanKindServer))
	var eventID string
	err := postgres.InTx(reqCtx, r.pool, func(tx pgx.Tx) error {
		var err error
		eventID, err = Enqueue(reqCtx, tx, "svc.thing_happened", wrapperspb.String("x"), Aggregate("thing-1"))
		return err
	})
	root.End()
	if err != nil {
		t.Fatal(err)
	}
	traceID := root.SpanContext().TraceID()

	core, logs := observer.New(zap.InfoLevel)
	log := zap.New(core)
	relay := NewRelay(r.pool, r.js, "svc", log, RelayOptions{})
	if _, err := EnsureStream(ctx, r.js, "svc"); err != nil {
		t.Fatal(err)
	}
	if n, err := relay.Flush(ctx); err != nil || n != 1 {
		t.Fatalf("Flush = %d, %v", n, err)
	}
	type seen struct {
		traceID                    trace.TraceID
		correlation, causation, rq string
		d                          Delivery
	}
	got := make(chan seen, 1)
	h := func(ctx context.Context, tx pgx.Tx, d Delivery) error {
		logging.For(ctx, log).Info("thing handled")
		corr, cause := Correlation(ctx)
		got <- seen{trace.SpanContextFromContext(ctx).TraceID(), corr, cause, logging.RequestID(ctx), d}
		return nil
	}
	go Consume(ctx, r.js, r.pool, log, ConsumerConfig{Name: "test-trace", Service: "svc", Subjects: []string{"svc.>"}}, h) //nolint:errcheck
	var s seen
	select {
	case s = <-got:
	case <-time.After(10 * time.Second):
		t.Fatal("event not consumed")
	}
	if s.traceID != traceID {
		t.Errorf("handler trace id = %s, want the request's %s", s.traceID, traceID)
	}
	if s.correlation != "req-42" || s.causation != eventID || s.rq != "req-42" {
		t.Errorf("correlation, causation, request id = %q, %q, %q; want req-42, %s, req-42", s.correlation, s.causation, s.rq, eventID)
	}
	if s.d.CorrelationID != "req-42" || s.d.CausationID != "req-42" || s.d.AggregateID != "thing-1" || s.d.AggregateSeq != 1 {
		t.Errorf("delivery = %+v", s.d)
	}
	lines := logs.FilterMessage("thing handled").All()
	if len(lines) != 1 || lines[0].ContextMap()["trace_id"] != traceID.String() {
		t.Errorf("handler log lines = %+v; want one with trace_id %s", lines, traceID)
	}

	// One trace: request → outbox → send → process, each the parent of the next.
	waitFor(t, "the process span", func() bool { return len(spansOf(traceID)) == 4 })
	chain := spansOf(traceID)
	want := []string{"POST /v1/things", "outbox svc.thing_happened", "send svc.thing_happened", "process svc.thing_happened"}
	for i, name := range want {
		if chain[name] == nil {
			t.Fatalf("trace %s has no span %q (has %v)", traceID, name, chain)
		}
		if i > 0 && chain[name].Parent().SpanID() != chain[want[i-1]].SpanContext().SpanID() {
			t.Errorf("span %q's parent is not %q", name, want[i-1])
		}
	}
}

// spansOf returns the ended spans of one trace by name.
func spansOf(id trace.TraceID) map[string]interface {
	Parent() trace.SpanContext
	SpanContext() trace.SpanContext
} {
	out := map[string]interface {
		Parent() trace.SpanContext
		SpanContext() trace.SpanContext
	}{}
	for _, s := range spans.Ended() {
		if s.SpanContext().TraceID() == id {
			out[s.Name()] = s
		}
	}
	return out
}
