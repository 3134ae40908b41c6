package app

import "context"

// GetCart returns the caller's cart priced now; an empty cart when they have
// none yet.
func (a *App) GetCart(ctx context.Context, c Caller) (View, error) {
	o, ok, err := c.owner()
	if err != nil {
		return View{}, err
	}
	if !ok {
		return a.price(ctx, emptyCart()), nil
	}
	return a.view(ctx, o)
}
