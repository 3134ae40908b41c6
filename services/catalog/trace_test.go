package catalog_test

import (
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"google.golang.org/grpc/metadata"

	catalogv1 "github.com/jangteo/jangteo/gen/go/jangteo/catalog/v1"
	"github.com/jangteo/jangteo/platform/events"
)

// The trace of a call reaches the events it causes: a product created with
// a traceparent (as the gateway sends it) is published with that trace, the
// product as its aggregate and the call's request id as its correlation.
func TestEventsCarryTheCallersTrace(t *testing.T) {
	t.Parallel()
	e := start(t)
	const traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
	ctx := metadata.AppendToOutgoingContext(as(e.iss.Token("staff-1", "staff")),
		"traceparent", "00-"+traceID+"-00f067aa0ba902b7-01", "x-request-id", "req-trace-1")
	cat := must(e.client.CreateCategory(ctx, &catalogv1.CreateCategoryRequest{Name: "모자"}))
	p := must(e.client.CreateProduct(ctx, &catalogv1.CreateProductRequest{Name: "버킷햇", CategoryId: cat.GetCategory().GetId(), Price: krw(19000)})).GetProduct()

	msg, err := catalogEvents(t, e.js, "catalog.product_changed").Next(jetstream.FetchMaxWait(10 * time.Second))
	if err != nil {
		t.Fatal(err)
	}
	h := msg.Headers()
	if tp := h.Get(events.HeaderTraceparent); !strings.HasPrefix(tp, "00-"+traceID+"-") {
		t.Errorf("traceparent = %q, want trace %s", tp, traceID)
	}
	if h.Get(events.HeaderAggregateID) != p.GetId() || h.Get(events.HeaderAggregateSeq) != "1" {
		t.Errorf("aggregate = %q #%s, want %s #1", h.Get(events.HeaderAggregateID), h.Get(events.HeaderAggregateSeq), p.GetId())
	}
	if h.Get(events.HeaderRequestID) != "req-trace-1" || h.Get(events.HeaderCorrelationID) != "req-trace-1" {
		t.Errorf("request id %q, correlation %q; want req-trace-1", h.Get(events.HeaderRequestID), h.Get(events.HeaderCorrelationID))
	}
}
