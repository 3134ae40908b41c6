package store

import (
	"context"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/jangteo/jangteo/platform/postgres"
	"github.com/jangteo/jangteo/services/order/internal/domain"
)

// Filter narrows a listing; zero fields match everything.
type Filter struct {
	UserID       string
	Status       domain.Status
	NumberPrefix string
	From, Until  time.Time
}

// Cursor is the position after the last order of a page: orders are listed
// newest first by (created_at, id).
type Cursor struct {
	CreatedAt time.Time
	ID        string
}

// Encode renders the cursor as an opaque page token.
func (c Cursor) Encode() string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(c.CreatedAt.UnixMicro(), 10) + "|" + c.ID))
}

// DecodeCursor parses a page token; ok is false for a malformed one.
func DecodeCursor(token string) (c Cursor, ok bool) {
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return c, false
	}
	at, id, found := strings.Cut(string(raw), "|")
	us, err := strconv.ParseInt(at, 10, 64)
	if !found || err != nil || len(id) != 36 {
		return c, false
	}
	return Cursor{CreatedAt: time.UnixMicro(us).UTC(), ID: id}, true
}

// List returns up to limit orders matching f after the cursor (nil: from the
// newest), with their lines but without history, and whether more follow.
func (s *Store) List(ctx context.Context, f Filter, after *Cursor, limit int) ([]domain.Order, bool, error) {
	var (
		where []string
		args  []any
	)
	arg := func(v any) string { args = append(args, v); return "$" + strconv.Itoa(len(args)) }
	if f.UserID != "" {
		where = append(where, "user_id = "+arg(f.UserID))
	}
	if f.Status != "" {
		where = append(where, "status = "+arg(f.Status))
	}
	if f.NumberPrefix != "" {
		where = append(where, "number LIKE "+arg(strings.ToUpper(escapeLike(f.NumberPrefix))+"%"))
	}
	if !f.From.IsZero() {
		where = append(where, "created_at >= "+arg(f.From))
	}
	if !f.Until.IsZero() {
		where = append(where, "created_at < "+arg(f.Until))
	}
	if after != nil {
		where = append(where, "(created_at, id) < ("+arg(after.CreatedAt)+", "+arg(after.ID)+"::uuid)")
	}
	q := `SELECT ` + orderColumns + ` FROM orders`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	q += ` ORDER BY created_at DESC, id DESC LIMIT ` + arg(limit+1)
	db := postgres.Querier(ctx, s.pool)
	rows, err := db.Query(ctx, q, args...)
	if err != nil {
		return nil, false, fmt.Errorf("db: list orders: %w", err)
	}
	orders, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.Order, error) { return scanOrder(r) })
	if err != nil {
		return nil, false, fmt.Errorf("db: list orders: %w", err)
	}
	more := len(orders) > limit
	if more {
		orders = orders[:limit]
	}
	ids := make([]string, len(orders))
	for i, o := range orders {
		ids[i] = o.ID
	}
	lines, err := linesOf(ctx, db, ids)
	if err != nil {
		return nil, false, err
	}
	for i := range orders {
		orders[i].Lines = lines[orders[i].ID]
	}
	return orders, more, nil
}

// CountByUser is the number of orders a user has placed.
func (s *Store) CountByUser(ctx context.Context, userID string) (int, error) {
	var n int
	if err := postgres.Querier(ctx, s.pool).QueryRow(ctx, `SELECT count(*) FROM orders WHERE user_id = $1`, userID).Scan(&n); err != nil {
		return 0, fmt.Errorf("db: count orders: %w", err)
	}
	return n, nil
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
