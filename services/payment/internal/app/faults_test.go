package app

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"

	"github.com/jangteo/jangteo/platform/errs"
	"github.com/jangteo/jangteo/services/payment/internal/domain"
	"github.com/jangteo/jangteo/services/payment/internal/provider"
	"github.com/jangteo/jangteo/services/payment/internal/provider/sandbox"
)

// faulty answers with the errors queued for each call, then passes calls on.
type faulty struct {
	provider.Provider
	prepare, approve, refund []error
	calls                    atomic.Int32
	approveAmount            int64 // when set, the provider reports this amount taken
}

func (f *faulty) Prepare(ctx context.Context, r provider.PrepareRequest) (provider.Prepared, error) {
	f.calls.Add(1)
	if len(f.prepare) > 0 {
		err := f.prepare[0]
		f.prepare = f.prepare[1:]
		return provider.Prepared{}, err
	}
	return f.Provider.Prepare(ctx, r)
}

func (f *faulty) Approve(ctx context.Context, r provider.ApproveRequest) (provider.Approval, error) {
	if len(f.approve) > 0 {
		err := f.approve[0]
		f.approve = f.approve[1:]
		return provider.Approval{}, err
	}
	a, err := f.Provider.Approve(ctx, r)
	if f.approveAmount != 0 {
		a.Amount = f.approveAmount
	}
	return a, err
}

func (f *faulty) Refund(ctx context.Context, r provider.RefundRequest) (provider.Refunded, error) {
	if len(f.refund) > 0 {
		err := f.refund[0]
		f.refund = f.refund[1:]
		return provider.Refunded{}, err
	}
	return f.Provider.Refund(ctx, r)
}

func faultyApp(t *testing.T, f *faulty) (*App, *sandbox.Provider) {
	t.Helper()
	a, pool, _, sb := newApp(t)
	f.Provider = sb
	return New(pool, []provider.Provider{f}, sb, a.log), sb
}

func createCmd() CreatePayment {
	return CreatePayment{
		OrderID: uuid.NewString(), OrderNumber: "JT-2", UserID: uuid.NewString(), OrderName: "bag", Provider: "sandbox",
		Amount: 5000, Currency: "KRW", ReturnURL: "https://shop.example/ok", CancelURL: "https://shop.example/no", IdempotencyKey: "k",
	}
}

func kindOf(err error) errs.Kind {
	var e *errs.Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return 0
}

func TestPrepareUnansweredIsRetriedWithTheSameKey(t *testing.T) {
	t.Parallel()
	f := &faulty{prepare: []error{errors.New("connection reset")}}
	a, _ := faultyApp(t, f)
	ctx := context.Background()
	c := createCmd()
	_, err := a.CreatePayment(ctx, c)
	if !errors.Is(err, domain.ErrProviderUnavailable) || kindOf(err) != errs.Unavailable {
		t.Fatalf("first attempt = %v, want PROVIDER_UNAVAILABLE", err)
	}
	p, err := a.CreatePayment(ctx, c)
	if err != nil || p.Status != domain.StatusReady || p.RedirectURL == "" {
		t.Fatalf("retry = %+v, %v", p, err)
	}
	again, err := a.CreatePayment(ctx, c)
	if err != nil || again.ID != p.ID || f.calls.Load() != 2 {
		t.Fatalf("replay = %s (%v) after %d prepares; first %s", again.ID, err, f.calls.Load(), p.ID)
	}
}

func TestPrepareRefusedFailsThePayment(t *testing.T) {
	t.Parallel()
	f := &faulty{prepare: []error{provider.ErrDeclined}}
	a, _ := faultyApp(t, f)
	p, err := a.CreatePayment(context.Background(), createCmd())
	if err != nil || p.Status != domain.StatusFailed || p.FailureReason == "" {
		t.Fatalf("refused = %+v, %v", p, err)
	}
	var n int
	if err := a.pool.QueryRow(context.Background(), `SELECT count(*) FROM outbox WHERE subject = 'payment.failed'`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("%d payment.failed, %v", n, err)
	}
}

func TestApproveUnansweredLeavesThePaymentReady(t *testing.T) {
	t.Parallel()
	f := &faulty{approve: []error{provider.ErrUncertain}}
	a, _ := faultyApp(t, f)
	ctx := context.Background()
	p, err := a.CreatePayment(ctx, createCmd())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.ApproveSandbox(ctx, p.ID); !errors.Is(err, domain.ErrProviderUnavailable) {
		t.Fatalf("uncertain approval = %v", err)
	}
	if got, _ := a.SandboxPayment(ctx, p.ID); got.Status != domain.StatusReady {
		t.Fatalf("after an uncertain approval: %s", got.Status)
	}
	got, err := a.ApproveSandbox(ctx, p.ID)
	if err != nil || got.Status != domain.StatusApproved {
		t.Fatalf("retried approval = %+v, %v", got, err)
	}
}

func TestApproveOfAnotherAmountFailsAndGivesBack(t *testing.T) {
	t.Parallel()
	f := &faulty{approveAmount: 4000}
	a, sb := faultyApp(t, f)
	ctx := context.Background()
	p, err := a.CreatePayment(ctx, createCmd())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.ApproveSandbox(ctx, p.ID); !errors.Is(err, domain.ErrDeclined) {
		t.Fatalf("approval of another amount = %v", err)
	}
	got, _ := a.SandboxPayment(ctx, p.ID)
	if got.Status != domain.StatusFailed {
		t.Fatalf("payment = %s", got.Status)
	}
	st, err := sb.Lookup(ctx, provider.LookupRequest{Payment: provider.Payment{ID: p.ID}, Ref: got.ProviderRef})
	if err != nil || st.Refunded == 0 {
		t.Fatalf("sandbox = %+v, %v: the money was not given back", st, err)
	}
}

func approvedPayment(t *testing.T, a *App) domain.Payment {
	t.Helper()
	ctx := context.Background()
	p, err := a.CreatePayment(ctx, createCmd())
	if err != nil {
		t.Fatal(err)
	}
	if p, err = a.ApproveSandbox(ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRefundUnansweredHoldsItsAmountUntilRetried(t *testing.T) {
	t.Parallel()
	f := &faulty{refund: []error{errors.New("timeout")}}
	a, _ := faultyApp(t, f)
	ctx := context.Background()
	p := approvedPayment(t, a) // 5000
	_, err := a.RefundPayment(ctx, RefundPayment{PaymentID: p.ID, Amount: 3000, IdempotencyKey: "r1"})
	if !errors.Is(err, domain.ErrProviderUnavailable) {
		t.Fatalf("unanswered refund = %v", err)
	}
	// The 3000 stays reserved: another refund sees 2000 left.
	if _, err := a.RefundPayment(ctx, RefundPayment{PaymentID: p.ID, Amount: 2500, IdempotencyKey: "r2"}); !errors.Is(err, domain.ErrRefundExceedsBalance) ||
		!strings.Contains(err.Error(), "2000 KRW") {
		t.Fatalf("refund beside a pending one = %v", err)
	}
	got, err := a.RefundPayment(ctx, RefundPayment{PaymentID: p.ID, Amount: 3000, IdempotencyKey: "r1"})
	if err != nil || got.RefundedAmount != 3000 || got.RefundPending != 0 || got.Status != domain.StatusPartiallyRefunded {
		t.Fatalf("retried refund = %+v, %v", got, err)
	}
}

func TestRefundRejectedReleasesItsAmount(t *testing.T) {
	t.Parallel()
	f := &faulty{refund: []error{provider.ErrRefundRejected}}
	a, _ := faultyApp(t, f)
	ctx := context.Background()
	p := approvedPayment(t, a)
	if _, err := a.RefundPayment(ctx, RefundPayment{PaymentID: p.ID, IdempotencyKey: "r1"}); !errors.Is(err, domain.ErrRefundRejected) {
		t.Fatalf("rejected refund = %v", err)
	}
	// The same key keeps its answer; a new key may refund everything.
	if _, err := a.RefundPayment(ctx, RefundPayment{PaymentID: p.ID, IdempotencyKey: "r1"}); !errors.Is(err, domain.ErrRefundRejected) {
		t.Fatalf("rejected refund again = %v", err)
	}
	got, err := a.RefundPayment(ctx, RefundPayment{PaymentID: p.ID, IdempotencyKey: "r2"})
	if err != nil || got.Status != domain.StatusRefunded || got.RefundedAmount != 5000 {
		t.Fatalf("refund after a rejection = %+v, %v", got, err)
	}
}
