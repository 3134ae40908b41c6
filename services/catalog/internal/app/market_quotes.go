package app

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/jangteo/jangteo/platform/events"
	"github.com/jangteo/jangteo/platform/postgres"
	"github.com/jangteo/jangteo/services/catalog/internal/domain"
	catalogevents "github.com/jangteo/jangteo/services/catalog/internal/events"
)

// marketQuoteStore keeps the projection of the market's best prices.
type marketQuoteStore interface {
	SaveMarketQuote(ctx context.Context, q domain.MarketQuote) (productID string, err error)
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
