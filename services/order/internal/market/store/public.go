package store

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

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
	rows, err := s.pool.Query(ctx, q, variantIDs, after(p), p.Limit+1)
	if err != nil {
		return nil, "", fmt.Errorf("db: public trades: %w", err)
	}
	defer rows.Close()
	var out []domain.PublicTrade
	var seqs []int64
	for rows.Next() {
		var t domain.PublicTrade
		var seq int64
		if err := rows.Scan(&t.VariantID, &t.Price, &t.Currency, &t.At, &seq); err != nil {
			return nil, "", fmt.Errorf("db: public trades: %w", err)
		}
		out, seqs = append(out, t), append(seqs, seq)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("db: public trades: %w", err)
	}
	if len(out) > p.Limit {
		return out[:p.Limit], strconv.FormatInt(seqs[p.Limit-1], 10), nil
	}
	return out, "", nil
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
