package app

import (
	"context"

	"github.com/jangteo/jangteo/services/cart/internal/domain"
)

// RefreshProduct copies a product's announced slug and name onto its cart
// lines and returns how many changed; older facts than a line's copy change
// nothing.
func (a *App) RefreshProduct(ctx context.Context, f domain.ProductFacts) (int64, error) {
	return a.store.RefreshProduct(ctx, f)
}

// RemovePaid takes what a paid order bought out of the cart it was placed
// from (all of it when paid is empty); lines added after checkout stay.
func (a *App) RemovePaid(ctx context.Context, cartID, userID string, paid []domain.PaidLine) error {
	_, err := inTx(ctx, a, func(s Store) (struct{}, error) {
		return struct{}{}, s.RemovePaid(ctx, cartID, userID, paid)
	})
	return err
}
