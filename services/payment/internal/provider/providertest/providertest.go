// Package providertest is the one test suite every payment provider passes:
// the sandbox now, and the KakaoPay, PayPal and Toss clients against their
// local fakes. It checks what the payment service relies on: idempotent
// calls, definite outcomes reported as the provider package's errors, amounts
// checked, refunds bounded by what was taken.
package providertest

import (
	"context"
	"errors"
	"net/url"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/jangteo/jangteo/services/payment/internal/provider"
)

// Harness is a provider under test and the buyer's side of it.
type Harness struct {
	Provider provider.Provider
	// Currency is what the provider charges in ("KRW"; PayPal's configured currency).
	Currency string
	// BuyerApproves plays the buyer approving at prepared.RedirectURL and
	// returns the query the provider sends the buyer back with.
	BuyerApproves func(t *testing.T, p provider.Payment, prepared provider.Prepared) url.Values
	// BuyerDeclines plays the buyer declining (or cancelling) there.
	BuyerDeclines func(t *testing.T, p provider.Payment, prepared provider.Prepared)
}

// Run runs the suite; newHarness gives each subtest a fresh provider.
func Run(t *testing.T, newHarness func(t *testing.T) Harness) {
	tests := []struct {
		name string
		fn   func(*testing.T, Harness)
	}{
		{"PrepareIsIdempotent", prepareIsIdempotent},
		{"ApproveNeedsTheBuyer", approveNeedsTheBuyer},
		{"ApproveTakesTheAmountOnce", approveTakesTheAmountOnce},
		{"ConcurrentApprovalsAgree", concurrentApprovalsAgree},
		{"DeclinedStaysDeclined", declinedStaysDeclined},
		{"AmountMismatchIsRefused", amountMismatchIsRefused},
		{"RefundsAreBoundedAndIdempotent", refundsAreBoundedAndIdempotent},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, newHarness(t))
		})
	}
}

func payment(h Harness, amount int64) provider.Payment {
	id := uuid.NewString()
	return provider.Payment{
		ID: id, OrderID: uuid.NewString(), OrderNumber: "JT-261201-" + id[:5], UserID: uuid.NewString(),
		Amount: amount, Currency: h.Currency,
	}
}

func prepare(t *testing.T, h Harness, p provider.Payment) provider.Prepared {
	t.Helper()
	prepared, err := h.Provider.Prepare(context.Background(), provider.PrepareRequest{
		Payment: p, OrderName: "러닝화 외 1건", IdempotencyKey: "prepare-" + p.ID,
		ApproveURL: "https://api.example/approve", CancelURL: "https://api.example/cancel", FailURL: "https://api.example/fail",
	})
	if err != nil {
		t.Fatalf("Prepare: %v", err)
	}
	return prepared
}

func approve(h Harness, p provider.Payment, prepared provider.Prepared, callback url.Values) (provider.Approval, error) {
	return h.Provider.Approve(context.Background(), provider.ApproveRequest{
		Payment: p, Ref: prepared.Ref, Callback: callback, IdempotencyKey: "approve-" + p.ID,
	})
}

func lookup(t *testing.T, h Harness, p provider.Payment, prepared provider.Prepared) provider.Status {
	t.Helper()
	st, err := h.Provider.Lookup(context.Background(), provider.LookupRequest{Payment: p, Ref: prepared.Ref})
	if err != nil {
		t.Fatalf("Lookup: %v", err)
	}
	return st
}

// approved prepares a payment of amount and takes it.
func approved(t *testing.T, h Harness, amount int64) (provider.Payment, provider.Prepared, provider.Approval) {
	t.Helper()
	p := payment(h, amount)
	prepared := prepare(t, h, p)
	a, err := approve(h, p, prepared, h.BuyerApproves(t, p, prepared))
	if err != nil {
		t.Fatalf("Approve: %v", err)
	}
	return p, prepared, a
}

func prepareIsIdempotent(t *testing.T, h Harness) {
	p := payment(h, 25000)
	first := prepare(t, h, p)
	u, err := url.Parse(first.RedirectURL)
	if first.Ref == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		t.Fatalf("Prepare = %+v", first)
	}
	if again := prepare(t, h, p); again != first {
		t.Fatalf("Prepare again = %+v, first %+v", again, first)
	}
	if st := lookup(t, h, p, first); st.State != provider.StatePending {
		t.Fatalf("Lookup before the buyer = %+v", st)
	}
}

func approveNeedsTheBuyer(t *testing.T, h Harness) {
	p := payment(h, 25000)
	prepared := prepare(t, h, p)
	if _, err := approve(h, p, prepared, nil); !errors.Is(err, provider.ErrNotApproved) && !errors.Is(err, provider.ErrDeclined) {
		t.Fatalf("Approve before the buyer = %v, want ErrNotApproved or ErrDeclined", err)
	}
}

func approveTakesTheAmountOnce(t *testing.T, h Harness) {
	p, prepared, a := approved(t, h, 31000)
	if a.TxID == "" || a.Amount != 31000 || a.Currency != h.Currency || a.ApprovedAt.IsZero() {
		t.Fatalf("Approval = %+v", a)
	}
	again, err := approve(h, p, prepared, nil)
	if err != nil || again.TxID != a.TxID || again.Amount != a.Amount {
		t.Fatalf("Approve again = %+v, %v; first %+v", again, err, a)
	}
	st := lookup(t, h, p, prepared)
	if st.State != provider.StateApproved || st.TxID != a.TxID || st.Amount != 31000 || st.Refunded != 0 {
		t.Fatalf("Lookup = %+v", st)
	}
}

func concurrentApprovalsAgree(t *testing.T, h Harness) {
	p := payment(h, 12000)
	prepared := prepare(t, h, p)
	callback := h.BuyerApproves(t, p, prepared)
	var wg sync.WaitGroup
	txIDs := make(chan string, 6)
	for range 6 {
		wg.Go(func() {
			a, err := approve(h, p, prepared, callback)
			if err != nil {
				t.Errorf("Approve: %v", err)
				return
			}
			txIDs <- a.TxID
		})
	}
	wg.Wait()
	close(txIDs)
	first := ""
	for id := range txIDs {
		if first == "" {
			first = id
		}
		if id != first {
			t.Fatalf("concurrent approvals took the money twice: %s and %s", first, id)
		}
	}
}

func declinedStaysDeclined(t *testing.T, h Harness) {
	p := payment(h, 25000)
	prepared := prepare(t, h, p)
	h.BuyerDeclines(t, p, prepared)
	if _, err := approve(h, p, prepared, nil); !errors.Is(err, provider.ErrDeclined) {
		t.Fatalf("Approve after a decline = %v, want ErrDeclined", err)
	}
	if st := lookup(t, h, p, prepared); st.State != provider.StateFailed {
		t.Fatalf("Lookup after a decline = %+v", st)
	}
}

func amountMismatchIsRefused(t *testing.T, h Harness) {
	p := payment(h, 25000)
	prepared := prepare(t, h, p)
	callback := h.BuyerApproves(t, p, prepared)
	tampered := p
	tampered.Amount = 100
	if _, err := approve(h, tampered, prepared, callback); !errors.Is(err, provider.ErrAmountMismatch) {
		t.Fatalf("Approve of another amount = %v, want ErrAmountMismatch", err)
	}
	if st := lookup(t, h, p, prepared); st.State == provider.StateApproved {
		t.Fatalf("the money was taken after an amount mismatch: %+v", st)
	}
}

func refundsAreBoundedAndIdempotent(t *testing.T, h Harness) {
	p, prepared, a := approved(t, h, 30000)
	refund := func(amount, balance int64, key string) (provider.Refunded, error) {
		return h.Provider.Refund(context.Background(), provider.RefundRequest{
			Payment: p, Ref: prepared.Ref, TxID: a.TxID, Amount: amount, Balance: balance,
			Reason: "test", IdempotencyKey: key,
		})
	}
	first, err := refund(10000, 30000, "refund-1")
	if err != nil || first.ID == "" || first.Amount != 10000 {
		t.Fatalf("partial refund = %+v, %v", first, err)
	}
	again, err := refund(10000, 30000, "refund-1")
	if err != nil || again != first {
		t.Fatalf("the same refund again = %+v, %v; first %+v", again, err, first)
	}
	if _, err := refund(20001, 20000, "refund-2"); !errors.Is(err, provider.ErrRefundRejected) {
		t.Fatalf("refund over the balance = %v, want ErrRefundRejected", err)
	}
	rest, err := refund(20000, 20000, "refund-3")
	if err != nil || rest.Amount != 20000 || rest.ID == first.ID {
		t.Fatalf("refund of the rest = %+v, %v", rest, err)
	}
	if st := lookup(t, h, p, prepared); st.Refunded != 30000 {
		t.Fatalf("Lookup after refunds = %+v", st)
	}
}
