package domain

import "testing"

func TestFees(t *testing.T) {
	f := Fees{SellerBP: 500, SellerMinimum: 2500, BuyerBP: 300, PenaltyBP: 1500, PenaltyMinimum: 10000}
	cases := []struct{ price, seller, buyer, penalty int64 }{
		{190000, 9500, 5700, 28500},
		{30000, 2500, 900, 10000},   // minimums
		{2000, 2000, 60, 10000},     // the seller's fee never exceeds the price
		{100010, 5001, 3000, 15002}, // half up: 5000.5 → 5001, 3000.3 → 3000, 15001.5 → 15002
	}
	for _, c := range cases {
		if got := f.Seller(c.price); got != c.seller {
			t.Errorf("Seller(%d) = %d, want %d", c.price, got, c.seller)
		}
		if got := f.Buyer(c.price); got != c.buyer {
			t.Errorf("Buyer(%d) = %d, want %d", c.price, got, c.buyer)
		}
		if got := f.Penalty(c.price); got != c.penalty {
			t.Errorf("Penalty(%d) = %d, want %d", c.price, got, c.penalty)
		}
	}
}

func TestCrosses(t *testing.T) {
	ask := Offer{Side: Ask, Price: 100}
	bid := Offer{Side: Bid, Price: 100}
	if !ask.Crosses(Bid, 100) || !ask.Crosses(Bid, 101) || ask.Crosses(Bid, 99) {
		t.Error("a bid crosses an ask at or above its price")
	}
	if !bid.Crosses(Ask, 100) || !bid.Crosses(Ask, 99) || bid.Crosses(Ask, 101) {
		t.Error("an ask crosses a bid at or below its price")
	}
}

func TestTradeStatusKnown(t *testing.T) {
	for _, s := range []TradeStatus{TradePendingPayment, TradePaid, TradeShipped, TradeAtInspection, TradeVoided, TradePassed, TradeFailed} {
		if !s.Known() {
			t.Errorf("%q is not known", s)
		}
	}
	for _, s := range []TradeStatus{"", "shipped", "PAID", "TRADE_STATUS_PAID", "open"} {
		if s.Known() {
			t.Errorf("%q is known", s)
		}
	}
}
