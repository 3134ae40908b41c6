package app

import (
	"context"

	"github.com/jangteo/jangteo/services/catalog/internal/domain"
)

// Product reads one product with its variants by slug or id, archived or
// not, each variant with its market buy-now and sell-now prices.
func (a *App) Product(ctx context.Context, slugOrID string) (domain.Product, error) {
	return a.store.Product(ctx, slugOrID)
}
