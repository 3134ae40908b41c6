package app

import (
	"context"
	"errors"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/jangteo/jangteo/platform/postgres"
	"github.com/jangteo/jangteo/services/payment/internal/domain"
	"github.com/jangteo/jangteo/services/payment/internal/events"
	"github.com/jangteo/jangteo/services/payment/internal/provider"
	"github.com/jangteo/jangteo/services/payment/internal/store"
)

// RefundPayment asks for money back on a paid payment.
type RefundPayment struct {
	PaymentID string
	// Amount to give back; 0 gives back everything left.
	Amount         int64
	Reason         string
	IdempotencyKey string
}

// RefundPayment gives back part or all of a paid payment. Under the
// payment's row lock it records a pending refund that reserves its amount, so
// concurrent refunds can never give back more than was paid; then it asks the
// provider (no lock held) and settles the refund, publishing
// payment.refunded. The same key answers the payment without a second refund;
// a refund whose provider call did not answer is asked again by the retry.
func (a *App) RefundPayment(ctx context.Context, c RefundPayment) (domain.Payment, error) {
	var p domain.Payment
	var r domain.Refund
	err := postgres.InTx(ctx, a.pool, func(tx pgx.Tx) error {
		var err error
		if p, err = store.LockPayment(ctx, tx, c.PaymentID); err != nil {
			return err
		}
		existing, ok, err := store.RefundByKey(ctx, tx, p.ID, c.IdempotencyKey)
		if err != nil {
			return err
		}
		if ok {
			if c.Amount != 0 && c.Amount != existing.Amount {
				return domain.ErrKeyReused.With("idempotency key %q was used for a refund of %d %s", c.IdempotencyKey, existing.Amount, p.Currency)
			}
			r = existing
			return nil
		}
		amount, err := p.PlanRefund(c.Amount)
		if err != nil {
			return err
		}
		r = domain.Refund{
			ID: uuid.Must(uuid.NewV7()).String(), PaymentID: p.ID, IdempotencyKey: c.IdempotencyKey,
			Amount: amount, Reason: c.Reason, Status: domain.RefundPending, CreatedAt: a.clock(),
		}
		return store.StartRefund(ctx, tx, r)
	})
	if err != nil {
		return p, err
	}
	switch r.Status {
	case domain.RefundSucceeded:
		return store.Payment(ctx, a.pool, p.ID)
	case domain.RefundFailed:
		return p, domain.ErrRefundRejected.With("the provider refused this refund: %s", r.FailureReason)
	}

	prov, err := a.provider(p.Provider)
	if err != nil {
		return p, err
	}
	res, err := prov.Refund(ctx, provider.RefundRequest{
		Payment: toProvider(p), Ref: p.ProviderRef, TxID: p.ProviderTxID,
		Amount: r.Amount, Balance: p.Amount - p.RefundedAmount, Reason: r.Reason,
		IdempotencyKey: "refund-" + r.ID,
	})
	switch {
	case errors.Is(err, provider.ErrRefundRejected):
		r.Status, r.FailureReason = domain.RefundFailed, err.Error()
	case err != nil:
		return p, a.unavailable(ctx, "refund", p, err)
	default:
		r.Status, r.ProviderRefundID = domain.RefundSucceeded, res.ID
	}
	r.CompletedAt = a.clock()
	err = postgres.InTx(ctx, a.pool, func(tx pgx.Tx) error {
		locked, err := store.LockPayment(ctx, tx, p.ID)
		if err != nil {
			return err
		}
		to := locked.Status
		if r.Status == domain.RefundSucceeded {
			to = locked.AfterRefund(locked.RefundedAmount + r.Amount)
		}
		var settled bool
		if p, settled, err = store.SettleRefund(ctx, tx, r, to); err != nil || !settled || r.Status != domain.RefundSucceeded {
			return err
		}
		return events.Refunded(ctx, tx, p, r, r.CompletedAt)
	})
	if err != nil {
		return p, err
	}
	if r.Status == domain.RefundFailed {
		return p, domain.ErrRefundRejected.With("the provider refused this refund: %s", r.FailureReason)
	}
	return p, nil
}
