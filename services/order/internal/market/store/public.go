package store

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/jangteo/jangteo/services/order/internal/market/domain"
)

// Quotes reads each variant's market: best open prices, counts and the last
// trade that was not voided.
func (s *Store) Quotes(ctx context.Context, variantIDs []string, now time.Time) (map[string]domain.Quote, error) {
	const q = `SELECT v::text,
		coalesce(a.lowest, 0), coalesce(a.n, 0), coalesce(b.highest, 0), coalesce(b.n, 0),
		coalesce(t.price, 0), coalesce(t.created_at, 'epoch')
	FROM unnest($1::uuid[]) v
	LEFT JOIN LATERAL (SELECT min(price) lowest, count(*) n FROM market_offers
		WHERE variant_id = v AND side = 'ask' AND status = 'open' AND expires_at > $2) a ON true
	LEFT JOIN LATERAL (SELECT max(price) highest, count(*) n FROM market_offers
		WHERE variant_id = v AND side = 'bid' AND status = 'open' AND expires_at > $2) b ON true
	LEFT JOIN LATERAL (SELECT price, created_at FROM market_trades
		WHERE variant_id = v AND status NOT IN ('voided', 'inspection_failed') ORDER BY seq DESC LIMIT 1) t ON true`
	rows, err := s.pool.Query(ctx, q, variantIDs, now)
	if err != nil {
		return nil, fmt.Errorf("db: quotes: %w", err)
	}
	defer rows.Close()
	out := make(map[string]domain.Quote, len(variantIDs))
	for rows.Next() {
		var qt domain.Quote
		if err := rows.Scan(&qt.VariantID, &qt.LowestAsk, &qt.AskCount, &qt.HighestBid, &qt.BidCount, &qt.LastPrice, &qt.LastTradeAt); err != nil {
			return nil, fmt.Errorf("db: quotes: %w", err)
		}
		out[qt.VariantID] = qt
	}
	return out, rows.Err()
}

// PublicTrades lists the variants' trades that were not voided, newest first.
func (s *Store) PublicTrades(ctx context.Context, variantIDs []string, p Page) ([]domain.PublicTrade, string, error) {
	const q = `SELECT variant_id::text, price, currency, created_at, seq FROM market_trades
		WHERE variant_id = ANY($1::uuid[]) AND status NOT IN ('voided', 'inspection_failed') AND seq < $2 ORDER BY seq DESC LIMIT $3`
	return readPage(ctx, s.pool, "public trades", p, func(r pgx.Row, seq *int64) (t domain.PublicTrade, err error) {
		err = r.Scan(&t.VariantID, &t.Price, &t.Currency, &t.At, seq)
		return t, err
	}, q, variantIDs, after(p), p.Limit+1)
}

// History is the variants' trades (not voided) as candles of interval
// ("hour", "day" or "week", UTC), the last 365, oldest first.
func (s *Store) History(ctx context.Context, variantIDs []string, interval string) ([]domain.Candle, error) {
	const q = `SELECT date_trunc($2, created_at AT TIME ZONE 'UTC') AS start,
		(array_agg(price ORDER BY seq))[1], max(price), min(price), (array_agg(price ORDER BY seq DESC))[1],
		min(currency), count(*)
	FROM market_trades WHERE variant_id = ANY($1::uuid[]) AND status NOT IN ('voided', 'inspection_failed')
	GROUP BY start ORDER BY start DESC LIMIT 365`
	rows, err := s.pool.Query(ctx, q, variantIDs, interval)
	if err != nil {
		return nil, fmt.Errorf("db: history: %w", err)
	}
	defer rows.Close()
	var out []domain.Candle
	for rows.Next() {
		var c domain.Candle
		if err := rows.Scan(&c.Start, &c.Open, &c.High, &c.Low, &c.Close, &c.Currency, &c.Volume); err != nil {
			return nil, fmt.Errorf("db: history: %w", err)
		}
		c.Start = c.Start.UTC()
		out = append(out, c)
	}
	slices.Reverse(out)
	return out, rows.Err()
}
