package domain

import "testing"

func TestTax(t *testing.T) {
	t.Parallel()
	tests := []struct {
		amount int64
		bp     int
		want   int64
	}{
		{0, 200, 0},
		{12345, 200, 247}, // 246.9 rounds up
		{12325, 200, 247}, // 246.5: half rounds up
		{12324, 200, 246}, // 246.48 rounds down
		{24, 200, 0},      // 0.48
		{25, 200, 1},      // 0.5
		{100000, 0, 0},
		{19000, 1000, 1900},
	}
	for _, tt := range tests {
		if got := Tax(tt.amount, tt.bp); got != tt.want {
			t.Errorf("Tax(%d, %d) = %d, want %d", tt.amount, tt.bp, got, tt.want)
		}
	}
}

func TestPriceFlagsAndTotals(t *testing.T) {
	t.Parallel()
	krw := func(a int64) Money { return Money{Amount: a, Currency: "KRW"} }
	c := Cart{ID: "c", Lines: []Line{
		{ID: "ok", VariantID: "v1", Quantity: 2, ProductName: "stored"},
		{ID: "short", VariantID: "v2", Quantity: 5},
		{ID: "gone", VariantID: "v3", Quantity: 1, ProductName: "kept"},
		{ID: "usd", VariantID: "v4", Quantity: 1},
	}}
	variants := map[string]Variant{
		"v1": {ID: "v1", ProductName: "live", UnitPrice: krw(1000), Stock: 9, Available: true},
		"v2": {ID: "v2", UnitPrice: krw(500), Stock: 3, Available: true},
		"v4": {ID: "v4", UnitPrice: Money{Amount: 7, Currency: "USD"}, Stock: 1, Available: true},
	}
	p := Price(c, variants, 200)
	wantStatus := []LineStatus{LineOK, LineInsufficientStock, LineUnavailable, LineUnavailable}
	for i, l := range p.Lines {
		if l.Status != wantStatus[i] {
			t.Errorf("line %s status = %v, want %v", l.ID, l.Status, wantStatus[i])
		}
	}
	if p.Lines[0].ProductName != "live" || p.Lines[2].ProductName != "kept" || p.Lines[1].AvailableQuantity != 3 {
		t.Errorf("lines = %+v", p.Lines)
	}
	if p.Subtotal != krw(2000) || p.Tax != krw(40) || p.GrandTotal != krw(2040) || p.ItemCount != 9 || p.CheckoutReady || !p.Priced {
		t.Errorf("totals = %+v", p)
	}
	if empty := Price(Cart{}, nil, 200); empty.CheckoutReady || empty.Subtotal != krw(0) {
		t.Errorf("empty cart = %+v", empty)
	}
}
