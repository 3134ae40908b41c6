package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/jangteo/jangteo/services/catalog/internal/domain"
)

// SaveMarketQuote stores a variant's market quote unless a newer one (a
// higher version) is stored already, and returns the variant's product; ""
// when the quote was older and ignored, or its variant is unknown here.
func (s *Store) SaveMarketQuote(ctx context.Context, q domain.MarketQuote) (productID string, err error) {
	const sql = `INSERT INTO market_quotes AS m (variant_id, buy_now, sell_now, currency, version, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (variant_id) DO UPDATE
		SET buy_now = excluded.buy_now, sell_now = excluded.sell_now, currency = excluded.currency,
			version = excluded.version, updated_at = excluded.updated_at
		WHERE m.version < excluded.version
		RETURNING (SELECT v.product_id::text FROM variants v WHERE v.id = m.variant_id)`
	currency := domain.DefaultCurrency
	var buy, sell *int64
	if q.BuyNow != nil {
		buy, currency = &q.BuyNow.Amount, q.BuyNow.Currency
	}
	if q.SellNow != nil {
		sell, currency = &q.SellNow.Amount, q.SellNow.Currency
	}
	var product *string
	err = s.db.QueryRow(ctx, sql, q.VariantID, buy, sell, currency, q.Version, q.UpdatedAt).Scan(&product)
	switch {
	case errors.Is(err, pgx.ErrNoRows): // an older quote than the stored one
		return "", nil
	case err != nil:
		return "", fmt.Errorf("db: save market quote: %w", err)
	case product == nil: // a variant this catalog does not know
		return "", nil
	}
	return *product, nil
}
