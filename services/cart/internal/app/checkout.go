package app

import (
	"context"
	"errors"

	"github.com/jangteo/jangteo/services/cart/internal/domain"
)

// CheckoutCart returns a user's cart, unpriced, for the order service, which
// prices and reserves the lines itself. A user without a cart gets an empty one.
func (a *App) CheckoutCart(ctx context.Context, userID string) (domain.Cart, error) {
	c, err := a.store.Cart(ctx, domain.Owner{UserID: userID})
	if errors.Is(err, domain.ErrCartNotFound) {
		return domain.Cart{UserID: userID}, nil
	}
	return c, err
}
