package app

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/jangteo/jangteo/platform/postgres"
	"github.com/jangteo/jangteo/services/catalog/internal/domain"
)

// NewProduct is what staff give to create a product.
type NewProduct struct {
	Product  domain.Product // name, slug, texts, category, brand, price, images, options
	Variants []domain.VariantSpec
	Stock    int64  // of every combination not in Variants
	SKU      string // of the default variant when there are no options
}

// CreateProduct adds an available product with one variant per option
// combination (one default variant without options), deriving its slug from
// the name when empty; the product_changed event is written with it.
func (a *App) CreateProduct(ctx context.Context, np NewProduct) (domain.Product, error) {
	p := np.Product
	if p.Price.Currency == "" {
		p.Price.Currency = domain.DefaultCurrency
	}
	variants, err := domain.BuildVariants(p.Options, np.Variants, np.Stock, np.SKU, p.Price)
	if err != nil {
		return domain.Product{}, err
	}
	p.Variants = variants
	p.Available = true
	return withSlug(ctx, a, "products", p.Slug, p.Name, func(s string) (domain.Product, error) {
		p.Slug = s
		return a.createProduct(ctx, p)
	})
}

// createProduct stores p with its variants and the product_changed event
// announcing it, in one transaction.
func (a *App) createProduct(ctx context.Context, p domain.Product) (domain.Product, error) {
	var created domain.Product
	err := postgres.InTx(ctx, a.db, func(tx pgx.Tx) error {
		var err error
		if created, err = a.stores(tx).CreateProduct(ctx, p); err != nil {
			return err
		}
		return publishProductChanged(ctx, tx, created, domain.ProductCreated)
	})
	return created, err
}
