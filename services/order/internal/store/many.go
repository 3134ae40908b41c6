package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/jangteo/jangteo/platform/postgres"
	"github.com/jangteo/jangteo/services/order/internal/domain"
)

// InsertMany writes new orders with their lines and history: the orders in
// tx at once (an order whose number is already taken gets another from
// redraw and is written again, up to five times, with no savepoint; an id
// already taken is ErrOrderExists), then their lines and history queued in
// p, which the caller sends.
func InsertMany(ctx context.Context, tx pgx.Tx, p *postgres.Pipeline, orders []*domain.Order, redraw func(*domain.Order)) error {
	if len(orders) == 0 {
		return nil
	}
	todo := orders
	for range 5 {
		written, err := insertOrders(ctx, tx, todo)
		if err != nil {
			return err
		}
		var again []*domain.Order
		for _, o := range todo {
			if !written[o.ID] {
				redraw(o)
				again = append(again, o)
			}
		}
		if todo = again; len(todo) == 0 {
			break
		}
	}
	if len(todo) > 0 {
		return fmt.Errorf("db: no free order number after 5 draws: %w", ErrNumberTaken)
	}
	var (
		l struct {
			orders, products, variants, names, slugs, skus, options []string
			numbers, quantities                                     []int32
			prices                                                  []int64
		}
		h struct {
			orders, actors, from, to, notes []string
			at                              []time.Time
		}
	)
	for _, o := range orders {
		for _, line := range o.Lines {
			opts, err := json.Marshal(line.Options)
			if err != nil {
				return err
			}
			l.orders, l.numbers, l.products, l.variants = append(l.orders, o.ID), append(l.numbers, line.Number), append(l.products, line.ProductID), append(l.variants, line.VariantID)
			l.names, l.slugs, l.skus, l.options = append(l.names, line.ProductName), append(l.slugs, line.ProductSlug), append(l.skus, line.SKU), append(l.options, string(opts))
			l.prices, l.quantities = append(l.prices, line.UnitPrice), append(l.quantities, line.Quantity)
		}
		for _, e := range o.History {
			h.orders, h.at, h.actors = append(h.orders, o.ID), append(h.at, e.At), append(h.actors, string(e.Actor))
			h.from, h.to, h.notes = append(h.from, string(e.From)), append(h.to, string(e.To)), append(h.notes, e.Note)
		}
	}
	_, _ = p.Exec(ctx, `INSERT INTO order_lines (order_id, line_number, product_id, variant_id, product_name, product_slug, sku, options, unit_price, quantity)
		SELECT * FROM unnest($1::uuid[], $2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::jsonb[], $9::bigint[], $10::int[])`,
		l.orders, l.numbers, l.products, l.variants, l.names, l.slugs, l.skus, l.options, l.prices, l.quantities)
	_, _ = p.Exec(ctx, `INSERT INTO order_history (order_id, at, actor, from_status, to_status, note)
		SELECT o, at, actor, from_status, to_status, note
		FROM unnest($1::uuid[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[]) WITH ORDINALITY
			AS h (o, at, actor, from_status, to_status, note, n)
		ORDER BY n`, h.orders, h.at, h.actors, h.from, h.to, h.notes)
	return nil
}

// insertOrders writes the orders' rows, skipping those whose number is
// taken, and returns the ids it wrote.
func insertOrders(ctx context.Context, tx pgx.Tx, orders []*domain.Order) (map[string]bool, error) {
	n := len(orders)
	var (
		ids, numbers, users, carts, kinds, statuses, currencies = make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		subtotals, taxes, fees, totals                          = make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
		ships                                                   = make([]string, n)
		payable, created                                        = make([]time.Time, n), make([]time.Time, n)
	)
	for i, o := range orders {
		ship, err := json.Marshal(ToDBShipping(o.Shipping))
		if err != nil {
			return nil, err
		}
		a := o.Amounts
		ids[i], numbers[i], users[i], carts[i], kinds[i], statuses[i], currencies[i] = o.ID, o.Number, o.UserID, o.CartID, o.Kind, string(o.Status), a.Currency
		subtotals[i], taxes[i], fees[i], totals[i], ships[i] = a.Subtotal, a.Tax, a.ShippingFee, a.GrandTotal, string(ship)
		payable[i], created[i] = o.PayableUntil, o.CreatedAt
	}
	const q = `INSERT INTO orders (id, number, user_id, cart_id, kind, status, currency, subtotal, tax,
			shipping_fee, grand_total, shipping, payable_until, created_at, updated_at)
		SELECT id, number, user_id, cart_id, kind, status, currency, subtotal, tax, shipping_fee, grand_total, shipping,
			payable_until, created_at, created_at
		FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bigint[],
			$9::bigint[], $10::bigint[], $11::bigint[], $12::jsonb[], $13::timestamptz[], $14::timestamptz[])
			AS o (id, number, user_id, cart_id, kind, status, currency, subtotal, tax, shipping_fee, grand_total, shipping, payable_until, created_at)
		ON CONFLICT (number) DO NOTHING
		RETURNING id::text`
	rows, err := tx.Query(ctx, q, ids, numbers, users, carts, kinds, statuses, currencies, subtotals, taxes, fees, totals, ships, payable, created)
	if err != nil {
		return nil, fmt.Errorf("db: insert orders: %w", err)
	}
	written, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if c, ok := postgres.IsUniqueViolation(err); ok && c == "orders_pkey" {
		return nil, ErrOrderExists
	}
	if err != nil {
		return nil, fmt.Errorf("db: insert orders: %w", err)
	}
	out := make(map[string]bool, len(written))
	for _, id := range written {
		out[id] = true
	}
	return out, nil
}
