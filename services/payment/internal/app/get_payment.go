package app

import (
	"context"

	"github.com/jangteo/jangteo/platform/paging"
	"github.com/jangteo/jangteo/services/payment/internal/domain"
	"github.com/jangteo/jangteo/services/payment/internal/store"
)

// Viewer is who reads a payment.
type Viewer struct {
	UserID string
	Staff  bool
}

// GetPayment reads a payment for its buyer or staff; to anyone else it does
// not exist.
func (a *App) GetPayment(ctx context.Context, v Viewer, id string) (domain.Payment, error) {
	p, err := store.Payment(ctx, a.pool, id)
	if err != nil {
		return domain.Payment{}, err
	}
	if p.UserID != v.UserID && !v.Staff {
		return domain.Payment{}, domain.ErrNotFound
	}
	return p, nil
}

// PaymentPage is one page of a payment list.
type PaymentPage struct {
	Payments   []domain.Payment
	Total      int64
	Page       int
	TotalPages int
}

// ListPayments pages through payments, newest first (staff).
func (a *App) ListPayments(ctx context.Context, f store.Filter, number, size int) (PaymentPage, error) {
	page := paging.New(number, size, 20, 100)
	ps, total, err := store.ListPayments(ctx, a.pool, f, page)
	if err != nil {
		return PaymentPage{}, err
	}
	return PaymentPage{Payments: ps, Total: total, Page: page.Number, TotalPages: page.TotalPages(total)}, nil
}
