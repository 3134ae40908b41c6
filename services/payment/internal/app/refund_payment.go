package app

import (
	"context"
	"errors"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"go.uber.org/zap"

	"github.com/jangteo/jangteo/platform/logging"

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
// a refund whose provider call did not answer is asked again by the retry
// or by its ResumeRefundArgs job.
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

	return a.sendRefund(ctx, p, r)
}

// sendRefund asks the provider for a pending refund r of p and settles it,
// publishing payment.refunded once. A provider that did not answer leaves it
// pending and schedules ResumeRefundArgs, which asks again with the same key.
func (a *App) sendRefund(ctx context.Context, p domain.Payment, r domain.Refund) (domain.Payment, error) {
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
		a.scheduleRefund(ctx, r)
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

// ResumeRefundArgs is the job that asks a provider again for a refund whose
// call did not answer.
type ResumeRefundArgs struct {
	RefundID string `json:"refund_id"`
}

// Kind implements river.JobArgs.
func (ResumeRefundArgs) Kind() string { return "payment_resume_refund" }

// InsertOpts keeps one waiting job per refund.
func (ResumeRefundArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 50, UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{
		rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRetryable,
		rivertype.JobStateRunning, rivertype.JobStateScheduled,
	}}}
}

func (a *App) scheduleRefund(ctx context.Context, r domain.Refund) {
	if a.jobs == nil {
		return
	}
	err := postgres.InTx(ctx, a.pool, func(tx pgx.Tx) error {
		_, err := a.jobs.InsertTx(ctx, tx, ResumeRefundArgs{RefundID: r.ID}, &river.InsertOpts{ScheduledAt: a.clock().Add(a.reconcileDelay)})
		return err
	})
	if err != nil {
		logging.For(ctx, a.log).Error("an unanswered refund could not be scheduled; the retry with its key finishes it",
			zap.String("refund_id", r.ID), zap.String("payment_id", r.PaymentID), zap.Error(err))
	}
}

// ResumeRefund asks the provider again for a refund still pending.
func (a *App) ResumeRefund(ctx context.Context, refundID string) error {
	r, err := store.Refund(ctx, a.pool, refundID)
	if err != nil || r.Status != domain.RefundPending {
		return err
	}
	p, err := store.Payment(ctx, a.pool, r.PaymentID)
	if err != nil {
		return err
	}
	_, err = a.sendRefund(ctx, p, r)
	if errors.Is(err, domain.ErrRefundRejected) {
		return nil // settled as failed, its amount released
	}
	return err
}

// ResumeRefundWorker works ResumeRefundArgs jobs; a provider still not
// answering is asked again by river's retries.
type ResumeRefundWorker struct {
	river.WorkerDefaults[ResumeRefundArgs]
	App *App
}

// Work implements river.Worker.
func (w ResumeRefundWorker) Work(ctx context.Context, j *river.Job[ResumeRefundArgs]) error {
	return w.App.ResumeRefund(ctx, j.Args.RefundID)
}
