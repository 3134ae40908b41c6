package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/jangteo/jangteo/services/order/internal/domain"
	"github.com/jangteo/jangteo/services/order/internal/events"
	"github.com/jangteo/jangteo/services/order/internal/store"
)

// Advance moves an order one step along fulfilment on behalf of staff.
func (a *App) Advance(ctx context.Context, staffID, number string, to domain.Status, carrier, tracking, note string) (domain.Order, error) {
	var out domain.Order
	err := a.store.Tx(ctx, func(tx pgx.Tx) error {
		seen := 0
		o, err := store.Update(ctx, tx, store.Key{Number: number}, func(o *domain.Order) error {
			seen = len(o.History)
			return o.Advance(to, carrier, tracking, domain.StaffActor(staffID), note, a.clock())
		})
		if err != nil {
			return err
		}
		out = o
		return events.StatusChanged(ctx, tx, o, seen)
	})
	return out, err
}

// StaffRefund is a refund staff ask for.
type StaffRefund struct {
	StaffID string
	// Amount to refund; with no Lines, 0 means everything left.
	Amount int64
	// Lines refunds units by line number instead: their unit price ×
	// quantity plus the tax on it.
	Lines  map[int32]int32
	Reason string
	// Key is the client's idempotency key, passed on to the payment service.
	Key string
}

// Refund gives money of an order back through its payment. The order row
// stays locked while the payment service refunds, so two refunds of one
// order are decided one after the other and lines are never refunded twice.
func (a *App) Refund(ctx context.Context, number string, r StaffRefund) (domain.Order, error) {
	var out domain.Order
	err := a.store.Tx(ctx, func(tx pgx.Tx) error {
		var amount int64
		o, err := store.Update(ctx, tx, store.Key{Number: number}, func(o *domain.Order) error {
			var err error
			switch {
			case len(r.Lines) > 0:
				if amount, err = o.RefundLines(r.Lines, a.cfg.Pricing.TaxRateBP); err != nil {
					return err
				}
			case r.Amount > 0:
				amount = r.Amount
			default:
				amount = o.Refundable()
			}
			if err := o.CheckRefund(amount); err != nil {
				return err
			}
			if amount == 0 {
				return domain.ErrRefundExceeds.With("nothing is left to refund on order %s", o.Number)
			}
			return nil
		})
		if err != nil {
			return err
		}
		reason := r.Reason
		if reason == "" {
			reason = "refund by staff"
		}
		total, err := a.payments.Refund(ctx, o.PaymentID, amount, reason, o.ID+":"+r.Key)
		if err != nil {
			return err
		}
		if total <= o.RefundedAmount {
			return errReplayed // the payment service answered a repeated key with its first refund
		}
		note := fmt.Sprintf("%d %s refunded (%s); %d %s in all", amount, o.Amounts.Currency, reason, min(total, o.Amounts.GrandTotal), o.Amounts.Currency)
		if err := a.recordRefund(ctx, tx, o.ID, o.PaymentID, total, domain.StaffActor(r.StaffID), note); err != nil {
			return err
		}
		out, err = store.Read(ctx, tx, store.Key{ID: o.ID})
		return err
	})
	if errors.Is(err, errReplayed) {
		return a.store.Get(ctx, store.Key{Number: number})
	}
	return out, err
}

// errReplayed rolls back a refund request whose key was used before: the
// money moved the first time, and lines must not be marked twice.
var errReplayed = errors.New("refund replayed")
