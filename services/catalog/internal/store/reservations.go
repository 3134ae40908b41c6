package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/jangteo/jangteo/platform/postgres"
	"github.com/jangteo/jangteo/services/catalog/internal/domain"
)

// Reserve creates r (active) and takes its lines' units from stock, all in
// one transaction: either every line is held or nothing changes. When the
// order already has a reservation, nothing is written and that reservation
// is returned with created false.
func (s *Store) Reserve(ctx context.Context, r domain.Reservation) (_ domain.Reservation, created bool, err error) {
	err = postgres.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		// A concurrent reserve of the same order waits here on the primary key
		// until the first commits, then sees it and does nothing.
		const claim = `INSERT INTO reservations (order_id, status, expires_at) VALUES ($1, 'active', $2)
			ON CONFLICT (order_id) DO NOTHING`
		tag, err := tx.Exec(ctx, claim, r.OrderID, r.ExpiresAt)
		if err != nil {
			return fmt.Errorf("db: reserve: %w", err)
		}
		if tag.RowsAffected() == 0 {
			r, err = reservation(ctx, tx, r.OrderID)
			return err
		}
		created = true
		at := now()
		for _, l := range r.Lines {
			// One conditional update: the row lock serialises concurrent
			// reservations of a variant and the stock check is re-evaluated
			// on the locked row, so stock never goes negative.
			const take = `UPDATE variants v SET stock = v.stock - $2, updated_at = $3
				FROM products p
				WHERE v.id = $1 AND p.id = v.product_id AND v.stock >= $2
					AND p.available AND p.archived_at IS NULL
				RETURNING v.product_id, v.stock`
			var productID string
			var left int64
			err := tx.QueryRow(ctx, take, l.VariantID, l.Quantity, at).Scan(&productID, &left)
			if errors.Is(err, pgx.ErrNoRows) {
				return whyNotReserved(ctx, tx, l)
			}
			if err != nil {
				return fmt.Errorf("db: take stock: %w", err)
			}
			const line = `INSERT INTO reservation_lines (order_id, variant_id, quantity) VALUES ($1, $2, $3)`
			if _, err := tx.Exec(ctx, line, r.OrderID, l.VariantID, l.Quantity); err != nil {
				return fmt.Errorf("db: reservation line: %w", err)
			}
			if err := enqueueStockChanged(ctx, tx, domain.StockChange{
				VariantID: l.VariantID, ProductID: productID, Reason: domain.StockReserved,
				Delta: -l.Quantity, Stock: left, OrderID: r.OrderID,
			}, at); err != nil {
				return err
			}
		}
		r.Status = domain.ReservationActive
		return nil
	})
	if err != nil {
		return domain.Reservation{}, false, err
	}
	return r, created, nil
}

// whyNotReserved explains a line whose conditional update matched no row.
func whyNotReserved(ctx context.Context, tx pgx.Tx, l domain.ReservationLine) error {
	const q = `SELECT v.stock, p.available AND p.archived_at IS NULL
		FROM variants v JOIN products p ON p.id = v.product_id WHERE v.id = $1`
	var (
		stock  int64
		onSale bool
	)
	err := tx.QueryRow(ctx, q, l.VariantID).Scan(&stock, &onSale)
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
	return reservation(ctx, s.pool, orderID)
}

func reservation(ctx context.Context, db postgres.DB, orderID string) (domain.Reservation, error) {
	r := domain.Reservation{OrderID: orderID}
	const q = `SELECT status, expires_at FROM reservations WHERE order_id = $1`
	err := db.QueryRow(ctx, q, orderID).Scan(&r.Status, &r.ExpiresAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return domain.Reservation{}, domain.ErrReservationNotFound
	}
	if err != nil {
		return domain.Reservation{}, fmt.Errorf("db: reservation: %w", err)
	}
	const lines = `SELECT variant_id, quantity FROM reservation_lines WHERE order_id = $1 ORDER BY variant_id`
	rows, _ := db.Query(ctx, lines, orderID)
	r.Lines, err = pgx.CollectRows(rows, pgx.RowToStructByPos[domain.ReservationLine])
	if err != nil {
		return domain.Reservation{}, fmt.Errorf("db: reservation lines: %w", err)
	}
	return r, nil
}

// CommitReservation marks the order's active reservation committed and
// returns the reservation as it now is (committed, or released if it was).
func (s *Store) CommitReservation(ctx context.Context, orderID string) (domain.Reservation, error) {
	var r domain.Reservation
	err := postgres.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		const q = `UPDATE reservations SET status = 'committed', updated_at = now()
			WHERE order_id = $1 AND status = 'active'`
		if _, err := tx.Exec(ctx, q, orderID); err != nil {
			return fmt.Errorf("db: commit reservation: %w", err)
		}
		var err error
		r, err = reservation(ctx, tx, orderID)
		return err
	})
	return r, err
}

// ReleaseReservation gives the order's held units back and marks the
// reservation released. An order with no reservation gets a released one
// without lines, so a reserve call arriving after its cancellation cannot
// take stock any more.
func (s *Store) ReleaseReservation(ctx context.Context, orderID string) (domain.Reservation, error) {
	var r domain.Reservation
	err := postgres.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		const tombstone = `INSERT INTO reservations (order_id, status, expires_at) VALUES ($1, 'released', now())
			ON CONFLICT (order_id) DO NOTHING`
		if _, err := tx.Exec(ctx, tombstone, orderID); err != nil {
			return fmt.Errorf("db: release: %w", err)
		}
		const q = `UPDATE reservations SET status = 'released', updated_at = now()
			WHERE order_id = $1 AND status IN ('active', 'committed')`
		if _, err := release(ctx, tx, orderID, q); err != nil {
			return err
		}
		var err error
		r, err = reservation(ctx, tx, orderID)
		return err
	})
	return r, err
}

// ReleaseExpired releases up to limit active reservations whose time is up
// and returns how many it released. Rows another sweeper holds are skipped.
func (s *Store) ReleaseExpired(ctx context.Context, limit int) (int, error) {
	const pick = `SELECT order_id::text FROM reservations WHERE status = 'active' AND expires_at <= now()
		ORDER BY expires_at LIMIT $1`
	rows, _ := s.pool.Query(ctx, pick, limit)
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return 0, fmt.Errorf("db: expired reservations: %w", err)
	}
	n := 0
	for _, id := range ids {
		err := postgres.InTx(ctx, s.pool, func(tx pgx.Tx) error {
			// Still active and expired: a commit that won the race keeps its stock.
			const q = `UPDATE reservations SET status = 'released', updated_at = now()
				WHERE order_id = $1 AND status = 'active' AND expires_at <= now()`
			done, err := release(ctx, tx, id, q)
			if done {
				n++
			}
			return err
		})
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// release runs mark (which flips the reservation to released and reports one
// row when it did) and then returns the lines' units to stock.
func release(ctx context.Context, tx pgx.Tx, orderID, mark string) (bool, error) {
	tag, err := tx.Exec(ctx, mark, orderID)
	if err != nil {
		return false, fmt.Errorf("db: release: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return false, nil
	}
	at := now()
	const give = `UPDATE variants v SET stock = v.stock + l.quantity, updated_at = $2
		FROM reservation_lines l
		WHERE l.order_id = $1 AND v.id = l.variant_id
		RETURNING v.id, v.product_id, l.quantity, v.stock`
	rows, _ := tx.Query(ctx, give, orderID, at)
	changes, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.StockChange, error) {
		c := domain.StockChange{Reason: domain.StockReleased, OrderID: orderID}
		err := r.Scan(&c.VariantID, &c.ProductID, &c.Delta, &c.Stock)
		return c, err
	})
	if err != nil {
		return false, fmt.Errorf("db: give back stock: %w", err)
	}
	for _, c := range changes {
		if err := enqueueStockChanged(ctx, tx, c, at); err != nil {
			return false, err
		}
	}
	return true, nil
}
