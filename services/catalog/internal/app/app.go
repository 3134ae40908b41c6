// Package app holds the catalog's use cases, one per file.
package app

import (
	"context"

	"github.com/jangteo/jangteo/services/catalog/internal/domain"
)

// Store is what the use cases need from persistence. Update methods run the
// given function on the locked row inside a transaction.
type Store interface {
	SlugTaken(ctx context.Context, table, slug string) (bool, error)

	CreateCategory(ctx context.Context, c domain.Category) (domain.Category, error)
	Categories(ctx context.Context) ([]domain.Category, error)
	UpdateCategory(ctx context.Context, id string, fn func(*domain.Category) error) (domain.Category, error)
	DeleteCategory(ctx context.Context, id string) error

	CreateCause(ctx context.Context, c domain.Cause) (domain.Cause, error)
	Causes(ctx context.Context) ([]domain.Cause, error)
	Cause(ctx context.Context, slug string) (domain.Cause, error)
	UpdateCause(ctx context.Context, id string, fn func(*domain.Cause) error) (domain.Cause, error)
	DeleteCause(ctx context.Context, id string) error

	CreateBrand(ctx context.Context, b domain.Brand) (domain.Brand, error)
	Brands(ctx context.Context, causeSlug string) ([]domain.Brand, error)
	Brand(ctx context.Context, slugOrID string) (domain.Brand, error)
	UpdateBrand(ctx context.Context, id string, fn func(*domain.Brand) error) (domain.Brand, error)
	DeleteBrand(ctx context.Context, id string) error

	CreateProduct(ctx context.Context, p domain.Product) (domain.Product, error)
	Product(ctx context.Context, slugOrID string) (domain.Product, error)
	Products(ctx context.Context, f domain.ProductFilter) ([]domain.Product, int64, error)
	UpdateProduct(ctx context.Context, id string, fn func(*domain.Product) (domain.ProductChange, error)) (domain.Product, error)
	UpdateVariant(ctx context.Context, id string, fn func(p domain.Product, v *domain.Variant) error) (domain.Product, error)
	VariantDetails(ctx context.Context, ids []string) ([]domain.VariantDetail, error)

	Reserve(ctx context.Context, r domain.Reservation) (domain.Reservation, bool, error)
	CommitReservation(ctx context.Context, orderID string) (domain.Reservation, error)
	ReleaseReservation(ctx context.Context, orderID string) (domain.Reservation, error)
	ReleaseExpired(ctx context.Context, limit int) (int, error)

	PutReview(ctx context.Context, r domain.Review) (domain.Review, domain.ProductRating, error)
	Reviews(ctx context.Context, productID string, page domain.Page) ([]domain.Review, error)
}

// ImageStore saves an image under key and returns the URL clients load it from.
type ImageStore interface {
	Put(ctx context.Context, key, contentType string, data []byte) (url string, err error)
}

// App runs the catalog's use cases.
type App struct {
	store  Store
	images ImageStore
}

// New returns the use cases over store, saving uploads to images.
func New(store Store, images ImageStore) *App {
	if store == nil {
		panic("app: nil store")
	}
	if images == nil {
		panic("app: nil image store")
	}
	return &App{store: store, images: images}
}
