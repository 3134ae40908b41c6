package app

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/jangteo/jangteo/services/order/internal/domain"
	"github.com/jangteo/jangteo/services/order/internal/events"
	"github.com/jangteo/jangteo/services/order/internal/store"
)

// Cancel cancels one of the user's orders before it ships. The giving back —
// open payments cancelled, stock released, a paid order refunded in full —
// follows from order.cancelled (see Compensate), so it happens even if this
// process stops right after the commit.
func (a *App) Cancel(ctx context.Context, userID, number, reason string) (domain.Order, error) {
	var out domain.Order
	err := a.store.Tx(ctx, func(tx pgx.Tx) error {
		seen := 0
		o, err := store.Update(ctx, tx, store.Key{Number: number}, func(o *domain.Order) error {
			if o.UserID != userID {
				return domain.ErrOrderNotFound
			}
			seen = len(o.History)
			return o.Cancel(domain.ActorBuyer, reason, a.clock())
		})
		if err != nil {
			return err
		}
		out = o
		return cancelled(ctx, tx, o, seen)
	})
	return out, err
}

// Expire cancels an order still unpaid at the end of its payment window; the
// timer calls it. An order paid or cancelled meanwhile is left alone, so
// the timer and a late approval are decided by the order's row, once.
func (a *App) Expire(ctx context.Context, orderID string) (bool, error) {
	expired := false
	err := a.store.Tx(ctx, func(tx pgx.Tx) error {
		seen := 0
		o, err := store.Update(ctx, tx, store.Key{ID: orderID}, func(o *domain.Order) error {
			seen = len(o.History)
			expired = o.Expire(a.clock())
			return nil
		})
		if err != nil || !expired {
			return err
		}
		return cancelled(ctx, tx, o, seen)
	})
	if isNotFound(err) {
		return false, nil // a timer outliving its order has nothing to do
	}
	return expired, err
}

func cancelled(ctx context.Context, tx pgx.Tx, o domain.Order, seen int) error {
	if err := events.Cancelled(ctx, tx, o); err != nil {
		return err
	}
	return events.StatusChanged(ctx, tx, o, seen)
}

// Compensate gives back what a cancelled order held: its open payments are
// cancelled (so none can be approved any more), its stock is released, and a
// paid order is refunded in full. Every call is idempotent, so a redelivered
// order.cancelled repeats them harmlessly.
func (a *App) Compensate(ctx context.Context, tx pgx.Tx, orderID, paymentID, reason string) error {
	if err := a.payments.CancelAll(ctx, orderID, reason); err != nil {
		return err
	}
	if err := a.catalog.Release(ctx, orderID); err != nil {
		return err
	}
	if paymentID == "" {
		return nil
	}
	return a.refundAll(ctx, tx, orderID, paymentID, "order cancelled: "+reason, "cancel:"+orderID)
}
