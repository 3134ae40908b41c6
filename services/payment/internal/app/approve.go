package app

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"github.com/jackc/pgx/v5"
	"go.uber.org/zap"

	"github.com/jangteo/jangteo/platform/logging"
	"github.com/jangteo/jangteo/platform/postgres"
	"github.com/jangteo/jangteo/services/payment/internal/domain"
	"github.com/jangteo/jangteo/services/payment/internal/events"
	"github.com/jangteo/jangteo/services/payment/internal/provider"
	"github.com/jangteo/jangteo/services/payment/internal/store"
)

// Approve completes a READY payment the buyer approved at its provider, with
// the query the provider sent the buyer back with. However many approvals
// race (double clicks, the buyer's return and the provider's notification),
// and whatever races them (a cancel, a decline), one conditional UPDATE
// READY → APPROVED decides: the payment is approved at most once and
// payment.approved is published at most once. A loser that finds it approved
// answers the same payment; one that finds it cancelled or failed gives back
// the money the provider took and answers 409 naming the status.
func (a *App) Approve(ctx context.Context, id string, callback url.Values) (domain.Payment, error) {
	p, err := store.Payment(ctx, a.pool, id)
	if err != nil {
		return p, err
	}
	if p.Status.Paid() {
		return p, nil
	}
	if err := p.CheckTransition(domain.StatusApproved); err != nil {
		return p, err
	}
	prov, err := a.provider(p.Provider)
	if err != nil {
		return p, err
	}
	approval, err := prov.Approve(ctx, provider.ApproveRequest{
		Payment: toProvider(p), Ref: p.ProviderRef, Callback: callback, IdempotencyKey: "approve-" + p.ID,
	})
	if err == nil && (approval.Amount != p.Amount || approval.Currency != p.Currency) {
		a.giveBack(ctx, prov, p, approval)
		err = fmt.Errorf("%s took %d %s for %d %s: %w", p.Provider, approval.Amount, approval.Currency, p.Amount, p.Currency, provider.ErrAmountMismatch)
	}
	switch {
	case errors.Is(err, provider.ErrDeclined), errors.Is(err, provider.ErrAmountMismatch):
		failed, ferr := a.fail(ctx, p.ID, err.Error())
		if ferr != nil {
			return failed, ferr
		}
		return failed, domain.ErrDeclined.With("the payment was declined: %v", err)
	case errors.Is(err, provider.ErrNotApproved):
		return p, domain.ErrNotApprovedByBuyer
	case err != nil:
		return p, a.unavailable(ctx, "approve", p, err)
	}

	var approved domain.Payment
	var won bool
	err = postgres.InTx(ctx, a.pool, func(tx pgx.Tx) (err error) {
		if approved, won, err = store.MarkApproved(ctx, tx, p.ID, approval.TxID, a.clock()); err != nil || !won {
			return err
		}
		return events.Approved(ctx, tx, approved)
	})
	if _, paidTwice := postgres.IsUniqueViolation(err); paidTwice {
		// Another payment of the same order was approved first.
		a.giveBack(ctx, prov, p, approval)
		failed, ferr := a.fail(ctx, p.ID, "the order was already paid by another payment; the money was given back")
		if ferr != nil {
			return failed, ferr
		}
		return failed, domain.ErrOrderAlreadyPaid
	}
	if err != nil || won {
		return approved, err
	}
	now, err := store.Payment(ctx, a.pool, p.ID)
	if err != nil {
		return now, err
	}
	if now.Status.Paid() {
		return now, nil // a concurrent approval won: the same outcome
	}
	a.giveBack(ctx, prov, now, approval)
	return now, now.CheckTransition(domain.StatusApproved)
}

// giveBack refunds money a provider took for a payment that lost its
// approval (cancelled or declined meanwhile, the order paid by another
// payment, a wrong amount). It is keyed by the payment, so repeating it
// refunds once. A failure is logged for reconciliation: the audit log holds
// the provider's answers.
func (a *App) giveBack(ctx context.Context, prov provider.Provider, p domain.Payment, approval provider.Approval) {
	_, err := prov.Refund(ctx, provider.RefundRequest{
		Payment: toProvider(p), Ref: p.ProviderRef, TxID: approval.TxID,
		Amount: approval.Amount, Balance: approval.Amount,
		Reason: "approval lost: the payment is " + string(p.Status), IdempotencyKey: "giveback-" + p.ID,
	})
	log := logging.For(ctx, a.log).With(zap.String("payment_id", p.ID), zap.String("provider", p.Provider), zap.Int64("amount", approval.Amount))
	if err != nil {
		log.Error("money taken for a payment that lost its approval was not given back; reconcile it", zap.Error(err))
		return
	}
	log.Warn("money taken for a payment that lost its approval was given back", zap.String("status", string(p.Status)))
}

// Decline fails a payment the buyer declined at its provider. Declining it
// again answers the same payment; a payment no longer open is 409.
func (a *App) Decline(ctx context.Context, id, reason string) (domain.Payment, error) {
	return a.fail(ctx, id, reason)
}
