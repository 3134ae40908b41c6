// Package store keeps spaces in the catalog schema: a products row of kind
// 'space' with its spaces row, options and likes, and the availability
// projection (booked_slots) the booking events fill.
package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/jangteo/jangteo/platform/postgres"
	"github.com/jangteo/jangteo/services/catalog/internal/spaces/domain"
)

// InsertSpace writes a new space (its product row, space row and options).
// Run it in a transaction.
func InsertSpace(ctx context.Context, db postgres.DB, sp domain.Space) error {
	const qp = `INSERT INTO products (id, slug, name, description, category_id, price_amount, currency, image_urls, kind, created_at, updated_at)
		VALUES ($1, $2, $3, $4, NULL, $5, $6, $7, 'space', $8, $8)`
	if _, err := db.Exec(ctx, qp, sp.ID, sp.Slug, sp.Name, sp.Description, sp.MinPrice(), sp.Currency, images(sp), sp.CreatedAt); err != nil {
		return fmt.Errorf("db: insert space product: %w", err)
	}
	const qs = `INSERT INTO spaces (product_id, host_id, district, address, latitude, longitude, min_people, max_people,
			category, facilities, contact_email)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`
	if _, err := db.Exec(ctx, qs, sp.ID, sp.HostID, sp.District, sp.Address, sp.Latitude, sp.Longitude,
		sp.MinPeople, sp.MaxPeople, sp.Category, facilities(sp), sp.ContactEmail); err != nil {
		return fmt.Errorf("db: insert space: %w", err)
	}
	return insertOptions(ctx, db, sp)
}

func facilities(sp domain.Space) []string {
	if sp.Facilities == nil {
		return []string{}
	}
	return sp.Facilities
}

func images(sp domain.Space) []string {
	if sp.ImageURLs == nil {
		return []string{}
	}
	return sp.ImageURLs
}

func insertOptions(ctx context.Context, db postgres.DB, sp domain.Space) error {
	const q = `INSERT INTO space_options (space_id, kind, price, start_hour, end_hour) VALUES ($1, $2, $3, $4, $5)`
	for _, o := range sp.Options {
		if _, err := db.Exec(ctx, q, sp.ID, o.Kind, o.Price, o.StartHour, o.EndHour); err != nil {
			return fmt.Errorf("db: insert space option: %w", err)
		}
	}
	return nil
}

const spaceColumns = `p.id, p.slug, s.host_id, p.name, s.district, s.address, s.latitude, s.longitude, s.min_people, s.max_people,
	p.currency, s.category, s.facilities, p.description, s.contact_email, p.image_urls, s.like_count, p.created_at,
	EXISTS (SELECT 1 FROM space_likes l WHERE l.space_id = p.id AND l.user_id = @viewer)`

const spaceFrom = ` FROM products p JOIN spaces s ON s.product_id = p.id`

func scanSpace(r pgx.Row) (domain.Space, error) {
	var sp domain.Space
	err := r.Scan(&sp.ID, &sp.Slug, &sp.HostID, &sp.Name, &sp.District, &sp.Address, &sp.Latitude, &sp.Longitude,
		&sp.MinPeople, &sp.MaxPeople, &sp.Currency, &sp.Category, &sp.Facilities, &sp.Description, &sp.ContactEmail,
		&sp.ImageURLs, &sp.LikeCount, &sp.CreatedAt, &sp.LikedByMe)
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
func Space(ctx context.Context, db postgres.DB, key, userID string) (domain.Space, error) {
	return readSpace(ctx, db, key, userID, "")
}

// LockSpace reads a space and locks its rows until tx ends.
func LockSpace(ctx context.Context, tx pgx.Tx, key string) (domain.Space, error) {
	return readSpace(ctx, tx, key, "", " FOR UPDATE OF p, s")
}

func readSpace(ctx context.Context, db postgres.DB, key, userID, lock string) (domain.Space, error) {
	q := `SELECT ` + spaceColumns + spaceFrom + ` WHERE (p.slug = @key OR p.id = @id) AND p.archived_at IS NULL` + lock
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
func options(ctx context.Context, db postgres.DB, ids []string) (map[string][]domain.SpaceOption, error) {
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

// UpdateSpace writes a locked space's fields and pictures, and its options
// when replace is set.
func UpdateSpace(ctx context.Context, tx pgx.Tx, sp domain.Space, replace bool) error {
	const qp = `UPDATE products SET name = $2, description = $3, price_amount = $4, image_urls = $5, updated_at = now() WHERE id = $1`
	if _, err := tx.Exec(ctx, qp, sp.ID, sp.Name, sp.Description, sp.MinPrice(), images(sp)); err != nil {
		return fmt.Errorf("db: update space product: %w", err)
	}
	const qs = `UPDATE spaces SET district = $2, address = $3, latitude = $4, longitude = $5, min_people = $6, max_people = $7,
		category = $8, facilities = $9, contact_email = $10 WHERE product_id = $1`
	if _, err := tx.Exec(ctx, qs, sp.ID, sp.District, sp.Address, sp.Latitude, sp.Longitude, sp.MinPeople, sp.MaxPeople,
		sp.Category, facilities(sp), sp.ContactEmail); err != nil {
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

// slotSQL is the range of option o on date d, as the domain's SpaceOption.Slot computes it.
func slotSQL(d string) string {
	return `tstzrange((` + d + ` + make_interval(hours => o.start_hour)) AT TIME ZONE 'Asia/Seoul',
		(` + d + ` + make_interval(hours => o.end_hour + CASE WHEN o.end_hour <= o.start_hour THEN 24 ELSE 0 END)) AT TIME ZONE 'Asia/Seoul')`
}

// liveSlot is a booked slot of the projection that still takes its time.
const liveSlot = `b.state <> 'released'`

// Search pages the spaces matching f, as userID sees them, with their count.
// "Free on date" reads the availability projection only.
func Search(ctx context.Context, db postgres.DB, f domain.Search, userID string) ([]domain.Space, int, error) {
	where := `p.kind = 'space' AND p.archived_at IS NULL
		AND (@district = '' OR s.district = @district) AND (@category = '' OR s.category = @category)
		AND (@people = 0 OR @people BETWEEN s.min_people AND s.max_people)
		AND (@date::date IS NULL OR EXISTS (
			SELECT 1 FROM space_options o WHERE o.space_id = p.id AND (@option = '' OR o.kind = @option)
			AND NOT EXISTS (SELECT 1 FROM booked_slots b WHERE b.space_id = p.id AND ` + liveSlot + `
				AND b.date BETWEEN @date::date - 1 AND @date::date + 1 AND b.slot && ` + slotSQL("@date::date") + `)))`
	order := map[domain.Sort]string{
		domain.SortNewest:    `p.created_at DESC, p.id DESC`,
		domain.SortPriceAsc:  `p.price_amount ASC, p.id`,
		domain.SortPriceDesc: `p.price_amount DESC, p.id`,
		domain.SortLikes:     `s.like_count DESC, p.created_at DESC, p.id`,
	}[f.Sort]
	var date *string
	if f.Date != "" {
		date = &f.Date
	}
	args := pgx.NamedArgs{"viewer": userID, "district": f.District, "category": f.Category, "people": f.People,
		"date": date, "option": string(f.Option), "limit": f.PageSize, "offset": (f.Page - 1) * f.PageSize}
	rows, err := db.Query(ctx, `SELECT `+spaceColumns+spaceFrom+` WHERE `+where+` ORDER BY `+order+` LIMIT @limit OFFSET @offset`, args)
	if err != nil {
		return nil, 0, fmt.Errorf("db: search spaces: %w", err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.Space, error) { return scanSpace(r) })
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
	if err := db.QueryRow(ctx, `SELECT count(*)`+spaceFrom+` WHERE `+where, args).Scan(&n); err != nil {
		return nil, 0, fmt.Errorf("db: count spaces: %w", err)
	}
	return list, n, nil
}

// Booked returns the ranges of a space's live booked slots overlapping [from, to).
func Booked(ctx context.Context, db postgres.DB, spaceID string, from, to time.Time) ([][2]time.Time, error) {
	const q = `SELECT lower(slot), upper(slot) FROM booked_slots b
		WHERE space_id = $1 AND ` + liveSlot + ` AND slot && tstzrange($2, $3)`
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
		UPDATE spaces SET like_count = like_count + (SELECT count(*) FROM added) WHERE product_id = $1 RETURNING like_count`
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
		UPDATE spaces SET like_count = like_count - (SELECT count(*) FROM removed) WHERE product_id = $1 RETURNING like_count`
	var n int
	if err := tx.QueryRow(ctx, q, spaceID, userID).Scan(&n); err != nil {
		return 0, fmt.Errorf("db: unlike space: %w", err)
	}
	return n, nil
}

// ApplySlot records a booked slot's state in the projection. The state only
// moves forward (held, confirmed, released), so a repeated or late event
// changes nothing; it reports whether the row changed.
func ApplySlot(ctx context.Context, db postgres.DB, s domain.Slot) (bool, error) {
	const q = `INSERT INTO booked_slots AS b (booking_id, space_id, date, option, slot, state)
		VALUES ($1, $2, $3, $4, tstzrange($5, $6), $7)
		ON CONFLICT (booking_id) DO UPDATE SET state = excluded.state, updated_at = now()
		WHERE array_position(ARRAY['held', 'confirmed', 'released'], excluded.state)
			> array_position(ARRAY['held', 'confirmed', 'released'], b.state)`
	tag, err := db.Exec(ctx, q, s.BookingID, s.SpaceID, s.Date, s.Option, s.Start, s.End, s.State)
	if err != nil {
		return false, fmt.Errorf("db: apply booked slot: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}
