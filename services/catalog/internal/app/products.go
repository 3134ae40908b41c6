package app

import (
	"context"

	"github.com/jangteo/jangteo/services/catalog/internal/domain"
)

// CreateProduct adds an available product, deriving its slug from the name when
// empty; the product_changed event is written with it.
func (a *App) CreateProduct(ctx context.Context, p domain.Product) (domain.Product, error) {
	var err error
	if p.Slug, err = a.uniqueSlug(ctx, "products", p.Slug, p.Name); err != nil {
		return domain.Product{}, err
	}
	if p.Price.Currency == "" {
		p.Price.Currency = "KRW"
	}
	p.Available = true
	return a.store.CreateProduct(ctx, p)
}

// Product reads one product by slug or id.
func (a *App) Product(ctx context.Context, slugOrID string) (domain.Product, error) {
	return a.store.Product(ctx, slugOrID)
}

// ProductList is one page of products.
type ProductList struct {
	Products   []domain.Product
	TotalCount int64
	TotalPages int
	Page       int
}

// Products lists the products matching f.
func (a *App) Products(ctx context.Context, f domain.ProductFilter) (ProductList, error) {
	products, total, err := a.store.Products(ctx, f)
	if err != nil {
		return ProductList{}, err
	}
	return ProductList{
		Products:   products,
		TotalCount: total,
		TotalPages: f.Page.TotalPages(total),
		Page:       f.Page.Number,
	}, nil
}
