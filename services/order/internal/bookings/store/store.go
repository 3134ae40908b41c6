// Package store keeps bookings in the order schema (their spaces are the
// catalog's; a booking keeps what it needs of its space). The
// exclusion constraint bookings_no_overlap decides between two bookings of
// overlapping slots; every status change is one conditional UPDATE.
package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/jangteo/jangteo/platform/postgres"
	"github.com/jangteo/jangteo/services/order/internal/bookings/domain"
)

// Store reads bookings and runs transactions.
type Store struct {
	pool *pgxpool.Pool
}

// New returns a store over pool.
func New(pool *pgxpool.Pool) *Store { return &Store{pool: pool} }

// Tx runs fn in one transaction.
func (s *Store) Tx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	return postgres.InTx(ctx, s.pool, fn)
}

// DB is a pool or a transaction.
type DB interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// Pool is the store's pool, for reads outside a transaction.
func (s *Store) Pool() DB { return s.pool }

// InsertBooking writes a held booking; domain.ErrSlotTaken when a live
// booking of the space overlaps its slot.
func InsertBooking(ctx context.Context, tx pgx.Tx, b domain.Booking) error {
	const q = `INSERT INTO bookings (id, number, space_id, space_name, host_id, user_id, date, option, people, note,
			slot, status, currency, price, hold_until, created_at, updated_at, email, space_slug, host_email)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, tstzrange($11, $12), $13, $14, $15, $16, $17, $17, $18, $19, $20)`
	_, err := tx.Exec(ctx, q, b.ID, b.Number, b.SpaceID, b.SpaceName, b.HostID, b.UserID, b.Date.Format(time.DateOnly),
		b.Option, b.People, b.Note, b.Start, b.End, b.Status, b.Currency, b.Price, b.HoldUntil, b.CreatedAt, b.Email,
		b.SpaceSlug, b.HostEmail)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23P01" && pgErr.ConstraintName == "bookings_no_overlap" {
		return domain.ErrSlotTaken.With("%s is already booked for %s (%s)", b.SpaceName, b.Date.Format(time.DateOnly), b.Option)
	}
	if errors.As(err, &pgErr) && pgErr.Code == "23505" && pgErr.ConstraintName == "bookings_pkey" {
		return ErrBookingExists
	}
	if err != nil {
		return fmt.Errorf("db: insert booking: %w", err)
	}
	return nil
}

// ErrBookingExists is a booking written with an id already taken: the same
// keyed call, run by another replica meanwhile.
var ErrBookingExists = errors.New("db: booking exists")

const bookingColumns = `id, number, space_id, space_name, host_id, user_id, date::text, option, people, note,
	lower(slot), upper(slot), status, currency, price, refunded, hold_until, payment_id, created_at, updated_at, email,
	space_slug, host_email`

func scanBooking(r pgx.Row) (domain.Booking, error) {
	var (
		b    domain.Booking
		date string
	)
	err := r.Scan(&b.ID, &b.Number, &b.SpaceID, &b.SpaceName, &b.HostID, &b.UserID, &date, &b.Option, &b.People, &b.Note,
		&b.Start, &b.End, &b.Status, &b.Currency, &b.Price, &b.Refunded, &b.HoldUntil, &b.PaymentID, &b.CreatedAt, &b.UpdatedAt, &b.Email,
		&b.SpaceSlug, &b.HostEmail)
	if err != nil {
		return b, err
	}
	b.Date, err = time.ParseInLocation(time.DateOnly, date, domain.Seoul)
	return b, err
}

func one(b domain.Booking, err error, id string) (domain.Booking, error) {
	if errors.Is(err, pgx.ErrNoRows) {
		return b, domain.ErrBookingNotFound.With("no booking %s", id)
	}
	if err != nil {
		return b, fmt.Errorf("db: booking: %w", err)
	}
	return b, nil
}

// Booking reads a booking; domain.ErrBookingNotFound when there is none.
func Booking(ctx context.Context, db DB, id string) (domain.Booking, error) {
	b, err := scanBooking(db.QueryRow(ctx, `SELECT `+bookingColumns+` FROM bookings WHERE id = $1`, id))
	return one(b, err, id)
}

// LockBooking reads a booking and locks its row until tx ends.
func LockBooking(ctx context.Context, tx pgx.Tx, id string) (domain.Booking, error) {
	b, err := scanBooking(tx.QueryRow(ctx, `SELECT `+bookingColumns+` FROM bookings WHERE id = $1 FOR UPDATE`, id))
	return one(b, err, id)
}

// ByUser pages a user's bookings, newest first, with their count.
func ByUser(ctx context.Context, db DB, userID string, limit, offset int) ([]domain.Booking, int, error) {
	const q = `SELECT ` + bookingColumns + ` FROM bookings WHERE user_id = $1
		ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3`
	rows, err := db.Query(ctx, q, userID, limit, offset)
	if err != nil {
		return nil, 0, fmt.Errorf("db: bookings: %w", err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.Booking, error) { return scanBooking(r) })
	if err != nil {
		return nil, 0, fmt.Errorf("db: bookings: %w", err)
	}
	var n int
	if err := db.QueryRow(ctx, `SELECT count(*) FROM bookings WHERE user_id = $1`, userID).Scan(&n); err != nil {
		return nil, 0, fmt.Errorf("db: count bookings: %w", err)
	}
	return list, n, nil
}

// changed runs a conditional UPDATE returning the booking; false when no row matched.
func changed(ctx context.Context, tx pgx.Tx, q string, args ...any) (domain.Booking, bool, error) {
	b, err := scanBooking(tx.QueryRow(ctx, q+` RETURNING `+bookingColumns, args...))
	if errors.Is(err, pgx.ErrNoRows) {
		return b, false, nil
	}
	if err != nil {
		return b, false, fmt.Errorf("db: change booking: %w", err)
	}
	return b, true, nil
}

// Expire ends a booking's hold if it is still unpaid at now, freeing its
// slot; false when it was paid, cancelled or already expired.
func Expire(ctx context.Context, tx pgx.Tx, id string, now time.Time) (domain.Booking, bool, error) {
	return changed(ctx, tx, `UPDATE bookings SET status = 'expired', updated_at = $2
		WHERE id = $1 AND status = 'pending_payment' AND hold_until <= $2`, id, now)
}

// Confirm marks a held booking paid by paymentID; false when it is no longer held.
func Confirm(ctx context.Context, tx pgx.Tx, id, paymentID string, now time.Time) (domain.Booking, bool, error) {
	return changed(ctx, tx, `UPDATE bookings SET status = 'confirmed', payment_id = $2, updated_at = $3
		WHERE id = $1 AND status = 'pending_payment'`, id, paymentID, now)
}

// Complete closes a confirmed booking whose slot has ended by now.
func Complete(ctx context.Context, tx pgx.Tx, id string, now time.Time) (bool, error) {
	_, ok, err := changed(ctx, tx, `UPDATE bookings SET status = 'completed', updated_at = $2
		WHERE id = $1 AND status = 'confirmed' AND upper(slot) <= $2`, id, now)
	return ok, err
}

// ByHost pages the bookings of hostID's spaces (every host's when hostID
// is empty), of one space when spaceID is set, newest first, with their count.
func ByHost(ctx context.Context, db DB, hostID, spaceID string, limit, offset int) ([]domain.Booking, int, error) {
	const where = `($1 = '' OR host_id = $1) AND ($2 = '' OR space_id::text = $2)`
	rows, err := db.Query(ctx, `SELECT `+bookingColumns+` FROM bookings WHERE `+where+`
		ORDER BY created_at DESC, id DESC LIMIT $3 OFFSET $4`, hostID, spaceID, limit, offset)
	if err != nil {
		return nil, 0, fmt.Errorf("db: hosted bookings: %w", err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.Booking, error) { return scanBooking(r) })
	if err != nil {
		return nil, 0, fmt.Errorf("db: hosted bookings: %w", err)
	}
	var n int
	if err := db.QueryRow(ctx, `SELECT count(*) FROM bookings WHERE `+where, hostID, spaceID).Scan(&n); err != nil {
		return nil, 0, fmt.Errorf("db: count hosted bookings: %w", err)
	}
	return list, n, nil
}

// Cancel marks a locked booking cancelled with what was refunded.
func Cancel(ctx context.Context, tx pgx.Tx, id string, refunded int64, now time.Time) error {
	const q = `UPDATE bookings SET status = 'cancelled', refunded = $2, updated_at = $3 WHERE id = $1`
	if _, err := tx.Exec(ctx, q, id, refunded, now); err != nil {
		return fmt.Errorf("db: cancel booking: %w", err)
	}
	return nil
}
