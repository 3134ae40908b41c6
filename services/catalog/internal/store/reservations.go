package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/jangteo/jangteo/services/catalog/internal/domain"
)

// ClaimReservation inserts r (active, without lines) unless the order
// already has a reservation, and reports whether it did. A concurrent claim
// of the same order waits on the primary key until the first commits, then
// sees it and claims nothing.
func (s *Store) ClaimReservation(ctx context.Context, r domain.Reservation) (bool, error) {
	const q = `INSERT INTO reservations (order_id, status, expires_at) VALUES ($1, 'active', $2)
		ON CONFLICT (order_id) DO NOTHING`
	tag, err := s.db.Exec(ctx, q, r.OrderID, r.ExpiresAt)
	if err != nil {
		return false, fmt.Errorf("db: reserve: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

// TakeStock takes l's units from stock for the order's reservation and
// returns the movement. One conditional update: the row lock serialises
// concurrent reservations of a variant and the stock check is re-evaluated
// on the locked row, so stock never goes negative. A line that cannot be
// held fails with ErrVariantNotFound, ErrNotOnSale or ErrOutOfStock.
func (s *Store) TakeStock(ctx context.Context, orderID string, l domain.ReservationLine) (domain.StockChange, error) {
	const take = `UPDATE variants v SET stock = v.stock - $2, updated_at = $3
		FROM products p
		WHERE v.id = $1 AND p.id = v.product_id AND v.stock >= $2
			AND p.available AND p.archived_at IS NULL
		RETURNING v.product_id, v.stock`
	c := domain.StockChange{VariantID: l.VariantID, Reason: domain.StockReserved, Delta: -l.Quantity, OrderID: orderID}
	err := s.db.QueryRow(ctx, take, l.VariantID, l.Quantity, now()).Scan(&c.ProductID, &c.Stock)
	if errors.Is(err, pgx.ErrNoRows) {
		return c, s.whyNotReserved(ctx, l)
	}
	if err != nil {
		return c, fmt.Errorf("db: take stock: %w", err)
	}
	const line = `INSERT INTO reservation_lines (order_id, variant_id, quantity) VALUES ($1, $2, $3)`
	if _, err := s.db.Exec(ctx, line, orderID, l.VariantID, l.Quantity); err != nil {
		return c, fmt.Errorf("db: reservation line: %w", err)
	}
	return c, nil
}

// whyNotReserved explains a line whose conditional update matched no row.
func (s *Store) whyNotReserved(ctx context.Context, l domain.ReservationLine) error {
	const q = `SELECT v.stock, p.available AND p.archived_at IS NULL
		FROM variants v JOIN products p ON p.id = v.product_id WHERE v.id = $1`
	var (
		stock  int64
		onSale bool
	)
	err := s.db.QueryRow(ctx, q, l.VariantID).Scan(&stock, &onSale)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return domain.ErrVariantNotFound.With("variant %s not found", l.VariantID)
	case err != nil:
		return fmt.Errorf("db: variant stock: %w", err)
	case !onSale:
		return domain.ErrNotOnSale.With("variant %s is not on sale", l.VariantID)
	}
	return domain.ErrOutOfStock.With("variant %s: %d wanted, %d left", l.VariantID, l.Quantity, stock)
}

// Reservation returns the order's reservation.
func (s *Store) Reservation(ctx context.Context, orderID string) (domain.Reservation, error) {
	r := domain.Reservation{OrderID: orderID}
	const q = `SELECT status, expires_at FROM reservations WHERE order_id = $1`
	err := s.db.QueryRow(ctx, q, orderID).Scan(&r.Status, &r.ExpiresAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return domain.Reservation{}, domain.ErrReservationNotFound
	}
	if err != nil {
		return domain.Reservation{}, fmt.Errorf("db: reservation: %w", err)
	}
	const lines = `SELECT variant_id, quantity FROM reservation_lines WHERE order_id = $1 ORDER BY variant_id`
	rows, _ := s.db.Query(ctx, lines, orderID)
	r.Lines, err = pgx.CollectRows(rows, pgx.RowToStructByPos[domain.ReservationLine])
	if err != nil {
		return domain.Reservation{}, fmt.Errorf("db: reservation lines: %w", err)
	}
	return r, nil
}

// CommitReservation marks the order's reservation committed if it is active;
// any other reservation is left as it is.
func (s *Store) CommitReservation(ctx context.Context, orderID string) error {
	const q = `UPDATE reservations SET status = 'committed', updated_at = now()
		WHERE order_id = $1 AND status = 'active'`
	if _, err := s.db.Exec(ctx, q, orderID); err != nil {
		return fmt.Errorf("db: commit reservation: %w", err)
	}
	return nil
}

// ReleaseReservation marks the order's active or committed reservation
// released and gives its units back, returning the movements (none when it
// was released already). An order with no reservation gets a released one
// without lines, so a reserve arriving after its cancellation cannot take
// stock any more.
func (s *Store) ReleaseReservation(ctx context.Context, orderID string) ([]domain.StockChange, error) {
	const tombstone = `INSERT INTO reservations (order_id, status, expires_at) VALUES ($1, 'released', now())
		ON CONFLICT (order_id) DO NOTHING`
	if _, err := s.db.Exec(ctx, tombstone, orderID); err != nil {
		return nil, fmt.Errorf("db: release: %w", err)
	}
	const q = `UPDATE reservations SET status = 'released', updated_at = now()
		WHERE order_id = $1 AND status IN ('active', 'committed')`
	return s.release(ctx, orderID, q)
}

// ReleaseIfExpired releases the order's reservation if it is still active
// and its time is up — a commit that won the race keeps its stock — and
// returns the movements (none when it released nothing).
func (s *Store) ReleaseIfExpired(ctx context.Context, orderID string) ([]domain.StockChange, error) {
	const q = `UPDATE reservations SET status = 'released', updated_at = now()
		WHERE order_id = $1 AND status = 'active' AND expires_at <= now()`
	return s.release(ctx, orderID, q)
}

// ExpiredReservations returns up to limit orders whose reservation is still
// active past its expiry, oldest first.
func (s *Store) ExpiredReservations(ctx context.Context, limit int) ([]string, error) {
	const q = `SELECT order_id::text FROM reservations WHERE status = 'active' AND expires_at <= now()
		ORDER BY expires_at LIMIT $1`
	rows, _ := s.db.Query(ctx, q, limit)
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("db: expired reservations: %w", err)
	}
	return ids, nil
}

// release runs mark (which flips the reservation to released and reports one
// row when it did) and then returns the lines' units to stock.
func (s *Store) release(ctx context.Context, orderID, mark string) ([]domain.StockChange, error) {
	tag, err := s.db.Exec(ctx, mark, orderID)
	if err != nil {
		return nil, fmt.Errorf("db: release: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return nil, nil
	}
	const give = `UPDATE variants v SET stock = v.stock + l.quantity, updated_at = $2
		FROM reservation_lines l
		WHERE l.order_id = $1 AND v.id = l.variant_id
		RETURNING v.id, v.product_id, l.quantity, v.stock`
	rows, _ := s.db.Query(ctx, give, orderID, now())
	changes, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.StockChange, error) {
		c := domain.StockChange{Reason: domain.StockReleased, OrderID: orderID}
		err := r.Scan(&c.VariantID, &c.ProductID, &c.Delta, &c.Stock)
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("db: give back stock: %w", err)
	}
	return changes, nil
}
