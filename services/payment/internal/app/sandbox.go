package app

import (
	"context"

	"github.com/jangteo/jangteo/services/payment/internal/domain"
	"github.com/jangteo/jangteo/services/payment/internal/provider/sandbox"
	"github.com/jangteo/jangteo/services/payment/internal/store"
)

// SandboxPayment reads a payment of the sandbox provider for its approval
// page; other payments, or any payment while the sandbox is disabled, are not found.
func (a *App) SandboxPayment(ctx context.Context, id string) (domain.Payment, error) {
	if a.sandbox == nil {
		return domain.Payment{}, domain.ErrNotFound
	}
	p, err := store.Payment(ctx, a.pool, id)
	if err != nil {
		return p, err
	}
	if p.Provider != sandbox.Name {
		return domain.Payment{}, domain.ErrNotFound
	}
	return p, nil
}

// ApproveSandbox is the buyer's Approve click on the sandbox page: the
// sandbox records the buyer's approval, then the payment is approved as any
// provider's would be on the buyer's return.
func (a *App) ApproveSandbox(ctx context.Context, id string) (domain.Payment, error) {
	p, err := a.SandboxPayment(ctx, id)
	if err != nil {
		return p, err
	}
	if p.Status == domain.StatusReady {
		if err := a.sandbox.Authorize(ctx, p.ProviderRef); err != nil {
			return p, a.unavailable(ctx, "authorize", p, err)
		}
	}
	return a.Approve(ctx, id, nil)
}

// DeclineSandbox is the buyer's Decline click: the payment fails.
func (a *App) DeclineSandbox(ctx context.Context, id string) (domain.Payment, error) {
	p, err := a.SandboxPayment(ctx, id)
	if err != nil {
		return p, err
	}
	if p.Status == domain.StatusReady {
		if err := a.sandbox.Decline(ctx, p.ProviderRef); err != nil {
			return p, a.unavailable(ctx, "decline", p, err)
		}
	}
	return a.Decline(ctx, id, "declined by the buyer")
}
