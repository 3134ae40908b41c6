package app

import (
	"context"
	"errors"
	"net/url"
	"sync"

	"go.uber.org/zap"

	"github.com/jangteo/jangteo/platform/errs"
	"github.com/jangteo/jangteo/platform/logging"
	"github.com/jangteo/jangteo/services/payment/internal/domain"
	"github.com/jangteo/jangteo/services/payment/internal/provider"
	"github.com/jangteo/jangteo/services/payment/internal/store"
)

// The failures of webhooks.
var (
	// ErrWebhookUnverified is a notification whose origin could not be verified.
	ErrWebhookUnverified = errs.New(errs.Unauthenticated, "WEBHOOK_UNVERIFIED", "the notification could not be verified")
	// ErrNoWebhooks is a notification for a provider that is not enabled or sends none.
	ErrNoWebhooks = errs.New(errs.NotFound, "WEBHOOKS_NOT_ENABLED", "this provider is not enabled or sends no webhooks")
)

// Returned is where a buyer's return left the payment.
type Returned struct {
	Payment domain.Payment
	// Pending: the provider's answer is not known yet; reconciliation settles it.
	Pending bool
}

// ReturnFromProvider handles the buyer's browser coming back from providerName
// with outcome (approve, cancel, fail) and the provider's query. The query
// is only a claim: approving asks the provider, whose own answer must name
// this payment and its amount; cancelling or failing asks where the payment
// stands first, so a forged cancel link cannot undo money taken. A payment
// of another provider is not found.
func (a *App) ReturnFromProvider(ctx context.Context, providerName, id, outcome string, query url.Values) (Returned, error) {
	p, err := store.Payment(ctx, a.pool, id)
	if err != nil {
		return Returned{}, err
	}
	if p.Provider != providerName {
		return Returned{}, domain.ErrNotFound
	}
	if outcome == "approve" {
		p, err := a.Approve(ctx, id, query)
		switch {
		case errors.Is(err, domain.ErrProviderUnavailable):
			return Returned{Payment: p, Pending: true}, nil
		case decided(err):
			return Returned{Payment: p}, nil // not paid: the browser goes back to the shop's cancel URL
		}
		return Returned{Payment: p}, err
	}
	if p.Status != domain.StatusReady {
		return Returned{Payment: p}, nil
	}
	p, err = a.Reconcile(ctx, id)
	if errors.Is(err, ErrStillPending) {
		reason := "cancelled by the buyer at " + providerName
		if outcome == "fail" {
			reason = "failed at " + providerName
			if c := query.Get("code"); c != "" {
				reason += ": " + c + " " + query.Get("message")
			}
		}
		p, err = a.fail(ctx, id, reason)
	}
	switch {
	case errors.Is(err, domain.ErrProviderUnavailable):
		return Returned{Payment: p, Pending: true}, nil
	case decided(err):
		p, err = store.Payment(ctx, a.pool, id) // settled otherwise meanwhile: show where it stands
		return Returned{Payment: p}, err
	case err != nil:
		logging.For(ctx, a.log).Warn("provider lookup failed on the buyer's return", zap.String("payment_id", id), zap.Error(err))
		return Returned{Payment: p, Pending: true}, a.scheduleReconcile(ctx, p)
	}
	return Returned{Payment: p}, nil
}

// decided reports the errors of an approval or a failure that leave the
// payment settled (or untouched) with nothing to retry: declined, already
// settled otherwise, the order paid by another payment, not approved by the
// buyer.
func decided(err error) bool {
	return errors.Is(err, domain.ErrDeclined) || errors.Is(err, domain.ErrStatusConflict) ||
		errors.Is(err, domain.ErrOrderAlreadyPaid) || errors.Is(err, domain.ErrNotApprovedByBuyer)
}

// scheduleReconcile marks p checking and schedules its lookup.
func (a *App) scheduleReconcile(ctx context.Context, p domain.Payment) error {
	if err := a.uncertain(ctx, p, errors.New("lookup failed")); !errors.Is(err, domain.ErrProviderUnavailable) {
		return err
	}
	return nil
}

// unverified remembers which providers' unverifiable webhooks were logged,
// so a flood of them is logged once.
var unverified sync.Map

// Webhook handles a provider's notification: the provider verifies it and
// names the payment, which is then looked up at the provider and settled
// from that answer. ErrWebhookUnverified (401) when it cannot be verified.
func (a *App) Webhook(ctx context.Context, providerName string, header map[string][]string, body []byte) error {
	prov, err := a.provider(providerName)
	if err != nil {
		return ErrNoWebhooks
	}
	hooks, ok := provider.Unwrap(prov).(provider.Webhooks)
	if !ok {
		return ErrNoWebhooks
	}
	id, err := hooks.Webhook(ctx, header, body)
	if errors.Is(err, provider.ErrUnverified) {
		if _, seen := unverified.LoadOrStore(providerName, true); !seen {
			logging.For(ctx, a.log).Warn("unverifiable webhook refused (logged once per provider)", zap.String("provider", providerName), zap.Error(err))
		}
		return ErrWebhookUnverified
	}
	if err != nil {
		return a.unavailableFor(ctx, providerName, err)
	}
	if id == "" {
		return nil
	}
	p, err := store.Payment(ctx, a.pool, id)
	if errors.Is(err, domain.ErrNotFound) {
		return nil // not ours (another shop on the same account): acknowledged
	}
	if err != nil {
		return err
	}
	if p.Provider != providerName {
		return nil
	}
	_, err = a.Reconcile(ctx, id)
	switch {
	case err == nil, errors.Is(err, ErrStillPending), decided(err):
		return nil
	case errors.Is(err, domain.ErrProviderUnavailable):
		return err
	}
	return a.scheduleReconcile(ctx, p)
}

func (a *App) unavailableFor(ctx context.Context, providerName string, err error) error {
	return a.unavailable(ctx, "webhook", domain.Payment{Provider: providerName}, err)
}
