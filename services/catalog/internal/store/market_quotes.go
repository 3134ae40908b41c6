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

// MarketQuotes reads the stored market quotes of variants, by variant id;
// a variant nobody asked or bid for is absent.
func (s *Store) MarketQuotes(ctx context.Context, variantIDs []string) (map[string]domain.MarketQuote, error) {
	const sql = `SELECT variant_id::text, buy_now, sell_now, currency, version, updated_at
		FROM market_quotes WHERE variant_id = ANY($1::uuid[])`
	rows, err := s.db.Query(ctx, sql, variantIDs)
	if err != nil {
		return nil, fmt.Errorf("db: market quotes: %w", err)
	}
	defer rows.Close()
	out := map[string]domain.MarketQuote{}
	for rows.Next() {
		var q domain.MarketQuote
		var buy, sell *int64
		var currency string
		if err := rows.Scan(&q.VariantID, &buy, &sell, &currency, &q.Version, &q.UpdatedAt); err != nil {
			return nil, fmt.Errorf("db: market quotes: %w", err)
		}
		if buy != nil {
			q.BuyNow = &domain.Money{Amount: *buy, Currency: currency}
		}
		if sell != nil {
			q.SellNow = &domain.Money{Amount: *sell, Currency: currency}
		}
		out[q.VariantID] = q
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("db: market quotes: %w", err)
	}
	return out, nil
}
