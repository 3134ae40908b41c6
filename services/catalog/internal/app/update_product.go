package app

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/jangteo/jangteo/platform/postgres"
	"github.com/jangteo/jangteo/services/catalog/internal/domain"
)

// productStore is what the product and variant use cases need.
type productStore interface {
	CreateProduct(ctx context.Context, p domain.Product) (domain.Product, error)
	Product(ctx context.Context, slugOrID string) (domain.Product, error)
	Products(ctx context.Context, f domain.ProductFilter) ([]domain.Product, int64, error)
	ProductForUpdate(ctx context.Context, id string) (domain.Product, error)
	SaveProduct(ctx context.Context, p domain.Product) (domain.Product, error)
	VariantForUpdate(ctx context.Context, id string) (domain.Variant, error)
	SaveVariant(ctx context.Context, v domain.Variant) error
	VariantDetails(ctx context.Context, ids []string) ([]domain.VariantDetail, error)
}

// UpdateProduct changes the fields patch sets; a new price is published as
// a price change, anything else as an update.
func (a *App) UpdateProduct(ctx context.Context, id string, patch domain.ProductPatch) (domain.Product, error) {
	return a.updateProduct(ctx, id, func(p *domain.Product) (domain.ProductChange, error) {
		if p.Archived {
			return 0, domain.ErrProductArchived
		}
		return patch.Apply(p)
	})
}

// updateProduct runs fn on the locked product and stores the result with the
// product_changed event fn's change names; a zero change writes nothing.
func (a *App) updateProduct(ctx context.Context, id string, fn func(*domain.Product) (domain.ProductChange, error)) (domain.Product, error) {
	var p domain.Product
	err := postgres.InTx(ctx, a.db, func(tx pgx.Tx) error {
		s := a.stores(tx)
		var err error
		if p, err = s.ProductForUpdate(ctx, id); err != nil {
			return err
		}
		change, err := fn(&p)
		if err != nil || change == 0 {
			return err
		}
		if p, err = s.SaveProduct(ctx, p); err != nil {
			return err
		}
		return publishProductChanged(ctx, tx, p, change)
	})
	return p, err
}
