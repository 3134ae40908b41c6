package app

import (
	"context"
	"slices"

	"github.com/jangteo/jangteo/services/order/internal/market/domain"
	"github.com/jangteo/jangteo/services/order/internal/market/store"
)

// ProductVariant is a variant of a product as the market pages show it.
type ProductVariant struct {
	ID      string
	Options map[string]string
}

// Product is a catalog product with its variants.
type Product struct {
	ID       string
	Currency string
	Variants []ProductVariant
}

// Products resolves a product's slug (or id) to its variants;
// domain.ErrProductNotFound when there is none.
type Products interface {
	Product(ctx context.Context, slug string) (Product, error)
}

// VariantMarket is one variant's quote with its options.
type VariantMarket struct {
	ProductVariant
	domain.Quote
}

// ProductMarket is each variant's market, in the catalog's order.
func (a *App) ProductMarket(ctx context.Context, slug string) (Product, []VariantMarket, error) {
	p, err := a.deps.Products.Product(ctx, slug)
	if err != nil {
		return Product{}, nil, err
	}
	quotes, err := a.deps.Store.Quotes(ctx, variantIDs(p), a.clock())
	if err != nil {
		return Product{}, nil, err
	}
	out := make([]VariantMarket, len(p.Variants))
	for i, v := range p.Variants {
		out[i] = VariantMarket{ProductVariant: v, Quote: quotes[v.ID]}
	}
	return p, out, nil
}

// ProductTrades lists a product's trades, newest first.
func (a *App) ProductTrades(ctx context.Context, slug string, pg store.Page) (Product, []domain.PublicTrade, string, error) {
	p, err := a.deps.Products.Product(ctx, slug)
	if err != nil {
		return Product{}, nil, "", err
	}
	ts, next, err := a.deps.Store.PublicTrades(ctx, variantIDs(p), pg)
	return p, ts, next, err
}

// PriceHistory is a product's (or one of its variants') candles.
func (a *App) PriceHistory(ctx context.Context, slug, variantID, interval string) ([]domain.Candle, error) {
	p, err := a.deps.Products.Product(ctx, slug)
	if err != nil {
		return nil, err
	}
	ids := variantIDs(p)
	if variantID != "" {
		if !slices.Contains(ids, variantID) {
			return nil, domain.ErrVariantNotFound.With("variant %s is not one of %s", variantID, slug)
		}
		ids = []string{variantID}
	}
	if interval == "" {
		interval = "day"
	}
	return a.deps.Store.History(ctx, ids, interval)
}

func variantIDs(p Product) []string {
	ids := make([]string, len(p.Variants))
	for i, v := range p.Variants {
		ids[i] = v.ID
	}
	return ids
}
