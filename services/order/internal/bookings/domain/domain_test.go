package domain

import (
	"testing"
	"time"
)

func TestCancelRefund(t *testing.T) {
	p := CancelPolicy{FreeDays: 3, LateRefundRate: 50}
	b := Booking{Status: StatusConfirmed, Price: 50000, Date: time.Date(2026, 12, 24, 0, 0, 0, 0, Seoul)}
	early, late := time.Date(2026, 12, 20, 12, 0, 0, 0, Seoul), time.Date(2026, 12, 22, 12, 0, 0, 0, Seoul)
	for _, c := range []struct {
		byHost bool
		now    time.Time
		want   int64
	}{{false, early, 50000}, {false, late, 25000}, {true, late, 50000}} {
		if got := p.Refund(b, c.byHost, c.now); got != c.want {
			t.Errorf("host %v at %s: %d, want %d", c.byHost, c.now, got, c.want)
		}
	}
	b.Status = StatusPendingPayment
	if got := p.Refund(b, true, early); got != 0 {
		t.Errorf("unpaid refund = %d", got)
	}
}
