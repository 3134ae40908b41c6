package app

import (
	"context"

	"github.com/jangteo/jangteo/services/catalog/internal/domain"
)

// CreateBrand adds a brand, deriving its slug from the name when empty.
func (a *App) CreateBrand(ctx context.Context, b domain.Brand) (domain.Brand, error) {
	return withSlug(ctx, a, "brands", b.Slug, b.Name, func(s string) (domain.Brand, error) {
		b.Slug = s
		return a.store.CreateBrand(ctx, b)
	})
}

// UpdateBrand changes the fields patch sets.
func (a *App) UpdateBrand(ctx context.Context, id string, patch domain.BrandPatch) (domain.Brand, error) {
	return a.store.UpdateBrand(ctx, id, func(b *domain.Brand) error {
		patch.Apply(b)
		return nil
	})
}

// DeleteBrand removes a brand that has no products.
func (a *App) DeleteBrand(ctx context.Context, id string) error {
	return a.store.DeleteBrand(ctx, id)
}

// Brands lists the brands, only those of causeSlug when given.
func (a *App) Brands(ctx context.Context, causeSlug string) ([]domain.Brand, error) {
	return a.store.Brands(ctx, causeSlug)
}

// BrandPage is a brand with one page of its listed products.
type BrandPage struct {
	Brand    domain.Brand
	Products ProductList
}

// Brand reads a brand with one page of its products, newest first.
func (a *App) Brand(ctx context.Context, slug string, page domain.Page) (BrandPage, error) {
	b, err := a.store.Brand(ctx, slug)
	if err != nil {
		return BrandPage{}, err
	}
	list, err := a.Products(ctx, domain.ProductFilter{BrandSlug: b.Slug, Sort: domain.SortNewest, Page: page})
	return BrandPage{Brand: b, Products: list}, err
}
