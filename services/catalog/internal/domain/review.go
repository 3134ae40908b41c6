package domain

import (
	"math"
	"time"

	"github.com/jangteo/jangteo/platform/errs"
)

// Rating counts half stars: 1 is ½ star, 10 is five stars. Integers keep
// sums and averages exact.
type Rating int64

// RatingFromStars converts 0.5–5 stars in half steps.
func RatingFromStars(stars float64) (Rating, error) {
	halves := stars * 2
	if halves < 1 || halves > 10 || halves != math.Trunc(halves) {
		return 0, errs.InvalidFields(errs.Field("rating", "must be 0.5 to 5 in half steps"))
	}
	return Rating(halves), nil
}

// Stars is the rating in stars.
func (r Rating) Stars() float64 { return float64(r) / 2 }

// Review is a buyer's rating and text for a product.
type Review struct {
	ID        string
	ProductID string
	UserID    string
	Rating    Rating
	Title     string
	Body      string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// ProductRating is a product's review tally.
type ProductRating struct {
	Count int64
	Sum   Rating
}

// Average is the mean rating in stars, 0 without reviews.
func (r ProductRating) Average() float64 {
	if r.Count == 0 {
		return 0
	}
	return r.Sum.Stars() / float64(r.Count)
}

// Purchase is one product line of a paid order, as the order.paid event tells it.
type Purchase struct {
	OrderID   string
	UserID    string
	ProductID string
	VariantID string
	Quantity  int64
}
