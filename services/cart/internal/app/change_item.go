package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/jangteo/jangteo/platform/errs"
	"github.com/jangteo/jangteo/services/cart/internal/domain"
)

// SetQuantity sets a line's quantity; 0 removes the line.
func (a *App) SetQuantity(ctx context.Context, c Caller, lineID string, quantity int64) (View, error) {
	if quantity < 0 || quantity > a.cfg.MaxLineQuantity {
		return View{}, errs.InvalidFields(errs.Field("quantity", fmt.Sprintf("must be between 0 and %d", a.cfg.MaxLineQuantity)))
	}
	return a.onLine(ctx, c, func(o domain.Owner) (domain.Cart, error) {
		if quantity == 0 {
			return inTx(ctx, a, func(s Store) (domain.Cart, error) { return s.RemoveLine(ctx, o, lineID) })
		}
		return inTx(ctx, a, func(s Store) (domain.Cart, error) { return s.SetLineQuantity(ctx, o, lineID, quantity) })
	})
}

// Increment adds one unit to a line, up to the line maximum.
func (a *App) Increment(ctx context.Context, c Caller, lineID string) (View, error) {
	return a.onLine(ctx, c, func(o domain.Owner) (domain.Cart, error) {
		return inTx(ctx, a, func(s Store) (domain.Cart, error) { return s.AdjustLine(ctx, o, lineID, 1, a.cfg.MaxLineQuantity) })
	})
}

// Decrement takes one unit from a line; the last unit removes the line.
func (a *App) Decrement(ctx context.Context, c Caller, lineID string) (View, error) {
	return a.onLine(ctx, c, func(o domain.Owner) (domain.Cart, error) {
		return inTx(ctx, a, func(s Store) (domain.Cart, error) { return s.AdjustLine(ctx, o, lineID, -1, a.cfg.MaxLineQuantity) })
	})
}

// Remove removes a line.
func (a *App) Remove(ctx context.Context, c Caller, lineID string) (View, error) {
	return a.onLine(ctx, c, func(o domain.Owner) (domain.Cart, error) {
		return inTx(ctx, a, func(s Store) (domain.Cart, error) { return s.RemoveLine(ctx, o, lineID) })
	})
}

// Clear removes every line of the caller's cart.
func (a *App) Clear(ctx context.Context, c Caller) (View, error) {
	o, ok, err := c.owner()
	if err != nil {
		return View{}, err
	}
	if !ok {
		return a.price(ctx, emptyCart()), nil
	}
	cart, err := inTx(ctx, a, func(s Store) (domain.Cart, error) { return s.Clear(ctx, o) })
	if errors.Is(err, domain.ErrCartNotFound) && !o.Anonymous() {
		return a.price(ctx, domain.Cart{UserID: o.UserID}), nil // nothing to clear
	}
	if err != nil {
		return View{}, err
	}
	return a.price(ctx, cart), nil
}

// onLine runs a change to one line of the caller's cart and returns the cart
// as the change left it. A caller without a cart has no lines.
func (a *App) onLine(ctx context.Context, c Caller, change func(domain.Owner) (domain.Cart, error)) (View, error) {
	o, ok, err := c.owner()
	if err != nil {
		return View{}, err
	}
	if !ok {
		return View{}, domain.ErrLineNotFound
	}
	cart, err := change(o)
	if err != nil {
		return View{}, err
	}
	return a.price(ctx, cart), nil
}

func emptyCart() domain.Cart { return domain.Cart{} }
