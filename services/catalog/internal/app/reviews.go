package app

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/jangteo/jangteo/platform/postgres"
	"github.com/jangteo/jangteo/services/catalog/internal/domain"
)

// reviewStore is what the review use cases need (with productStore's Product).
type reviewStore interface {
	PutReview(ctx context.Context, r domain.Review) (domain.Review, domain.ProductRating, error)
	Reviews(ctx context.Context, productID string, page domain.Page) ([]domain.Review, error)
	RecordPurchases(ctx context.Context, purchases []domain.Purchase) error
}

// PutReview writes or rewrites userID's review of a product; only a buyer
// of the product (per order.paid) may. It returns the product's new tally.
func (a *App) PutReview(ctx context.Context, slugOrID, userID string, stars float64, title, body string) (domain.Review, domain.ProductRating, error) {
	rating, err := domain.RatingFromStars(stars)
	if err != nil {
		return domain.Review{}, domain.ProductRating{}, err
	}
	p, err := a.store.Product(ctx, slugOrID)
	if err != nil {
		return domain.Review{}, domain.ProductRating{}, err
	}
	var (
		r     = domain.Review{ProductID: p.ID, UserID: userID, Rating: rating, Title: title, Body: body}
		put   domain.Review
		tally domain.ProductRating
	)
	err = postgres.InTx(ctx, a.db, func(tx pgx.Tx) error {
		if put, tally, err = a.stores(tx).PutReview(ctx, r); err != nil {
			return err
		}
		// The product's rating changed: announce it (caches of its page drop it).
		return publishProductChanged(ctx, tx, p, domain.ProductUpdated)
	})
	return put, tally, err
}

// RecordPurchases notes that each buyer may review each product and counts
// the units sold (from order.paid).
func (a *App) RecordPurchases(ctx context.Context, purchases []domain.Purchase) error {
	return a.store.RecordPurchases(ctx, purchases)
}

// ReviewPage is one page of a product's reviews.
type ReviewPage struct {
	Reviews    []domain.Review
	Rating     domain.ProductRating
	TotalPages int
}

// Reviews pages through a product's reviews, newest first.
func (a *App) Reviews(ctx context.Context, slugOrID string, page domain.Page) (ReviewPage, error) {
	p, err := a.store.Product(ctx, slugOrID)
	if err != nil {
		return ReviewPage{}, err
	}
	reviews, err := a.store.Reviews(ctx, p.ID, page)
	if err != nil {
		return ReviewPage{}, err
	}
	return ReviewPage{
		Reviews:    reviews,
		Rating:     domain.ProductRating{Count: p.ReviewCount, Sum: p.RatingSum},
		TotalPages: page.TotalPages(p.ReviewCount),
	}, nil
}
