package app

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/jangteo/jangteo/platform/events"
	"github.com/jangteo/jangteo/platform/postgres"
	catalogevents "github.com/jangteo/jangteo/services/catalog/internal/events"

	"github.com/jangteo/jangteo/services/catalog/internal/domain"
)

// marketQuoteStore keeps the projection of the market's best prices.
type marketQuoteStore interface {
	SaveMarketQuote(ctx context.Context, q domain.MarketQuote) (productID string, err error)
	MarketQuotes(ctx context.Context, variantIDs []string) (map[string]domain.MarketQuote, error)
}

// RecordMarketQuote keeps a variant's market quote from a quote event and
// publishes catalog.market_quote_changed naming its product, so caches of the
// product page drop it; an event older than the stored quote (by version)
// changes nothing and publishes nothing.
func (a *App) RecordMarketQuote(ctx context.Context, q domain.MarketQuote) error {
	return postgres.InTx(ctx, a.db, func(tx pgx.Tx) error {
		product, err := a.stores(tx).SaveMarketQuote(ctx, q)
		if err != nil || product == "" {
			return err
		}
		_, err = events.Enqueue(ctx, tx, catalogevents.SubjectMarketQuote, catalogevents.MarketQuoteChanged(product, q), events.Aggregate(product))
		return err
	})
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
