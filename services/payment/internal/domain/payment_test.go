package domain

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestTransitions(t *testing.T) {
	t.Parallel()
	legal := map[[2]Status]bool{
		{StatusCreated, StatusReady}: true, {StatusCreated, StatusFailed}: true, {StatusCreated, StatusCancelled}: true,
		{StatusReady, StatusApproved}: true, {StatusReady, StatusFailed}: true, {StatusReady, StatusCancelled}: true,
		{StatusApproved, StatusPartiallyRefunded}: true, {StatusApproved, StatusRefunded}: true,
		{StatusPartiallyRefunded, StatusPartiallyRefunded}: true, {StatusPartiallyRefunded, StatusRefunded}: true,
	}
	for _, from := range Statuses {
		for _, to := range Statuses {
			if got := from.CanBecome(to); got != legal[[2]Status{from, to}] {
				t.Errorf("%s → %s = %v", from, to, got)
			}
			err := Payment{Status: from}.CheckTransition(to)
			if legal[[2]Status{from, to}] != (err == nil) {
				t.Errorf("CheckTransition(%s → %s) = %v", from, to, err)
			}
			if err != nil && (!errors.Is(err, ErrStatusConflict) || !strings.Contains(err.Error(), "is "+from.words())) {
				t.Errorf("%s → %s: %v does not name the current status", from, to, err)
			}
		}
	}
	if got := Sources(StatusApproved); !slices.Equal(got, []Status{StatusReady}) {
		t.Errorf("Sources(approved) = %v", got)
	}
	if got := Sources(StatusCancelled); !slices.Equal(got, []Status{StatusCreated, StatusReady}) {
		t.Errorf("Sources(cancelled) = %v", got)
	}
}

func TestPlanRefund(t *testing.T) {
	t.Parallel()
	paid := Payment{Status: StatusApproved, Amount: 10000, Currency: "KRW"}
	for _, tc := range []struct {
		name      string
		p         Payment
		requested int64
		want      int64
		err       error
		says      string
	}{
		{"everything", paid, 0, 10000, nil, ""},
		{"part", paid, 2500, 2500, nil, ""},
		{"too much", paid, 10001, 0, ErrRefundExceedsBalance, "left to refund: 10000 KRW"},
		{"what is left", Payment{Status: StatusPartiallyRefunded, Amount: 10000, RefundedAmount: 6000, RefundPending: 1000, Currency: "KRW"}, 0, 3000, nil, ""},
		{"over what is left", Payment{Status: StatusPartiallyRefunded, Amount: 10000, RefundedAmount: 6000, Currency: "KRW"}, 5000, 0, ErrRefundExceedsBalance, "4000 KRW"},
		{"nothing left", Payment{Status: StatusRefunded, Amount: 10000, RefundedAmount: 10000, Currency: "KRW"}, 0, 0, ErrRefundExceedsBalance, "nothing is left"},
		{"not paid", Payment{Status: StatusReady, Amount: 10000}, 0, 0, ErrStatusConflict, "is ready"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.p.PlanRefund(tc.requested)
			if got != tc.want || !errors.Is(err, tc.err) || tc.err == nil && err != nil {
				t.Fatalf("PlanRefund(%d) = %d, %v; want %d, %v", tc.requested, got, err, tc.want, tc.err)
			}
			if err != nil && !strings.Contains(err.Error(), tc.says) {
				t.Fatalf("%q does not say %q", err, tc.says)
			}
		})
	}
}

func TestReturnTo(t *testing.T) {
	t.Parallel()
	p := Payment{ID: "p1", OrderNumber: "JT-1 2", ReturnURL: "https://shop.example/done?x=1#top", CancelURL: "https://shop.example/cart"}
	if got, want := p.ReturnTo(true), "https://shop.example/done?order_number=JT-1+2&payment_id=p1&x=1#top"; got != want {
		t.Errorf("ReturnTo(true) = %s, want %s", got, want)
	}
	if got, want := p.ReturnTo(false), "https://shop.example/cart?order_number=JT-1+2&payment_id=p1"; got != want {
		t.Errorf("ReturnTo(false) = %s, want %s", got, want)
	}
}
