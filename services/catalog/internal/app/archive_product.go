package app

import (
	"context"

	"github.com/jangteo/jangteo/services/catalog/internal/domain"
)

// ArchiveProduct takes a product out of lists and sale for good; its page
// stays readable by slug for old orders. Archiving twice changes nothing.
func (a *App) ArchiveProduct(ctx context.Context, id string) (domain.Product, error) {
	return a.updateProduct(ctx, id, func(p *domain.Product) (domain.ProductChange, error) {
		if p.Archived {
			return 0, nil
		}
		p.Archived = true
		return domain.ProductArchived, nil
	})
}
