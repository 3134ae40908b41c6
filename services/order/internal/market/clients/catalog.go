// Package clients implements the market's catalog port over the catalog's
// public GetProduct: a product's variants by slug, for the public market pages.
package clients

import (
	"context"
	"errors"
	"fmt"
	"maps"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	catalogv1 "github.com/jangteo/jangteo/gen/go/jangteo/catalog/v1"
	orderdomain "github.com/jangteo/jangteo/services/order/internal/domain"
	"github.com/jangteo/jangteo/services/order/internal/market/app"
	"github.com/jangteo/jangteo/services/order/internal/market/domain"
)

// Products reads products from the catalog.
type Products struct {
	api catalogv1.CatalogServiceClient
}

// NewProducts returns the adapter over the catalog's client.
func NewProducts(api catalogv1.CatalogServiceClient) *Products { return &Products{api: api} }

// Product implements app.Products.
func (p *Products) Product(ctx context.Context, slug string) (app.Product, error) {
	resp, err := p.api.GetProduct(ctx, &catalogv1.GetProductRequest{Slug: slug})
	switch status.Code(err) {
	case codes.OK:
	case codes.NotFound:
		return app.Product{}, domain.ErrProductNotFound.With("product %q not found", slug)
	case codes.Unavailable, codes.DeadlineExceeded:
		return app.Product{}, fmt.Errorf("catalog: product: %w", errors.Join(orderdomain.ErrCatalogDown, err))
	default:
		return app.Product{}, fmt.Errorf("catalog: product: %w", err)
	}
	pr := resp.GetProduct()
	out := app.Product{ID: pr.GetId(), Currency: pr.GetPrice().GetCurrency()}
	for _, v := range pr.GetVariants() {
		out.Variants = append(out.Variants, app.ProductVariant{ID: v.GetId(), Options: maps.Clone(v.GetOptions())})
	}
	return out, nil
}
