package logging_test

import (
	"context"
	"testing"

	"go.opentelemetry.io/otel"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/jangteo/jangteo/platform/logging"
	"github.com/jangteo/jangteo/platform/tracing"
)

func TestForAddsRequestAndTraceIDs(t *testing.T) {
	tracing.Setup()
	core, logs := observer.New(zap.InfoLevel)
	ctx, span := otel.Tracer("test").Start(logging.WithRequestID(context.Background(), "req-1"), "op")
	defer span.End()

	logging.For(ctx, zap.New(core)).Info("hello")
	fields := logs.All()[0].ContextMap()
	if fields["request_id"] != "req-1" {
		t.Errorf("request_id = %v", fields["request_id"])
	}
	if fields["trace_id"] != span.SpanContext().TraceID().String() {
		t.Errorf("trace_id = %v, want %s", fields["trace_id"], span.SpanContext().TraceID())
	}
	logging.For(context.Background(), zap.New(core)).Info("plain")
	if n := len(logs.All()[1].Context); n != 0 {
		t.Errorf("fields without ids = %d, want 0", n)
	}
}
