package payment_test

import (
	"context"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"google.golang.org/protobuf/proto"

	paymentv1 "github.com/jangteo/jangteo/gen/go/jangteo/payment/v1"
	"github.com/jangteo/jangteo/platform/events"
)

// TestApprovalReachesJetStream: the outbox row is relayed to the PAYMENT
// stream on payment.approved, where the order service's consumer reads it.
func TestApprovalReachesJetStream(t *testing.T) {
	t.Parallel()
	e := start(t)
	nc, err := nats.Connect(e.natsURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	stream, err := events.EnsureStream(ctx, js, "payment")
	if err != nil {
		t.Fatal(err)
	}
	p := e.approve(t, newOrder(64000))
	cons, err := stream.CreateOrUpdateConsumer(ctx, jetstream.ConsumerConfig{FilterSubject: "payment.approved", AckPolicy: jetstream.AckNonePolicy})
	if err != nil {
		t.Fatal(err)
	}
	msg, err := cons.Next(jetstream.FetchMaxWait(8 * time.Second))
	if err != nil {
		t.Fatalf("no payment.approved on the PAYMENT stream: %v", err)
	}
	var ev paymentv1.PaymentApproved
	if err := proto.Unmarshal(msg.Data(), &ev); err != nil {
		t.Fatal(err)
	}
	if ev.GetPaymentId() != p.GetId() || ev.GetAmount() != 64000 || msg.Headers().Get(events.HeaderMsgID) == "" {
		t.Fatalf("payment.approved = %v, headers %v", &ev, msg.Headers())
	}
}
