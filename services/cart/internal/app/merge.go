package app

import (
	"context"

	"github.com/jangteo/jangteo/platform/opaque"
	"github.com/jangteo/jangteo/services/cart/internal/domain"
)

// Merge moves the anonymous cart named by token into the signed-in user's
// cart right after login and deletes it. It is safe to repeat: with no token,
// an unknown token, or a cart merged before, it changes nothing and reports
// merged false.
func (a *App) Merge(ctx context.Context, userID, token string) (view View, merged bool, err error) {
	o := domain.Owner{UserID: userID}
	if token != "" && opaque.WellFormed(token) {
		merged, err = inTx(ctx, a, func(s Store) (bool, error) {
			return s.Merge(ctx, userID, opaque.Hash(token), a.cfg.MaxLineQuantity)
		})
		if err != nil {
			return View{}, false, err
		}
	}
	view, err = a.view(ctx, o)
	return view, merged, err
}
