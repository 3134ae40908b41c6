package domain

import (
	"fmt"
	"slices"
	"time"
)

// transition moves o to status to and records it in the history.
func (o *Order) transition(to Status, actor, note string, at time.Time) {
	o.History = append(o.History, Event{At: at, Actor: actor, From: o.Status, To: to, Note: note})
	o.Status = to
}

// Place starts a new order's history in pending_payment.
func (o *Order) Place(at time.Time) {
	o.Status = StatusPendingPayment
	o.History = []Event{{At: at, Actor: ActorBuyer, To: StatusPendingPayment, Note: "order placed"}}
}

// LastEvent is the most recent history entry.
func (o Order) LastEvent() Event {
	if len(o.History) == 0 {
		return Event{}
	}
	return o.History[len(o.History)-1]
}

// Payable reports whether o can take a payment at t.
func (o Order) Payable(t time.Time) bool {
	return o.Status == StatusPendingPayment && t.Before(o.PayableUntil)
}

// MarkPaid records the approval of paymentID. An order that is no longer
// waiting for payment (cancelled at the end of its window, or already paid
// by another payment) is ErrNotPayable: that payment must be refunded.
// Approving the payment the order already has is a no-op.
func (o *Order) MarkPaid(paymentID string, at time.Time) error {
	if o.PaymentID == paymentID && o.Status != StatusPendingPayment {
		return nil
	}
	if o.Status != StatusPendingPayment {
		return ErrNotPayable.With("order %s is %s", o.Number, o.Status)
	}
	o.PaymentID, o.PaidAt = paymentID, at
	o.transition(StatusPaid, ActorPayment, "payment "+paymentID+" approved", at)
	return nil
}

// Cancel cancels o before it ships, on behalf of actor.
func (o *Order) Cancel(actor, reason string, at time.Time) error {
	if !slices.Contains(Cancellable, o.Status) {
		return StateConflict(o.Number, o.Status, "cancelled")
	}
	if reason == "" {
		reason = "cancelled by " + actor
	}
	o.transition(StatusCancelled, actor, reason, at)
	return nil
}

// Expire cancels an order still unpaid at the end of its payment window. It
// reports false, changing nothing, when the order was paid or cancelled
// meanwhile or its window has not ended yet.
func (o *Order) Expire(at time.Time) bool {
	if o.Status != StatusPendingPayment || at.Before(o.PayableUntil) {
		return false
	}
	o.transition(StatusCancelled, ActorSystem, "payment window ended", at)
	return true
}

// Advance moves o one step along fulfilment to status to.
func (o *Order) Advance(to Status, carrier, tracking, actor, note string, at time.Time) error {
	from, ok := AdvanceFrom(to)
	if !ok {
		return ErrStateConflict.With("orders cannot be advanced to %s", to)
	}
	if o.Status != from {
		return StateConflict(o.Number, o.Status, "advanced to "+string(to))
	}
	if to == StatusShipped {
		if carrier == "" || tracking == "" {
			return ErrShipmentIncomplete
		}
		o.Carrier, o.TrackingNumber = carrier, tracking
		if note == "" {
			note = fmt.Sprintf("shipped with %s, tracking %s", carrier, tracking)
		}
	}
	o.transition(to, actor, note, at)
	return nil
}

// CheckRefund checks that staff may refund amount now.
func (o Order) CheckRefund(amount int64) error {
	if !slices.Contains(Refundable, o.Status) || o.PaymentID == "" {
		return StateConflict(o.Number, o.Status, "refunded")
	}
	if left := o.Refundable(); amount > left {
		return ErrRefundExceeds.With("refund of %d %s is more than the %d %s left", amount, o.Amounts.Currency, left, o.Amounts.Currency)
	}
	return nil
}

// RefundLines marks units of lines as refunded and returns their worth:
// unit price × quantity plus the tax on it, at the order's tax rate.
func (o *Order) RefundLines(units map[int32]int32, taxRateBP int) (int64, error) {
	var worth int64
	for n, q := range units {
		i := slices.IndexFunc(o.Lines, func(l Line) bool { return l.Number == n })
		if i < 0 {
			return 0, ErrRefundLine.With("order %s has no line %d", o.Number, n)
		}
		l := &o.Lines[i]
		if left := l.Quantity - l.RefundedQuantity; q > left {
			return 0, ErrRefundLine.With("line %d has %d unit(s) left to refund, not %d", n, left, q)
		}
		l.RefundedQuantity += q
		part := l.UnitPrice * int64(q)
		worth += part + Tax(part, taxRateBP)
	}
	return min(worth, o.Refundable()), nil
}

// ApplyRefund records that refundedTotal of the payment has been given back
// in all. Totals arrive from the refund call and again from the
// payment.refunded event, in any order: a total that is not more than what is
// recorded changes nothing, so it returns false.
func (o *Order) ApplyRefund(refundedTotal int64, actor, note string, at time.Time) bool {
	refundedTotal = min(refundedTotal, o.Amounts.GrandTotal)
	if refundedTotal <= o.RefundedAmount {
		return false
	}
	o.RefundedAmount = refundedTotal
	to := StatusPartiallyRefunded
	switch {
	case refundedTotal == o.Amounts.GrandTotal:
		to = StatusRefunded
	case o.Status == StatusCancelled:
		to = StatusCancelled // a cancelled order stays cancelled until all is back
	}
	if note == "" {
		note = fmt.Sprintf("%d %s refunded in all", refundedTotal, o.Amounts.Currency)
	}
	o.transition(to, actor, note, at)
	return true
}

// Note records something that happened to o without changing its status.
func (o *Order) Note(actor, note string, at time.Time) {
	o.History = append(o.History, Event{At: at, Actor: actor, From: o.Status, To: o.Status, Note: note})
}
