package app

import (
	"context"

	"github.com/jangteo/jangteo/services/catalog/internal/domain"
)

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
	return a.store.PutReview(ctx, domain.Review{ProductID: p.ID, UserID: userID, Rating: rating, Title: title, Body: body})
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
