package app

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
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
	switch {
	case errors.Is(err, provider.ErrDeclined), errors.Is(err, provider.ErrAmountMismatch):
		failed, ferr := a.fail(ctx, p.ID, err.Error())
		if ferr != nil {
			return failed, ferr
		}
		return failed, domain.ErrDeclined.With("the payment was declined: %v", err)
	case errors.Is(err, provider.ErrNotApproved):
		return p, domain.ErrNotApprovedByBuyer
	case errors.Is(err, provider.ErrUncertain):
		return p, a.uncertain(ctx, p, err)
	case err != nil:
		return p, a.unavailable(ctx, "approve", p, err)
	}
	return a.settle(ctx, prov, p, approval)
}

// settle records money a provider took for p: READY → APPROVED with
// payment.approved, decided by one conditional UPDATE. Money of another
// amount, or taken for a payment that lost the race (cancelled, failed, its
// order paid by another payment), is given back.
func (a *App) settle(ctx context.Context, prov provider.Provider, p domain.Payment, approval provider.Approval) (domain.Payment, error) {
	if approval.Amount != p.Amount || approval.Currency != p.Currency {
		a.giveBack(ctx, prov, p, approval)
		err := fmt.Errorf("%s took %d %s for %d %s: %w", p.Provider, approval.Amount, approval.Currency, p.Amount, p.Currency, provider.ErrAmountMismatch)
		failed, ferr := a.fail(ctx, p.ID, err.Error())
		if ferr != nil {
			return failed, ferr
		}
		return failed, domain.ErrDeclined.With("the payment was declined: %v", err)
	}
	var approved domain.Payment
	var won bool
	err := postgres.InTx(ctx, a.pool, func(tx pgx.Tx) (err error) {
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
// refunds once; a provider that does not answer is asked again by a
// GiveBackArgs job.
func (a *App) giveBack(ctx context.Context, prov provider.Provider, p domain.Payment, approval provider.Approval) {
	err := a.sendGiveBack(ctx, prov, p, approval)
	log := logging.For(ctx, a.log).With(zap.String("payment_id", p.ID), zap.String("provider", p.Provider), zap.Int64("amount", approval.Amount))
	if err == nil {
		log.Warn("money taken for a payment that lost its approval was given back", zap.String("status", string(p.Status)))
		return
	}
	if errors.Is(err, provider.ErrRefundRejected) || a.jobs == nil {
		log.Error("money taken for a payment that lost its approval was not given back; reconcile it", zap.Error(err))
		return
	}
	args := GiveBackArgs{PaymentID: p.ID, TxID: approval.TxID, Amount: approval.Amount, Currency: approval.Currency}
	if jerr := postgres.InTx(ctx, a.pool, func(tx pgx.Tx) error {
		_, err := a.jobs.InsertTx(ctx, tx, args, &river.InsertOpts{ScheduledAt: a.clock().Add(a.reconcileDelay)})
		return err
	}); jerr != nil {
		log.Error("money taken for a payment that lost its approval was not given back; reconcile it", zap.Error(err), zap.NamedError("schedule", jerr))
		return
	}
	log.Warn("giving back money taken for a payment that lost its approval: the provider did not answer; a job asks again", zap.Error(err))
}

func (a *App) sendGiveBack(ctx context.Context, prov provider.Provider, p domain.Payment, approval provider.Approval) error {
	_, err := prov.Refund(ctx, provider.RefundRequest{
		Payment: toProvider(p), Ref: p.ProviderRef, TxID: approval.TxID,
		Amount: approval.Amount, Balance: approval.Amount,
		Reason: "approval lost: the payment is " + string(p.Status), IdempotencyKey: "giveback-" + p.ID,
	})
	return err
}

// GiveBackArgs is the job that asks a provider again to give back money
// taken for a payment that lost its approval (same key: once).
type GiveBackArgs struct {
	PaymentID string `json:"payment_id"`
	TxID      string `json:"tx_id"`
	Amount    int64  `json:"amount"`
	Currency  string `json:"currency"`
}

// Kind implements river.JobArgs.
func (GiveBackArgs) Kind() string { return "payment_give_back" }

// GiveBackWorker works GiveBackArgs jobs; a provider still not answering is
// asked again by river's retries, a refusal is logged for an operator.
type GiveBackWorker struct {
	river.WorkerDefaults[GiveBackArgs]
	App *App
}

// Work implements river.Worker.
func (w GiveBackWorker) Work(ctx context.Context, j *river.Job[GiveBackArgs]) error {
	a := w.App
	p, err := store.Payment(ctx, a.pool, j.Args.PaymentID)
	if err != nil {
		return err
	}
	prov, err := a.provider(p.Provider)
	if err != nil {
		return err
	}
	err = a.sendGiveBack(ctx, prov, p, provider.Approval{TxID: j.Args.TxID, Amount: j.Args.Amount, Currency: j.Args.Currency})
	if errors.Is(err, provider.ErrRefundRejected) {
		logging.For(ctx, a.log).Error("the provider refused to give back money taken for a payment that lost its approval; reconcile it",
			zap.String("payment_id", p.ID), zap.String("provider", p.Provider), zap.Int64("amount", j.Args.Amount), zap.Error(err))
		return nil
	}
	return err
}

// Decline fails a payment the buyer declined at its provider. Declining it
// again answers the same payment; a payment no longer open is 409.
func (a *App) Decline(ctx context.Context, id, reason string) (domain.Payment, error) {
	return a.fail(ctx, id, reason)
}
