package app

import (
	"context"
	"errors"
	"time"

	"github.com/riverqueue/river"

	"github.com/jangteo/jangteo/services/payment/internal/domain"
)

// ReconcileWorker works ReconcileArgs jobs: a payment still pending at its
// provider is looked at again a minute later, a provider that does not
// answer by river's retries; a settled payment ends the job.
type ReconcileWorker struct {
	river.WorkerDefaults[ReconcileArgs]
	App *App
}

// Work implements river.Worker.
func (w ReconcileWorker) Work(ctx context.Context, j *river.Job[ReconcileArgs]) error {
	_, err := w.App.Reconcile(ctx, j.Args.PaymentID)
	switch {
	case errors.Is(err, ErrStillPending):
		return river.JobSnooze(time.Minute)
	case err == nil, errors.Is(err, domain.ErrNotFound), decided(err):
		return nil
	}
	return err
}
