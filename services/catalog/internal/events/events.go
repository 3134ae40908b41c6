// Package events defines what the catalog publishes.
package events

import (
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	catalogv1 "github.com/jangteo/jangteo/gen/go/jangteo/catalog/v1"
	typev1 "github.com/jangteo/jangteo/gen/go/jangteo/type/v1"
	"github.com/jangteo/jangteo/services/catalog/internal/domain"
)

// Subjects the catalog publishes on.
const (
	SubjectProductChanged = "catalog.product_changed"
)

// ProductChanged is the event for a product after change.
func ProductChanged(p domain.Product, change catalogv1.ProductChanged_Change, at time.Time) *catalogv1.ProductChanged {
	return &catalogv1.ProductChanged{
		ProductId: p.ID,
		Change:    change,
		Slug:      p.Slug,
		Name:      p.Name,
		Price:     &typev1.Money{Amount: p.Price.Amount, Currency: p.Price.Currency},
		Available: p.Available,
		Archived:  p.Archived,
		OccurTime: timestamppb.New(at),
	}
}
