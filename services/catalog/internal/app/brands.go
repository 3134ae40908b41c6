package app

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/jangteo/jangteo/platform/postgres"
	"github.com/jangteo/jangteo/services/catalog/internal/domain"
)

// brandStore is what the brand use cases need.
type brandStore interface {
	CreateBrand(ctx context.Context, b domain.Brand) (domain.Brand, error)
	Brands(ctx context.Context, causeSlug string) ([]domain.Brand, error)
	Brand(ctx context.Context, slugOrID string) (domain.Brand, error)
	BrandForUpdate(ctx context.Context, id string) (domain.Brand, error)
	SaveBrand(ctx context.Context, b domain.Brand) (domain.Brand, error)
	DeleteBrand(ctx context.Context, id string) error
}

// CreateBrand adds a brand, deriving its slug from the name when empty.
func (a *App) CreateBrand(ctx context.Context, b domain.Brand) (domain.Brand, error) {
	return withSlug(ctx, a, "brands", b.Slug, b.Name, func(s string) (domain.Brand, error) {
		b.Slug = s
		return a.store.CreateBrand(ctx, b)
	})
}

// UpdateBrand changes the fields patch sets.
func (a *App) UpdateBrand(ctx context.Context, id string, patch domain.BrandPatch) (domain.Brand, error) {
	var b domain.Brand
	err := postgres.InTx(ctx, a.db, func(tx pgx.Tx) error {
		s := a.stores(tx)
		var err error
		if b, err = s.BrandForUpdate(ctx, id); err != nil {
			return err
		}
		patch.Apply(&b)
		b, err = s.SaveBrand(ctx, b)
		return err
	})
	return b, err
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
