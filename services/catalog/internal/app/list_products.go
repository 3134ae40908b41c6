package app

import (
	"context"

	"github.com/jangteo/jangteo/services/catalog/internal/domain"
)

// ProductList is one page of products.
type ProductList struct {
	Products   []domain.Product
	TotalCount int64
	TotalPages int
	Page       int
}

// Products lists the products matching f.
func (a *App) Products(ctx context.Context, f domain.ProductFilter) (ProductList, error) {
	if err := f.Check(); err != nil {
		return ProductList{}, err
	}
	if f.Sort == "" {
		f.Sort = domain.SortNewest
	}
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
