// Package store keeps spaces and bookings in the order schema. The
// exclusion constraint bookings_no_overlap decides between two bookings of
// overlapping slots; every status change is one conditional UPDATE.
package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/jangteo/jangteo/platform/postgres"
	"github.com/jangteo/jangteo/services/order/internal/bookings/domain"
)

// Store reads spaces and bookings and runs transactions.
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

// InsertSpace writes a new space with its options.
func InsertSpace(ctx context.Context, tx pgx.Tx, sp domain.Space) error {
	const q = `INSERT INTO spaces (id, slug, host_id, name, district, address, min_people, max_people, currency,
			category, facilities, description, contact_email, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`
	if _, err := tx.Exec(ctx, q, sp.ID, sp.Slug, sp.HostID, sp.Name, sp.District, sp.Address,
		sp.MinPeople, sp.MaxPeople, sp.Currency, sp.Category, facilities(sp), sp.Description, sp.ContactEmail, sp.CreatedAt); err != nil {
		return fmt.Errorf("db: insert space: %w", err)
	}
	return insertOptions(ctx, tx, sp)
}

func facilities(sp domain.Space) []string {
	if sp.Facilities == nil {
		return []string{}
	}
	return sp.Facilities
}

func insertOptions(ctx context.Context, tx pgx.Tx, sp domain.Space) error {
	const qo = `INSERT INTO space_options (space_id, kind, price, start_hour, end_hour) VALUES ($1, $2, $3, $4, $5)`
	for _, o := range sp.Options {
		if _, err := tx.Exec(ctx, qo, sp.ID, o.Kind, o.Price, o.StartHour, o.EndHour); err != nil {
			return fmt.Errorf("db: insert space option: %w", err)
		}
	}
	return nil
}

const spaceColumns = `s.id, s.slug, s.host_id, s.name, s.district, s.address, s.min_people, s.max_people, s.currency,
	s.category, s.facilities, s.description, s.contact_email, s.like_count, s.created_at,
	EXISTS (SELECT 1 FROM space_likes l WHERE l.space_id = s.id AND l.user_id = @viewer)`

func scanSpace(r pgx.Row) (domain.Space, error) {
	var sp domain.Space
	err := r.Scan(&sp.ID, &sp.Slug, &sp.HostID, &sp.Name, &sp.District, &sp.Address, &sp.MinPeople, &sp.MaxPeople,
		&sp.Currency, &sp.Category, &sp.Facilities, &sp.Description, &sp.ContactEmail, &sp.LikeCount, &sp.CreatedAt, &sp.LikedByMe)
	return sp, err
}

func spaceKey(key string) *uuid.UUID {
	if u, err := uuid.Parse(key); err == nil {
		return &u
	}
	return nil
}

// Space reads a space by slug or id, as userID sees it (their like);
// domain.ErrSpaceNotFound when there is none.
func Space(ctx context.Context, db DB, key, userID string) (domain.Space, error) {
	return readSpace(ctx, db, key, userID, "")
}

// LockSpace reads a space and locks its row until tx ends.
func LockSpace(ctx context.Context, tx pgx.Tx, key string) (domain.Space, error) {
	return readSpace(ctx, tx, key, "", " FOR UPDATE OF s")
}

func readSpace(ctx context.Context, db DB, key, userID, lock string) (domain.Space, error) {
	q := `SELECT ` + spaceColumns + ` FROM spaces s WHERE s.slug = @key OR s.id = @id` + lock
	sp, err := scanSpace(db.QueryRow(ctx, q, pgx.NamedArgs{"viewer": userID, "key": key, "id": spaceKey(key)}))
	if errors.Is(err, pgx.ErrNoRows) {
		return sp, domain.ErrSpaceNotFound.With("no space %q", key)
	}
	if err != nil {
		return sp, fmt.Errorf("db: space: %w", err)
	}
	all, err := options(ctx, db, []string{sp.ID})
	sp.Options = all[sp.ID]
	return sp, err
}

// options reads the options of spaces, by space id.
func options(ctx context.Context, db DB, ids []string) (map[string][]domain.SpaceOption, error) {
	const q = `SELECT space_id, kind, price, start_hour, end_hour FROM space_options WHERE space_id = ANY($1::uuid[])
		ORDER BY space_id, array_position(ARRAY['day', 'night', 'all_day'], kind)`
	rows, err := db.Query(ctx, q, ids)
	if err != nil {
		return nil, fmt.Errorf("db: space options: %w", err)
	}
	defer rows.Close()
	out := map[string][]domain.SpaceOption{}
	for rows.Next() {
		var (
			id string
			o  domain.SpaceOption
		)
		if err := rows.Scan(&id, &o.Kind, &o.Price, &o.StartHour, &o.EndHour); err != nil {
			return nil, fmt.Errorf("db: space options: %w", err)
		}
		out[id] = append(out[id], o)
	}
	return out, rows.Err()
}

// UpdateSpace writes a locked space's fields, and its options when replace is set.
func UpdateSpace(ctx context.Context, tx pgx.Tx, sp domain.Space, replace bool) error {
	const q = `UPDATE spaces SET name = $2, district = $3, address = $4, min_people = $5, max_people = $6,
		category = $7, facilities = $8, description = $9, contact_email = $10 WHERE id = $1`
	if _, err := tx.Exec(ctx, q, sp.ID, sp.Name, sp.District, sp.Address, sp.MinPeople, sp.MaxPeople,
		sp.Category, facilities(sp), sp.Description, sp.ContactEmail); err != nil {
		return fmt.Errorf("db: update space: %w", err)
	}
	if !replace {
		return nil
	}
	if _, err := tx.Exec(ctx, `DELETE FROM space_options WHERE space_id = $1`, sp.ID); err != nil {
		return fmt.Errorf("db: update space options: %w", err)
	}
	return insertOptions(ctx, tx, sp)
}

// slotSQL is the range of option o of space s on date $d, as the domain's SpaceOption.Slot computes it.
func slotSQL(d string) string {
	return `tstzrange((` + d + ` + make_interval(hours => o.start_hour)) AT TIME ZONE 'Asia/Seoul',
		(` + d + ` + make_interval(hours => o.end_hour + CASE WHEN o.end_hour <= o.start_hour THEN 24 ELSE 0 END)) AT TIME ZONE 'Asia/Seoul')`
}

// Search pages the spaces matching f, as userID sees them, with their count.
func Search(ctx context.Context, db DB, f domain.Search, userID string) ([]domain.Space, int, error) {
	where := `(@district = '' OR s.district = @district) AND (@category = '' OR s.category = @category)
		AND (@people = 0 OR @people BETWEEN s.min_people AND s.max_people)
		AND (@date::date IS NULL OR EXISTS (
			SELECT 1 FROM space_options o WHERE o.space_id = s.id AND (@option = '' OR o.kind = @option)
			AND NOT EXISTS (SELECT 1 FROM bookings b WHERE b.space_id = s.id
				AND b.status NOT IN ('cancelled', 'expired') AND b.slot && ` + slotSQL("@date::date") + `)))`
	order := map[domain.Sort]string{
		domain.SortNewest:    `s.created_at DESC, s.id DESC`,
		domain.SortPriceAsc:  `min_price ASC, s.id`,
		domain.SortPriceDesc: `min_price DESC, s.id`,
		domain.SortLikes:     `s.like_count DESC, s.created_at DESC, s.id`,
	}[f.Sort]
	var date *string
	if f.Date != "" {
		date = &f.Date
	}
	args := pgx.NamedArgs{"viewer": userID, "district": f.District, "category": f.Category, "people": f.People,
		"date": date, "option": string(f.Option), "limit": f.PageSize, "offset": (f.Page - 1) * f.PageSize}
	q := `SELECT ` + spaceColumns + `, (SELECT min(price) FROM space_options o WHERE o.space_id = s.id) AS min_price
		FROM spaces s WHERE ` + where + ` ORDER BY ` + order + ` LIMIT @limit OFFSET @offset`
	rows, err := db.Query(ctx, q, args)
	if err != nil {
		return nil, 0, fmt.Errorf("db: search spaces: %w", err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.Space, error) {
		var sp domain.Space
		var minPrice *int64
		err := r.Scan(&sp.ID, &sp.Slug, &sp.HostID, &sp.Name, &sp.District, &sp.Address, &sp.MinPeople, &sp.MaxPeople,
			&sp.Currency, &sp.Category, &sp.Facilities, &sp.Description, &sp.ContactEmail, &sp.LikeCount, &sp.CreatedAt, &sp.LikedByMe, &minPrice)
		return sp, err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("db: search spaces: %w", err)
	}
	ids := make([]string, len(list))
	for i, sp := range list {
		ids[i] = sp.ID
	}
	all, err := options(ctx, db, ids)
	if err != nil {
		return nil, 0, err
	}
	for i := range list {
		list[i].Options = all[list[i].ID]
	}
	var n int
	if err := db.QueryRow(ctx, `SELECT count(*) FROM spaces s WHERE `+where, args).Scan(&n); err != nil {
		return nil, 0, fmt.Errorf("db: count spaces: %w", err)
	}
	return list, n, nil
}

// Booked returns the ranges of a space's live bookings overlapping [from, to).
func Booked(ctx context.Context, db DB, spaceID string, from, to time.Time) ([][2]time.Time, error) {
	const q = `SELECT lower(slot), upper(slot) FROM bookings
		WHERE space_id = $1 AND status NOT IN ('cancelled', 'expired') AND slot && tstzrange($2, $3)`
	rows, err := db.Query(ctx, q, spaceID, from, to)
	if err != nil {
		return nil, fmt.Errorf("db: booked: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) ([2]time.Time, error) {
		var s [2]time.Time
		return s, r.Scan(&s[0], &s[1])
	})
}

// Like records userID's like of a space and returns its count; a second like changes nothing.
func Like(ctx context.Context, tx pgx.Tx, spaceID, userID string) (int, error) {
	const q = `WITH added AS (
			INSERT INTO space_likes (space_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING space_id)
		UPDATE spaces SET like_count = like_count + (SELECT count(*) FROM added) WHERE id = $1 RETURNING like_count`
	var n int
	if err := tx.QueryRow(ctx, q, spaceID, userID).Scan(&n); err != nil {
		return 0, fmt.Errorf("db: like space: %w", err)
	}
	return n, nil
}

// Unlike takes userID's like of a space back and returns its count.
func Unlike(ctx context.Context, tx pgx.Tx, spaceID, userID string) (int, error) {
	const q = `WITH removed AS (
			DELETE FROM space_likes WHERE space_id = $1 AND user_id = $2 RETURNING space_id)
		UPDATE spaces SET like_count = like_count - (SELECT count(*) FROM removed) WHERE id = $1 RETURNING like_count`
	var n int
	if err := tx.QueryRow(ctx, q, spaceID, userID).Scan(&n); err != nil {
		return 0, fmt.Errorf("db: unlike space: %w", err)
	}
	return n, nil
}

// InsertBooking writes a held booking; domain.ErrSlotTaken when a live
// booking of the space overlaps its slot.
func InsertBooking(ctx context.Context, tx pgx.Tx, b domain.Booking) error {
	const q = `INSERT INTO bookings (id, number, space_id, space_name, host_id, user_id, date, option, people, note,
			slot, status, currency, price, hold_until, created_at, updated_at, email)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, tstzrange($11, $12), $13, $14, $15, $16, $17, $17, $18)`
	_, err := tx.Exec(ctx, q, b.ID, b.Number, b.SpaceID, b.SpaceName, b.HostID, b.UserID, b.Date.Format(time.DateOnly),
		b.Option, b.People, b.Note, b.Start, b.End, b.Status, b.Currency, b.Price, b.HoldUntil, b.CreatedAt, b.Email)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23P01" && pgErr.ConstraintName == "bookings_no_overlap" {
		return domain.ErrSlotTaken.With("%s is already booked for %s (%s)", b.SpaceName, b.Date.Format(time.DateOnly), b.Option)
	}
	if err != nil {
		return fmt.Errorf("db: insert booking: %w", err)
	}
	return nil
}

const bookingColumns = `id, number, space_id, space_name, host_id, user_id, date::text, option, people, note,
	lower(slot), upper(slot), status, currency, price, refunded, hold_until, payment_id, created_at, updated_at, email`

func scanBooking(r pgx.Row) (domain.Booking, error) {
	var (
		b    domain.Booking
		date string
	)
	err := r.Scan(&b.ID, &b.Number, &b.SpaceID, &b.SpaceName, &b.HostID, &b.UserID, &date, &b.Option, &b.People, &b.Note,
		&b.Start, &b.End, &b.Status, &b.Currency, &b.Price, &b.Refunded, &b.HoldUntil, &b.PaymentID, &b.CreatedAt, &b.UpdatedAt, &b.Email)
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
