// Package store keeps orders in PostgreSQL. Reads run on the pool; every
// change runs inside a transaction the use case owns (Tx, or an event
// handler's), and a status change locks the order's row first, so two
// transitions of one order are decided one after the other.
package store

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/jangteo/jangteo/platform/postgres"
	"github.com/jangteo/jangteo/services/order/internal/domain"
)

// Migrations are the order schema's numbered SQL files.
//
//go:embed migrations/*.sql
var Migrations embed.FS

// Store is the order service's PostgreSQL store.
type Store struct {
	pool *pgxpool.Pool
}

// New returns a store over pool.
func New(pool *pgxpool.Pool) *Store { return &Store{pool: pool} }

// Tx runs fn in one transaction: everything fn writes, events included,
// commits together or not at all.
func (s *Store) Tx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	return postgres.InTx(ctx, s.pool, fn)
}

// ErrNumberTaken means a new order drew a number already in use.
var ErrNumberTaken = errors.New("db: order number taken")

// ErrOrderExists means a new order's id is already an order's: a keyed
// checkout (whose id is derived from its key) ran twice at once.
var ErrOrderExists = errors.New("db: order exists")

// ShippingJSON is how shipping details are kept in jsonb: the orders row
// and a market bid.
type ShippingJSON struct {
	Name       string `json:"name"`
	Phone      string `json:"phone"`
	Email      string `json:"email"`
	Line1      string `json:"line1"`
	Line2      string `json:"line2,omitempty"`
	PostalCode string `json:"postal_code"`
	City       string `json:"city"`
	Country    string `json:"country"`
	Note       string `json:"note,omitempty"`
}

// ToDBShipping is the jsonb form of s.
func ToDBShipping(s domain.Shipping) ShippingJSON {
	return ShippingJSON(s)
}

// ToDomainShipping is the shipping details of their jsonb form.
func ToDomainShipping(s ShippingJSON) domain.Shipping {
	return domain.Shipping(s)
}

func insertHistory(ctx context.Context, tx pgx.Tx, orderID string, events []domain.Event) error {
	const q = `INSERT INTO order_history (order_id, at, actor, from_status, to_status, note) VALUES ($1, $2, $3, $4, $5, $6)`
	for _, e := range events {
		if _, err := tx.Exec(ctx, q, orderID, e.At, e.Actor, e.From, e.To, e.Note); err != nil {
			return fmt.Errorf("db: order history: %w", err)
		}
	}
	return nil
}

// Key names an order by id or by number.
type Key struct {
	ID     string
	Number string
}

func (k Key) where() (string, any) {
	if k.ID != "" {
		return "id = $1", k.ID
	}
	return "number = $1", k.Number
}

// Update locks the order named by k, lets fn change it, and writes back the
// changed fields and the history entries fn appended. fn returning an error
// writes nothing. domain.ErrOrderNotFound when there is no such order.
func Update(ctx context.Context, tx pgx.Tx, k Key, fn func(o *domain.Order) error) (domain.Order, error) {
	o, err := get(ctx, tx, k, true)
	if err != nil {
		return domain.Order{}, err
	}
	before := o
	seen := len(o.History)
	before.Lines = append([]domain.Line(nil), o.Lines...)
	if err := fn(&o); err != nil {
		return domain.Order{}, err
	}
	if len(o.History) == seen && !linesChanged(before.Lines, o.Lines) {
		return o, nil // every change records history or refunds lines: nothing to write
	}
	o.UpdatedAt = time.Now().UTC().Truncate(time.Microsecond)
	var paidAt *time.Time
	if !o.PaidAt.IsZero() {
		paidAt = &o.PaidAt
	}
	const q = `UPDATE orders SET status = $2, refunded_amount = $3, payment_id = $4, carrier = $5,
			tracking_number = $6, paid_at = $7, updated_at = $8
		WHERE id = $1`
	if _, err := tx.Exec(ctx, q, o.ID, o.Status, o.RefundedAmount, o.PaymentID, o.Carrier, o.TrackingNumber, paidAt, o.UpdatedAt); err != nil {
		return domain.Order{}, fmt.Errorf("db: update order: %w", err)
	}
	for i, l := range o.Lines {
		if l.RefundedQuantity != before.Lines[i].RefundedQuantity {
			const ql = `UPDATE order_lines SET refunded_quantity = $3 WHERE order_id = $1 AND line_number = $2`
			if _, err := tx.Exec(ctx, ql, o.ID, l.Number, l.RefundedQuantity); err != nil {
				return domain.Order{}, fmt.Errorf("db: update order line: %w", err)
			}
		}
	}
	if err := insertHistory(ctx, tx, o.ID, o.History[seen:]); err != nil {
		return domain.Order{}, err
	}
	return o, nil
}

func linesChanged(before, after []domain.Line) bool {
	for i := range after {
		if after[i].RefundedQuantity != before[i].RefundedQuantity {
			return true
		}
	}
	return false
}

// Get reads an order with its lines and history. Like every read of the
// store it runs in the call's transaction when there is one (a keyed call's,
// see postgres.Querier), so it needs no second connection.
func (s *Store) Get(ctx context.Context, k Key) (domain.Order, error) {
	return get(ctx, postgres.Querier(ctx, s.pool), k, false)
}

const orderColumns = `id, number, user_id, cart_id, kind, status, currency, subtotal, tax, shipping_fee,
	grand_total, refunded_amount, shipping, payable_until, payment_id, carrier, tracking_number,
	created_at, updated_at, paid_at`

func scanOrder(row pgx.Row) (domain.Order, error) {
	var (
		o      domain.Order
		ship   ShippingJSON
		paidAt *time.Time
	)
	a := &o.Amounts
	err := row.Scan(&o.ID, &o.Number, &o.UserID, &o.CartID, &o.Kind, &o.Status, &a.Currency, &a.Subtotal, &a.Tax,
		&a.ShippingFee, &a.GrandTotal, &o.RefundedAmount, &ship, &o.PayableUntil, &o.PaymentID, &o.Carrier,
		&o.TrackingNumber, &o.CreatedAt, &o.UpdatedAt, &paidAt)
	if err != nil {
		return o, err
	}
	o.Shipping = ToDomainShipping(ship)
	if paidAt != nil {
		o.PaidAt = *paidAt
	}
	return o, nil
}

// get reads the order named by k with its lines and history in one round
// trip: the three statements go as one pipelined batch (with lock, the
// lines and history are read after the row's lock is taken).
func get(ctx context.Context, db postgres.DB, k Key, lock bool) (domain.Order, error) {
	where, arg := k.where()
	q := `SELECT ` + orderColumns + ` FROM orders WHERE ` + where
	if lock {
		q += ` FOR UPDATE`
	}
	ofOrder := `order_id = (SELECT id FROM orders WHERE ` + where + `)`
	b := &pgx.Batch{}
	b.Queue(q, arg)
	b.Queue(linesQuery+` WHERE `+ofOrder+` ORDER BY order_id, line_number`, arg)
	b.Queue(`SELECT at, actor, from_status, to_status, note FROM order_history WHERE `+ofOrder+` ORDER BY seq`, arg)
	br := db.SendBatch(ctx, b)
	defer br.Close()
	o, err := scanOrder(br.QueryRow())
	if errors.Is(err, pgx.ErrNoRows) {
		return domain.Order{}, domain.ErrOrderNotFound
	}
	if err != nil {
		return domain.Order{}, fmt.Errorf("db: get order: %w", err)
	}
	rows, err := br.Query()
	if err != nil {
		return domain.Order{}, fmt.Errorf("db: order lines: %w", err)
	}
	lines, err := scanLines(rows, 1)
	if err != nil {
		return domain.Order{}, err
	}
	o.Lines = lines[o.ID]
	rows, err = br.Query()
	if err != nil {
		return domain.Order{}, fmt.Errorf("db: order history: %w", err)
	}
	o.History, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.Event, error) {
		var e domain.Event
		err := r.Scan(&e.At, &e.Actor, &e.From, &e.To, &e.Note)
		return e, err
	})
	if err != nil {
		return domain.Order{}, fmt.Errorf("db: order history: %w", err)
	}
	if err := br.Close(); err != nil {
		return domain.Order{}, fmt.Errorf("db: get order: %w", err)
	}
	return o, nil
}

const linesQuery = `SELECT order_id, line_number, product_id, variant_id, product_name, product_slug, sku, options,
		unit_price, quantity, refunded_quantity
	FROM order_lines`

func linesOf(ctx context.Context, db postgres.DB, orderIDs []string) (map[string][]domain.Line, error) {
	rows, err := db.Query(ctx, linesQuery+` WHERE order_id = ANY($1::uuid[]) ORDER BY order_id, line_number`, orderIDs)
	if err != nil {
		return nil, fmt.Errorf("db: order lines: %w", err)
	}
	return scanLines(rows, len(orderIDs))
}

// scanLines reads rows of linesQuery, by order id.
func scanLines(rows pgx.Rows, orders int) (map[string][]domain.Line, error) {
	defer rows.Close()
	out := make(map[string][]domain.Line, orders)
	for rows.Next() {
		var (
			id string
			l  domain.Line
		)
		if err := rows.Scan(&id, &l.Number, &l.ProductID, &l.VariantID, &l.ProductName, &l.ProductSlug, &l.SKU,
			&l.Options, &l.UnitPrice, &l.Quantity, &l.RefundedQuantity); err != nil {
			return nil, fmt.Errorf("db: order lines: %w", err)
		}
		out[id] = append(out[id], l)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("db: order lines: %w", err)
	}
	return out, nil
}

// Read reads an order inside the caller's transaction.
func Read(ctx context.Context, db postgres.DB, k Key) (domain.Order, error) {
	return get(ctx, db, k, false)
}
