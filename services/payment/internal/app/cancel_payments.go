package app

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/jangteo/jangteo/platform/postgres"
	"github.com/jangteo/jangteo/services/payment/internal/domain"
	"github.com/jangteo/jangteo/services/payment/internal/events"
	"github.com/jangteo/jangteo/services/payment/internal/store"
)

// CancelPayments cancels every payment of an order that may still be
// approved, publishing payment.cancelled for each, and returns them. An
// approval racing it is decided by the payment's row: either the approval
// committed first (and the payment is not cancelled) or it finds the payment
// cancelled and gives the money back.
func (a *App) CancelPayments(ctx context.Context, orderID, reason string) ([]domain.Payment, error) {
	if reason == "" {
		reason = "cancelled"
	}
	var cancelled []domain.Payment
	err := postgres.InTx(ctx, a.pool, func(tx pgx.Tx) (err error) {
		if cancelled, err = store.CancelOpen(ctx, tx, orderID, reason, a.clock()); err != nil {
			return err
		}
		for _, p := range cancelled {
			if err := events.Cancelled(ctx, tx, p); err != nil {
				return err
			}
		}
		return nil
	})
	return cancelled, err
}
