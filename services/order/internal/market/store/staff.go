package store

import (
	"context"
	"strconv"

	"github.com/jackc/pgx/v5"

	"github.com/jangteo/jangteo/services/order/internal/market/domain"
)

// TradeFilter narrows staff's listing of trades; zero fields keep every trade.
type TradeFilter struct {
	Status    domain.TradeStatus
	VariantID string
}

// AllTrades lists every user's trades that f keeps, newest first; next is the
// token of the following page ("" at the end). Only the filters given are
// written into the SQL, so each reads its own index: by status
// (market_trades_by_status), by variant, or the trades' seq.
func (s *Store) AllTrades(ctx context.Context, f TradeFilter, p Page) ([]domain.Trade, string, error) {
	var args []any
	arg := func(v any) string { args = append(args, v); return "$" + strconv.Itoa(len(args)) }
	q := `SELECT ` + tradeCols + `, t.seq FROM market_trades t JOIN orders o ON o.id = t.order_id WHERE t.seq < ` + arg(after(p))
	if f.Status != "" {
		q += ` AND t.status = ` + arg(f.Status)
	}
	if f.VariantID != "" {
		q += ` AND t.variant_id = ` + arg(f.VariantID)
	}
	q += ` ORDER BY t.seq DESC LIMIT ` + arg(p.Limit+1)
	return s.tradePage(ctx, q, p, args...)
}

// tradePage runs q, which selects tradeCols then t.seq, newest first, at most
// p.Limit+1 rows, and returns the first p.Limit trades with the token of the
// page after them ("" when no row is left over).
func (s *Store) tradePage(ctx context.Context, q string, p Page, args ...any) ([]domain.Trade, string, error) {
	return readPage(ctx, s.pool, "list trades", p, func(r pgx.Row, seq *int64) (domain.Trade, error) { return scanTrade(r, seq) }, q, args...)
}
