package domain

import (
	"regexp"
	"testing"
	"time"
)

func TestPrice(t *testing.T) {
	p := Pricing{TaxRateBP: 200, ShippingFee: 3000, FreeShippingFrom: 50000}
	line := func(price int64, q int32) Line { return Line{UnitPrice: price, Quantity: q} }
	tests := []struct {
		name  string
		lines []Line
		want  Amounts
	}{
		{"under the threshold pays shipping", []Line{line(21000, 2), line(4000, 1)},
			Amounts{Currency: "KRW", Subtotal: 46000, Tax: 920, ShippingFee: 3000, GrandTotal: 49920}},
		{"at the threshold ships free", []Line{line(50000, 1)},
			Amounts{Currency: "KRW", Subtotal: 50000, Tax: 1000, GrandTotal: 51000}},
		{"tax rounds half up as the cart does", []Line{line(12325, 1)},
			Amounts{Currency: "KRW", Subtotal: 12325, Tax: 247, ShippingFee: 3000, GrandTotal: 15572}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := p.Price(tt.lines, "KRW"); got != tt.want {
				t.Fatalf("Price = %+v, want %+v", got, tt.want)
			}
		})
	}
	if got := (Pricing{ShippingFee: 3000}).Price([]Line{line(1_000_000, 1)}, "KRW"); got.ShippingFee != 3000 {
		t.Fatalf("a zero threshold waived the fee: %+v", got)
	}
}

func TestNewNumber(t *testing.T) {
	at := time.Date(2026, 12, 1, 23, 59, 0, 0, time.FixedZone("KST", 9*3600)) // 14:59 UTC
	re := regexp.MustCompile(`^JT-261201-[0-9A-HJKMNP-TV-Z]{5}$`)
	seen := map[string]bool{}
	for range 1000 {
		n := NewNumber(at)
		if !re.MatchString(n) {
			t.Fatalf("number %q", n)
		}
		seen[n] = true
	}
	if len(seen) < 990 {
		t.Fatalf("only %d distinct numbers in 1000", len(seen))
	}
}

func paidOrder() Order {
	now := time.Now()
	o := Order{Number: "JT-1", PayableUntil: now.Add(time.Minute), Amounts: Amounts{Currency: "KRW", GrandTotal: 10200},
		Lines: []Line{{Number: 1, UnitPrice: 5000, Quantity: 2}}}
	o.Place(now)
	_ = o.MarkPaid("pay-1", now)
	return o
}

func TestTransitions(t *testing.T) {
	now := time.Now()
	o := Order{Number: "JT-1", PayableUntil: now.Add(time.Minute)}
	o.Place(now)
	if o.Expire(now) {
		t.Fatal("expired before the window ended")
	}
	if err := o.MarkPaid("pay-1", now); err != nil || o.Status != StatusPaid {
		t.Fatalf("MarkPaid = %v, status %s", err, o.Status)
	}
	if err := o.MarkPaid("pay-1", now); err != nil || len(o.History) != 2 {
		t.Fatalf("approving the same payment again: %v, %d entries", err, len(o.History))
	}
	if err := o.MarkPaid("pay-2", now); err == nil {
		t.Fatal("a second payment paid the order")
	}
	if o.Expire(now.Add(time.Hour)) {
		t.Fatal("a paid order expired")
	}
	if err := o.Advance(StatusShipped, "CJ", "1", "staff:1", "", now); err == nil {
		t.Fatal("skipped preparing")
	}
	if err := o.Advance(StatusPreparing, "", "", "staff:1", "", now); err != nil {
		t.Fatal(err)
	}
	if err := o.Advance(StatusShipped, "", "", "staff:1", "", now); err != ErrShipmentIncomplete {
		t.Fatalf("shipping without tracking: %v", err)
	}
	if err := o.Advance(StatusShipped, "CJ", "1", "staff:1", "", now); err != nil {
		t.Fatal(err)
	}
	if err := o.Cancel(ActorBuyer, "", now); err == nil {
		t.Fatal("cancelled after shipping")
	}
}

func TestRefunds(t *testing.T) {
	now := time.Now()
	o := paidOrder()
	worth, err := o.RefundLines(map[int32]int32{1: 1}, 200)
	if err != nil || worth != 5100 || o.Lines[0].RefundedQuantity != 1 {
		t.Fatalf("RefundLines = %d, %v", worth, err)
	}
	if _, err := o.RefundLines(map[int32]int32{1: 2}, 200); err == nil {
		t.Fatal("refunded more units than are left")
	}
	if !o.ApplyRefund(5100, ActorPayment, "", now) || o.Status != StatusPartiallyRefunded {
		t.Fatalf("after a partial refund: %s", o.Status)
	}
	if o.ApplyRefund(5100, ActorPayment, "", now) || o.ApplyRefund(4000, ActorPayment, "", now) {
		t.Fatal("a total not above the recorded one changed the order")
	}
	if err := o.CheckRefund(5101); err == nil {
		t.Fatal("refund above the balance allowed")
	}
	if !o.ApplyRefund(10200, ActorPayment, "", now) || o.Status != StatusRefunded || o.Refundable() != 0 {
		t.Fatalf("after the full refund: %s, %d left", o.Status, o.Refundable())
	}

	c := paidOrder()
	if err := c.Cancel(ActorBuyer, "", now); err != nil {
		t.Fatal(err)
	}
	c.ApplyRefund(5000, ActorPayment, "", now)
	if c.Status != StatusCancelled {
		t.Fatalf("a cancelled order partly refunded became %s", c.Status)
	}
}
