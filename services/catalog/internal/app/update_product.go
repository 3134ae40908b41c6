package app

import (
	"context"

	"github.com/jangteo/jangteo/services/catalog/internal/domain"
)

// UpdateProduct changes the fields patch sets; a new price is published as
// a price change, anything else as an update.
func (a *App) UpdateProduct(ctx context.Context, id string, patch domain.ProductPatch) (domain.Product, error) {
	return a.store.UpdateProduct(ctx, id, func(p *domain.Product) (domain.ProductChange, error) {
		if p.Archived {
			return 0, domain.ErrProductArchived
		}
		return patch.Apply(p)
	})
}
