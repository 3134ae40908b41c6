package catalog_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	catalogv1 "github.com/jangteo/jangteo/gen/go/jangteo/catalog/v1"
	orderv1 "github.com/jangteo/jangteo/gen/go/jangteo/order/v1"
	typev1 "github.com/jangteo/jangteo/gen/go/jangteo/type/v1"
	"github.com/jangteo/jangteo/platform/events"
	"github.com/jangteo/jangteo/services/catalog"
)

func krw(amount int64) *typev1.Money { return &typev1.Money{Amount: amount, Currency: "KRW"} }

// must returns v, or panics on err: setup calls whose failure makes the rest
// of a test meaningless. (A generic helper cannot take t alongside a call's
// two results.)
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// wantCode fails unless err has code and, when field is set, a BadRequest
// violation naming field.
func wantCode(t *testing.T, err error, code codes.Code, field string) {
	t.Helper()
	st := status.Convert(err)
	if st.Code() != code {
		t.Fatalf("code = %v (%v), want %v", st.Code(), err, code)
	}
	if field != "" && !hasField(st, field) {
		t.Fatalf("details %v do not name %q", st.Details(), field)
	}
}

// publishOrderPaid publishes order.paid the way the order service's relay
// does, with the event id as Nats-Msg-Id.
func publishOrderPaid(t *testing.T, js jetstream.JetStream, eventID string, ev *orderv1.OrderPaid) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := events.EnsureStream(ctx, js, "order"); err != nil {
		t.Fatal(err)
	}
	data, err := proto.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	msg := nats.NewMsg("order.paid")
	msg.Data = data
	msg.Header.Set(events.HeaderMsgID, eventID)
	msg.Header.Set(events.HeaderType, string(ev.ProtoReflect().Descriptor().FullName()))
	if _, err := js.PublishMsg(ctx, msg); err != nil {
		t.Fatal(err)
	}
}

// eventually retries cond for up to 10 seconds.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// nextEvent reads the next message on subject from the CATALOG stream
// through cons, decoding it into m.
func nextEvent(t *testing.T, cons jetstream.Consumer, m proto.Message) {
	t.Helper()
	msg, err := cons.Next(jetstream.FetchMaxWait(10 * time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if err := proto.Unmarshal(msg.Data(), m); err != nil {
		t.Fatal(err)
	}
}

func catalogEvents(t *testing.T, js jetstream.JetStream, subject string) jetstream.Consumer {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var stream jetstream.Stream
	eventually(t, "CATALOG stream", func() bool {
		var err error
		stream, err = js.Stream(ctx, "CATALOG")
		return err == nil
	})
	cons, err := stream.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{FilterSubjects: []string{subject}})
	if err != nil {
		t.Fatal(err)
	}
	return cons
}

func newID() string { return uuid.Must(uuid.NewV7()).String() }

// fixture is a small catalog: a category tree, a cause, two brands and products.
type fixture struct {
	shoes, sneakers, bags *catalogv1.Category
	cause                 *catalogv1.Cause
	brandA, brandB        *catalogv1.Brand
}

func newFixture(t *testing.T, e env) fixture {
	t.Helper()
	staff := as(e.iss.Token("staff-1", "staff"))
	var f fixture
	f.shoes = must(e.client.CreateCategory(staff, &catalogv1.CreateCategoryRequest{Name: "신발"})).GetCategory()
	f.sneakers = must(e.client.CreateCategory(staff, &catalogv1.CreateCategoryRequest{Name: "스니커즈", ParentId: f.shoes.GetId()})).GetCategory()
	f.bags = must(e.client.CreateCategory(staff, &catalogv1.CreateCategoryRequest{Name: "가방"})).GetCategory()
	f.cause = must(e.client.CreateCause(staff, &catalogv1.CreateCauseRequest{Name: "해양 플라스틱", Summary: "바다를 지켜요"})).GetCause()
	f.brandA = must(e.client.CreateBrand(staff, &catalogv1.CreateBrandRequest{Name: "바다살림", CauseId: f.cause.GetId(), HomepageUrl: "https://example.org"})).GetBrand()
	f.brandB = must(e.client.CreateBrand(staff, &catalogv1.CreateBrandRequest{Name: "Northwind"})).GetBrand()
	return f
}

// internal is the context of another service (the order service) calling an
// ACCESS_INTERNAL RPC with the service token identity would issue it.
func internal(e env) context.Context { return as(e.iss.ServiceToken("order", catalog.Name)) }
