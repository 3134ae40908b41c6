package app

import (
	"context"
	"errors"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/jangteo/jangteo/platform/errs"
	"github.com/jangteo/jangteo/platform/postgres"
	"github.com/jangteo/jangteo/services/payment/internal/domain"
	"github.com/jangteo/jangteo/services/payment/internal/events"
	"github.com/jangteo/jangteo/services/payment/internal/provider"
	"github.com/jangteo/jangteo/services/payment/internal/store"
)

// CreatePayment is what the order service knows about a payment to make.
type CreatePayment struct {
	OrderID, OrderNumber, UserID, OrderName string
	Provider                                string
	Amount                                  int64
	Currency                                string
	ReturnURL, CancelURL                    string
	IdempotencyKey                          string
}

// CreatePayment records a payment and prepares it at its provider. The same
// idempotency key for the same user returns the same payment, preparing it
// if an earlier attempt could not (the provider did not answer).
func (a *App) CreatePayment(ctx context.Context, c CreatePayment) (domain.Payment, error) {
	var v errs.Violations
	if err := domain.CheckRedirectURL(c.ReturnURL); err != nil {
		v.Add("return_url", err.Error())
	}
	if err := domain.CheckRedirectURL(c.CancelURL); err != nil {
		v.Add("cancel_url", err.Error())
	}
	if err := v.Err(); err != nil {
		return domain.Payment{}, err
	}
	prov, err := a.provider(c.Provider)
	if err != nil {
		return domain.Payment{}, err
	}
	now := a.clock()
	p, created, err := store.CreatePayment(ctx, a.pool, domain.Payment{
		// Random (v4) rather than time-ordered: the id is the only key to the
		// sandbox's public approval page.
		ID:      uuid.NewString(),
		OrderID: c.OrderID, OrderNumber: c.OrderNumber, UserID: c.UserID, OrderName: c.OrderName,
		Provider: c.Provider, Status: domain.StatusCreated, Amount: c.Amount, Currency: c.Currency,
		ReturnURL: c.ReturnURL, CancelURL: c.CancelURL, IdempotencyKey: c.IdempotencyKey,
		CreatedAt: now, UpdatedAt: now,
	})
	if err != nil {
		return domain.Payment{}, err
	}
	if !created && (p.OrderID != c.OrderID || p.Amount != c.Amount || p.Currency != c.Currency || p.Provider != c.Provider) {
		return domain.Payment{}, domain.ErrKeyReused.With("idempotency key %q was used for payment %s of order %s", c.IdempotencyKey, p.ID, p.OrderNumber)
	}
	if p.Status != domain.StatusCreated {
		return p, nil
	}
	return a.prepare(ctx, prov, p)
}

// prepare registers a CREATED payment at its provider: READY with the
// redirect URL, or FAILED when the provider refuses it.
func (a *App) prepare(ctx context.Context, prov provider.Provider, p domain.Payment) (domain.Payment, error) {
	prepared, err := prov.Prepare(ctx, provider.PrepareRequest{
		Payment: toProvider(p), OrderName: p.OrderName, IdempotencyKey: "prepare-" + p.ID,
	})
	if errors.Is(err, provider.ErrDeclined) {
		return a.fail(ctx, p.ID, "refused by "+p.Provider+": "+err.Error())
	}
	if err != nil {
		return p, a.unavailable(ctx, "prepare", p, err)
	}
	var ready domain.Payment
	var ok bool
	err = postgres.InTx(ctx, a.pool, func(tx pgx.Tx) (err error) {
		ready, ok, err = store.MarkReady(ctx, tx, p.ID, prepared.Ref, prepared.RedirectURL, a.clock())
		return err
	})
	if err != nil || ok {
		return ready, err
	}
	return store.Payment(ctx, a.pool, p.ID) // prepared by a concurrent retry, or cancelled meanwhile
}

// fail moves a payment to FAILED with reason and publishes payment.failed;
// a payment already failed is returned as it is.
func (a *App) fail(ctx context.Context, id, reason string) (domain.Payment, error) {
	var p domain.Payment
	var ok bool
	err := postgres.InTx(ctx, a.pool, func(tx pgx.Tx) (err error) {
		if p, ok, err = store.MarkFailed(ctx, tx, id, reason, a.clock()); err != nil || !ok {
			return err
		}
		return events.Failed(ctx, tx, p)
	})
	if err != nil || ok {
		return p, err
	}
	if p, err = store.Payment(ctx, a.pool, id); err != nil {
		return p, err
	}
	if p.Status == domain.StatusFailed {
		return p, nil
	}
	return p, p.CheckTransition(domain.StatusFailed)
}
