package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"go.uber.org/zap"

	"github.com/jangteo/jangteo/platform/logging"
	"github.com/jangteo/jangteo/platform/postgres"
	"github.com/jangteo/jangteo/services/payment/internal/domain"
	"github.com/jangteo/jangteo/services/payment/internal/provider"
	"github.com/jangteo/jangteo/services/payment/internal/store"
)

// Jobs inserts background jobs in a transaction (the service's river client).
type Jobs interface {
	InsertTx(ctx context.Context, tx pgx.Tx, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
}

// ReconcileArgs is the job that settles a payment whose outcome at its
// provider is not known: it looks the payment up and completes or fails it.
type ReconcileArgs struct {
	PaymentID string `json:"payment_id"`
	// Why is "uncertain" (an approval without a known outcome) or
	// "abandoned" (the buyer's deadline): one of each may wait at a time.
	Why string `json:"why"`
}

// Kind implements river.JobArgs.
func (ReconcileArgs) Kind() string { return "payment_reconcile" }

// InsertOpts keeps one waiting reconciliation per payment and reason.
func (ReconcileArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 50, UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{
		rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRetryable,
		rivertype.JobStateRunning, rivertype.JobStateScheduled,
	}}}
}

// uncertain records that p's approval has an unknown outcome and schedules
// its reconciliation in the same transaction, then answers 503: the buyer
// may retry, and the job settles it if nobody does.
func (a *App) uncertain(ctx context.Context, p domain.Payment, err error) error {
	log := logging.For(ctx, a.log).With(zap.String("payment_id", p.ID), zap.String("provider", p.Provider))
	if a.jobs == nil {
		return a.unavailable(ctx, "approve", p, err)
	}
	terr := postgres.InTx(ctx, a.pool, func(tx pgx.Tx) error {
		if err := store.MarkChecking(ctx, tx, p.ID, a.clock()); err != nil {
			return err
		}
		_, err := a.jobs.InsertTx(ctx, tx, ReconcileArgs{PaymentID: p.ID, Why: "uncertain"}, &river.InsertOpts{ScheduledAt: a.clock().Add(a.reconcileDelay)})
		return err
	})
	if terr != nil {
		log.Error("an approval with an unknown outcome could not be scheduled for reconciliation", zap.Error(terr))
	} else {
		log.Warn("approval outcome unknown; reconciliation scheduled", zap.Error(err))
	}
	return domain.ErrProviderUnavailable.After(2 * time.Second)
}

// ErrStillPending is a reconciliation that found the buyer still at the
// provider: it is looked at again later.
var ErrStillPending = errors.New("payment still pending at the provider")

// Reconcile asks the provider where a READY payment stands and settles it
// from that answer: approved there → APPROVED here (payment.approved, once);
// authorized with what approving needs → approved now; failed there, or
// pending past Settings.PendingTimeout → FAILED (money the buyer approves
// later anyway is given back by that approval). A payment cancelled or
// failed meanwhile whose money the provider took anyway (an approval whose
// answer was lost) gets it back; a paid one is left as it is.
// ErrStillPending when the buyer may still approve.
func (a *App) Reconcile(ctx context.Context, id string) (domain.Payment, error) {
	p, err := store.Payment(ctx, a.pool, id)
	if err != nil || p.Status == domain.StatusCreated || p.Status.Paid() {
		if err == nil {
			err = store.Checked(ctx, a.pool, id)
		}
		return p, err
	}
	prov, err := a.provider(p.Provider)
	if err != nil {
		return p, err
	}
	if p.Status != domain.StatusReady {
		return p, a.giveBackIfTaken(ctx, prov, p)
	}
	st, err := prov.Lookup(ctx, provider.LookupRequest{Payment: toProvider(p), Ref: p.ProviderRef})
	if err != nil {
		return p, fmt.Errorf("lookup at %s: %w", p.Provider, err)
	}
	switch st.State {
	case provider.StateApproved:
		approval := provider.Approval{TxID: st.TxID, Amount: st.Amount, Currency: p.Currency, ApprovedAt: st.ApprovedAt}
		p, err = a.settle(ctx, prov, p, approval)
	case provider.StateAuthorized:
		if st.Callback == nil {
			return a.stillPending(ctx, p)
		}
		p, err = a.Approve(ctx, id, st.Callback)
	case provider.StateFailed:
		p, err = a.fail(ctx, id, "declined or abandoned at "+p.Provider)
	default:
		return a.stillPending(ctx, p)
	}
	if errors.Is(err, domain.ErrProviderUnavailable) {
		return p, err // asked again by the job's retry
	}
	if cerr := store.Checked(ctx, a.pool, id); cerr != nil {
		return p, cerr
	}
	return p, err
}

func (a *App) stillPending(ctx context.Context, p domain.Payment) (domain.Payment, error) {
	if a.clock().Sub(p.UpdatedAt) < a.pendingTimeout {
		return p, ErrStillPending
	}
	return a.fail(ctx, p.ID, "the buyer did not finish at "+p.Provider+" in time")
}

// giveBackIfTaken gives back what the provider took for a payment that is
// cancelled or failed here (nothing if it took nothing or gave it back).
func (a *App) giveBackIfTaken(ctx context.Context, prov provider.Provider, p domain.Payment) error {
	st, err := prov.Lookup(ctx, provider.LookupRequest{Payment: toProvider(p), Ref: p.ProviderRef})
	if err != nil {
		return fmt.Errorf("lookup at %s: %w", p.Provider, err)
	}
	if st.State == provider.StateApproved && st.Refunded == 0 {
		a.giveBack(ctx, prov, p, provider.Approval{TxID: st.TxID, Amount: st.Amount, Currency: p.Currency, ApprovedAt: st.ApprovedAt})
	}
	return store.Checked(ctx, a.pool, p.ID)
}
