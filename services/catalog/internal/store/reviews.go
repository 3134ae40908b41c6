package store

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/jangteo/jangteo/services/catalog/internal/domain"
)

// PutReview writes r as the user's only review of the product, or rewrites
// the existing one, and moves the product's tally by the difference with
// one atomic UPDATE, so concurrent reviews keep count and sum exact. It
// fails with ErrNotPurchased unless the user bought the product. Run it in a
// transaction: it takes several statements.
func (s *Store) PutReview(ctx context.Context, r domain.Review) (domain.Review, domain.ProductRating, error) {
	var tally domain.ProductRating
	const bought = `SELECT EXISTS (SELECT 1 FROM purchases WHERE user_id = $1 AND product_id = $2)`
	var ok bool
	if err := s.db.QueryRow(ctx, bought, r.UserID, r.ProductID).Scan(&ok); err != nil {
		return domain.Review{}, domain.ProductRating{}, fmt.Errorf("db: purchase: %w", err)
	}
	if !ok {
		return domain.Review{}, domain.ProductRating{}, domain.ErrNotPurchased
	}
	at := now()
	r.CreatedAt, r.UpdatedAt = at, at
	// A concurrent first review by the same user waits on the unique
	// index here and then takes the update path below.
	const insert = `INSERT INTO reviews (id, product_id, user_id, rating, title, body, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $7) ON CONFLICT (product_id, user_id) DO NOTHING`
	tag, err := s.db.Exec(ctx, insert, uuid.Must(uuid.NewV7()).String(), r.ProductID, r.UserID, r.Rating, r.Title, r.Body, at)
	if err != nil {
		return domain.Review{}, domain.ProductRating{}, fmt.Errorf("db: insert review: %w", err)
	}
	countDelta, sumDelta := int64(1), r.Rating
	if tag.RowsAffected() == 0 {
		const old = `SELECT rating FROM reviews WHERE product_id = $1 AND user_id = $2 FOR UPDATE`
		var before domain.Rating
		if err := s.db.QueryRow(ctx, old, r.ProductID, r.UserID).Scan(&before); err != nil {
			return domain.Review{}, domain.ProductRating{}, fmt.Errorf("db: old review: %w", err)
		}
		countDelta, sumDelta = 0, r.Rating-before
		const update = `UPDATE reviews SET rating = $3, title = $4, body = $5, updated_at = $6
			WHERE product_id = $1 AND user_id = $2`
		if _, err := s.db.Exec(ctx, update, r.ProductID, r.UserID, r.Rating, r.Title, r.Body, at); err != nil {
			return domain.Review{}, domain.ProductRating{}, fmt.Errorf("db: update review: %w", err)
		}
	}
	const get = `SELECT id, created_at FROM reviews WHERE product_id = $1 AND user_id = $2`
	if err := s.db.QueryRow(ctx, get, r.ProductID, r.UserID).Scan(&r.ID, &r.CreatedAt); err != nil {
		return domain.Review{}, domain.ProductRating{}, fmt.Errorf("db: review: %w", err)
	}
	const bump = `UPDATE products SET review_count = review_count + $2, rating_sum = rating_sum + $3
		WHERE id = $1 RETURNING review_count, rating_sum`
	if err := s.db.QueryRow(ctx, bump, r.ProductID, countDelta, sumDelta).Scan(&tally.Count, &tally.Sum); err != nil {
		return domain.Review{}, domain.ProductRating{}, translate(err)
	}
	return r, tally, nil
}

// Reviews returns one page of the product's reviews, newest first.
func (s *Store) Reviews(ctx context.Context, productID string, page domain.Page) ([]domain.Review, error) {
	const q = `SELECT id, product_id, user_id, rating, title, body, created_at, updated_at
		FROM reviews WHERE product_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3`
	rows, _ := s.db.Query(ctx, q, productID, page.Size, page.Offset())
	reviews, err := pgx.CollectRows(rows, pgx.RowToStructByPos[domain.Review])
	if err != nil {
		return nil, fmt.Errorf("db: reviews: %w", err)
	}
	return reviews, nil
}

// RecordPurchases notes that each buyer may review each product, and counts
// the units sold.
func (s *Store) RecordPurchases(ctx context.Context, purchases []domain.Purchase) error {
	for _, p := range purchases {
		if _, err := uuid.Parse(p.ProductID); err != nil {
			continue // not a catalog product id; nothing to record
		}
		const q = `INSERT INTO purchases (user_id, product_id, order_id) VALUES ($1, $2, $3)
			ON CONFLICT (user_id, product_id) DO NOTHING`
		if _, err := s.db.Exec(ctx, q, p.UserID, p.ProductID, p.OrderID); err != nil {
			return fmt.Errorf("db: purchase: %w", err)
		}
		const sold = `UPDATE products SET sold_count = sold_count + $2 WHERE id = $1`
		if _, err := s.db.Exec(ctx, sold, p.ProductID, p.Quantity); err != nil {
			return fmt.Errorf("db: sold count: %w", err)
		}
	}
	return nil
}
