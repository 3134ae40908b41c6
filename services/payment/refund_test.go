package payment_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"

	paymentv1 "github.com/jangteo/jangteo/gen/go/jangteo/payment/v1"
)

func refunded() *paymentv1.PaymentRefunded { return &paymentv1.PaymentRefunded{} }

func (e *env) refund(id string, amount int64, key string) (*paymentv1.Payment, error) {
	res, err := e.client.RefundPayment(e.service(), &paymentv1.RefundPaymentRequest{
		PaymentId: id, Amount: amount, Reason: "customer asked", IdempotencyKey: key,
	})
	return res.GetPayment(), err
}

func TestRefundPartThenTheRest(t *testing.T) {
	t.Parallel()
	e := start(t)
	p := e.approve(t, newOrder(100000))

	part := must(e.refund(p.GetId(), 30000, "r1"))
	if part.GetStatus() != paymentv1.PaymentStatus_PAYMENT_STATUS_PARTIALLY_REFUNDED || part.GetRefundedAmount() != 30000 {
		t.Fatalf("after a partial refund: %v", part)
	}
	// The same key again: the same payment, no second refund.
	if again := must(e.refund(p.GetId(), 30000, "r1")); !proto.Equal(again, part) {
		t.Fatalf("replay = %v, want %v", again, part)
	}
	if again := must(e.refund(p.GetId(), 0, "r1")); again.GetRefundedAmount() != 30000 {
		t.Fatalf("replay without an amount = %v", again)
	}
	_, err := e.refund(p.GetId(), 500, "r1")
	wantCode(t, err, codes.InvalidArgument, "IDEMPOTENCY_KEY_REUSED")

	_, err = e.refund(p.GetId(), 70001, "r2")
	st := wantCode(t, err, codes.AlreadyExists, "REFUND_EXCEEDS_BALANCE")
	if !strings.Contains(st.Message(), "70000 KRW") {
		t.Fatalf("%q does not say what is left", st.Message())
	}

	rest := must(e.refund(p.GetId(), 0, "r3"))
	if rest.GetStatus() != paymentv1.PaymentStatus_PAYMENT_STATUS_REFUNDED || rest.GetRefundedAmount() != 100000 {
		t.Fatalf("after refunding the rest: %v", rest)
	}
	_, err = e.refund(p.GetId(), 1, "r4")
	wantCode(t, err, codes.AlreadyExists, "REFUND_EXCEEDS_BALANCE")

	evs := outbox(t, e, "payment.refunded", p.GetId(), refunded)
	if len(evs) != 2 {
		t.Fatalf("%d payment.refunded, want 2", len(evs))
	}
	if evs[0].GetRefundAmount() != 30000 || evs[0].GetRefundedTotal() != 30000 || evs[0].GetFullyRefunded() || evs[0].GetReason() != "customer asked" ||
		evs[1].GetRefundAmount() != 70000 || evs[1].GetRefundedTotal() != 100000 || !evs[1].GetFullyRefunded() || evs[1].GetAmount() != 100000 {
		t.Fatalf("payment.refunded = %v", evs)
	}
	if _, given := e.sandboxLedger(t, p.GetId()); given != 100000 {
		t.Fatalf("the sandbox gave back %d", given)
	}
}

func TestRefundNeedsAnApprovedPayment(t *testing.T) {
	t.Parallel()
	e := start(t)
	p := e.pay(t, newOrder(5000))
	_, err := e.refund(p.GetId(), 0, "k")
	st := wantCode(t, err, codes.AlreadyExists, "PAYMENT_STATUS_CONFLICT")
	if !strings.Contains(st.Message(), "ready") {
		t.Fatalf("%q does not name the status", st.Message())
	}
	_, err = e.refund("0190e4a4-0000-7000-8000-000000000000", 0, "k")
	wantCode(t, err, codes.NotFound, "PAYMENT_NOT_FOUND")
	_, err = e.refund(p.GetId(), 0, "")
	wantCode(t, err, codes.InvalidArgument, "")
}

// TestConcurrentRefundsNeverExceedThePayment runs many refunds at once, some
// sharing keys: exactly what was paid can be given back, once per key.
func TestConcurrentRefundsNeverExceedThePayment(t *testing.T) {
	t.Parallel()
	e := start(t)
	p := e.approve(t, newOrder(10000))
	var wg sync.WaitGroup
	var mu sync.Mutex
	okKeys := map[string]bool{}
	for i := range 30 {
		key := fmt.Sprintf("k%d", i%15) // each key twice
		wg.Go(func() {
			_, err := e.refund(p.GetId(), 1000, key)
			switch {
			case err == nil:
				mu.Lock()
				okKeys[key] = true
				mu.Unlock()
			default:
				wantCode(t, err, codes.AlreadyExists, "REFUND_EXCEEDS_BALANCE")
			}
		})
	}
	wg.Wait()
	got := e.get(t, p.GetId())
	if got.GetRefundedAmount() != 10000 || got.GetStatus() != paymentv1.PaymentStatus_PAYMENT_STATUS_REFUNDED || len(okKeys) != 10 {
		t.Fatalf("refunded %d in status %v with %d keys, want 10000 with 10 keys", got.GetRefundedAmount(), got.GetStatus(), len(okKeys))
	}
	if n := len(outbox(t, e, "payment.refunded", p.GetId(), refunded)); n != 10 {
		t.Fatalf("%d payment.refunded, want 10", n)
	}
	if _, given := e.sandboxLedger(t, p.GetId()); given != 10000 {
		t.Fatalf("the sandbox gave back %d", given)
	}
}
