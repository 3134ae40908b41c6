package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"go.uber.org/zap"

	paymentv1 "github.com/jangteo/jangteo/gen/go/jangteo/payment/v1"
	"github.com/jangteo/jangteo/services/order/internal/domain"
	"github.com/jangteo/jangteo/services/order/internal/events"
	"github.com/jangteo/jangteo/services/order/internal/store"
)

// Pay starts a payment of one of the user's orders while it is payable. The
// amount is the order's grand total; r.IdempotencyKey (derived from the
// client's key) goes on to the payment service, so a retried request returns
// the same payment. It writes nothing itself and holds no transaction.
func (a *App) Pay(ctx context.Context, userID, number string, r PaymentRequest) (*paymentv1.Payment, error) {
	o, err := a.Order(ctx, userID, number)
	if err != nil {
		return nil, err
	}
	if !o.Payable(a.clock()) {
		if o.Status == domain.StatusPendingPayment {
			return nil, domain.ErrNotPayable.With("the payment window of order %s ended at %s", o.Number, o.PayableUntil.Format("2006-01-02 15:04:05Z07:00"))
		}
		return nil, domain.ErrNotPayable.With("order %s is %s and cannot be paid", o.Number, o.Status)
	}
	r.Order = o
	return a.payments.Create(ctx, r)
}

// Approval is a payment the payment service approved.
type Approval struct {
	PaymentID string
	OrderID   string
	Amount    int64
	Currency  string
}

// PaymentApproved marks the order paid and publishes order.paid, inside the
// consumer's transaction. A payment that can no longer pay the order — the
// order was cancelled (its window ended, or the buyer cancelled), another
// payment paid it, or the amount does not match — is refunded in full and
// the buyer is told by mail.
func (a *App) PaymentApproved(ctx context.Context, tx pgx.Tx, p Approval) error {
	seen := 0
	o, err := store.Update(ctx, tx, store.Key{ID: p.OrderID}, func(o *domain.Order) error {
		seen = len(o.History)
		if p.Amount != o.Amounts.GrandTotal || p.Currency != o.Amounts.Currency {
			return domain.ErrNotPayable.With("payment of %d %s does not match the order's %d %s",
				p.Amount, p.Currency, o.Amounts.GrandTotal, o.Amounts.Currency)
		}
		return o.MarkPaid(p.PaymentID, a.clock())
	})
	switch {
	case errors.Is(err, domain.ErrNotPayable):
		return a.refundLateApproval(ctx, tx, p, err)
	case err != nil:
		return err
	case len(o.History) == seen:
		return nil // this payment had already paid the order
	}
	if err := events.Paid(ctx, tx, o); err != nil {
		return err
	}
	return events.StatusChanged(ctx, tx, o, seen)
}

// refundLateApproval refunds a payment approved for an order it cannot pay,
// notes it in the order's history and tells the buyer.
func (a *App) refundLateApproval(ctx context.Context, tx pgx.Tx, p Approval, why error) error {
	a.log.Info("refunding a payment approved for an order it cannot pay",
		zap.String("order_id", p.OrderID), zap.String("payment_id", p.PaymentID), zap.String("why", why.Error()))
	if _, err := a.payments.Refund(ctx, p.PaymentID, 0, why.Error(), "late-approval:"+p.PaymentID); err != nil && !errors.Is(err, domain.ErrRefundExceeds) {
		return fmt.Errorf("refund late approval: %w", err)
	}
	o, err := store.Update(ctx, tx, store.Key{ID: p.OrderID}, func(o *domain.Order) error {
		o.Note(domain.ActorSystem, fmt.Sprintf("payment %s approved after the order could no longer take it (%v); refunded in full", p.PaymentID, why), a.clock())
		return nil
	})
	if err != nil {
		return err
	}
	return a.mailLateApproval(ctx, o, p)
}

// PaymentRefunded records the payment's refunded total, inside the
// consumer's transaction. The total may already be recorded by the refund
// call itself; then nothing changes.
func (a *App) PaymentRefunded(ctx context.Context, tx pgx.Tx, orderID, paymentID string, refundedTotal int64) error {
	return a.recordRefund(ctx, tx, orderID, paymentID, refundedTotal, domain.ActorPayment, "")
}

func (a *App) recordRefund(ctx context.Context, tx pgx.Tx, orderID, paymentID string, total int64, actor, note string) error {
	seen, changed := 0, false
	o, err := store.Update(ctx, tx, store.Key{ID: orderID}, func(o *domain.Order) error {
		seen = len(o.History)
		if o.PaymentID != paymentID {
			return nil // a refund of a payment that never paid the order (a late approval's)
		}
		changed = o.ApplyRefund(total, actor, note, a.clock())
		return nil
	})
	if err != nil || !changed {
		return err
	}
	if err := events.Refunded(ctx, tx, o); err != nil {
		return err
	}
	return events.StatusChanged(ctx, tx, o, seen)
}

// refundAll refunds everything left of the order's payment and records it.
func (a *App) refundAll(ctx context.Context, tx pgx.Tx, orderID, paymentID, reason, key string) error {
	total, err := a.payments.Refund(ctx, paymentID, 0, reason, key)
	if errors.Is(err, domain.ErrRefundExceeds) {
		return nil // nothing left: staff refunded it all already
	}
	if err != nil {
		return err
	}
	return a.recordRefund(ctx, tx, orderID, paymentID, total, domain.ActorPayment, "")
}
