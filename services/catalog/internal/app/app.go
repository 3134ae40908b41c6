// Package app holds the catalog's use cases.
package app

import (
	"context"

	"github.com/jangteo/jangteo/services/catalog/internal/domain"
)

// Store is what the use cases need from persistence.
type Store interface {
	SlugTaken(ctx context.Context, table, slug string) (bool, error)
	CreateCategory(ctx context.Context, c domain.Category) (domain.Category, error)
	Categories(ctx context.Context) ([]domain.Category, error)
	CreateProduct(ctx context.Context, p domain.Product) (domain.Product, error)
	Product(ctx context.Context, slugOrID string) (domain.Product, error)
	Products(ctx context.Context, f domain.ProductFilter) ([]domain.Product, int64, error)
}

// App runs the catalog's use cases.
type App struct {
	store Store
}

// New returns the use cases over store.
func New(store Store) *App {
	if store == nil {
		panic("app: nil store")
	}
	return &App{store: store}
}
