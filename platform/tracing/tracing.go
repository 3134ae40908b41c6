// Package tracing installs OpenTelemetry so every request gets a trace id that
// flows gateway → services (W3C traceparent over gRPC metadata) and into the
// logs. Spans are sampled in-process; exporting them to a collector is left to
// the deployment (an OTLP exporter can be added here without touching callers).
package tracing

import (
	"sync"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

var once sync.Once

// Setup installs the tracer provider and propagators once per process.
func Setup() {
	once.Do(func() {
		otel.SetTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.AlwaysSample()))))
		otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}))
	})
}
