package app

import (
	"context"

	"github.com/jangteo/jangteo/services/catalog/internal/domain"
)

// marketQuoteStore keeps the projection of the market's best prices.
type marketQuoteStore interface {
	SaveMarketQuote(ctx context.Context, q domain.MarketQuote) (bool, error)
	MarketQuotes(ctx context.Context, variantIDs []string) (map[string]domain.MarketQuote, error)
}

// RecordMarketQuote keeps a variant's market quote from a quote event; an
// event older than the stored quote (by version) changes nothing.
func (a *App) RecordMarketQuote(ctx context.Context, q domain.MarketQuote) error {
	_, err := a.store.SaveMarketQuote(ctx, q)
	return err
}

// attachMarketQuotes sets each variant's buy-now and sell-now prices from
// the projection: one small query beside the product's own.
func (a *App) attachMarketQuotes(ctx context.Context, p *domain.Product) error {
	if len(p.Variants) == 0 {
		return nil
	}
	ids := make([]string, len(p.Variants))
	for i, v := range p.Variants {
		ids[i] = v.ID
	}
	quotes, err := a.store.MarketQuotes(ctx, ids)
	if err != nil {
		return err
	}
	for i := range p.Variants {
		if q, ok := quotes[p.Variants[i].ID]; ok {
			p.Variants[i].BuyNow, p.Variants[i].SellNow = q.BuyNow, q.SellNow
		}
	}
	return nil
}
