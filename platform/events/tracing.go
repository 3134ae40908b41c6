package events

import (
	"context"

	"github.com/nats-io/nats.go"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
)

// tracer names the spans of the event path: "outbox <subject>" when a use
// case enqueues, "send <subject>" when the relay publishes, and
// "process <subject>" when a consumer applies it; each a child of the one
// before, so one trace runs from the REST request through its events.
var tracer = otel.Tracer("github.com/jangteo/jangteo/platform/events")

// traceContext is W3C trace context as header → value.
type traceContext map[string]string

func (c traceContext) Get(key string) string { return c[key] }
func (c traceContext) Set(key, value string) { c[key] = value }
func (c traceContext) Keys() []string {
	keys := make([]string, 0, len(c))
	for k := range c {
		keys = append(keys, k)
	}
	return keys
}

// injectTrace returns ctx's span context as traceparent and tracestate.
func injectTrace(ctx context.Context) traceContext {
	tc := traceContext{}
	propagation.TraceContext{}.Inject(ctx, tc)
	return tc
}

// extractTrace returns ctx with the remote span context of traceparent and tracestate.
func extractTrace(ctx context.Context, traceparent, tracestate string) context.Context {
	if traceparent == "" {
		return ctx
	}
	return propagation.TraceContext{}.Extract(ctx, traceContext{HeaderTraceparent: traceparent, HeaderTracestate: tracestate})
}

// headerCarrier reads and writes trace context in NATS headers, keeping the
// lower-case W3C names (nats.Header, unlike http.Header, is case-sensitive).
type headerCarrier nats.Header

func (h headerCarrier) Get(key string) string { return nats.Header(h).Get(key) }
func (h headerCarrier) Set(key, value string) { nats.Header(h).Set(key, value) }
func (h headerCarrier) Keys() []string {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	return keys
}
