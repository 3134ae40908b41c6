package app

import (
	"context"

	"github.com/jangteo/jangteo/services/catalog/internal/domain"
)

// Product reads one product with its variants by slug or id, archived or
// not, each variant with its market buy-now and sell-now prices.
func (a *App) Product(ctx context.Context, slugOrID string) (domain.Product, error) {
	p, err := a.store.Product(ctx, slugOrID)
	if err != nil {
		return p, err
	}
	return p, a.attachMarketQuotes(ctx, &p)
}
