package payment_test

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	paymentv1 "github.com/jangteo/jangteo/gen/go/jangteo/payment/v1"
)

func approved() *paymentv1.PaymentApproved   { return &paymentv1.PaymentApproved{} }
func failed() *paymentv1.PaymentFailed       { return &paymentv1.PaymentFailed{} }
func cancelled() *paymentv1.PaymentCancelled { return &paymentv1.PaymentCancelled{} }

func (e *env) approveCall(ctx context.Context, id string, opts ...grpc.CallOption) (*paymentv1.Payment, error) {
	res, err := e.client.ApproveSandboxPayment(ctx, &paymentv1.ApproveSandboxPaymentRequest{Id: id}, opts...)
	return res.GetPayment(), err
}

func (e *env) declineCall(ctx context.Context, id string) (*paymentv1.Payment, error) {
	res, err := e.client.DeclineSandboxPayment(ctx, &paymentv1.DeclineSandboxPaymentRequest{Id: id})
	return res.GetPayment(), err
}

// sandboxLedger is the sandbox provider's side of a payment.
func (e *env) sandboxLedger(t *testing.T, paymentID string) (status string, refunded int64) {
	t.Helper()
	err := e.db.QueryRow(t.Context(), `SELECT status, refunded_amount FROM sandbox_transactions WHERE payment_id = $1`, paymentID).Scan(&status, &refunded)
	if err != nil {
		t.Fatal(err)
	}
	return status, refunded
}

func TestApprovePublishesOneApprovalAndRedirects(t *testing.T) {
	t.Parallel()
	e := start(t)
	o := newOrder(42000)
	p := e.pay(t, o)
	var header metadata.MD
	got, err := e.approveCall(context.Background(), p.GetId(), grpc.Header(&header))
	if err != nil {
		t.Fatal(err)
	}
	if got.GetStatus() != paymentv1.PaymentStatus_PAYMENT_STATUS_APPROVED || got.GetApproveTime() == nil {
		t.Fatalf("approved payment = %v", got)
	}
	want := "https://shop.example/orders/" + o.number + "?order_number=" + o.number + "&paid=1&payment_id=" + p.GetId()
	if loc := header.Get("x-http-location"); len(loc) != 1 || loc[0] != want || header.Get("x-http-code")[0] != "303" {
		t.Fatalf("redirect = %v, want 303 to %s", header, want)
	}
	evs := outbox(t, e, "payment.approved", p.GetId(), approved)
	if len(evs) != 1 || evs[0].GetOrderId() != o.id || evs[0].GetOrderNumber() != o.number || evs[0].GetUserId() != o.buyer ||
		evs[0].GetAmount() != 42000 || evs[0].GetCurrency() != "KRW" || evs[0].GetProvider() != "sandbox" ||
		!evs[0].GetApproveTime().AsTime().Equal(got.GetApproveTime().AsTime()) {
		t.Fatalf("payment.approved = %v", evs)
	}
	// Clicking again (the back button) answers the same payment and redirect, and nothing more happens.
	again, err := e.approveCall(context.Background(), p.GetId())
	if err != nil || again.GetStatus() != paymentv1.PaymentStatus_PAYMENT_STATUS_APPROVED {
		t.Fatalf("second approve = %v, %v", again, err)
	}
	if n := len(outbox(t, e, "payment.approved", p.GetId(), approved)); n != 1 {
		t.Fatalf("%d payment.approved after two approvals", n)
	}
	// The audit log holds the provider calls.
	var calls []string
	rows, _ := e.db.Query(t.Context(), `SELECT operation FROM provider_calls WHERE payment_id = $1 ORDER BY id`, p.GetId())
	for rows.Next() {
		var op string
		_ = rows.Scan(&op)
		calls = append(calls, op)
	}
	if strings.Join(calls, ",") != "prepare,approve" {
		t.Fatalf("provider calls = %v", calls)
	}
	// A declined payment cannot be declined into approved, nor an approved one declined.
	_, err = e.declineCall(context.Background(), p.GetId())
	st := wantCode(t, err, codes.AlreadyExists, "PAYMENT_STATUS_CONFLICT")
	if !strings.Contains(st.Message(), "approved") {
		t.Fatalf("conflict %q does not name the status", st.Message())
	}
}

func TestDeclineFailsThePaymentAndRedirectsToCancel(t *testing.T) {
	t.Parallel()
	e := start(t)
	o := newOrder(42000)
	p := e.pay(t, o)
	var header metadata.MD
	res, err := e.client.DeclineSandboxPayment(context.Background(), &paymentv1.DeclineSandboxPaymentRequest{Id: p.GetId()}, grpc.Header(&header))
	if err != nil {
		t.Fatal(err)
	}
	if got := res.GetPayment(); got.GetStatus() != paymentv1.PaymentStatus_PAYMENT_STATUS_FAILED || got.GetFailureReason() == "" {
		t.Fatalf("declined payment = %v", got)
	}
	if loc := header.Get("x-http-location"); len(loc) != 1 || !strings.HasPrefix(loc[0], "https://shop.example/checkout?order_number="+o.number) {
		t.Fatalf("redirect = %v", loc)
	}
	evs := outbox(t, e, "payment.failed", p.GetId(), failed)
	if len(evs) != 1 || evs[0].GetReason() == "" || evs[0].GetOrderId() != o.id {
		t.Fatalf("payment.failed = %v", evs)
	}
	_, err = e.approveCall(context.Background(), p.GetId())
	st := wantCode(t, err, codes.AlreadyExists, "PAYMENT_STATUS_CONFLICT")
	if !strings.Contains(st.Message(), "failed") {
		t.Fatalf("conflict %q does not name the status", st.Message())
	}
	// The order stays payable: a new payment can be approved.
	if next := e.approve(t, o); next.GetStatus() != paymentv1.PaymentStatus_PAYMENT_STATUS_APPROVED {
		t.Fatalf("next payment = %v", next)
	}
}

func TestDoubleClickApprovesOnce(t *testing.T) {
	t.Parallel()
	e := start(t)
	for range 10 {
		p := e.pay(t, newOrder(30000))
		var wg sync.WaitGroup
		var ok atomic.Int32
		for range 8 {
			wg.Go(func() {
				got, err := e.approveCall(context.Background(), p.GetId())
				if err != nil {
					t.Error(err)
					return
				}
				if got.GetStatus() == paymentv1.PaymentStatus_PAYMENT_STATUS_APPROVED {
					ok.Add(1)
				}
			})
		}
		wg.Wait()
		if ok.Load() != 8 {
			t.Fatalf("%d of 8 clicks saw the payment approved", ok.Load())
		}
		if n := len(outbox(t, e, "payment.approved", p.GetId(), approved)); n != 1 {
			t.Fatalf("%d payment.approved for one payment", n)
		}
		if st, refunded := e.sandboxLedger(t, p.GetId()); st != "captured" || refunded != 0 {
			t.Fatalf("sandbox ledger = %s, refunded %d", st, refunded)
		}
	}
}

// TestApproveRacingCancelHasOneOutcome races the buyer's click with the
// order's timeout: either the payment is approved (and CancelPayments leaves
// it alone) or it is cancelled (and the money the sandbox took is given back).
func TestApproveRacingCancelHasOneOutcome(t *testing.T) {
	t.Parallel()
	e := start(t)
	outcomes := map[paymentv1.PaymentStatus]int{}
	for range 20 {
		o := newOrder(15000)
		p := e.pay(t, o)
		var wg sync.WaitGroup
		var cancelledN int
		wg.Go(func() {
			res, err := e.client.CancelPayments(e.service(), &paymentv1.CancelPaymentsRequest{OrderId: o.id, Reason: "payment window expired"})
			if err != nil {
				t.Error(err)
				return
			}
			cancelledN = len(res.GetPayments())
		})
		wg.Go(func() {
			_, err := e.approveCall(context.Background(), p.GetId())
			if err != nil && status.Code(err) != codes.AlreadyExists {
				t.Error(err)
			}
		})
		wg.Wait()
		final := e.get(t, p.GetId())
		outcomes[final.GetStatus()]++
		nApproved := len(outbox(t, e, "payment.approved", p.GetId(), approved))
		nCancelled := len(outbox(t, e, "payment.cancelled", p.GetId(), cancelled))
		ledger, refunded := e.sandboxLedger(t, p.GetId())
		switch final.GetStatus() {
		case paymentv1.PaymentStatus_PAYMENT_STATUS_APPROVED:
			if nApproved != 1 || nCancelled != 0 || cancelledN != 0 || refunded != 0 {
				t.Fatalf("approved: %d approved, %d cancelled events, %d cancelled, refunded %d", nApproved, nCancelled, cancelledN, refunded)
			}
		case paymentv1.PaymentStatus_PAYMENT_STATUS_CANCELLED:
			if nApproved != 0 || nCancelled != 1 || cancelledN != 1 {
				t.Fatalf("cancelled: %d approved, %d cancelled events, %d cancelled", nApproved, nCancelled, cancelledN)
			}
			if ledger == "captured" && refunded != 15000 {
				t.Fatalf("the sandbox captured a cancelled payment and kept %d", 15000-refunded)
			}
		default:
			t.Fatalf("final = %v", final)
		}
	}
	t.Logf("outcomes: %v", outcomes)
}

func TestApproveAfterCancelIsRefused(t *testing.T) {
	t.Parallel()
	e := start(t)
	o := newOrder(15000)
	p := e.pay(t, o)
	res := must(e.client.CancelPayments(e.service(), &paymentv1.CancelPaymentsRequest{OrderId: o.id, Reason: "payment window expired"}))
	if len(res.GetPayments()) != 1 || res.GetPayments()[0].GetStatus() != paymentv1.PaymentStatus_PAYMENT_STATUS_CANCELLED ||
		res.GetPayments()[0].GetFailureReason() != "payment window expired" {
		t.Fatalf("cancelled = %v", res)
	}
	_, err := e.approveCall(context.Background(), p.GetId())
	st := wantCode(t, err, codes.AlreadyExists, "PAYMENT_STATUS_CONFLICT")
	if !strings.Contains(st.Message(), "cancelled") {
		t.Fatalf("conflict %q does not name the status", st.Message())
	}
	if ledger, _ := e.sandboxLedger(t, p.GetId()); ledger != "pending" {
		t.Fatalf("the sandbox was asked to capture a cancelled payment: %s", ledger)
	}
	again := must(e.client.CancelPayments(e.service(), &paymentv1.CancelPaymentsRequest{OrderId: o.id}))
	if len(again.GetPayments()) != 0 {
		t.Fatalf("second cancel = %v", again)
	}
	evs := outbox(t, e, "payment.cancelled", p.GetId(), cancelled)
	if len(evs) != 1 || evs[0].GetReason() != "payment window expired" {
		t.Fatalf("payment.cancelled = %v", evs)
	}
}

func TestDeclineRacingApproveHasOneOutcome(t *testing.T) {
	t.Parallel()
	e := start(t)
	outcomes := map[paymentv1.PaymentStatus]int{}
	for range 20 {
		p := e.pay(t, newOrder(20000))
		var wg sync.WaitGroup
		for _, click := range []func(context.Context, string) (*paymentv1.Payment, error){
			func(ctx context.Context, id string) (*paymentv1.Payment, error) { return e.approveCall(ctx, id) },
			e.declineCall,
		} {
			wg.Go(func() {
				if _, err := click(context.Background(), p.GetId()); err != nil && status.Code(err) != codes.AlreadyExists {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		final := e.get(t, p.GetId())
		outcomes[final.GetStatus()]++
		nApproved := len(outbox(t, e, "payment.approved", p.GetId(), approved))
		nFailed := len(outbox(t, e, "payment.failed", p.GetId(), failed))
		ledger, refunded := e.sandboxLedger(t, p.GetId())
		switch final.GetStatus() {
		case paymentv1.PaymentStatus_PAYMENT_STATUS_APPROVED:
			if nApproved != 1 || nFailed != 0 || refunded != 0 {
				t.Fatalf("approved with %d approved and %d failed events, refunded %d", nApproved, nFailed, refunded)
			}
		case paymentv1.PaymentStatus_PAYMENT_STATUS_FAILED:
			if nApproved != 0 || nFailed != 1 || ledger == "captured" && refunded != 20000 {
				t.Fatalf("failed with %d approved and %d failed events, ledger %s refunded %d", nApproved, nFailed, ledger, refunded)
			}
		default:
			t.Fatalf("final = %v", final)
		}
	}
	t.Logf("outcomes: %v", outcomes)
}

func TestAnOrderIsPaidByOnePaymentAtMost(t *testing.T) {
	t.Parallel()
	e := start(t)
	o := newOrder(9000)
	first, second := e.pay(t, o), e.pay(t, o)
	if _, err := e.approveCall(context.Background(), first.GetId()); err != nil {
		t.Fatal(err)
	}
	_, err := e.approveCall(context.Background(), second.GetId())
	wantCode(t, err, codes.AlreadyExists, "ORDER_ALREADY_PAID")
	if got := e.get(t, second.GetId()); got.GetStatus() != paymentv1.PaymentStatus_PAYMENT_STATUS_FAILED {
		t.Fatalf("second payment = %v", got)
	}
	if _, refunded := e.sandboxLedger(t, second.GetId()); refunded != 9000 {
		t.Fatalf("the second payment's money was not given back: refunded %d", refunded)
	}
	if n := len(outbox(t, e, "payment.approved", second.GetId(), approved)); n != 0 {
		t.Fatalf("%d payment.approved for the second payment", n)
	}
}

func TestSandboxRoutesAreOnlyForSandboxPayments(t *testing.T) {
	t.Parallel()
	e := start(t)
	_, err := e.approveCall(context.Background(), uuid.NewString())
	wantCode(t, err, codes.NotFound, "PAYMENT_NOT_FOUND")
	_, err = e.client.GetSandboxPage(context.Background(), &paymentv1.GetSandboxPageRequest{Id: uuid.NewString()})
	wantCode(t, err, codes.NotFound, "PAYMENT_NOT_FOUND")
}
